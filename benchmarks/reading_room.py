"""Reading-room benchmark: every office page of a large store, timed through a real Datasette.

    .venv/bin/python benchmarks/reading_room.py [--articles 100000] [--repeat 5] [--keep DIR]

The store: the demo's two nights crawled for real (``scheduler.py --once``: its schools, columns,
list pages and runs), then ``--articles`` generated reports (benchmarks/search.py's corpus: the
demo's stories recombined) of 50 more schools, written through the store's own write path
(db/store.py) as their first night would have: four columns each, 20 reports a list page, the
run's rows; one in twenty a repost of an earlier one, topics by the tagger's rule (keywords left
empty); the search index built by the schema's rebuild. ``--keep DIR`` keeps the store for the next run.

The server: ``datasette STORE -m db/metadata.yml`` as the README starts it, on 127.0.0.1; each
page is asked over HTTP ``--repeat`` times with varying parameters (searches of common and rare
terms, filters, far pages), the first request of each kind not counted. Prints per page the median
and p95, and the time of exports of 10,000 rows (CSV and xlsx). Goals (issue 23): p95 at most
100 ms for pages and 5 s for a 10,000-row export.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search import SCHOOLS as SEARCH_SCHOOLS, corpus, p95  # noqa: E402

from crawler.search import tagging  # noqa: E402
from db.schema import open_db, rebuild_search_index  # noqa: E402
from db.store import (BatchResult, save_found_column, save_list_page, save_walked_column,  # noqa: E402
                      store_article)
from demo.server import DemoServer  # noqa: E402
from tests.helpers import datasette_server  # noqa: E402

REPOST_SHARE = 20  # one generated report in this many is a copy of an earlier one


SCHOOLS = 50  # generated schools, beside the demo's
COLUMNS = ("学院新闻", "党建工作", "通知公告", "媒体报道")  # each school's, 20 reports a list page


def build_store(path: Path, articles: int) -> None:
    """The demo's two nights, crawled, and ``articles`` generated reports of SCHOOLS more schools,
    stored as their first night (a backfill) would store them: columns, list pages, the run's rows."""
    config = path.with_name("sites.toml")
    with DemoServer() as demo:
        config.write_text(demo.config_toml(recheck_days=36500), encoding="utf-8")
        for night in ("first", "next day"):
            if night == "next day":
                demo.show_next_day(repost=True)
            result = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "once", "--quiet", "--config",
                                     str(config), "--db", str(path)], cwd=ROOT, capture_output=True, text=True)
            if result.returncode:
                sys.exit(f"the demo crawl failed:\n{result.stderr[-3000:]}")
    db = open_db(path)
    runs = db.execute("SELECT id, started_at FROM crawl_runs ORDER BY id").fetchall()
    first_run, night = runs[0]
    rng = random.Random(3)
    result, first_id = BatchResult(), db.execute("SELECT max(id) FROM articles").fetchone()[0] + 1
    lists: dict[str, list[str]] = {}  # list page -> its links
    with db.conn:
        for number, generated in enumerate(corpus(articles, seed=5)):
            school, column = number % SCHOOLS, (number // SCHOOLS) % len(COLUMNS)
            site, start = SEARCH_SCHOOLS[school], f"https://www{school}.example.edu.cn/{column}/list.htm"
            list_url = start if len(lists.get(start, [])) < 20 else \
                start.replace("list.htm", f"list{number // (SCHOOLS * len(COLUMNS) * 20)}.htm")
            url = f"https://www{school}.example.edu.cn/info/{column}/{number}.htm"
            lists.setdefault(list_url, []).append(url)
            published = generated["published_at"].replace(" ", "T") + "+08:00"
            title, text, cluster = generated["title"], generated["text"], None
            if number >= REPOST_SHARE and number % REPOST_SHARE == 0:  # a copy of an earlier report
                origin = first_id + rng.randrange(number)
                title, text = db.execute("SELECT '【转载】' || title, text FROM articles WHERE id = ?", [origin]).fetchone()
                cluster = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [origin]).fetchone()[0]
            row = {"url": url, "site": site, "list_url": list_url,
                   "title": title, "text": text, "published_at": published, "month": published[:7],
                   "source": generated["source"], "author": None, "content_hash": f"generated-{number}",
                   "images": "[]", "attachments": "[]", "keywords": "[]",
                   "topics": json.dumps(tagging.topics(title, text), ensure_ascii=False),
                   "topics_rule": tagging.TOPICS_RULE, "first_seen_at": night}
            article_id, _ = store_article(db, row, [], first_run, night, result, None, False)
            db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [cluster or article_id, article_id])
        for list_url, links in lists.items():
            school = int(list_url.split("//www", 1)[1].split(".", 1)[0])
            start = list_url.rsplit("/", 1)[0] + "/list.htm"
            save_list_page(db, list_url, SEARCH_SCHOOLS[school], None, None, night, start, links)
        for school in range(SCHOOLS):
            for column, name in enumerate(COLUMNS):
                start = f"https://www{school}.example.edu.cn/{column}/list.htm"
                save_found_column(db, start, SEARCH_SCHOOLS[school], name, night)
                save_walked_column(db, start, SEARCH_SCHOOLS[school], night, first_run)
            new = sum(1 for n in range(articles) if n % SCHOOLS == school)
            for run_id, _ in runs:
                db["crawl_run_sites"].insert({"run_id": run_id, "site": SEARCH_SCHOOLS[school], "status": "ok",
                                              "new_articles": new if run_id == first_run else 0,
                                              "list_pages": 1, "errors": 0}, replace=True)
        rebuild_search_index(db.conn)
    db.conn.close()


