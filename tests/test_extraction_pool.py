"""Extraction and tagging in extraction processes: the same store as one process, and no
extraction process that dies or outlives its crawl costs an article.

Real crawls of the demo (``scheduler.py --once`` subprocesses), real extraction processes
found in /proc and killed with real signals.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from demo.generated import generated_schools
from demo.server import DemoServer
from tests.helpers import DEMO_ARTICLES, ROOT, check_store, count_articles, rows, run_cli

# what the index derives from title and text, and what extraction finds


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as handle:
            return [int(x) for x in handle.read().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except OSError:
        return False


def wait_for_extraction_process(crawl: subprocess.Popen, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and crawl.poll() is None:
        # a spawned pool worker runs spawn_main; the pool's resource tracker is a child too, and a
        # child just forked still shows the crawl's own command line (it was taken for a worker
        # once, killed, and nothing died that the pool used)
        for pid in children(crawl.pid):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as handle:
                    cmdline = handle.read()
            except OSError:
                continue
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                return pid
        time.sleep(0.05)
    raise AssertionError("no extraction process appeared")


def test_extraction_processes_store_exactly_what_one_process_stores(demo, tmp_path):
    stored = {}
    for processes in (0, 2):
        config = tmp_path / f"sites-{processes}.toml"
        config.write_text(demo.config_toml(extraction_processes=processes), encoding="utf-8")
        db_path = tmp_path / f"processes-{processes}.db"
        result = run_cli("--once", "--config", config, "--db", db_path)
        assert result.returncode == 0, result.stderr[-3000:]
        stored[processes] = rows(db_path)
    assert len(stored[0][0]) == DEMO_ARTICLES
    assert stored[2] == stored[0]


def test_the_crawl_process_shares_extraction_and_stores_the_same(tmp_path):
    """When the extraction process falls behind (a burst of fast pages), the crawl process extracts
    some pages itself and sends only their index terms over: the store is the same as one
    process's, page for page."""
    schools = generated_schools(2, 120, per_page=20, varied=True, reposts=0.1)
    stored, logs = {}, {}
    with DemoServer(schools) as server:
        for processes in (0, 1):
            config = tmp_path / f"sites-{processes}.toml"
            config.write_text(server.config_toml(max_pages=8, concurrent_requests_per_domain=16,
                                                 extraction_processes=processes), encoding="utf-8")
            db_path = tmp_path / f"processes-{processes}.db"
            result = run_cli("--once", "--config", config, "--db", db_path)
            assert result.returncode == 0, result.stderr[-3000:]
            stored[processes], logs[processes] = rows(db_path), result.stderr
    assert len(stored[0][0]) == 240
    assert stored[1] == stored[0]
    shared = re.search(r"extraction: (\d+) pages extracted in the crawl process", logs[1])
    assert shared and 0 < int(shared[1]) < 240, logs[1][-2000:]


def test_an_extraction_process_killed_mid_crawl_costs_no_article(tmp_path):
    with DemoServer() as demo:
        demo.slow(0.5)
        config = tmp_path / "sites.toml"
        # one request at a time per school: the articles arrive over seconds, so the process is
        # killed while pages are still to come (at full speed, on a loaded machine, it was found
        # only after the last page, and no page saw it die)
        config.write_text(demo.config_toml(concurrent_requests_per_domain=1), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        crawl = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                                  "--db", str(db_path)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        os.kill(wait_for_extraction_process(crawl), signal.SIGKILL)
        out, err = crawl.communicate(timeout=300)
        assert crawl.returncode == 0, err[-3000:]
        assert "extraction process died" in err
        demo.slow(0)
        if count_articles(db_path)[0] < DEMO_ARTICLES:  # the pages that were in the dead process
            assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)
    check_store(db_path)


def test_no_extraction_process_outlives_a_killed_crawl(tmp_path):
    with DemoServer() as demo:
        demo.slow(0.5)
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(extraction_processes=2), encoding="utf-8")
        crawl = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                                  "--db", str(tmp_path / "reports.db")], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        process = wait_for_extraction_process(crawl)
        family = children(crawl.pid)
        assert process in family
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in family)
