"""The project's downloader middlewares.

Retries that back off: a school answering 503 or timing out is retried after 1 s, 2 s, 4 s…
Scrapy's RetryMiddleware retries at once, which hits a struggling server again at the
moment it is struggling. This is the same middleware (same settings, same give-up
rules) with an exponential wait before each retry, and the retries counted per school
(``site/<name>/retries``) for the run summary. The wait holds only that request; the
other schools go on.

Redirects that stay home: Scrapy's RedirectMiddleware (``Location``) and
MetaRefreshMiddleware (``<meta http-equiv="refresh">``), refusing every hop that leaves the
school the request is for (:meth:`crawler.config.Config.owner`: another host, another
configured school, a ``file:`` or other non-http(s) URL). The hop is checked before any
request for it exists, so the other host gets nothing, not even a robots.txt request. A
refused hop is one counted (``site/<name>/offsite_redirects``) and logged line, and the
request fails with :class:`OffsiteRedirect` (the spider remembers the link as failing).
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.asyncio import sleep

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base_s = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.max_s = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def backoff(self, retry_number: int) -> float:
        """Seconds to wait before retry ``retry_number`` (1, 2, …)."""
        return min(self.max_s, self.base_s * 2 ** (retry_number - 1))

    async def process_response(self, request, response, spider=None):
        return await self._after(super().process_response(request, response))

    async def process_exception(self, request, exception, spider=None):
        return await self._after(super().process_exception(request, exception))

    async def _after(self, result):
        if isinstance(result, Request):
            site = result.meta.get("site")
            if site:
                self.crawler.stats.inc_value(f"site/{site}/retries")
            delay = self.backoff(result.meta.get("retry_times", 1))
            if delay > 0:
                await sleep(delay)
        return result


class OffsiteRedirect(IgnoreRequest):
    """A redirect hop would leave the school's hosts; it was not followed."""

    def __init__(self, source: str, target: str):
        super().__init__(f"off-site redirect to {target}")
        self.source = source
        self.target = target


class _StayOnSite:
    """Refuse every redirect hop whose target the school of the request does not own."""

    def _build_redirect_request(self, source_request, response, *, url, **kwargs):
        # the one place both of Scrapy's redirect middlewares turn a target into a request, before
        # their own checks (scheme, hop count): no request for ``url`` exists yet
        # (private in Scrapy 2.19, which pyproject.toml pins below 2.20: check it before allowing the next)
        meta_refresh = isinstance(self, MetaRefreshMiddleware)
        try:
            scheme = urlsplit(url).scheme
        except ValueError:
            scheme = "http"  # a malformed target: checked, and refused
        # a meta refresh to javascript: or file: is not followed by Scrapy: the page is read as it is
        if not (meta_refresh and scheme not in ("http", "https")):
            self._check_hop(source_request, url, "meta refresh" if meta_refresh else f"HTTP {response.status}")
        return super()._build_redirect_request(source_request, response, url=url, **kwargs)

    def _check_hop(self, request, target: str, how: str) -> None:
        config = getattr(self.crawler.spider, "config", None)
        if config is None:
            return
        name = request.meta.get("site")  # robots.txt requests carry none: the school of their host
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        site = self.crawler.spider.sites.get(name) if name else config.owner(first)
        if site is None:
            return
        try:
            parts = urlsplit(target)
            parts.port  # noqa: B018 (raises on a port out of range)
            on_site = parts.scheme in ("http", "https") and config.allows(site, target)
        except ValueError:  # a malformed target (a port out of range, a broken IPv6 host)
            on_site = False
        if on_site:
            return
        self.crawler.stats.inc_value(f"site/{site.name}/offsite_redirects")
        logger.warning("[%s] off-site redirect not followed (%s): %s -> %s", site.name, how, request.url, target)
        raise OffsiteRedirect(request.url, target)


class OnSiteRedirectMiddleware(_StayOnSite, RedirectMiddleware):
    """Scrapy's RedirectMiddleware, staying on the school's hosts (its place in DOWNLOADER_MIDDLEWARES)."""


class OnSiteMetaRefreshMiddleware(_StayOnSite, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, staying on the school's hosts (its place in DOWNLOADER_MIDDLEWARES)."""
