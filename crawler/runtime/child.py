"""Run each refresh (or a cluster worker's crawl of one run) in a fresh child process, one
at a time, with a time limit: the one child-process supervisor of the project.

Scrapy's reactor cannot be restarted in one process, and a crash, hang or leak in one
night's crawl must not take the scheduler down, so every refresh is ``scheduler.py once``
in its own process (a cluster worker's crawl: ``python -m crawler.runtime.worker``). Its
output goes, line by line, into the scheduler's log (one writer for the rotating log file).

Stopping is polite first: SIGTERM makes Scrapy finish the requests in flight and the
store pipeline write its last batch; only a child still alive after the grace period
is killed, and even then SQLite's transactions leave whole batches or none.
"""
from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]  # the project: python -m finds crawler/ from here
SCHEDULER_SCRIPT = ROOT / "scheduler.py"  # the command line a refresh runs in


class ChildRunner:
    def __init__(self, command: list[str], *, timeout_s: float | None, grace_s: float, log: logging.Logger,
                 env: dict | None = None, label: str = "refresh", cwd: Path | None = None):
        self.command = command
        self.cwd = cwd
        self.env = env  # None: this process's environment
        self.label = label  # what the log lines call the child's work
        self.timeout_s = timeout_s  # None: no time limit
        self.grace_s = grace_s
        self.log = log
        self._one_at_a_time = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._stopping = threading.Event()

    def run(self) -> int | None:
        """One refresh; returns the child's exit status (negative: killed by that signal), None if skipped."""
        if self._stopping.is_set():
            return None
        if not self._one_at_a_time.acquire(blocking=False):
            self.log.warning("%s skipped: the previous one is still running", self.label)
            return None
        try:
            return self._run_child()
        finally:
            self._one_at_a_time.release()

    def _run_child(self) -> int:
        started = time.monotonic()
        # a session of its own: Ctrl-C in the terminal reaches the scheduler, which stops the
        # child itself, instead of both racing to handle it
        process = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace", start_new_session=True, env=self.env,
                                   cwd=self.cwd)
        self._process = process
        self.log.info("%s started (pid %d)", self.label, process.pid)
        reader = threading.Thread(target=self._forward_output, args=(process,), daemon=True)
        reader.start()
        timed_out = False
        try:
            code = process.wait(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            self.log.error("%s still running after the time limit (timeout_minutes = %g): stopping it (pid %d)",
                           self.label, self.timeout_s / 60, process.pid)
            timed_out = True
            code = self._end(process)
        reader.join(timeout=5)
        self._process = None
        took = time.monotonic() - started
        if code == 0 and timed_out:  # it stopped as asked: what it stored is kept, the rest is the next one's
            self.log.warning("%s stopped at the time limit after %.0fs; the next one continues from the store",
                             self.label, took)
        elif code == 0:
            self.log.info("%s finished in %.0fs", self.label, took)
        elif code < 0:
            self.log.error("%s ended by signal %s after %.0fs; the next one continues from the store",
                           self.label, signal.Signals(-code).name, took)
        else:
            self.log.error("%s exited with status %d after %.0fs (see the lines above)", self.label, code, took)
        return code

    def _forward_output(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            line = line.rstrip()
            if line:
                self.log.info("│ %s", line)

    def _end(self, process: subprocess.Popen) -> int:
        """SIGTERM, then SIGKILL if the child has not finished its writes within the grace period."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=self.grace_s)
        except subprocess.TimeoutExpired:
            self._kill(process)
            return process.wait()

    def _kill(self, process: subprocess.Popen) -> None:
        self.log.error("%s did not stop within %.0fs: killing it (pid %d)", self.label, self.grace_s, process.pid)
        process.kill()

    def stop(self) -> None:
        """Ask a running refresh to finish (from a signal handler: never blocks)."""
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            self.log.info("asking the running %s to finish its writes and stop (pid %d)", self.label, process.pid)
            process.send_signal(signal.SIGTERM)

    def wait_stopped(self) -> None:
        """After stop(): wait for the running refresh to end, killing it after the grace period."""
        if self._one_at_a_time.acquire(timeout=self.grace_s):
            self._one_at_a_time.release()
            return
        process = self._process
        if process is not None and process.poll() is None:
            self._kill(process)
        self._one_at_a_time.acquire(timeout=30)
