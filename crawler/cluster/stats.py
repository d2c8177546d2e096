"""Stats of a worker: the per-school counters (``site/…``) go to the run's Redis hash, where
the coordinator sums every worker's for the run summary; Scrapy's own stay in memory."""
from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy_redis.connection import from_settings

from crawler.cluster.keys import keys_from_settings

from crawler.cluster.run import RedisCounters


class ClusterStatsCollector(MemoryStatsCollector):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.shared = RedisCounters(from_settings(crawler.settings),
                                    keys_from_settings(crawler.settings).stats)

    def inc_value(self, key, count=1, start=0, spider=None):
        if key.startswith("site/"):
            self.shared.inc_value(key, count)
        else:
            super().inc_value(key, count, start)

    def set_value(self, key, value, spider=None):
        if key.startswith("site/"):
            self.shared.set_value(key, value)
        else:
            super().set_value(key, value)

    def get_value(self, key, default=None, spider=None):
        if key.startswith("site/"):
            return self.shared.get_value(key, default)
        return super().get_value(key, default)
