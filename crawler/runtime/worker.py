"""A cluster worker (``scheduler.py --worker``): crawls whatever run the coordinator publishes.

The worker waits for a run in ``crawling`` state, then crawls it in a child process
(Scrapy's reactor runs once per process, and each run brings its own config), which
ends when the coordinator says the run is over. Only Redis is needed: the config and
what the store knows come with the run. The Redis URL reaches the child through the
environment, never the command line (it may hold a password).
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import time

from redis.exceptions import RedisError

from crawler.cluster.keys import Keys

from crawler.cluster.run import (ClusterUnavailable, connect, current_run, resolve_url, run_config, shown_url,
                                 worker_id)

logger = logging.getLogger("worker")

URL_VARIABLE = "SNM_CLUSTER_REDIS_URL"
STOP_GRACE_S = 120  # a stopped worker's crawl gets this long to finish what is in flight


def cluster_settings(config, url: str, prefix: str, run_id: int) -> dict:
    """Scrapy settings that make a crawl a worker: scrapy-redis's scheduler and dupefilter on
    the run's keys, items to Redis, and politeness kept per school across the cluster."""
    from crawler import settings as defaults

    keys = Keys(prefix, run_id)
    worker = worker_id()
    return {
        "SCHEDULER": "crawler.cluster.scheduler.ClusterScheduler",
        "SCHEDULER_QUEUE_CLASS": "crawler.cluster.queue.ReliablePriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_PERSIST": True,  # the queue belongs to the run, not to this worker
        "REDIS_URL": url,
        "STATS_CLASS": "crawler.cluster.stats.ClusterStatsCollector",
        "CLUSTER_KEY_PREFIX": prefix,
        "CLUSTER_WORKER_ID": worker,
        "CLUSTER_RUN_ID": run_id,
        # one delay per school for the whole cluster (crawler.cluster.politeness), none per process
        "CLUSTER_DOWNLOAD_DELAY": config.crawl.get("download_delay", defaults.DOWNLOAD_DELAY),
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
    }


def crawl_current_run(prefix: str, log_level: str) -> int:
    """The child: crawl the published run until the coordinator ends it."""
    from crawler.runtime.refresh import build_settings, run_crawl

    url = os.environ[URL_VARIABLE]
    server = connect(url)
    keys = Keys(prefix)
    run_id, state = current_run(server, keys)
    if state != "crawling":
        return 0
    config = run_config(server, keys)
    print(f"worker {worker_id()}: crawling run {run_id} ({len(config.sites)} school(s))", file=sys.stderr, flush=True)
    from spiders.cluster import ClusterNewsSpider

    crawler = run_crawl(config, build_settings(config, LOG_LEVEL=log_level,
                                               **cluster_settings(config, url, prefix, run_id)),
                        spider_class=ClusterNewsSpider)
    stats = crawler.stats.get_stats()
    print(f"worker {worker_id()}: run {run_id} over: {stats.get('response_received_count', 0)} page(s) fetched, "
          f"{stats.get('item_scraped_count', 0)} item(s) sent", file=sys.stderr, flush=True)
    return 0


def serve(url: str, prefix: str, log_level: str) -> int:
    """Crawl every run published on ``url`` until SIGTERM or Ctrl-C."""
    from crawler.runtime.child import ROOT, ChildRunner

    command = [sys.executable, "-m", "crawler.runtime.worker", "--key-prefix", prefix]
    if log_level != "INFO":
        command.append("--quiet")
    # no time limit: the coordinator ends the run; a stop lets Scrapy finish what is in flight
    runner = ChildRunner(command, timeout_s=None, grace_s=STOP_GRACE_S, log=logger, label="worker crawl",
                         env={**os.environ, URL_VARIABLE: url}, cwd=ROOT)
    stopping: list[int] = []

    def stop(signum, _frame):
        stopping.append(signum)
        runner.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    keys = Keys(prefix)
    server = None
    served = None
    logger.info("worker waiting for runs on %s (%s)", shown_url(url), prefix)
    while not stopping:
        try:
            server = server or connect(url)
            run_id, state = current_run(server, keys)
        except (ClusterUnavailable, RedisError, OSError) as exc:  # Redis down or restarting: wait for it
            logger.error("%s; trying again in 10 s", exc)
            server = None
            time.sleep(10)
            continue
        if state != "crawling" or run_id == served:
            time.sleep(1)
            continue
        code = runner.run()
        if code == 0:
            served = run_id
        elif code is not None and not stopping:
            logger.error("the crawl of run %d exited with status %d; starting it again in 5 s", run_id, code)
            time.sleep(5)
    runner.wait_stopped()
    logger.info("worker stopped")
    return 0


def serve_from_config(config_path: str, log_level: str) -> int:
    """``scheduler.py worker``: the ``[cluster]`` table of ``config_path`` (all a worker needs), then
    :func:`serve` until stopped. Exit 1 when Redis cannot be reached at start."""
    from crawler.config import load_cluster_config
    from crawler.settings import LOG_FORMAT

    logging.basicConfig(level=log_level, format=LOG_FORMAT)
    cluster = load_cluster_config(config_path)
    try:
        return serve(resolve_url(cluster.redis_url), cluster.key_prefix, log_level)
    except ClusterUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    """``python -m crawler.runtime.worker --key-prefix P``: a worker's child, one run (internal)."""
    import argparse

    from crawler.runtime.stop import hold_stop_signals

    parser = argparse.ArgumentParser(prog="python -m crawler.runtime.worker",
                                     description="crawl the cluster's current run (started by scheduler.py worker)")
    parser.add_argument("--key-prefix", required=True)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    hold_stop_signals()  # a stop before the crawl starts is handed to Scrapy's graceful stop
    try:
        return crawl_current_run(args.key_prefix, "WARNING" if args.quiet else "INFO")
    except ClusterUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