def pages(db_path: Path, repeat: int, rng: random.Random) -> dict[str, list[str]]:
    """Each office page, ``repeat + 1`` addresses (the first one a warm-up)."""
    conn = sqlite3.connect(db_path)
    try:
        name = db_path.stem
        sites = [row[0] for row in conn.execute("SELECT DISTINCT site FROM articles")]
        sources = [row[0] for row in conn.execute("SELECT DISTINCT source FROM articles WHERE source IS NOT NULL")]
        months = [row[0] for row in conn.execute("SELECT DISTINCT month FROM articles WHERE month IS NOT NULL")]
        columns = conn.execute("SELECT site, start_url FROM columns").fetchall()
        runs = [row[0] for row in conn.execute("SELECT id FROM crawl_runs")]
        ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
    finally:
        conn.close()
    terms = ["党建", "主题教育", "立德树人", "红船精神", "校企合作", "技能大赛", "乡村振兴", "2023学年", "党的二十大"]
    n = repeat + 1

    def articles(**params) -> str:
        return "/-/articles?" + urllib.parse.urlencode(params)

    return {
        "first page": ["/"] * n,
        "articles, newest": [articles(page=rng.randint(1, 50)) for _ in range(n)],
        "search": [articles(q=rng.choice(terms)) for _ in range(n)],
        "search, page 20": [articles(q=rng.choice(terms[:3]), page=20) for _ in range(n)],
        "search + school + month": [articles(q=rng.choice(terms), site=rng.choice(sites), month=rng.choice(months))
                                    for _ in range(n)],
        "search + 来源, oldest": [articles(q=rng.choice(terms), source=rng.choice(sources), sort="oldest")
                                  for _ in range(n)],
        "topic": [articles(topic=rng.choice(list(tagging.DEFAULT_TOPICS))) for _ in range(n)],
        "column": [articles(**dict(zip(("site", "column"), rng.choice(columns)))) for _ in range(n)],
        "a run's articles": [articles(run=rng.choice(runs)) for _ in range(n)],
        "article": [f"/{name}/articles/{rng.choice(ids)}" for _ in range(n)],
        "school": ["/-/school?" + urllib.parse.urlencode({"site": rng.choice(sites)}) for _ in range(n)],
        "runs": ["/-/runs"] * n,
        "a run": [f"/-/runs/{rng.choice(runs)}" for _ in range(n)],
        "reposts": ["/-/reposts"] * n,
    }


def timed(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started, body


def export_filter(store: Path, wanted: int = 10_000) -> tuple[dict, int]:
    """The list whose export is timed: the topic with the fewest articles that still has ``wanted``."""
    conn = sqlite3.connect(store)
    try:
        counts = conn.execute("SELECT topic, count(*) FROM article_topics GROUP BY topic HAVING count(*) >= ? "
                              "ORDER BY count(*) LIMIT 1", [wanted]).fetchall()
    finally:
        conn.close()
    return ({"topic": counts[0][0]}, counts[0][1]) if counts else ({}, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="generated reports in the store")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--keep", type=Path, help="directory to keep (and reuse) the store in")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="reading-room-"))
    work.mkdir(parents=True, exist_ok=True)
    store = work / f"room{args.articles}.db"
    try:
        if not store.exists():
            started = time.perf_counter()
            build_store(store, args.articles)
            print(f"built a store of {args.articles:,} generated reports and the demo's two nights "
                  f"in {time.perf_counter() - started:.0f} s")
        open_db(store).conn.close()  # a kept store gets this version's tables and indexes, as a crawl gives them
        conn = sqlite3.connect(store)
        total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        conn.close()
        size = sum(f.stat().st_size for f in store.parent.glob(store.name + "*")) / 1e6
        print(f"store {store}: {total:,} articles, {size:.0f} MB; datasette -m db/metadata.yml on 127.0.0.1")
        rng = random.Random(11)
        with datasette_server(store, "-m", "db/metadata.yml") as root:
            print(f"\n{'page':<28}{'median ms':>10}{'p95 ms':>9}{'max ms':>9}")
            worst = 0.0
            for label, urls in pages(store, args.repeat, rng).items():
                times = [timed(root + url)[0] * 1000 for url in urls][1:]
                worst = max(worst, p95(times))
                print(f"{label:<28}{statistics.median(times):>10.1f}{p95(times):>9.1f}{max(times):>9.1f}", flush=True)
            print(f"\nworst page p95: {worst:.0f} ms (goal: at most 100 ms)")
            chosen, rows = export_filter(store)
            for kind in ("csv", "xlsx"):
                seconds, body = timed(f"{root}/-/articles.{kind}?" + urllib.parse.urlencode(chosen))
                print(f"export of {rows:,} rows ({chosen or 'every article'}) as {kind}: {seconds:.2f} s, "
                      f"{len(body) / 1e6:.1f} MB (goal: 10,000 rows in at most 5 s)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
