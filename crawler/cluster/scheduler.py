"""A worker's scheduler: scrapy-redis's, plus the worker's heartbeat and acknowledgements.

Every ``HEARTBEAT_S`` the worker renews ``alive:<worker>`` (it expires after ``ALIVE_S``:
then the coordinator re-queues this worker's in-flight requests). Twice a second, the
requests the engine has finished with (downloaded, parsed, their links queued and their
items pushed) are acknowledged, and an engine with room is woken if the shared queue has
work: on its own, an idle Scrapy engine looks at its scheduler every 5 s only, which left
a second worker idle while the first held everything.

Scrapy has no signal for "done with this request" and no public way to wake the engine,
so this reads the engine's slot (its requests in progress and its next-call); a Scrapy
without them fails at once here, never silently.
"""
from __future__ import annotations

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall


HEARTBEAT_S = 2.0
ALIVE_S = 15
ACK_EVERY_S = 0.5


class ClusterScheduler(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.stats = None  # its enqueued/dequeued counters pass a spider argument Scrapy 2.19 deprecates
        return scheduler

    def open(self, spider):
        with warnings.catch_warnings():  # "Resuming crawl", through the deprecated Spider.log()
            warnings.simplefilter("ignore", ScrapyDeprecationWarning)
            super().open(spider)
        self.worker = self.queue.worker
        self._heartbeat()
        self._loops = [LoopingCall(self._heartbeat), LoopingCall(self._tick)]
        self._loops[0].start(HEARTBEAT_S, now=False)
        self._loops[1].start(ACK_EVERY_S, now=False)

    def _engine_slot(self):
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is None or not hasattr(slot, "inprogress") or not hasattr(slot, "nextcall"):
            raise RuntimeError("this Scrapy version has no engine._slot.inprogress/nextcall: the cluster scheduler "
                               "cannot tell when a request is done (pin the Scrapy version in pyproject.toml)")
        return slot

    def _tick(self) -> None:
        slot = self._engine_slot()
        self.queue.acknowledge(slot.inprogress)
        if not self.crawler.engine.needs_backout() and len(self.queue):
            slot.nextcall.schedule()

    def _heartbeat(self) -> None:
        # alive first: the coordinator takes a listed worker without the key for dead
        self.server.set(self.queue.keys.alive(self.worker), 1, ex=ALIVE_S)
        self.server.sadd(self.queue.keys.workers, self.worker)

    def close(self, reason):
        for loop in getattr(self, "_loops", ()):
            if loop.running:
                loop.stop()
        slot = getattr(self.crawler.engine, "_slot", None)
        self.queue.acknowledge(getattr(slot, "inprogress", set()))  # a graceful stop has finished them all
        self.server.delete(self.queue.keys.alive(self.worker))
        self.server.srem(self.queue.keys.workers, self.worker)
        return super().close(reason)
