"""``scheduler.py --try URL``: crawl one news column without storing anything, and show what
it yields: the article links of its first two list pages and two extracted articles."""
from __future__ import annotations

import json
import sys

from crawler.config import ConfigError, parse_config
from spiders.trial import TRIAL_PAGES, TrialSpider


def try_column(url: str, log_level: str) -> int:
    """Crawl one list page and its next page; print the links found and two extracted articles."""
    from crawler.extract.urls import typed_url
    from crawler.runtime.refresh import build_settings, run_crawl

    url = typed_url(url)
    try:
        config = parse_config({"sites": [{"name": "try", "start_urls": [url], "max_pages": TRIAL_PAGES}]}, "try")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    items = []
    # no STORE_DB_PATH: nothing is stored; no extraction processes for two articles
    settings = build_settings(config, LOG_LEVEL=log_level, EXTRACTION_PROCESSES=0)
    crawler = run_crawl(config, settings, spider_class=TrialSpider, on_item=items.append)
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    print(f"\nList pages read: {stats.get('site/try/list_pages', 0)}; article links found: {len(spider.found_links)}")
    for link in spider.found_links:
        print("  " + link)
    if spider.script_notes:
        print("  " + spider.script_notes[0])
    elif not spider.found_links and stats.get("site/try/list_pages", 0):
        print("  (none: the column's article URLs have an unusual shape; set article_pattern in sites.toml)")
    for item in items[:2]:
        fields = {k: getattr(item, k) for k in ("url", "title", "published_at", "author", "source", "editor", "views")}
        fields["text"] = item.text[:200] + ("…" if len(item.text) > 200 else "")
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    if stats.get("site/try/first_error"):
        print(f"first error: {stats['site/try/first_error']}")
    return 0 if spider.found_links else 1
