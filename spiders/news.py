"""Walk each configured school's news columns to its articles.

From every start URL: read the list page, request the article links it carries
(recognised by CMS URL shape, or the site's ``article_pattern``), then follow the
pager's next link, up to ``max_pages``. Never leaves the school's hosts, never enters
another configured school, never downloads attachments. Articles split over several
pages are fetched page by page and stored as one.

Incremental (rules in :mod:`crawler.incremental`): stored articles are not downloaded
again, except young ones, revalidated with a conditional GET; list pages are asked
with their validators, and a column walked to its end once stops at its first
all-known page plus ``stop_grace_pages``. A 304 costs no parsing.

Per-school counters go to the crawl stats under ``site/<name>/…``; one school's
failures never stop the others.

Which requests follow a page (seeds, articles, revalidation, next pages, the sweep of
young unlisted articles) is decided by :class:`crawler.frontier.Frontier`; this spider
only parses. What the store knows comes as the ``known`` argument (the runtime reads it).
Its variants are subclasses beside it: a cluster worker's (spiders/cluster.py), ``try``'s
(spiders/trial.py) and ``discover``'s (spiders/discover.py).
"""
from __future__ import annotations

import gc
import logging
import re
from datetime import datetime
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.config import Config, Site
from crawler.failures import describe, http_status, page_word
from crawler.extract.charset import NotText, page_text
from crawler.extract.dates import SHANGHAI, now_iso
from crawler.frontier import Frontier
from crawler.middlewares import OffsiteRedirect
from crawler.incremental import KnownState
from crawler.prepare import prepare_shared, warm_up
from crawler.run_memory import RunMemory
from crawler.extraction_pool import ExtractionPool
from crawler.extract.columns import built_by_script, column_candidates, is_news_list, name_matches, script_list_note
from crawler.items import (ArticleCheckedItem, ArticleGoneItem, ArticleItem, ColumnFoundItem, ColumnWalkedItem,
                           FailingLinkItem, HomeCheckedItem, ListPageItem, SkippedLinkItem)
from crawler.extract.links import column_key as column_id_of
from crawler.extract.links import (
    articles_by_structure,
    column_key,
    continuation_suffix,
    is_attachment,
    is_http,
    is_next_text,
    looks_like_article,
    looks_like_list_page,
    may_continue,
    numbered_under,
    own_column,
)
from crawler.extract.listing import Coverage, DatesBeside, anchor_text, link_target, main_block, main_list, outside
from crawler.extract.urls import canonical_url

logger = logging.getLogger(__name__)

# a page's main list is looked for among its first this many links (a real list page has a few
# hundred; a 20 MB page of 170,000 would date every one of them)
MAX_MAIN_LIST_LINKS = 3000
MIN_ARTICLE_CHARS = 20  # shorter than this, a page is a stub or an error page, not news
# a list page is read from its first this many bytes: a column's newest items come first, and a
# 20 MB page of 170,000 links made a 500 MB tree (a real list of 500 items is well under 1 MB)
MAX_LIST_BYTES = 2 * 1024 * 1024


