"""Recrawl benchmark: what an unchanged night and a next day cost, against a full first night.

    .venv/bin/python benchmarks/recrawl.py [--schools 5] [--articles 1000] [--per-page 20]

Serves generated schools on 127.0.0.1… (demo templates, one article a day back from
yesterday, ETag/Last-Modified like a real web server; each report its own story, and
``--reposts`` of them, 5% by default, another school's report copied under 【转载】), then runs
``scheduler.py --once`` three times into a fresh database: run 1 full; run 2 unchanged; run 3
after 2 new articles per school (10 at 5 schools) and 3 edited articles. Prints requests, bytes
and wall time of each run (from the server's own log), the ratios to run 1, and whether run 3
stored exactly the new articles and exactly the edits.

``--group-sizes 40,200,1000`` also times first nights where every report is a copy of one of the
demo's 17 stories (repost groups of schools × articles / 17), at each number of articles per
school: the time per article should not grow with the size of the groups.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlite_utils  # noqa: E402

from demo.generated import add_articles, edit_articles, generated_schools  # noqa: E402
from demo.server import DemoServer  # noqa: E402


def one_night(demo: DemoServer, config: Path, db_path: Path) -> dict:
    demo.clear_log()
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "once", "--quiet",
                             "--config", str(config), "--db", str(db_path)], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"refresh failed:\n{result.stderr[-2000:]}")
    hits = demo.hits()
    article_paths = {s.article_path(a) for s in demo.schools.values() for a in s.articles}
    return {
        "requests": len(hits),
        "bytes": sum(h.bytes for h in hits),
        "article_downloads": sum(h.status == 200 and h.path in article_paths for h in hits),
        "not_modified": sum(h.status == 304 for h in hits),
        "wall_s": wall,
    }


def group_nights(schools: int, sizes: list[int], per_page: int) -> None:
    """First nights of schools whose every report is one of 17 stories: time per article by group size."""
    print(f"first nights, every report a copy of one of 17 stories ({schools} schools)")
    print(f"{'articles':>10}{'group size':>12}{'wall s':>9}{'ms/article':>12}{'groups':>8}")
    for size in sizes:
        work = Path(tempfile.mkdtemp(prefix="recrawl-groups-"))
        with DemoServer(generated_schools(schools, size, per_page)) as demo:
            config = work / "sites.toml"
            config.write_text(demo.config_toml(max_pages=-(-size // per_page) + 1, concurrent_requests_per_domain=8),
                              encoding="utf-8")
            night = one_night(demo, config, work / "reports.db")
        db = sqlite_utils.Database(work / "reports.db")
        stored = db.execute("select count(*) from articles").fetchone()[0]
        groups = db.execute("select count(distinct cluster_id) from articles").fetchone()[0]
        print(f"{stored:>10,}{stored / max(groups, 1):>12.0f}{night['wall_s']:>9.1f}"
              f"{1000 * night['wall_s'] / max(stored, 1):>12.2f}{groups:>8}", flush=True)
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=5)
    parser.add_argument("--articles", type=int, default=1000, help="articles per school")
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--reposts", type=float, default=0.05, help="share of reports copied from another school")
    parser.add_argument("--group-sizes", default="", help="articles per school of the repost-group nights, e.g. 40,200,1000")
    args = parser.parse_args(argv)
    if args.group_sizes:
        group_nights(args.schools, [int(n) for n in args.group_sizes.split(",")], args.per_page)
    schools = generated_schools(args.schools, args.articles, args.per_page, varied=True, reposts=args.reposts)
    work = Path(tempfile.mkdtemp(prefix="recrawl-"))
    db_path = work / "reports.db"
    with DemoServer(schools) as demo:
        config = work / "sites.toml"
        pages = -(-args.articles // args.per_page) + 1
        config.write_text(demo.config_toml(max_pages=pages, concurrent_requests_per_domain=8), encoding="utf-8")
        print(f"{args.schools} schools × {args.articles} articles, {args.per_page} per list page; db {db_path}")
        runs = {"run 1 (full)": one_night(demo, config, db_path)}
        runs["run 2 (unchanged)"] = one_night(demo, config, db_path)

        changed = add_articles(demo.schools, 2)
        keys = list(changed)[:3]
        edited_titles = {changed[k].articles[3]["title"] for k in keys}  # young: four days old
        changed = edit_articles(changed, [(k, 3) for k in keys])
        new_titles = {a["title"] for s in changed.values() for a in s.articles} - {
            a["title"] for s in demo.schools.values() for a in s.articles}
        demo.show(changed)
        runs["run 3 (+new, edits)"] = one_night(demo, config, db_path)

    db = sqlite_utils.Database(db_path)
    last = db.execute("select max(id) from crawl_runs").fetchone()[0]
    stored_new = {t for (t,) in db.execute("select title from articles where first_seen_run = ?", [last])}
    stored_edits = {t for (t,) in db.execute("select title from articles where last_changed_run = ?", [last])}

    first = runs["run 1 (full)"]
    print(f"\n{'':<22}{'requests':>10}{'of run 1':>10}{'bytes':>13}{'of run 1':>10}{'articles':>10}{'304s':>7}{'wall s':>8}")
    for name, r in runs.items():
        print(f"{name:<22}{r['requests']:>10}{r['requests'] / first['requests']:>10.2%}{r['bytes']:>13,}"
              f"{r['bytes'] / first['bytes']:>10.2%}{r['article_downloads']:>10}{r['not_modified']:>7}{r['wall_s']:>8.1f}")
    print(f"\nrun 3 stored {len(stored_new)} new (expected {len(new_titles)}): "
          f"{'exact' if stored_new == new_titles else 'MISMATCH'}")
    print(f"run 3 stored {len(stored_edits)} edits (expected {len(edited_titles)}): "
          f"{'exact' if stored_edits == edited_titles else 'MISMATCH'}")
    ok = stored_new == new_titles and stored_edits == edited_titles
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
