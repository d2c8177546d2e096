"""What the spider remembers during one run, in one process (a cluster's workers share theirs
through Redis: crawler/cluster/memory.py).

* which article URLs were asked for (each is asked once per run, whichever list shows it);
* which stored articles some walked list page showed (the others, if young, are revalidated);
"""
from __future__ import annotations


class RunMemory:
    """One process: plain sets."""

    def __init__(self):
        self._requested: set[str] = set()
        self._listed: set[str] = set()

    def is_requested(self, url: str) -> bool:
        return url in self._requested

    def claim(self, request, url: str):
        """``request`` is the one that asks for ``url`` in this run."""
        self._requested.add(url)
        return request

    def saw_listed(self, url: str) -> None:
        self._listed.add(url)

    def was_listed(self, url: str) -> bool:
        return url in self._listed
