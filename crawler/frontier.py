"""Which requests a night makes: seeds, list pages, articles, revalidation, the sweep.

The spider parses pages; what it asks for next is decided here, from the config, what
the store knows (crawler.incremental) and what this run has seen (crawler.run_memory).
One process and a cluster share this object: the cluster's coordinator seeds and sweeps
with it, its workers follow lists with it, and only the memory differs (Redis sets).

Requests carry plain data (school names, not objects), as they may travel through Redis;
their callbacks are the spider's methods (``callbacks``), which scrapy-redis serialises
by name.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import scrapy

from crawler.config import Config, Site
from crawler.extract.columns import name_matches
from crawler.extract.dates import SHANGHAI
from crawler.incremental import KnownState, conditional_headers, older_than, plan_known_article
from crawler.run_memory import RunMemory

LIST_PRIORITY = 20  # page 1 of every column starts at once
ARTICLE_PRIORITY = 10  # then articles, so the newest are stored first
DEEPER_LIST_PRIORITY = 0  # deeper list pages wait: the frontier holds a page of links, not the archive

logger = logging.getLogger(__name__)


class Frontier:
    def __init__(self, config: Config, known: KnownState, memory: RunMemory, count, callbacks):
        self.config = config
        self.known = known
        self.memory = memory
        self.count = count  # count(site name, counter, n=1): the run's per-school counters
        self.callbacks = callbacks  # parse_list, parse_article, on_error
        self.now = datetime.now(SHANGHAI)
        self.swept: set[str] = set()  # sites whose young unlisted articles were revalidated

    # ------------------------------------------------------------ list pages
    def seeds(self):
        """Page 1 of every school's news columns: its start URLs, and for a school given by its
        homepage, the homepage when its columns are due to be looked for again (``rediscover_days``),
        else the columns found there before."""
        for site in self.config.sites:
            for url in site.start_urls:
                yield self.list_page(site, url, page=1, column=url, streak=0)
            if not site.home:
                continue
            if self.discovery_due(site):
                yield self.home(site)
                continue
            for url, name in self.known.columns.get(site.name, {}).items():
                if url not in site.start_urls and name_matches(name, site.columns, site.exclude_columns):
                    yield self.list_page(site, url, page=1, column=url, streak=0)

    def discovery_due(self, site: Site) -> bool:
        checked = self.known.homes_checked.get(site.name)
        if not checked or not self.known.columns.get(site.name):
            return True
        return self.now - datetime.fromisoformat(checked) >= timedelta(days=site.rediscover_days)

    def home(self, site: Site) -> scrapy.Request:
        self.count(site.name, "requests")
        return scrapy.Request(site.home, callback=self.callbacks.parse_home, errback=self.callbacks.on_error,
                              cb_kwargs={"site_name": site.name}, meta={"site": site.name, "kind": "home"},
                              priority=LIST_PRIORITY, dont_filter=True)

    def list_page(self, site: Site, url: str, page: int, column: str, streak: int,
                  discovering: str | None = None, column_key: str | None = None) -> scrapy.Request:
        self.count(site.name, "requests")
        headers = {}
        if column in self.known.walked_columns and url in self.known.list_pages:
            stored = self.known.list_pages[url]
            headers = conditional_headers(stored.etag, stored.last_modified)
        return scrapy.Request(
            url,
            callback=self.callbacks.parse_list,
            errback=self.callbacks.on_error,
            headers=headers,
            cb_kwargs={"site_name": site.name, "page": page, "column": column, "streak": streak,
                       **({"discovering": discovering} if discovering else {}),
                       **({"column_key": column_key} if column_key is not None else {})},
            meta={"site": site.name, "kind": "list", "handle_httpstatus_list": [304]},
            priority=LIST_PRIORITY if page == 1 else DEEPER_LIST_PRIORITY,
            dont_filter=page == 1,
        )

    def after_list(self, site: Site, list_url: str, links, next_url: str | None, page: int, column: str,
                   streak: int, column_key: str | None = None):
        """The requests a list page leads to: its new articles, the stored ones to revalidate,
        and its next page unless the walk ends here. Yields requests; returns how the column's
        walk goes on: ``"next"`` (its next page is asked), ``"end"`` (this is its last page),
        or ``"stored"`` (the rest is stored: a walked column stops here)."""
        all_known, all_too_old = bool(links), bool(links)
        for url, list_date, list_title in links:
            if self.too_old(site, list_date):
                self.count(site.name, "too_old")
                continue
            all_too_old = False
            known = self.known.article(url)
            if known is None and url in self.known.failing:  # failing for good: asked at its weekly recheck
                self.count(site.name, "failing_links")
                continue
            if known is None:
                all_known = False
                if not self.memory.is_requested(url):
                    yield self.article(site, url, list_url, list_date)
                continue
            self.memory.saw_listed(known.url)
            if self.memory.is_requested(known.url):
                continue
            plan = plan_known_article(known, list_title=list_title, list_date=list_date, now=self.now,
                                      recheck_days=site.recheck_days)
            if plan == "recheck":
                yield self.article(site, known.url, list_url, list_date, known)
            else:
                self.count(site.name, "skipped_known")

        streak = streak + 1 if all_known else 0
        if not next_url or page >= site.max_pages or (site.since is not None and all_too_old):
            return "end"
        if column in self.known.walked_columns and streak > site.stop_grace_pages:
            return "stored"
        yield self.list_page(site, next_url, page + 1, column, streak, column_key=column_key)
        return "next"

    # ------------------------------------------------------------ the since cut
    @staticmethod
    def too_old(site: Site, date: str | None) -> bool:
        """The one ``since`` cut: a date (shown on a list, or an article's own) before the school's
        ``since``; an unknown date is not. Every caller asks here."""
        return older_than(date, site.since)

    # ------------------------------------------------------------ articles
    def article(self, site: Site, url: str, list_url: str | None, list_date: str | None,
                known=None) -> scrapy.Request:
        self.count(site.name, "requests")
        headers = conditional_headers(known.etag, known.last_modified) if known else {}
        return self.memory.claim(scrapy.Request(
            url,
            callback=self.callbacks.parse_article,
            errback=self.callbacks.on_error,
            headers=headers,
            cb_kwargs={"site_name": site.name, "list_url": list_url, "list_date": list_date},
            # the memory dedupes articles; Scrapy's filter would silently drop the second hop
            # of a redirect loop, leaving the link neither stored nor skipped
            dont_filter=True,
            priority=ARTICLE_PRIORITY,
            meta={"site": site.name, "kind": "article", "known": known is not None,
                  "handle_httpstatus_list": [304] if headers else []},
        ), url)

    def article_page(self, site: Site, url: str, carried: dict) -> scrapy.Request | None:
        """The next page of a multi-page article, once per run; ``carried`` holds the earlier pages.
        None past ``max_article_pages``: the article is stored with the pages read."""
        if self.memory.is_requested(url):
            return None
        read = len(carried["pages"]) + 1
        if read >= site.max_article_pages:
            self.count(site.name, "article_pages_cut")
            logger.warning("[%s] article longer than %d pages (max_article_pages): stored with its first %d, "
                           "not asking %s: %s", site.name, site.max_article_pages, read, url, carried["first"]["url"])
            return None
        self.count(site.name, "requests")
        return self.memory.claim(scrapy.Request(
            url,
            callback=self.callbacks.parse_article,
            errback=self.callbacks.on_error,
            cb_kwargs={"site_name": site.name, **carried},
            meta={"site": site.name, "kind": "article"},
        ), url)

    # ------------------------------------------------------------ young articles no list showed
    def unlisted_young(self) -> list[scrapy.Request]:
        """Each site's young stored articles that no walked list page linked to (deleted ones
        answer 404 and get ``gone_at``), once per run: also behind a list page that answered 304
        (an edit leaves the list as it was). Conditional GETs: on a quiet night, 304s."""
        requests = []
        for site in self.config.sites:
            if site.name in self.swept:
                continue
            self.swept.add(site.name)
            for known in self.known.young_articles(site.name, self.now, site.recheck_days):
                if not known.gone and not self.memory.was_listed(known.url) and not self.memory.is_requested(known.url):
                    requests.append(self.article(site, known.url, None, None, known))
        return requests
