"""Homepage discovery: which of a school's homepage links are offered as news columns, on real
homepages.

    .venv/bin/python benchmarks/column_discovery.py [--json]

Cases: the saved homepages of ``tests/pages`` (manifest kind "home": collected from public
repositories, schools none of the team had seen) with their news columns by hand. Per page
and in all: the share of the news columns among the candidates (recall), and the share of
candidates that are no news column (a column judged borderline by hand counts neither way).
Candidates are then checked by their own page (a dated list) before a crawl takes them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract import decode_html_bytes  # noqa: E402
from crawler.extract.columns import column_candidates  # noqa: E402
from crawler.extract.urls import canonical_url  # noqa: E402
from tests.helpers import page_url  # noqa: E402

PAGES = ROOT / "tests" / "pages"


def column_url(base: str, column: dict) -> str:
    return canonical_url(column.get("target_url") or urljoin(base, column["href"]))


def measure(entry: dict) -> dict:
    base = page_url(entry)
    host = urlsplit(base).hostname
    html = decode_html_bytes((PAGES / entry["file"]).read_bytes())
    found = {canonical_url(c.url): c.name for c in column_candidates(html, base, lambda u: urlsplit(u).hostname == host)}
    news = {column_url(base, c) for c in entry["news_columns"]}
    borderline = {column_url(base, c) for c in entry["borderline_columns"]}
    wrong = sorted(name for url, name in found.items() if url not in news and url not in borderline)
    return {"file": entry["file"], "site": entry["site"], "news": len(news), "found": len(news & set(found)),
            "candidates": len(found), "wrong": len(wrong), "wrong_names": wrong,
            "known_miss": bool(entry.get("known_misses"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    manifest = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    rows = [measure(e) for e in manifest if e["kind"] == "home"]
    recall = sum(r["found"] for r in rows) / max(1, sum(r["news"] for r in rows))
    wrong = sum(r["wrong"] for r in rows) / max(1, sum(r["candidates"] for r in rows))
    if args.json:
        print(json.dumps({"pages": rows, "recall": recall, "wrong": wrong}, ensure_ascii=False, indent=2))
        return
    print(f"{len(rows)} real homepages of {len(rows)} schools")
    print(f"{'page':<9}{'news':>5}{'found':>6}{'cands':>6}{'wrong':>6}   wrong candidates")
    for r in rows:
        note = "  (known miss: see the manifest)" if r["known_miss"] else ""
        print(f"{r['file']:<9}{r['news']:>5}{r['found']:>6}{r['candidates']:>6}{r['wrong']:>6}   "
              f"{'、'.join(r['wrong_names'])}{note}")
    print(f"news columns among the candidates {recall:.0%}, candidates that are no news column {wrong:.0%}")


if __name__ == "__main__":
    main()
