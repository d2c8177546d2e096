"""scrapy-redis's priority queue, made safe for workers that die, shared claims and politeness.

* ``pop`` moves the request into the worker's in-flight hash in the same Lua step, and
  ``acknowledge`` removes it once the engine is done with it (its links queued, its items
  pushed); the coordinator puts a dead worker's in-flight requests back in the queue.
* ``push`` queues a request whose ``meta["claim"]`` names an article URL only if no earlier
  request claimed that URL in this run. The spider asks for each article once per run; a
  claim made apart from the push would be lost with a worker killed between the two.
* Within a priority, schools take turns (see crawler.cluster.run), so a worker's connections
  go to many schools at once, not to one school's delay.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.utils.request import request_from_dict
from scrapy_redis.queue import PriorityQueue

from crawler.cluster.keys import Keys, keys_from_settings

from crawler.cluster.lua import scripts


class ReliablePriorityQueue(PriorityQueue):
    def __init__(self, server, spider, key, serializer=None, *, keys: Keys | None = None, worker: str | None = None):
        super().__init__(server, spider, key, serializer)
        settings = getattr(spider, "settings", None)
        self.keys = keys or keys_from_settings(settings)
        self.worker = worker or settings.get("CLUSTER_WORKER_ID")
        self.in_flight_key = self.keys.in_flight(self.worker)
        self.scripts = scripts(server)
        self.issued: dict = {}  # request object -> its bytes in the in-flight hash

    def push(self, request) -> bool:
        claim = request.meta.pop("claim", None) or ""
        data = self.encode(request)
        return bool(self.scripts["claim_and_push"](keys=[self.key, self.keys.claimed, self.keys.host_counts],
                                                   args=[request.priority, data, claim, urlsplit(request.url).netloc]))

    def pop(self, timeout=0):
        data = self.scripts["pop_into_flight"](keys=[self.key, self.in_flight_key])
        if not data:
            return None
        request = self.decode(data)
        self.issued[request] = data
        return request

    def encode(self, request) -> bytes:
        """A request as the queue stores it: Scrapy's public ``Request.to_dict``, in the
        queue's serializer (scrapy-redis's own helpers for this are private)."""
        return self.serializer.dumps(request.to_dict(spider=self.spider))

    def decode(self, data: bytes):
        return request_from_dict(self.serializer.loads(data), spider=self.spider)

    def acknowledge(self, still_in_progress) -> int:
        """Forget, here and in Redis, every popped request the engine no longer holds."""
        done = [request for request in self.issued if request not in still_in_progress]
        if done:
            self.server.hdel(self.in_flight_key, *(self.issued.pop(request) for request in done))
        return len(done)
