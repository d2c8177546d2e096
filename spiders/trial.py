"""The news spider for ``scheduler.py try URL``: a column's first list pages and two of its
articles, every link found remembered, nothing stored (crawler/runtime/trial.py prints them)."""
from __future__ import annotations

from crawler.extract.columns import script_list_note
from spiders.news import NewsSpider

TRIAL_PAGES = 2
TRIAL_ARTICLES = 2


class TrialSpider(NewsSpider):
    """Follows the first list pages and extracts two articles; remembers every link found."""
    name = "try"  # a name of its own: Scrapy warns of spiders sharing one

    index_terms = False  # nothing is stored: no search words, keywords or MinHash

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.found_links: list[str] = []
        self.script_notes: list[str] = []  # columns whose list a script builds, said in one line

    def script_list(self, site, name, url):
        super().script_list(site, name, url)
        self.script_notes.append(script_list_note(name or "", url))

    def follow_list(self, response, site, links, next_url, page, column, streak, column_key=None):
        self.found_links.extend(url for url, _, _ in links if url not in self.found_links)
        for url, list_date, _ in links:
            if url in self.found_links[:TRIAL_ARTICLES]:
                yield self.frontier.article(site, url, response.url, list_date)
        if next_url and page < TRIAL_PAGES:
            yield self.frontier.list_page(site, next_url, page + 1, column, 0)
