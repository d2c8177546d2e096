"""Extraction processes for the CPU-heavy part of each page, beside Scrapy's single thread.

A ProcessPoolExecutor of ``EXTRACTION_PROCESSES`` processes (``[crawl]
extraction_processes``; default 1, 0: everything inline in one process), started at the
first article page (a quiet night starts none) with ``spawn``, so no Scrapy or reactor
state is copied into them; the program's main module must guard its entry point, as
``scheduler.py`` does. They ignore SIGINT and SIGTERM (the crawl process decides when to
stop and shuts the pool down after its last page) and exit by themselves when the crawl
process dies, even by SIGKILL, so none outlives a killed crawl. ("Worker" means a cluster
node elsewhere: crawler/runtime/worker.py.)
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

logger = logging.getLogger(__name__)


def _init_process(warm_up) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        def exit_with_parent():
            parent.join()  # returns when the crawl process is gone, however it ended
            os._exit(0)

        threading.Thread(target=exit_with_parent, name="exit-with-parent", daemon=True).start()
    if warm_up is not None:
        warm_up()


class ExtractionPool:
    """``await pool.run(fn, *args)``: ``fn`` in an extraction process, or inline when there are none."""

    def __init__(self, count: int, warm_up=None):
        self.count = count
        self.warm_up = warm_up
        self._pool: ProcessPoolExecutor | None = None
        self.waiting = 0  # calls submitted and not yet answered by a process
        self.shared = 0  # times the crawl process took on work itself (share)
        self._lock = threading.Lock()

    def share(self) -> bool:
        """Whether the crawl process should do the next page's heavy part itself: the processes
        have four calls a process waiting (Scrapy hands over pages in bursts; fewer made the crawl
        process take most of them). Counted in ``shared``."""
        if self.count > 0 and self.waiting >= 4 * self.count:
            self.shared += 1
            return True
        return False

    def _start(self) -> None:
        if self.count > 0 and self._pool is None:
            self._pool = ProcessPoolExecutor(self.count, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_init_process, initargs=(self.warm_up,))

    async def run(self, fn, /, *args, **kwargs):
        if self.count <= 0:
            return fn(*args, **kwargs)
        self._start()
        pool = self._pool
        try:
            return await asyncio.wrap_future(self._submit(pool, fn, *args, **kwargs))
        except BrokenProcessPool:
            # a process died (killed, out of memory): this page fails, the next ones get a new pool
            if self._pool is pool:
                logger.error("an extraction process died; starting new ones")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
            raise

    def _submit(self, pool: ProcessPoolExecutor, fn, /, *args, **kwargs):
        """Submit, counted in ``waiting`` until a process answers: counted down in the pool's
        thread, not when the caller resumes (which waits while the crawl process is busy itself)."""
        with self._lock:
            self.waiting += 1
        try:
            future = pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._answered(None)
            raise
        future.add_done_callback(self._answered)
        return future

    def _answered(self, _future) -> None:
        with self._lock:
            self.waiting -= 1

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
