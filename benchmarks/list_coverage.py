"""List pages: how many of a column's articles the crawl asks for, on real school list pages.

    .venv/bin/python benchmarks/list_coverage.py [--json]

Cases: the saved list pages of ``tests/pages`` whose manifest entry lists the column's own
items by hand (``column_items``: collected from public repositories, schools none of the
team had seen). Per page and in all: the share of the column's items requested, the share
of requests outside the column, whether the next page was found, and what the nightly
coverage check says (items the list shows, items taken). Items whose link has no address
(``javascript:`` placeholders) cannot be requested; they are counted in the share, and the
coverage check must report them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scrapy.http import HtmlResponse  # noqa: E402

from crawler.config import parse_config  # noqa: E402
from crawler.extract.urls import canonical_url  # noqa: E402
from spiders.news import NewsSpider  # noqa: E402
from tests.helpers import page_url  # noqa: E402

PAGES = ROOT / "tests" / "pages"


def measure(entry: dict) -> dict:
    url = page_url(entry)
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=(PAGES / entry["file"]).read_bytes(), encoding=entry["encoding"])
    links, next_url, _, coverage = NewsSpider(config=config).read_list(response, config.sites[0], 1)
    # another site's page on the list (a 人事处 linking a 学院's article) is not asked unless the
    # school's config follows that host: understood, counted apart
    items = [canonical_url(urljoin(url, item["href"])) for item in entry["column_items"] if not item.get("off_site")]
    off_site = sum(bool(item.get("off_site")) for item in entry["column_items"])
    taken = {link for link, _, _ in links}
    want_next = entry["pagination"]["next"]
    return {
        "file": entry["file"], "site": entry["site"].split(" ")[0], "family": entry["family"] or entry["cms"],
        "items": len(items), "off_site": off_site, "requested": sum(item in taken for item in items),
        "requests": len(taken), "outside": len(taken - set(items)),
        "next_found": next_url == (canonical_url(urljoin(url, want_next)) if want_next else None),
        "shown": coverage.shown, "taken": coverage.taken, "reported": coverage.partial,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    manifest = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
    rows = [measure(e) for e in manifest if e["kind"] == "list" and "column_items" in e]
    total = {
        "pages": len(rows), "schools": len({r["site"] for r in rows}), "families": len({r["family"] for r in rows}),
        "requested": sum(r["requested"] for r in rows) / max(1, sum(r["items"] for r in rows)),
        "outside": sum(r["outside"] for r in rows) / max(1, sum(r["requests"] for r in rows)),
        "next_found": sum(r["next_found"] for r in rows) / max(1, len(rows)),
    }
    if args.json:
        print(json.dumps({"pages": rows, "total": total}, ensure_ascii=False, indent=2))
        return
    print(f"{total['pages']} real list pages, {total['schools']} schools, {total['families']} CMS famil"
          f"{'y' if total['families'] == 1 else 'ies'}")
    print(f"{'page':<9}{'items':>6}{'asked':>7}{'outside':>9}{'next':>6}   coverage check")
    for r in rows:
        check = f"shows {r['shown']}, took {r['taken']}" + ("  -> reported" if r["reported"] else "") + (
            f"  ({r['off_site']} on another site, not asked)" if r["off_site"] else "")
        print(f"{r['file']:<9}{r['items']:>6}{r['requested']:>7}{r['outside']:>9}{'ok' if r['next_found'] else 'MISS':>6}"
              f"   {check}")
    print(f"column items requested {total['requested']:.1%}, requests outside the column {total['outside']:.1%}, "
          f"next page found {total['next_found']:.0%}")


if __name__ == "__main__":
    main()
