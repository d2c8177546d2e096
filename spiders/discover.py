"""The news spider for ``scheduler.py discover``: homepages and the first page of each candidate
column, nothing followed further, nothing stored (crawler/runtime/discover.py prints the tables)."""
from __future__ import annotations

import re

from crawler.extract.columns import date_range, script_list_note
from spiders.news import NewsSpider


class DiscoverSpider(NewsSpider):
    """Reads homepages and the first page of each candidate column; follows nothing else."""
    name = "discover"  # a name of its own: Scrapy warns of spiders sharing one

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
