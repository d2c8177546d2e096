"""The spider's memory of a run, shared by a cluster's workers through Redis (one process
keeps it in plain sets: crawler/run_memory.py)."""
from __future__ import annotations

from crawler.run_memory import RunMemory


class SharedRunMemory(RunMemory):
    """A cluster's workers: Redis sets. A claim is taken when the request is queued, in the
    same Lua step (crawler.cluster.queue), so a worker killed in between loses no article."""

    def __init__(self, server, keys):
        super().__init__()
        self.server = server
        self.keys = keys

    def is_requested(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.claimed, url))

    def claim(self, request, url: str):
        request.meta["claim"] = url
        return request

    def saw_listed(self, url: str) -> None:
        self.server.sadd(self.keys.listed, url)

    def was_listed(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.listed, url))
