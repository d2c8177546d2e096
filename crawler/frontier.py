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

from datetime import datetime

import scrapy

from crawler.config import Config, Site
from crawler.extract.dates import SHANGHAI
from crawler.incremental import KnownState, conditional_headers, older_than, plan_known_article
from crawler.run_memory import RunMemory

LIST_PRIORITY = 20  # page 1 of every column starts at once
ARTICLE_PRIORITY = 10  # then articles, so the newest are stored first
DEEPER_LIST_PRIORITY = 0  # deeper list pages wait: the frontier holds a page of links, not the archive


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
        """Page 1 of every school's news columns."""
        for site in self.config.sites:
            for url in site.start_urls:
                yield self.list_page(site, url, page=1, column=url, streak=0)

    def list_page(self, site: Site, url: str, page: int, column: str, streak: int) -> scrapy.Request:
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
            cb_kwargs={"site_name": site.name, "page": page, "column": column, "streak": streak},
            meta={"site": site.name, "kind": "list", "handle_httpstatus_list": [304]},
            priority=LIST_PRIORITY if page == 1 else DEEPER_LIST_PRIORITY,
            dont_filter=page == 1,
        )

    def list_is_unchanged(self, column: str, url: str, fingerprint: str) -> bool:
        """A list page of a walked column whose article links and headlines are as last time."""
        before = self.known.list_pages.get(url)
        return column in self.known.walked_columns and before is not None and before.links_hash == fingerprint

    def after_list(self, site: Site, list_url: str, links, next_url: str | None, page: int, column: str,
                   streak: int, list_unchanged: bool):
        """The requests a list page leads to: its new articles, the stored ones to revalidate,
        and its next page unless the walk ends here. Yields requests; returns how the column's
        walk goes on: ``"next"`` (its next page is asked), ``"end"`` (this is its last page),
        or ``"stored"`` (the rest is stored: a walked column stops here)."""
        if not list_unchanged:
            self.memory.list_changed(site.name)
        all_known, all_too_old = bool(links), bool(links)
        for url, list_date, list_title in links:
            if older_than(list_date, site.since):
                self.count(site.name, "too_old")
                continue
            all_too_old = False
            known = self.known.article(url)
            if known is None:
                all_known = False
                if not self.memory.is_requested(url):
                    yield self.article(site, url, list_url, list_date)
                continue
            self.memory.saw_listed(known.url)
            if self.memory.is_requested(known.url):
                continue
            plan = plan_known_article(known, list_title=list_title, list_date=list_date,
                                      list_unchanged=list_unchanged, now=self.now, recheck_days=site.recheck_days)
            if plan == "recheck":
                yield self.article(site, known.url, list_url, list_date, known)
            else:
                self.count(site.name, "skipped_known")

        streak = streak + 1 if all_known else 0
        if not next_url or page >= site.max_pages or (site.since is not None and all_too_old):
            return "end"
        if column in self.known.walked_columns and streak > site.stop_grace_pages:
            return "stored"
        yield self.list_page(site, next_url, page + 1, column, streak)
        return "next"

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
        """The next page of a multi-page article, once per run; ``carried`` holds the earlier pages."""
        if self.memory.is_requested(url):
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
        answer 404 and get ``gone_at``), once per run. Sites whose lists are all as last time
        are left alone: a quiet night stays a few list pages."""
        requests = []
        changed = self.memory.sites_with_changed_lists()
        for site in self.config.sites:
            if site.name in self.swept or site.name not in changed:
                continue
            self.swept.add(site.name)
            for known in self.known.young_articles(site.name, self.now, site.recheck_days):
                if not known.gone and not self.memory.was_listed(known.url) and not self.memory.is_requested(known.url):
                    requests.append(self.article(site, known.url, None, None, known))
        return requests
