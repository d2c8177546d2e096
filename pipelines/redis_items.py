"""A cluster worker's only pipeline: each item, pickled (class and index terms kept), onto the
run's item queue in Redis, where the coordinator, the one writer, applies it to SQLite.

scrapy-redis ships a RedisPipeline for this; it pushes from a thread pool and uses a
pipeline signature Scrapy 2.19 deprecates. This push is one RPUSH on Scrapy's thread,
done before the request that produced the item counts as finished (so a worker killed
before the push has its request re-queued, not its item lost).
"""
from __future__ import annotations

from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import from_settings

from crawler.cluster.keys import keys_from_settings

from crawler.cluster.run import dumps_item


class RedisItemsPipeline:
    def __init__(self, server, key: str):
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("CLUSTER_KEY_PREFIX"):
            raise NotConfigured  # not a cluster worker (no message: Scrapy would warn on every run)
        return cls(from_settings(crawler.settings), keys_from_settings(crawler.settings).items)

    def process_item(self, item, spider=None):
        self.server.rpush(self.key, dumps_item(item))
        return item
