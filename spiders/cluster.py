"""The news spider as a cluster worker: the run's memory and what the store knows come from
Redis, the coordinator seeds the frontier and sweeps the young unlisted articles, and the
spider stays open until the coordinator says the run is over."""
from __future__ import annotations

from scrapy.exceptions import DontCloseSpider

from crawler.cluster.keys import keys_from_settings
from crawler.cluster.run import current_run, run_known
from crawler.cluster.memory import SharedRunMemory
from spiders.news import NewsSpider


class ClusterNewsSpider(NewsSpider):
    name = "news_cluster"  # a name of its own: Scrapy warns of spiders sharing one

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        # imported here: Scrapy imports every spider module, and redis is 7 MB a single machine's crawl does without
        from scrapy_redis.connection import from_settings

        server, keys = from_settings(crawler.settings), keys_from_settings(crawler.settings)
        spider = super().from_crawler(crawler, *args, known=run_known(server, keys), **kwargs)
        spider.server, spider.keys = server, keys
        spider.frontier.memory = SharedRunMemory(server, keys)
        return spider

    async def start(self):
        return  # the coordinator seeded the shared queue
        yield

    def on_idle(self, spider=None):
        if current_run(self.server, self.keys) == (self.keys.run_id, "crawling"):
            raise DontCloseSpider
