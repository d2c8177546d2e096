"""Search benchmark: does a query find every article that contains it, and how fast, in Datasette?

    .venv/bin/python benchmarks/search.py [--articles 100000] [--quality-articles 5000] [--keep DIR]

Corpus: articles generated from the demo's texts (demo/articles.json): each one takes a
demo article as its story and draws its title parts and 3-6 paragraphs of 4-9 clauses from
it, one clause in five from any other story; schools, dates, 来源 vary. Every search term
below occurs in the demo texts: 2-character words (思政, 党建), words a segmenter cuts
differently (思政 inside 课程思政, 党的二十大 across jieba's words), whole slogans with their
punctuation, a Latin/digit mix (2023学年).

1. **Quality** (``--quality-articles``, default 5,000): for every term, the set of articles
   the store's search matches, asked through Datasette's SQL API (``search_query()``, the
   function the canned ``search`` query and the table's search box use), against the
   truth: the articles whose title or text contains the term as a substring. Per-term
   precision and recall, and their means; the same for the previous index (jieba words,
   ``jieba_query`` with OR-expansion), built from the same corpus. The table box's count
   (``articles.json?_search=``) is checked to be the same set's size.
2. **Speed** (``--articles``, default 100,000): the store is built by the real path (rows
   into ``articles``, the search index written by db/schema.py's rebuild, which a store in
   an older format goes through when opened; keywords left empty). Each term is asked
   ``--repeat`` times through Datasette's own request path (``datasette.client``, the ASGI
   app a browser reaches, the plugin loaded from its entry point, db/metadata.yml): the
   canned ``search.json`` and the table's ``articles.json?_search=`` (20 rows, newest first,
   and the count); then once per term the table page as a whole (its four facets and
   Datasette's facet suggestions, which cost the same without a search). Prints the median
   and p95 of all requests (the first of each term and path not counted).

Goals (issue 19): precision and recall ≥ 0.95; canned search p95 ≤ 50 ms at 100,000.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.search import tagging  # noqa: E402
from db.schema import ensure_search_index, open_db  # noqa: E402

TERMS = [
    # 2-character words
    "党建", "思政", "党委", "党员", "学生", "教师", "育人", "示范", "廉政", "演练", "党课", "党性", "七一", "田径",
    # words and phrases of the domain
    "主题党日", "产教融合", "红船精神", "立德树人", "主题教育", "党史学习教育", "校企合作", "运动会", "技能大赛",
    "课程思政", "党支部", "三会一课", "乡村振兴", "高质量发展", "双带头人", "现代学徒制", "劳动教育", "志愿服务",
    "基层党组织", "专业群", "一等奖", "人才培养", "职业院校", "思想政治", "全面从严治党", "初心使命", "理论学习",
    "红旗党支部", "党总支", "蝶变跃升", "实训基地", "入党誓词", "中国式现代化",
    # across jieba's word boundaries, and long
    "党的二十大", "建党精神", "党的建设", "习近平新时代中国特色社会主义思想", "社会主义核心价值观",
    # slogans with their punctuation, and a Latin/digit mix
    "为党育人、为国育才", "抓院促系、整校建强", "红船铸魂、双元强能、求真创新、报效祖国", "2023学年",
]
SCHOOLS = [f"{place}{kind}" for place in ("嘉兴", "南湖", "秀洲", "海宁", "桐乡", "平湖", "嘉善", "海盐", "湖州", "绍兴")
           for kind in ("职业技术学院", "交通运输职业学校", "中学", "技师学院", "实验学校")]
SOURCES = ["党委宣传部", "党委办公室", "学生处", "教务处", "团委", "组织部", "二级学院", None]
CLAUSE = re.compile(r"[^。！？，；,;]+[。！？，；,;]")


def stories() -> list[tuple[list[str], list[str]]]:
    """(title parts, clauses) of each demo article."""
    out = []
    for article in json.loads((ROOT / "demo" / "articles.json").read_text(encoding="utf-8")):
        parts = [p for p in re.split(r"[\s：:——]+", article["title"]) if p]
        clauses = [c for p in article["paragraphs"] for c in CLAUSE.findall(p + "。")]
        out.append((parts, clauses))
    return out


def corpus(count: int, seed: int = 1):
    """``count`` generated articles: dicts with the columns the store keeps."""
    rng = random.Random(seed)
    told = stories()
    every_part = [p for parts, _ in told for p in parts]
    every_clause = [c for _, clauses in told for c in clauses]
    for number in range(1, count + 1):
        parts, clauses = rng.choice(told)
        title = " ".join(rng.sample(parts, min(len(parts), rng.randint(1, 2))))
        if rng.random() < 0.3:
            title = rng.choice(every_part) + " " + title
        paragraphs = []
        for _ in range(rng.randint(3, 6)):
            picks = [rng.choice(clauses) if rng.random() < 0.8 else rng.choice(every_clause)
                     for _ in range(rng.randint(4, 9))]
            paragraphs.append("".join(picks)[:-1] + "。")
        day = 1 + (number * 7919) % 1400
        published = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(1577836800 + day * 86400 + number % 36000))
        yield {"id": number, "url": f"https://school{number % 50}.example.edu.cn/info/{number}.htm",
               "site": SCHOOLS[number % len(SCHOOLS)], "title": title, "text": "\n".join(paragraphs),
               "published_at": published, "month": published[:7], "source": SOURCES[number % len(SOURCES)],
               "keywords": "[]", "topics": "[]", "content_hash": f"{number:032x}", "cluster_id": number}


def build_store(path: Path, count: int) -> tuple[float, float]:
    """A store of ``count`` generated articles, indexed by the schema's rebuild; returns
    (seconds to insert the rows, seconds to write the search index)."""
    db = open_db(path)
    started = time.perf_counter()
    with db.conn:
        db["articles"].insert_all(corpus(count), batch_size=2000)
        db.execute("DELETE FROM search_index")  # as a store written by an older version
    inserted = time.perf_counter()
    with db.conn:
        ensure_search_index(db)
    indexed = time.perf_counter()
    db.conn.close()
    return inserted - started, indexed - inserted


# --- the previous search, for comparison: jieba words in the index, jieba_query's expression


_WORD = re.compile(r"\w")  # a search word has a letter or digit: punctuation is no word


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def old_fts_query(query: str) -> str:
    jieba = tagging.jieba()
    clauses: list[str] = []
    for word in jieba.cut(query or ""):
        if not _WORD.search(word):
            continue
        parts = [p for p in jieba.cut_for_search(word) if p != word and len(p) <= 2] if len(word) >= 4 else []
        clause = f"({_quoted(word)} OR {_quoted(' '.join(parts))})" if parts else _quoted(word)
        if clause not in clauses:
            clauses.append(clause)
    return " AND ".join(clauses) or '""'


def build_old_index(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE IF EXISTS old_fts")
        conn.execute("CREATE VIRTUAL TABLE old_fts USING fts5(title, text, keywords)")
        for article_id, title, text in conn.execute("SELECT id, title, text FROM articles").fetchall():
            jieba = tagging.jieba()
            conn.execute("INSERT INTO old_fts (rowid, title, text, keywords) VALUES (?, ?, ?, ?)",
                         [article_id, " ".join(w for w in jieba.cut_for_search(title) if _WORD.search(w)),
                          " ".join(w for w in jieba.cut_for_search(text) if _WORD.search(w)),
                          " ".join(tagging.keywords(title, text))])
    conn.close()


# --- Datasette


def datasette_for(path: Path):
    from datasette.app import Datasette

    metadata = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette([str(path)], metadata=metadata,
                     settings={"max_returned_rows": 1_000_000, "sql_time_limit_ms": 60_000})


async def fetch(ds, path: str, **params) -> tuple[dict | list, float]:
    url = path + "?" + urllib.parse.urlencode(params)
    started = time.perf_counter()
    response = await ds.client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}: {response.text[:300]}")
    return response.json(), elapsed


def truth(path: Path, term: str) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {i for i, doc in conn.execute("SELECT id, title || char(10) || text FROM articles") if term in doc}
    finally:
        conn.close()


async def quality(path: Path) -> list[dict]:
    ds = datasette_for(path)
    name = path.stem
    out = []
    for term in TERMS:
        real = truth(path, term)
        rows, _ = await fetch(ds, f"/{name}.json", _shape="array", q=term,
                              sql="select rowid from articles_fts where articles_fts match search_query(:q)")
        found = {row["rowid"] for row in rows}
        box, _ = await fetch(ds, f"/{name}/articles.json", _search=term, _size="0", _nofacet="1")
        rows, _ = await fetch(ds, f"/{name}.json", _shape="array", q=old_fts_query(term),
                              sql="select rowid from old_fts where old_fts match :q")
        old = {row["rowid"] for row in rows}
        out.append({"term": term, "truth": len(real), "found": len(found), "box": box["filtered_table_rows_count"],
                    **scores(found, real), **{f"old_{k}": v for k, v in scores(old, real).items()}})
    return out


def scores(found: set[int], real: set[int]) -> dict:
    hit = len(found & real)
    return {"precision": hit / len(found) if found else (1.0 if not real else 0.0),
            "recall": hit / len(real) if real else 1.0}


async def speed(path: Path, repeat: int) -> dict[str, list[float]]:
    ds = datasette_for(path)
    name = path.stem
    times: dict[str, list[float]] = {"search": [], "box": [], "page": [], "plain": [], "hits": []}
    for attempt in range(4):
        _, elapsed = await fetch(ds, f"/{name}/articles.json", _size="20")
        if attempt:
            times["plain"].append(elapsed)
    for term in TERMS:
        for attempt in range(repeat + 1):
            rows, elapsed = await fetch(ds, f"/{name}/search.json", q=term, _shape="array")
            if attempt:
                times["search"].append(elapsed)
            assert rows, term
        for attempt in range(repeat + 1):
            data, elapsed = await fetch(ds, f"/{name}/articles.json", _search=term, _size="20", _nofacet="1")
            if attempt:
                times["box"].append(elapsed)
        times["hits"].append(data["filtered_table_rows_count"])
        _, elapsed = await fetch(ds, f"/{name}/articles.json", _search=term, _size="20")
        times["page"].append(elapsed)
    return times


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="articles for the speed test")
    parser.add_argument("--quality-articles", type=int, default=5_000, help="articles for precision and recall")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per term and path")
    parser.add_argument("--keep", type=Path, help="directory to keep (and reuse) the generated stores in")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"{len(TERMS)} terms; corpus from {ROOT / 'demo' / 'articles.json'}")
        small = work / f"quality{args.quality_articles}.db"
        if not small.exists():
            build_store(small, args.quality_articles)
            build_old_index(small)
        results = asyncio.run(quality(small))
        print(f"\nquality over {args.quality_articles:,} articles (truth: title or text contains the term)")
        print(f"{'term':<22} {'truth':>6} {'found':>6} {'box':>6} {'precision':>9} {'recall':>7}   "
              f"{'old precision':>13} {'old recall':>10}")
        for r in results:
            print(f"{r['term'][:20]:<22} {r['truth']:>6} {r['found']:>6} {r['box']:>6} {r['precision']:>9.3f} "
                  f"{r['recall']:>7.3f}   {r['old_precision']:>13.3f} {r['old_recall']:>10.3f}")
        mean = {k: statistics.mean(r[k] for r in results) for k in ("precision", "recall", "old_precision",
                                                                     "old_recall")}
        print(f"mean precision {mean['precision']:.3f}, recall {mean['recall']:.3f} "
              f"(min {min(r['precision'] for r in results):.3f} / {min(r['recall'] for r in results):.3f}); "
              f"previous index: precision {mean['old_precision']:.3f}, recall {mean['old_recall']:.3f}")
        if any(r["box"] != r["found"] for r in results):
            print("table box count differs from the search for:", [r["term"] for r in results if r["box"] != r["found"]])

        big = work / f"speed{args.articles}.db"
        if not big.exists():
            insert_s, index_s = build_store(big, args.articles)
            print(f"\nbuilt {args.articles:,} articles: rows {insert_s:.1f} s, search index {index_s:.1f} s "
                  f"(the rebuild an older store gets when opened)")
        size = sum(f.stat().st_size for f in big.parent.glob(big.name + "*"))
        conn = sqlite3.connect(big)
        text_mb = conn.execute("SELECT sum(length(CAST(title AS BLOB)) + length(CAST(text AS BLOB))) "
                               "FROM articles").fetchone()[0] / 1e6
        conn.close()
        print(f"\nspeed at {args.articles:,} articles: store {size / 1e6:.0f} MB (titles and texts {text_mb:.0f} MB)")
        times = asyncio.run(speed(big, args.repeat))
        hits = times.pop("hits")
        print(f"matches per term: median {statistics.median(hits):,.0f}, max {max(hits):,} "
              f"({max(hits) / args.articles:.0%} of the articles)")
        for path, label in (("search", "canned search (search.json: top 50 by BM25, snippets)"),
                            ("box", "table search box (articles.json?_search=: 20 rows and the count)"),
                            ("page", "  the same with the table page's facets and suggestions (1 run)"),
                            ("plain", "  for comparison: the table page without a search (3 runs)")):
            ms = [t * 1000 for t in times[path]]
            print(f"{label:<62} median {statistics.median(ms):6.1f} ms   p95 {p95(ms):6.1f} ms   "
                  f"max {max(ms):6.1f} ms")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
