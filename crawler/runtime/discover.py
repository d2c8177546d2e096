"""``scheduler.py --discover URL`` and ``--discover --from schools.csv``: find the news columns of
schools from their homepages and print ready ``[[sites]]`` tables to paste into sites.toml.

The crawl is the nightly one (robots.txt, delays, one school's failure never stops the
others), reading each homepage and its candidate columns' first pages only: no article is
fetched and nothing is stored.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from urllib.parse import urlsplit

from crawler.config import ConfigError, parse_config
from crawler.extract.columns import date_range, script_list_note
from spiders.news import NewsSpider


class DiscoverSpider(NewsSpider):
    """Reads homepages and the first page of each candidate column; follows nothing else."""

    index_terms = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.titles: dict[str, str] = {}  # site -> its homepage's <title>
        self.first_pages: dict[str, tuple[int, str | None, str | None]] = {}  # column URL -> links, dates
        self.script_lists: dict[str, list[str]] = {}  # site -> notes on columns a script builds

    def parse_home(self, response, site_name: str):
        title = response.xpath("//title/text()").get() if hasattr(response, "xpath") else None
        self.titles[site_name] = re.split(r"\s*[-_|｜—]\s*", (title or "").strip())[0]
        yield from super().parse_home(response, site_name)

    def script_list(self, site, name: str | None, url: str) -> None:
        super().script_list(site, name, url)
        self.script_lists.setdefault(site.name, []).append(script_list_note(name or "", url))

    def follow_list(self, response, site, links, next_url, page, column, streak, column_key=None):
        oldest, newest = date_range(links)
        self.first_pages[response.url] = (len(links), oldest, newest)
        return iter(())


def schools_from_csv(path: str) -> list[dict]:
    """``name,home`` rows (a header row is optional; UTF-8, with or without BOM)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    if rows and rows[0][0].strip().lower() == "name":
        rows = rows[1:]
    schools = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2 or not row[1].strip():
            raise ConfigError(f"{path}: row {number}: want two columns, name,home")
        schools.append({"name": row[0].strip() or f"学校{number}", "home": row[1].strip()})
    return schools


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string


def sites_table(name: str, home: str, columns: list[dict], notes: list[str]) -> str:
    """One ready ``[[sites]]`` table, each column commented with what its first page shows."""
    lines = ["[[sites]]", f"name = {_toml(name)}",
             f"# home = {_toml(home)}  # instead of start_urls: columns found again weekly"]
    if not columns:
        lines.append(f"# 首页 {home} 上没有找到新闻栏目；请手工填写 start_urls")
        lines.append(f"home = {_toml(home)}")
    else:
        lines.append("start_urls = [")
        for column in columns:
            shown = f"{column['count']} 篇"
            if column["oldest"]:
                shown += f", {column['oldest']} 至 {column['newest']}"
            lines.append(f"    {_toml(column['url'])},  # {column['name']}: 第一页 {shown}")
        lines.append("]")
    lines += [f"# {note}" for note in notes]
    return "\n".join(lines) + "\n"


def discover(target: str, from_csv: bool, log_level: str) -> int:
    """Print ``[[sites]]`` tables for one homepage URL, or for every school of a CSV file."""
    from crawler.items import ColumnFoundItem
    from crawler.runtime.refresh import build_settings, run_crawl

    try:
        schools = schools_from_csv(target) if from_csv else [{"name": urlsplit(target).hostname or "学校",
                                                              "home": target}]
        config = parse_config({"sites": schools, "crawl": {"max_pages": 1}}, "--discover")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {target}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"Looking for the news columns of {len(schools)} school(s) …", file=sys.stderr)
    found: list[ColumnFoundItem] = []

    def on_item(item):
        if isinstance(item, ColumnFoundItem):
            found.append(item)
            print(f"  {item.site}: 栏目「{item.name}」 {item.start_url}", file=sys.stderr, flush=True)

    crawler = run_crawl(config, build_settings(config, LOG_LEVEL=log_level, CPU_WORKERS=0),
                        spider_class=DiscoverSpider, on_item=on_item)
    spider = crawler.spider
    for number, site in enumerate(config.sites, start=1):
        name = site.name if from_csv else (spider.titles.get(site.name) or site.name)
        columns = []
        for item in (item for item in found if item.site == site.name):
            count, oldest, newest = spider.first_pages.get(item.start_url, (0, None, None))
            columns.append({"name": item.name, "url": item.start_url, "count": count, "oldest": oldest,
                            "newest": newest})
        print(f"[{number}/{len(config.sites)}] {name}: {len(columns)} 个新闻栏目", file=sys.stderr)
        print(sites_table(name, site.home, columns, spider.script_lists.get(site.name, [])))
    return 0 if found else 1

