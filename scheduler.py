"""Command line of the school news monitor.

    python scheduler.py --once [--config sites.toml] [--db db/reports.db]   one refresh of every school
    python scheduler.py --demo                                               the same, on the bundled demo site
    python scheduler.py --try URL                                            try a news column before adding it
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from crawler.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "sites.toml"
DEMO_PORT = 18601


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Nightly monitoring crawler for Chinese school news.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run one refresh of every configured school and exit")
    mode.add_argument("--demo", action="store_true", help="serve the bundled demo schools and refresh db/demo.db")
    mode.add_argument("--try", dest="try_url", metavar="URL", help="crawl one news column without storing anything")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="sites file (default: sites.toml)")
    parser.add_argument("--db", default=None, help="SQLite file (default: db/reports.db; db/demo.db with --demo)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    args = parser.parse_args(argv)
    log_level = "WARNING" if args.quiet else "INFO"

    if args.try_url:
        return try_column(args.try_url, log_level)
    if args.demo:
        return run_demo(args.db, log_level)
    if args.once:
        try:
            config = load_config(args.config)
        except ConfigError as exc:
            print(f"config error: {exc}", file=sys.stderr)
            return 2
        return refresh_and_report(config, args.db or str(ROOT / "db" / "reports.db"), log_level)
    parser.print_usage(sys.stderr)
    print("scheduler.py: choose --once, --demo or --try URL (the nightly schedule is not built yet)", file=sys.stderr)
    return 2


def refresh_and_report(config, db_path: str, log_level: str) -> int:
    from crawler.refresh import run_refresh

    print(f"Refreshing {len(config.sites)} school(s) into {db_path} …", file=sys.stderr)
    try:
        result = run_refresh(config, db_path, log_level=log_level)
    except OSError as exc:
        print(f"error: cannot write {db_path}: {exc}", file=sys.stderr)
        return 1
    print(format_summary(result, db_path))
    return 1 if result.status == "failed" else 0


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where each Chinese character takes two columns."""
    return text + " " * max(0, width - _display_width(text))


def format_summary(result, db_path: str) -> str:
    width = max([_display_width(row["site"]) for row in result.sites] + [6])
    lines = [
        "",
        f"Run {result.run_id}: {result.status}, {result.new_articles} new article(s) in {result.duration_s:.0f}s → {db_path}",
        f"{_pad('school', width)}  status   lists  articles  304s  new  changed  gone  broken  errors",
    ]
    for row in result.sites:
        lines.append(
            f"{_pad(row['site'], width)}  {row['status']:<7}  {row['list_pages']:>5}  {row['article_pages']:>8}  "
            f"{row['not_modified']:>4}  {row['new_articles']:>3}  {row['changed_articles']:>7}  {row['gone_articles']:>4}  "
            f"{row['broken_links']:>6}  {row['errors']:>6}"
        )
        if row.get("first_error"):
            lines.append(f"{'':<{width}}  first error: {row['first_error']}")
    return "\n".join(lines)


def run_demo(db_path: str | None, log_level: str) -> int:
    from demo.server import DemoServer

    db_path = db_path or str(ROOT / "db" / "demo.db")
    # a fixed port keeps the demo's URLs stable, so a second --demo run finds its articles known
    try:
        demo = DemoServer(port=DEMO_PORT).start()
    except OSError as exc:
        print(f"error: cannot serve the demo on port {DEMO_PORT} of 127.0.0.1-3: {exc.strerror}", file=sys.stderr)
        return 1
    with demo:
        config = parse_config(demo.config_dict(), "<demo>")
        for site in config.sites:
            print(f"demo school {site.name}: {site.start_urls[0]}", file=sys.stderr)
        code = refresh_and_report(config, db_path, log_level)
    print(f"\nBrowse it: .venv/bin/datasette {db_path} -m db/metadata.yml --plugins-dir db/plugins")
    return code


def try_column(url: str, log_level: str) -> int:
    """Crawl one list page and its next page; print the links found and two extracted articles."""
    from crawler.refresh import build_settings, run_crawl

    try:
        config = parse_config({"sites": [{"name": "try", "start_urls": [url], "max_pages": 2}]}, "--try")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    items = []
    settings = build_settings(config, ITEM_PIPELINES={}, LOG_LEVEL=log_level)

    crawler = run_crawl(config, settings, on_item=items.append, try_mode=True)
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    print(f"\nList pages read: {stats.get('site/try/list_pages', 0)}; article links found: {len(spider.found_links)}")
    for link in spider.found_links:
        print("  " + link)
    if not spider.found_links and stats.get("site/try/list_pages", 0):
        print("  (none: the column's article URLs have an unusual shape; set article_pattern in sites.toml)")
    for item in items[:2]:
        fields = {k: getattr(item, k) for k in ("url", "title", "published_at", "author", "source", "editor", "views")}
        fields["text"] = item.text[:200] + ("…" if len(item.text) > 200 else "")
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    if stats.get("site/try/first_error"):
        print(f"first error: {stats['site/try/first_error']}")
    return 0 if spider.found_links else 1


if __name__ == "__main__":
    sys.exit(main())
