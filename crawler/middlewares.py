"""Retries that back off: a school answering 503 or timing out is retried after 1 s, 2 s, 4 s…

Scrapy's RetryMiddleware retries at once, which hits a struggling server again at the
moment it is struggling. This is the same middleware (same settings, same give-up
rules) with an exponential wait before each retry, and the retries counted per school
(``site/<name>/retries``) for the run summary. The wait holds only that request; the
other schools go on.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request
from scrapy.utils.asyncio import sleep


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
