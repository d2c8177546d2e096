"""One request per ``download_delay`` per school across the whole cluster, not per worker.

Scrapy's DOWNLOAD_DELAY is kept by each process for itself: four workers would ask a
school four times as often. Here each request first reserves its host's next free moment
in Redis (one Lua step) and waits until then; workers set their own delay to 0.
Spread like Scrapy's own delay: ± DOWNLOAD_DELAY_JITTER (a fraction of the delay).
"""
from __future__ import annotations

import random
from urllib.parse import urlsplit

from scrapy.utils.asyncio import sleep
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import from_settings

from crawler.cluster.keys import keys_from_settings

from crawler.cluster.lua import scripts


class SharedPolitenessMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.delay_s = settings.getfloat("CLUSTER_DOWNLOAD_DELAY", 0.0)
        self.jitter = settings.getfloat("DOWNLOAD_DELAY_JITTER")
        self.server = from_settings(settings)
        self.keys = keys_from_settings(settings)
        self.reserve = scripts(self.server)["reserve"]

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CLUSTER_KEY_PREFIX"):
            raise NotConfigured  # not a cluster worker (no message: Scrapy would warn on every run)
        return cls(crawler)

    def wait_for(self, url: str) -> float:
        """Seconds until this request's school may be asked (and that moment taken for it)."""
        delay = self.delay_s * random.uniform(1 - self.jitter, 1 + self.jitter)
        host = (urlsplit(url).hostname or "").lower()
        waited_ms = self.reserve(keys=[self.keys.next_request(host)], args=[int(delay * 1000)])
        return int(waited_ms) / 1000

    async def process_request(self, request, spider=None):
        if self.delay_s > 0:
            wait = self.wait_for(request.url)
            if wait > 0:
                await sleep(wait)
        return None
