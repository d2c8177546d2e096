"""What the machines of a distributed crawl share through Redis: the run, its config and counters.

One refresh with ``[cluster]`` configured is one *coordinator* (``scheduler.py --once``:
it publishes the run, seeds the start URLs, writes SQLite, decides when the run is over)
and any number of *workers* (``scheduler.py --worker``: Scrapy processes with
scrapy-redis's scheduler and dupefilter). They share, under ``key_prefix``:

* ``run``: the current run's id, state, config and what the store knows (workers read no
  SQLite);
* ``workers`` and ``alive:<worker>`` (a key that expires unless the worker renews it);
* ``next-request:<host>``: when a school may be asked again, so politeness is per school,
  not per worker;

and, under ``<prefix>:<run id>:``, the run's own:

* ``news:requests``, ``news:dupefilter``: scrapy-redis's queue and fingerprints: the frontier;
* ``in-flight:<worker>``: every request a worker popped, until it is done with it; a dead
  worker's are put back in the queue;
* ``news:items``: what workers scraped, pickled, for the one writer;
* ``claimed``, ``listed``: the spider's memory of the run (which article URLs are asked for,
  which stored ones a list showed);
* ``stats``: the per-school counters of the run summary;
* ``robots:<url>``: each school's robots.txt, fetched by the first worker that met it.

scrapy-redis itself drops a killed worker's popped requests; the in-flight hashes are what
make "a killed worker loses nothing" true. Moves between queue and in-flight are Lua
scripts, so at every instant a request is in exactly one of them.
"""
from __future__ import annotations

import os
import pickle
import re
import socket
import zlib

from crawler.cluster.keys import Keys

class ClusterUnavailable(RuntimeError):
    """Redis cannot be reached (or refused us): worded for the person running the crawl."""


def resolve_url(configured: str) -> str:
    """Fill ``${NAME}`` parts (a Redis password) from the environment."""
    from crawler.config import MissingVariable, from_environment

    try:
        return from_environment(configured, "[cluster] redis_url")
    except MissingVariable as exc:
        raise ClusterUnavailable(str(exc)) from None


def shown_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"//([^@/]*):[^@/]*@", r"//\1:***@", url)


def connect(url: str):
    """A checked connection to the run's Redis; ClusterUnavailable with a clear message if there is none."""
    import redis

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30, health_check_interval=30)
        server.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ClusterUnavailable(f"cannot reach Redis at {shown_url(url)}: {exc}") from None
    return server


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ------------------------------------------------------------------ the run
def publish_run(server, keys: Keys, config, known) -> None:
    """A fresh run (``keys`` are its keys): workers start on it when they see ``crawling``."""
    _delete_matching(server, f"{keys.prefix}:[0-9]*")  # what earlier runs left (a coordinator killed mid-run)
    coordinator_alive(server, keys)
    server.hset(keys.run, mapping={
        "id": keys.run_id, "state": "crawling",
        "config": pickle.dumps(config), "known": zlib.compress(pickle.dumps(known), 1),
    })


def end_run(server, keys: Keys, state: str) -> None:
    """Tell the workers the run is over (``done`` or ``stopped``) and free what it held."""
    server.hset(keys.run, "state", state)
    server.hdel(keys.run, "known")
    server.delete(keys.coordinator)
    _delete_matching(server, f"{keys.prefix}:{keys.run_id}:*")


def _delete_matching(server, pattern: str) -> None:
    batch = list(server.scan_iter(match=pattern, count=1000))
    for start in range(0, len(batch), 1000):
        server.delete(*batch[start:start + 1000])


COORDINATOR_ALIVE_S = 60


def coordinator_alive(server, keys: Keys) -> None:
    server.set(keys.coordinator, 1, ex=COORDINATOR_ALIVE_S)


def current_run(server, keys: Keys) -> tuple[int | None, str | None]:
    """The current run's id and state; a ``crawling`` run whose coordinator died (killed at
    the time limit, say) is ``orphaned``: workers leave it, the next run starts afresh."""
    run_id, state = server.hmget(keys.run, "id", "state")
    state = state.decode() if state else None
    if state == "crawling" and not server.exists(keys.coordinator):
        state = "orphaned"
    return (int(run_id) if run_id else None), state


def run_config(server, keys: Keys):
    return pickle.loads(server.hget(keys.run, "config"))


def run_known(server, keys: Keys):
    from crawler.incremental import KnownState

    blob = server.hget(keys.run, "known")
    return pickle.loads(zlib.decompress(blob)) if blob else KnownState()


def dumps_item(item) -> bytes:
    """Items travel pickled: they keep their class and their index terms (bytes)."""
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


class RedisCounters:
    """The run's per-school counters (``site/<name>/<counter>``), summed over every worker."""

    def __init__(self, server, key: str):
        self.server = server
        self.key = key

    def inc_value(self, key: str, count: int = 1) -> None:
        self.server.hincrby(self.key, key, count)

    def set_value(self, key: str, value) -> None:
        self.server.hset(self.key, key, value)

    def get_value(self, key: str, default=None):
        value = self.server.hget(self.key, key)
        return default if value is None else _number_or_text(value.decode())

    def get_stats(self) -> dict:
        return {k.decode(): _number_or_text(v.decode()) for k, v in self.server.hgetall(self.key).items()}


def _number_or_text(value: str):
    return int(value) if re.fullmatch(r"-?\d+", value) else value
