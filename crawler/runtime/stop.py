"""A stop (SIGTERM, Ctrl-C) asked for while Scrapy's own handlers are not installed.

Installed by the entry points (scheduler.py, ``scrapy crawl``), not by library functions:
from then on a stop is remembered instead of killing the process mid-write, and the
crawl hands it to Scrapy's graceful stop as soon as it starts.
"""
from __future__ import annotations

import signal
import threading

# A SIGTERM/SIGINT that came while Scrapy's own handlers were not installed (before the
# crawl starts, or after it ended): the crawl is stopped as soon as it starts, and the
# alerts of a stopped run wait for the next run.
_early_stop: list[int] = []


def _remember_stop(signum, _frame) -> None:
    _early_stop.append(signum)


def hold_stop_signals() -> None:
    """From now on a SIGTERM or Ctrl-C is remembered instead of killing the process mid-write."""
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, _remember_stop)


def stop_requested() -> bool:
    return bool(_early_stop)


def early_stop() -> int | None:
    """The first stop signal remembered, if any."""
    return _early_stop[0] if _early_stop else None
