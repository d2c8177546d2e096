"""The project's downloader middlewares.

Retries that back off: a school answering 503 or timing out is retried after 1 s, 2 s, 4 s…
Scrapy's RetryMiddleware retries at once, which hits a struggling server again at the
moment it is struggling. This is the same middleware (same settings, same give-up
rules) with an exponential wait before each retry, and the retries counted per school
(``site/<name>/retries``) for the run summary. The wait holds only that request; the
other schools go on.

Redirects that stay home: the requests Scrapy's RedirectMiddleware (``Location``) and
MetaRefreshMiddleware (``<meta http-equiv="refresh">``) make are checked in
``process_request``, before robots.txt and any download: a hop that leaves the school the
request is for (:meth:`crawler.config.Config.allows`: another host, another configured
school) gets nothing, not even a robots.txt request. A refused hop is one counted
(``site/<name>/offsite_redirects``) and logged line, and the request fails with
:class:`OffsiteRedirect` (the spider remembers the link as failing). A ``Location`` to a
``file:`` or other non-http(s) URL, which Scrapy does not follow at all, is refused the same
way when its answer comes back.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

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


class OnSiteRedirects:
    """Every redirect hop stays on the school the request is for.

    ``process_request``: a request a redirect made (HTTP ``Location`` or ``<meta
    http-equiv="refresh">``: Scrapy's own middlewares set ``redirect_urls``) is refused before
    Scrapy's robots.txt check (100) and any download when its URL is outside the school, so the
    other host gets nothing, not even a robots.txt request. ``process_response`` (after Scrapy's
    redirect middleware, which leaves a ``Location`` to ``file:`` or ``javascript:`` alone): such
    a 3xx is refused the same way, not handed to the spider as an HTTP error."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if request.meta.get("redirect_urls"):
            reason = (request.meta.get("redirect_reasons") or ["?"])[-1]
            self._check_hop(request, request.meta["redirect_urls"], request.url,
                            "meta refresh" if reason == "meta refresh" else f"HTTP {reason}")
        return None

    def process_response(self, request, response, spider=None):
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location and not request.meta.get("dont_redirect") \
                and response.status not in request.meta.get("handle_httpstatus_list", ()):
            self._check_hop(request, [*request.meta.get("redirect_urls", []), request.url],
                            response.urljoin(location.decode("latin-1")), f"HTTP {response.status}")
        return response

    def _check_hop(self, request, hops: list[str], target: str, how: str) -> None:
        """OffsiteRedirect, counted and logged, when ``target`` (reached from ``hops``, the first
        being the link as listed) is not the school's."""
        config = getattr(self.crawler.spider, "config", None)
        if config is None:
            return
        name = request.meta.get("site")  # robots.txt requests carry none: the school of their host
        site = self.crawler.spider.sites.get(name) if name else config.owner(hops[0])
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
        logger.warning("[%s] off-site redirect not followed (%s): %s -> %s", site.name, how, hops[-1], target)
        raise OffsiteRedirect(hops[-1], target)