class NewsSpider(scrapy.Spider):
    name = "news"
    index_terms = True  # compute search words, keywords and MinHash for the store

    def __init__(self, config: Config, known: KnownState | None = None, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.known = known or KnownState()
        self.sites = {site.name: site for site in config.sites}
        self.frontier: Frontier | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        spider.frontier = Frontier(spider.config, spider.known, RunMemory(), spider.count, callbacks=spider)
        spider.extraction = ExtractionPool(crawler.settings.getint("EXTRACTION_PROCESSES"), warm_up=warm_up)
        crawler.signals.connect(spider.close_extraction, signal=signals.spider_closed)
        return spider

    def close_extraction(self, spider=None) -> None:
        if self.extraction.shared:
            logger.info("extraction: %d pages extracted in the crawl process while the extraction processes were busy",
                        self.extraction.shared)
            self.crawler.stats.set_value("extraction/in_crawl_process", self.extraction.shared)
        self.extraction.close()

    # ------------------------------------------------------------ bookkeeping
    def count(self, site: Site | str, key: str, n: int = 1) -> None:
        name = site if isinstance(site, str) else site.name
        self.crawler.stats.inc_value(f"site/{name}/{key}", n)

    def error(self, site: Site, message: str, log: bool = True) -> None:
        """A counted error, the school's first error if it is the first; ``log``: False when
        the line was logged already (an off-site redirect, by the middleware that refused it)."""
        self.count(site, "errors")
        key = f"site/{site.name}/first_error"
        if not self.crawler.stats.get_value(key):
            self.crawler.stats.set_value(key, message)
        if log:
            logger.warning("[%s] %s", site.name, message)

    def link_url(self, response, site: Site, href: str) -> str | None:
        """The canonical URL of a link on ``response``; None, counted with one line, for a link that
        is no URL (a port out of range, a broken IPv6 host): that link is skipped, not its page."""
        try:
            url = canonical_url(response.urljoin(href))  # raises on a port out of range or a broken host
        except ValueError as exc:
            self.count(site, "bad_links")
            logger.info("[%s] 跳过无法解析的链接 %r (%s): %s", site.name, href, exc, response.url)
            return None
        return url

    def on_site(self, site: Site, url: str) -> bool:
        """Inside ``site`` and not inside another configured school (which may share a parent domain)."""
        return is_http(url) and site in self.config.scope(url)

    # ------------------------------------------------------------ start
    async def start(self):
        # everything loaded so far (Scrapy, lxml, trafilatura, the config) lives as long as the
        # crawl: out of the collector's sight, its full collections no longer walk it
        gc.freeze()
        for request in self.frontier.seeds():
            yield request

    # ------------------------------------------------------------ list pages
    # ------------------------------------------------------------ homepages: finding the columns
    def parse_home(self, response, site_name: str):
        """A school's homepage: its news columns are the menu's and the news boxes' 更多 links;
        each candidate is then asked, and is a column if its page is a dated list."""
        site = self.sites[site_name]
        if not isinstance(response, TextResponse):
            self.error(site, f"首页不是网页（{response.headers.get('Content-Type', b'').decode()}）: {response.url}")
            return
        self.count(site, "bytes", len(response.body))
        found = column_candidates(response.text, response.url, lambda url: self.on_site(site, url), site.columns)
        yield HomeCheckedItem(site=site.name, home=site.home, checked_at=now_iso(), candidates=[c.url for c in found])
        wanted = [c for c in found if name_matches(c.name, site.columns, site.exclude_columns)
                  and c.url not in site.start_urls]
        logger.info("[%s] 首页 %s: %d 个候选栏目", site.name, response.url, len(wanted))
        if not wanted:
            self.error(site, f"首页上没有找到新闻栏目: {response.url}")
        for candidate in wanted:
            yield self.frontier.list_page(site, candidate.url, page=1, column=candidate.url, streak=0,
                                          discovering=candidate.name)

    def script_list(self, site: Site, name: str | None, url: str) -> None:
        """A column whose list a script builds: said in one Chinese line, counted for the summary."""
        self.count(site, "script_lists")
        logger.warning("[%s] %s", site.name, script_list_note(name or "", url))

    # ------------------------------------------------------------ list pages
    def parse_list(self, response, site_name: str, page: int, column: str | None = None, streak: int = 0,
                   discovering: str | None = None, column_key: str | None = None):
        """A list page; ``discovering``: the name of a homepage link that may be a column;
        ``column_key``: the column its article URLs carry, as page 1 showed it."""
        site = self.sites[site_name]
        column = column or response.url
        if response.status == 304:  # exactly as last time: nothing new here or behind it
            self.count(site, "not_modified")
            logger.info("[%s] 列表第%d页未变 (304): %s", site.name, page, response.url)
            return
        if not isinstance(response, TextResponse):
            if discovering is None:
                self.error(site, f"列表页不是网页（{response.headers.get('Content-Type', b'').decode()}）: "
                                 f"{response.url}")
            return
        self.count(site, "bytes", len(response.body))
        if len(response.body) > MAX_LIST_BYTES:
            logger.warning("[%s] 列表页有 %.1f MB，只读前 %d MB: %s", site.name, len(response.body) / 2 ** 20,
                           MAX_LIST_BYTES // 2 ** 20, response.url)
            response = response.replace(body=response.body[:MAX_LIST_BYTES])
        try:
            links, next_url, column_key, coverage = self.read_list(response, site, page, column_key)
        except Exception as exc:  # a broken page is one error, never the end of the site
            self.error(site, f"列表页无法读取（{type(exc).__name__}）: {response.url}")
            logger.debug("[%s] %r", site.name, exc)
            return
        if not links and built_by_script(response.text):
            self.script_list(site, discovering, response.url)
        if discovering is not None:
            if not is_news_list(links):
                logger.info("[%s] 「%s」不是新闻栏目（没有带日期的文章列表）: %s", site.name, discovering, response.url)
                return
            logger.info("[%s] 发现栏目「%s」: %s", site.name, discovering, response.url)
            yield ColumnFoundItem(start_url=response.url, site=site.name, name=discovering, seen_at=now_iso())
        self.count(site, "list_pages")
        if page == 1:
            self.column_moved(site, response.url, links)
        logger.info("[%s] 列表第%d页 %s: %d 篇", site.name, page, response.url, len(links))
        self.count(site, "article_links", len(links))
        self.covered(site, column, coverage, response.url)
        yield from self.follow_list(response, site, links, next_url, page, column, streak, column_key)

    def covered(self, site: Site, column: str, coverage: Coverage, url: str) -> None:
        """Count what the page's main list showed and what was taken of it; a page partly
        understood is said once per school in the run summary and makes its health partial."""
        self.count(site, "list_items_shown", coverage.shown)
        self.count(site, "list_items_taken", coverage.taken)
        if not coverage.partial:
            return
        self.count(site, "lists_partly_understood")
        name = self.known.columns.get(site.name, {}).get(column) or column
        note = coverage.note(name)
        key = f"site/{site.name}/first_coverage_gap"
        if not self.crawler.stats.get_value(key):
            self.crawler.stats.set_value(key, note)
        logger.warning("[%s] %s（其余的链接无法识别或无法跟随）: %s", site.name, note, url)

    def column_moved(self, site: Site, url: str, links) -> None:
        """A column whose page 1 carried one CMS column id and now lists articles under another
        (the site moved it): its articles are taken all the same; said in one line, counted."""
        before = self.known.list_pages.get(url)
        if before is None or len(before.column_keys) != 1:
            return
        new = sorted({key for link, _, _ in links if (key := column_key(link))} - before.column_keys)
        if new:
            self.count(site, "column_moves")
            logger.warning("[%s] 栏目编号有变：%s 出现新编号 %s（原为 %s），新编号下的文章照常采集", site.name, url,
                           "、".join(k.split(":", 1)[1] for k in new), next(iter(before.column_keys)).split(":", 1)[1])

    def follow_list(self, response, site: Site, links, next_url: str | None, page: int, column: str, streak: int,
                    column_key: str | None = None):
        """Remember the list page, then ask for what it leads to (the frontier decides)."""
        yield ListPageItem(url=response.url, site=site.name, etag=_header(response, "ETag"),
                           last_modified=_header(response, "Last-Modified"),
                           fetched_at=now_iso(), column=column,
                           links=[url for url, list_date, _ in links if not self.frontier.too_old(site, list_date)])
        walk = yield from self.frontier.after_list(site, response.url, links, next_url, page, column, streak,
                                                   column_key)
        if walk == "end" and column not in self.known.walked_columns:
            yield ColumnWalkedItem(start_url=column, site=site.name, walked_at=now_iso())
        elif walk == "stored":
            logger.info("[%s] 第%d页起都已入库，停止翻页: %s", site.name, page, column)

    def read_list(self, response: TextResponse, site: Site, page: int, column_key: str | None = None):
        """Article links (url, date shown beside it, headline), the next list page's URL, the
        column key its article URLs carry (page 1's, passed on to the next pages), and how
        much of the page's main list of dated items was taken (:class:`Coverage`)."""
        if _is_feed(response):
            return self.capped(response, site, self.read_feed(response, site)), None, None, Coverage()
        articles: list[tuple[str, object, str | None]] = []  # (url, anchor, headline); dates once capped
        seen = set()
        next_url = None
        numbered: dict[int, str] = {}
        other_links: list[tuple[str, str, object]] = []
        anchors = response.xpath("//a")
        targets: dict = {}  # anchor element -> its canonical URL
        for anchor in anchors:
            href = link_target(anchor.root)  # a placeholder's onclick target (location.href='index_2.htm')
            if not href or href.lower().startswith(("javascript:", "mailto:", "tel:")):
                continue
            url = self.link_url(response, site, href)
            if url is None:
                continue
            targets[anchor.root] = url
            if is_attachment(url):
                continue
            text = " ".join(t.strip() for t in anchor.xpath(".//text()").getall()).strip()
            if not self.on_site(site, url):
                # an article the school publishes elsewhere (its WeChat account), when it opted in
                if site.follows(urlsplit(url).hostname) and looks_like_article(url) and url not in seen:
                    seen.add(url)
                    articles.append((url, anchor, anchor.attrib.get("title") or text))
                continue
            if looks_like_article(url, site.article_pattern):
                if url not in seen:
                    seen.add(url)
                    articles.append((url, anchor, anchor.attrib.get("title") or text))
                continue
            if next_url is None and is_next_text(text) and url != response.url:
                next_url = url
            elif text.isdigit() and looks_like_list_page(url):
                numbered.setdefault(int(text), url)
            else:
                other_links.append((url, text, anchor))
        if next_url is None:
            next_url = numbered.get(page + 1)
        if site.article_pattern is None:
            # articles that are plain numbers in the column's folder (tzgg/12345.html), when they make a list
            plain = [(u, a, a.attrib.get("title") or t) for u, t, a in other_links
                     if len(t) >= 5 and not t.isdigit() and numbered_under(response.url, u) and u not in seen
                     and not looks_like_list_page(u)]  # SiteServer's channels/194.html is a column, not an article
            if len(plain) >= 3:
                articles += list({u: (u, a, t) for u, a, t in reversed(plain)}.values())[::-1]
        if site.article_pattern is None:  # the column's own list, not sidebars of other columns
            own, column_key = own_column([(u, a.root, t) for u, a, t in articles], column_key)
            kept = {u for u, _, _ in own}
            articles = [item for item in articles if item[0] in kept]
        beside = DatesBeside()
        # the page's main list of dated items; a site's own article_pattern narrows on purpose: not judged
        main = main_list([a.root for a in anchors[:MAX_MAIN_LIST_LINKS]], beside) if site.article_pattern is None else []
        kept = {u for u, _, _ in articles}
        if main and kept and not kept & {targets.get(element) for element in main}:
            main = []  # the dated block is a sidebar's: the column's own list (found by shape) shows no dates
        if main:
            # the main list's items are the column's whatever URL shape they have; a URL of a known
            # shape was the column discipline's to judge (own_column), a list page is no article
            selectors = {a.root: a for a in anchors}
            added = False
            for element in main:
                url = targets.get(element)
                if url and url not in kept and not is_attachment(url) and not looks_like_list_page(url) \
                        and column_id_of(url) is None and self.followed(site, url):
                    kept.add(url)
                    articles.append((url, selectors[element], element.get("title") or anchor_text(element)))
                    added = True
            if added:  # in the order the page lists them (newest first, as the walk expects)
                position = {a.root: n for n, a in enumerate(anchors)}
                articles.sort(key=lambda item: position[item[1].root])
            # outside the main list, a link with no date beside it is the menu's or a sidebar's
            # (办公电话, 作息时间 as single articles); a dated one may be the list's next group
            block = main_block(main)
            articles = [item for item in articles if not outside(item[1].root, block) or beside.date(item[1].root)]
        if not articles and site.article_pattern is None:
            # an unknown CMS: the column's items are the biggest group of alike headline links
            chosen = set(articles_by_structure([(u, t) for u, t, _ in other_links]))
            articles = [(u, a, a.attrib.get("title") or t) for u, t, a in other_links if u in chosen]
            articles = list({u: (u, a, t) for u, a, t in reversed(articles)}.values())[::-1]
        taken = {u for u, _, _ in articles}
        coverage = Coverage(shown=len(main), taken=sum(
            url is not None and (url in taken or self.understood(site, url)) for url in map(targets.get, main)))
        return ([(u, beside.date(a.root), t) for u, a, t in self.capped(response, site, articles)], next_url,
                column_key, coverage)

    def understood(self, site: Site, url: str) -> bool:
        """A list item not taken on purpose: an attachment (a file, not a page) or a link to
        another site the school did not ask to follow (a 媒体聚焦 column's press links)."""
        return is_attachment(url) or not self.followed(site, url)

    def followed(self, site: Site, url: str) -> bool:
        """The school's own page, or one on a host it asked to follow (its WeChat account)."""
        return self.on_site(site, url) or site.follows(urlsplit(url).hostname)

    def capped(self, response, site: Site, links: list) -> list:
        """At most ``max_links_per_list`` of a list page's article links (the first ones), the cut counted."""
        if len(links) <= site.max_links_per_list:
            return links
        self.count(site, "list_links_cut", len(links) - site.max_links_per_list)
        logger.warning("[%s] list page with %d article links: the first %d taken (max_links_per_list): %s",
                       site.name, len(links), site.max_links_per_list, response.url)
        return links[:site.max_links_per_list]

    def read_feed(self, response: TextResponse, site: Site) -> list[tuple[str, str | None, str | None]]:
        """RSS, Atom or sitemap: every on-site link is an article candidate."""
        response.selector.remove_namespaces()
        out = []
        for node in response.xpath("//item | //entry | //url"):
            link = node.xpath("./link/text() | ./link/@href | ./loc/text()").get()
            when = node.xpath("./pubDate/text() | ./published/text() | ./updated/text() | ./lastmod/text()").get()
            title = node.xpath("./title/text()").get()
            if link:
                url = self.link_url(response, site, link.strip())
                if url is not None and self.on_site(site, url) and not is_attachment(url):
                    out.append((url, when, title))
        return out

    # ------------------------------------------------------------ articles
    async def parse_article(self, response, site_name: str, list_url: str, list_date: str | None, pages=None,
                            first: dict | None = None, first_text: str | None = None):
        """An article page; ``first`` (url, link, validators) and ``pages`` (texts) carry a
        multi-page article's earlier pages to its next request."""
        site = self.sites[site_name]
        if response.status == 304:  # a stored article, unchanged: no parsing
            self.count(site, "not_modified")
            yield ArticleCheckedItem(url=response.url, site=site.name, checked_at=now_iso())
            return
        self.count(site, "bytes", len(response.body))
        if not isinstance(response, TextResponse) or b"html" not in response.headers.get("Content-Type", b"text/html").lower():
            self.count(site, "not_articles")
            logger.info("[%s] 跳过非网页 %s (%s)", site.name, response.url, response.headers.get("Content-Type", b"").decode())
            yield _skipped(response.request, site, "not a web page")
            return
        try:
            text, note = page_text(response.body, response.encoding, response.text)
        except NotText as exc:
            why = "二进制内容" if "binary" in str(exc) else "无法识别的字符编码"
            self.error(site, f"文章不是网页文本（{why}，{response.headers.get('Content-Type', b'').decode()}）: "
                             f"{response.url}")
            # a server fault may serve garbage for a while: asked again at the weekly recheck
            yield _failing(response.request, site, str(exc), lasting=True)
            return
        if note:
            logger.warning("[%s] %s: %s", site.name, note, response.url)
        if not response.body.strip():  # often a passing server fault: an error, tried again next night
            self.error(site, f"空白页面（HTTP {response.status}，没有内容）: {response.url}")
            return
        self.count(site, "article_pages")
        if first is None:
            first_text, pages = text, []
            # a redirect's target enters here, unseen by link_url: made canonical once, like every link
            first = {"url": canonical_url(response.url), "link": _link(response.request),
                     "etag": _header(response, "ETag"), "last_modified": _header(response, "Last-Modified"),
                     "aliases": [canonical_url(u) for u in response.meta.get("redirect_urls", [])]}
        else:
            pages = [*pages, text]
        next_page = self.next_article_page(response, site, first["url"], len(pages) + 2)
        request = next_page and self.frontier.article_page(site, next_page, {
            "list_url": list_url, "list_date": list_date, "pages": pages, "first": first, "first_text": first_text})
        if request:
            yield request
            return
        try:
            fetched = datetime.now(SHANGHAI)
            article, terms = await prepare_shared(
                self.extraction, first_text, first["url"], with_terms=self.index_terms, list_date=list_date,
                fetched_at=fetched, more_pages=pages, overrides=site.overrides)
        except Exception as exc:
            self.error(site, f"无法提取正文（{type(exc).__name__}）: {first['url']}")
            logger.debug("[%s] %r", site.name, exc)
            return
        if self.frontier.too_old(site, article.published_at):
            self.count(site, "too_old")
            yield _skipped_link(first["link"], site, f"older than since ({site.since})")
            return
        if not article.title or len(article.text) < MIN_ARTICLE_CHARS:
            self.count(site, "not_articles")
            logger.info("[%s] 不是文章（无标题或正文）: %s", site.name, first["url"])
            yield _skipped_link(first["link"], site, "no title or text")
            return
        yield ArticleItem(
            url=first["url"],
            site=site.name,
            title=article.title,
            text=article.text,
            published_at=article.published_at,
            author=article.author,
            source=article.source,
            editor=article.editor,
            views=article.views,
            fetched_at=fetched.isoformat(timespec="seconds"),
            list_url=list_url,
            images=article.images,
            layout=article.layout,
            attachments=article.attachments,
            etag=first["etag"],
            last_modified=first["last_modified"],
            aliases=first["aliases"],
            index_terms=terms,
        )

    def next_article_page(self, response: TextResponse, site: Site, first_url: str, wanted: int) -> str | None:
        """URL of the next page of a multi-page article (``下一页`` or page numbers inside it)."""
        if not may_continue(first_url, response.text):
            return None
        candidates = {}
        for anchor in response.xpath("//a[@href]"):
            url = self.link_url(response, site, anchor.attrib["href"].strip())
            number = url and continuation_suffix(first_url, url)
            if number is None:
                continue
            text = re.sub(r"\s+", "", "".join(anchor.xpath(".//text()").getall()))
            if text.isdigit() or is_next_text(text):
                candidates[url] = number
        # page numbering may start at _1 (TRS) or _2 (VSB, WebPlus): take the lowest not yet seen
        ordered = sorted(set(candidates.values()))
        if len(ordered) >= wanted - 1:
            target = ordered[wanted - 2]
            return next(url for url, n in candidates.items() if n == target)
        return None

    # ------------------------------------------------------------ failures
    def on_error(self, failure):
        request = failure.request
        site = self.sites.get(request.cb_kwargs.get("site_name"))
        if site is None:
            return
        if request.cb_kwargs.get("discovering"):  # a homepage link that is no column: not the school's fault
            logger.info("[%s] 候选栏目「%s」打不开 (%s): %s", site.name, request.cb_kwargs["discovering"],
                        failure.getErrorMessage(), request.url)
            return
        kind = request.meta.get("kind", "page")
        remember = kind == "article" and not request.meta.get("known")  # a list's link, not a stored article
        if failure.check(OffsiteRedirect):  # counted and logged by the middleware that refused it
            source, target = failure.value.source, failure.value.target
            reason = f"off-site redirect to {target}"
            if remember:
                return _failing(request, site, reason, lasting=True)
            if kind == "list":
                self.count(site, "list_errors")
            if kind != "article":
                self.error(site, f"{page_word(kind)}跳转到校外网站，未跟随: {source} → {target}", log=False)
            return None
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            if "robots" in str(failure.value).lower() or "Forbidden by robots.txt" in repr(failure.value):
                self.count(site, "robots_blocked")
                if kind == "list" and request.cb_kwargs.get("page") == 1:  # a start URL: the column is closed
                    self.error(site, f"robots.txt 禁止: {request.url}")
                else:
                    logger.info("[%s] robots.txt 禁止: %s", site.name, request.url)
                return _skipped(request, site, "robots.txt")
            self.error(site, f"{page_word(kind)}放弃下载（{failure.getErrorMessage()}）: {request.url}")
            return _skipped(request, site, failure.getErrorMessage()) if kind == "article" else None
        if failure.check(DownloadCancelledError):  # larger than DOWNLOAD_MAXSIZE: it will stay so
            self.error(site, f"{page_word(kind)}过大，未下载: {request.url}")
            return _skipped(request, site, "larger than the download size limit") if kind == "article" else None
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in (404, 410) and kind == "article":
                if request.meta.get("known"):
                    logger.info("[%s] 文章已删除 HTTP %d: %s", site.name, status, request.url)
                    return ArticleGoneItem(url=request.url, site=site.name, checked_at=now_iso())
                self.count(site, "broken_links")
                logger.info("[%s] 死链 HTTP %d: %s", site.name, status, request.url)
                return _skipped(request, site, f"HTTP {status}")
            if kind == "list":
                self.count(site, "list_errors")
            self.error(site, http_status(kind, status, request.url))
            if remember:  # a 5xx (after its retries), 408 or 429 may pass: it gets a second night
                passing = status >= 500 or status in self.crawler.settings.getlist("RETRY_HTTP_CODES")
                return _failing(request, site, f"HTTP {status}", lasting=not passing)
            return
        if kind == "list":
            self.count(site, "list_errors")
        self.error(site, describe(kind, failure, request.url))
        logger.debug("[%s] %s: %s", site.name, failure.type.__name__, failure.getErrorMessage())
        if remember:  # a timeout, a reset: may pass, so it gets a second night
            return _failing(request, site, f"{failure.type.__name__}: {failure.getErrorMessage()}", lasting=False)


    # ------------------------------------------------------------ young articles no list showed
    def on_idle(self, spider=None):
        """Once the lists are walked, revalidate the young articles no list showed."""
        requests = self.frontier.unlisted_young()
        if requests:
            for request in requests:
                self.crawler.engine.crawl(request)
            raise DontCloseSpider


def _link(request) -> str:
    """The URL a list linked to, before any redirect: canonical since it entered (``link_url``)."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def _skipped(request, site: Site, reason: str) -> SkippedLinkItem:
    return _skipped_link(_link(request), site, reason)


def _failing(request, site: Site, reason: str, lasting: bool) -> FailingLinkItem:
    """The list's link failed for good tonight: remembered, asked again at its recheck (a week;
    the next night for a first failure that may pass), no gap in its column meanwhile."""
    link = (request.cb_kwargs.get("first") or {}).get("link") or _link(request)  # a later page: the article's link
    return FailingLinkItem(url=link, site=site.name, reason=reason, seen_at=now_iso(), lasting=lasting)


def _skipped_link(link: str, site: Site, reason: str) -> SkippedLinkItem:
    """The list's link will never be an article: not a gap in its column."""
    return SkippedLinkItem(url=link, site=site.name, reason=reason, seen_at=now_iso())


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _is_feed(response: TextResponse) -> bool:
    head = response.text[:500].lstrip().lower()
    return head.startswith("<?xml") and any(tag in head for tag in ("<rss", "<feed", "<urlset"))
