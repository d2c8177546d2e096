"""The Redis key names of a cluster and of its runs, in one place (as scrapy-redis keeps its
own in ``defaults.py``)."""
from __future__ import annotations

SPIDER = "news"


class Keys:
    """The Redis key names of one store's cluster, and of one of its runs.

    The frontier, memory, items and counters of run N live under ``<prefix>:<N>:``, so a
    worker still finishing run N (it learns of the end within seconds) cannot take run
    N + 1's requests with run N's knowledge of the store.
    """

    def __init__(self, prefix: str, run_id: int | None = None):
        self.prefix = prefix
        self.run_id = run_id
        self._run = run = f"{prefix}:{run_id}"
        # scrapy-redis's own (its SCHEDULER_QUEUE_KEY and SCHEDULER_DUPEFILTER_KEY)
        self.requests = f"{run}:{SPIDER}:requests"
        self.dupefilter = f"{run}:{SPIDER}:dupefilter"
        self.items = f"{run}:{SPIDER}:items"
        # the spider's memory of the run, the summary's counters
        self.claimed = f"{run}:claimed"
        self.host_counts = f"{run}:host-counts"
        self.listed = f"{run}:listed"
        self.stats = f"{run}:stats"
        self.in_flight_prefix = f"{run}:in-flight:"
        # the cluster's: the current run, the workers, politeness clocks
        self.run = f"{prefix}:run"
        self.coordinator = f"{prefix}:coordinator-alive"  # expires when the coordinator dies
        self.workers = f"{prefix}:workers"

    def in_flight(self, worker: str) -> str:
        return self.in_flight_prefix + worker

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def robots(self, url: str) -> str:
        return f"{self._run}:robots:{url}"

    def next_request(self, host: str) -> str:
        return f"{self.prefix}:next-request:{host}"


def keys_from_settings(settings) -> Keys:
    """A worker's keys: CLUSTER_KEY_PREFIX and CLUSTER_RUN_ID."""
    return Keys(settings.get("CLUSTER_KEY_PREFIX"), settings.getint("CLUSTER_RUN_ID"))
