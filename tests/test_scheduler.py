"""``python scheduler.py`` as users leave it running: a real APScheduler with a cron every
two seconds, real child crawls of the demo schools (slowed down so they overlap the
schedule), and real signals: SIGTERM to stop it, SIGKILL to a crawl as the OOM killer
would, a school that never answers for a crawl that hangs.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from crawler.extract.dates import SHANGHAI
from demo.server import DemoServer
from tests.helpers import ROOT, run_cli

EVERY_2_SECONDS = "*/2 * * * * *"


class Scheduler:
    """``scheduler.py`` in the foreground, as a child of the test; its log file is read back."""

    def __init__(self, config: Path, db_path: Path):
        self.db_path = db_path
        self.log_path = db_path.with_name(f"{db_path.stem}.scheduler.log")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--config", str(config),
                                         "--db", str(db_path)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8") if self.log_path.exists() else ""

    def wait_for(self, predicate, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            assert self.process.poll() is None, f"the scheduler exited ({self.process.returncode}):\n{self.log()}"
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; log:\n{self.log()[-4000:]}")

    def runs(self) -> list[dict]:
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(self.db_path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute("SELECT id, status, started_at, finished_at FROM crawl_runs")]
        except sqlite3.OperationalError:
            return []
        finally:
            conn.close()

    def finished_runs(self, status=("ok", "partial")) -> list[dict]:
        return [r for r in self.runs() if r["status"] in status]

    def child_pids(self) -> list[int]:
        return [int(pid) for pid in re.findall(r"refresh started \(pid (\d+)\)", self.log())]

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def write_config(path: Path, demo: DemoServer, schedule: str, **crawl) -> Path:
    path.write_text(demo.config_toml(**crawl) + "\n[schedule]\n" + schedule, encoding="utf-8")
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def slow_demo():
    with DemoServer() as demo:
        demo.slow(0.25)  # a crawl takes longer than the 2-second cron period
        yield demo


def test_never_two_refreshes_at_once_and_sigterm_stops_cleanly(slow_demo, tmp_path):
    config = write_config(tmp_path / "sites.toml", slow_demo, f'cron = "{EVERY_2_SECONDS}"\n')
    scheduler = Scheduler(config, tmp_path / "reports.db")
    try:
        scheduler.wait_for(lambda: len(scheduler.finished_runs()) >= 2, 120, "two finished refreshes")
        # a second scheduler started by mistake on the same database does not start
        second = run_cli("--config", config, "--db", tmp_path / "reports.db", timeout=60)
        assert second.returncode == 3
        assert "another scheduler" in second.stderr
        # a manual --once while the scheduler's refresh runs does not start either: one school's
        # list page hangs, and the CLI asks once a refresh waits on it (it cannot end before)
        slow_demo.slow(2.0)
        school = next(iter(slow_demo.schools.values()))
        slow_demo.hang(school.key, school.list_path)
        scheduler.wait_for(lambda: school.list_path in slow_demo.held(school.key), 60, "a refresh held by the hang")
        manual = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db", timeout=60)
        slow_demo.heal()
        slow_demo.slow(2.0)
        assert manual.returncode == 3 and "another refresh" in manual.stderr
        # stop while a crawl is storing articles: a fresh database makes the next run store everything
        runs_before = len(scheduler.runs())
        scheduler.wait_for(lambda: len(scheduler.runs()) > runs_before, 60, "the next refresh")
        code = scheduler.stop()
    finally:
        if scheduler.process.poll() is None:
            scheduler.process.kill()
    log = scheduler.log()
    assert code == 0
    assert "SIGTERM received" in log and "scheduler stopped" in log
    assert "skipped" in log  # cron times that came while a refresh ran
    runs = scheduler.runs()
    assert "running" not in [r["status"] for r in runs]
    spans = sorted((r["started_at"], r["finished_at"]) for r in runs)
    for (_, finished), (started, _) in zip(spans, spans[1:]):
        assert finished <= started, f"two refreshes overlapped: {spans}"
    assert not [pid for pid in scheduler.child_pids() if alive(pid)]
    assert integrity(tmp_path / "reports.db") == "ok"


def test_catch_up_after_the_machine_was_off(tmp_path):
    with DemoServer() as demo:
        config = write_config(tmp_path / "sites.toml", demo, 'cron = "0 2 * * *"\n')
        db_path = tmp_path / "reports.db"
        assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0

        # just refreshed: starting the scheduler does not refresh again before 02:00
        scheduler = Scheduler(config, db_path)
        try:
            planned = scheduler.wait_for(lambda: re.search(r"next refresh at (\S+)", scheduler.log()), 60,
                                         "the next refresh's time")
            assert datetime.fromisoformat(planned[1]).strftime("%H:%M") == "02:00"
            assert "refreshing now" not in scheduler.log() and len(scheduler.runs()) == 1
        finally:
            assert scheduler.stop() == 0

        # the machine was off for two nights: the scheduler refreshes at once
        two_days_ago = (datetime.now(SHANGHAI) - timedelta(days=2)).isoformat(timespec="seconds")
        conn = sqlite3.connect(db_path)
        with conn:
            conn.execute("UPDATE crawl_runs SET started_at = ?, finished_at = ?", (two_days_ago, two_days_ago))
        conn.close()
        scheduler = Scheduler(config, db_path)
        try:
            scheduler.wait_for(lambda: len(scheduler.finished_runs()) == 2, 90, "the catch-up refresh")
        finally:
            assert scheduler.stop() == 0
        assert "refreshing now" in scheduler.log()


def test_a_crawl_killed_by_the_system_does_not_stop_the_schedule(slow_demo, tmp_path):
    slow_demo.slow(1.0)
    config = write_config(tmp_path / "sites.toml", slow_demo, f'cron = "{EVERY_2_SECONDS}"\n')
    scheduler = Scheduler(config, tmp_path / "reports.db")
    try:
        scheduler.wait_for(lambda: [r for r in scheduler.runs() if r["status"] == "running"], 90, "a crawl running")
        # mid-crawl: a list page answered (each answer takes a second)
        scheduler.wait_for(lambda: [h for h in slow_demo.hits() if h.status == 200 and h.path != "/robots.txt"],
                           60, "a list page answered")
        os.kill(scheduler.child_pids()[0], signal.SIGKILL)  # as the OOM killer would
        slow_demo.slow(0.0)
        scheduler.wait_for(lambda: scheduler.finished_runs(), 120, "a refresh after the killed one")
        assert scheduler.process.poll() is None
    finally:
        assert scheduler.stop() == 0
    assert "ended by signal SIGKILL" in scheduler.log()
    runs = scheduler.runs()
    assert runs[0]["status"] == "interrupted"  # found and closed by the next run
    assert integrity(tmp_path / "reports.db") == "ok"
    conn = sqlite3.connect(tmp_path / "reports.db")
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM articles").fetchone() == (17, 17)
    conn.close()


def test_a_hung_crawl_is_stopped_at_the_time_limit_and_the_schedule_goes_on(tmp_path):
    with DemoServer() as demo:
        school = next(iter(demo.schools.values()))
        demo.hang(school.key, school.list_path)  # accepts the connection, never answers
        config = write_config(tmp_path / "sites.toml", demo,
                              f'cron = "{EVERY_2_SECONDS}"\ntimeout_minutes = 0.1\nstop_grace_seconds = 3\n',
                              download_timeout=600)
        scheduler = Scheduler(config, tmp_path / "reports.db")
        try:
            scheduler.wait_for(lambda: "stopping it" in scheduler.log(), 60, "the time limit")
            hung_child = scheduler.child_pids()[0]
            scheduler.wait_for(lambda: not alive(hung_child), 30, "the hung crawl to end")
            demo.heal()
            scheduler.wait_for(lambda: [r for r in scheduler.finished_runs(("ok",))], 120,
                               "a complete refresh after the hung one")
            assert scheduler.process.poll() is None
        finally:
            assert scheduler.stop() == 0
    assert integrity(tmp_path / "reports.db") == "ok"
