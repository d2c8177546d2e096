"""The coordinator of a distributed refresh (``scheduler.py --once`` with ``[cluster]``).

It publishes the run (config, and what the store knows: workers read no SQLite), seeds
page 1 of every column into scrapy-redis's queue, and is the one writer: it takes the
items workers push, in order, and applies them with the same store pipeline as one
process (dedupe, versions, search, reposts), so alerts and ``crawl_runs`` see one run.

The run is over when nothing is queued, nothing is in flight and no item waits, seen in
one atomic step (crawler.cluster.run). Then, once, the young stored articles no list showed
are queued for revalidation, as one process does when it goes idle; the next quiet
moment ends the run. Meanwhile a worker that stopped renewing its ``alive`` key has its
in-flight requests put back in the queue.
"""
from __future__ import annotations

import logging
import pickle
import time

from crawler.cluster.keys import Keys

from crawler.cluster.lua import scripts

from crawler.cluster.run import (ClusterUnavailable, RedisCounters, connect, coordinator_alive, end_run, publish_run, resolve_url)
from crawler.config import Config

logger = logging.getLogger(__name__)

PROGRESS_EVERY_S = 30
ITEMS_PER_BATCH = 100


def crawl_on_cluster(config: Config, db_path: str, run_id: int, stop_requested) -> dict:
    """Run one refresh through the cluster; returns its stats (the per-school counters)."""
    from crawler.cluster.queue import ReliablePriorityQueue
    from crawler.frontier import Frontier
    from crawler.cluster.memory import SharedRunMemory
    from crawler.incremental import known_state
    from db.known import read_known
    from pipelines.store import SQLiteStorePipeline
    from spiders.news import NewsSpider

    server = connect(resolve_url(config.cluster.redis_url))
    keys = Keys(config.cluster.key_prefix, run_id)
    counters = RedisCounters(server, keys.stats)
    writer = SQLiteStorePipeline(db_path, run_id, counters, config.topics)
    writer.open_spider()  # before the run is published: an old store's index may take a while to catch up
    known = known_state(read_known(db_path))
    publish_run(server, keys, config, known)
    callbacks = NewsSpider(config=config)  # what requests name as callbacks: scrapy-redis stores them by name
    frontier = Frontier(config, known, SharedRunMemory(server, keys),
                        lambda site, key, n=1: counters.inc_value(f"site/{site}/{key}", n), callbacks)
    queue = ReliablePriorityQueue(server, callbacks, keys.requests, keys=keys, worker="coordinator")
    for request in frontier.seeds():
        queue.push(request)
    logger.info("run %d published on Redis (%s): %d column(s) queued; waiting for workers",
                run_id, keys.prefix, len(queue))

    steps = scripts(server)
    state, swept = "stopped", False
    last_worker_at = last_progress_at = time.monotonic()
    try:
        while True:
            taken = _write_items(server, keys, writer)
            if writer.store_error or stop_requested():
                break
            _requeue_dead_workers(server, keys, steps)
            coordinator_alive(server, keys)
            now = time.monotonic()
            if server.scard(keys.workers):
                last_worker_at = now
            elif now - last_worker_at > config.cluster.worker_wait_minutes * 60:
                raise ClusterUnavailable(f"no worker has been connected for {config.cluster.worker_wait_minutes:g} "
                                         f"minute(s): start scheduler.py --worker on a machine that reaches Redis")
            if now - last_progress_at > PROGRESS_EVERY_S:
                last_progress_at = now
                logger.info("queued %d, workers %d, items waiting %d", server.zcard(keys.requests),
                            server.scard(keys.workers), server.llen(keys.items))
            if taken:
                continue
            if steps["quiescent"](keys=[keys.requests, keys.items, keys.workers], args=[keys.in_flight_prefix]):
                if swept:
                    state = "done"
                    break
                swept = True
                for request in frontier.unlisted_young():
                    queue.push(request)
                continue
            time.sleep(0.2)
    finally:
        writer.close_spider()
        stats = counters.get_stats()
        end_run(server, keys, state)
    if state == "stopped" and not stats.get("store_error"):
        stats["finish_reason"] = "shutdown"
    return stats


def _write_items(server, keys: Keys, writer) -> int:
    """Apply the oldest waiting items in one transaction, then drop them from the queue."""
    batch = server.lrange(keys.items, 0, ITEMS_PER_BATCH - 1)
    if not batch:
        return 0
    for data in batch:
        writer.process_item(pickle.loads(data))
    writer.flush()
    server.ltrim(keys.items, len(batch), -1)
    return len(batch)


def _requeue_dead_workers(server, keys: Keys, steps) -> None:
    for raw in server.smembers(keys.workers):
        worker = raw.decode()
        if server.exists(keys.alive(worker)):
            continue
        back = steps["requeue"](keys=[keys.in_flight(worker), keys.requests])
        server.srem(keys.workers, worker)
        logger.warning("worker %s stopped answering: its %d request(s) in flight are queued again", worker, back)
