"""One request per ``download_delay`` per school across the whole cluster, not per worker.

Scrapy's DOWNLOAD_DELAY is kept by each process for itself: four workers would ask a
school four times as often. Here each request first reserves its host's next free moment
in Redis (one Lua step) and waits until then; workers set their own delay to 0.
Randomized like Scrapy's (0.5–1.5 × the delay) unless RANDOMIZE_DOWNLOAD_DELAY is off.
"""
from __future__ import annotations

import random
from urllib.parse import urlsplit

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy_redis.connection import from_settings
from twisted.internet import reactor
from twisted.internet.task import deferLater

from crawler.cluster import keys_from_settings, scripts


class SharedPolitenessMiddleware:
    def __init__(self, crawler):
        settings = crawler.settings
        self.delay_s = settings.getfloat("CLUSTER_DOWNLOAD_DELAY", 0.0)
        self.randomize = settings.getbool("RANDOMIZE_DOWNLOAD_DELAY", True)
        self.server = from_settings(settings)
        self.keys = keys_from_settings(settings)
        self.reserve = scripts(self.server)["reserve"]

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def wait_for(self, url: str) -> float:
        """Seconds until this request's school may be asked (and that moment taken for it)."""
        delay = self.delay_s * (random.uniform(0.5, 1.5) if self.randomize else 1.0)
        host = (urlsplit(url).hostname or "").lower()
        waited_ms = self.reserve(keys=[self.keys.next_request(host)], args=[int(delay * 1000)])
        return int(waited_ms) / 1000

    async def process_request(self, request, spider=None):
        if self.delay_s > 0:
            wait = self.wait_for(request.url)
            if wait > 0:
                await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return None
