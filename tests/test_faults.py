"""Faults the store must survive with nothing lost: a flaky network, a crawl killed while
it writes, a database held by a long reader or writer. Real servers on 127.0.0.1, real
crawls in subprocesses, real SQLite files; each case bounded in time.
"""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from demo.server import DemoServer
from tests.helpers import DEMO_ARTICLES, ROOT, check_store, count_articles, run_cli

@pytest.mark.parametrize("seed", [1, 2])
def test_a_fifth_of_requests_failing_loses_no_article(tmp_path, seed):
    with DemoServer() as demo:
        demo.chaos(0.2, hang_s=3, seed=seed)  # 500, 503, connection reset, or no answer within the timeout
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(download_timeout=2), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        first = run_cli("--once", "--config", config, "--db", db_path)
        assert first.returncode == 0, first.stderr[-3000:]
        faults = [hit for hit in demo.hits() if hit.status in (0, 500, 503)]
        assert len(faults) >= 4
        if count_articles(db_path)[0] < DEMO_ARTICLES:  # what failed for good is fetched the next night
            assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)
    check_store(db_path)
    conn = sqlite3.connect(db_path)
    retries = conn.execute("SELECT SUM(retries) FROM crawl_run_sites WHERE run_id = 1").fetchone()[0]
    conn.close()
    assert retries >= 1
    assert "重试" in first.stdout  # the summary has the column, and the count is in the table


def test_a_crawl_killed_while_writing_leaves_a_sound_store_and_the_next_run_completes_it(tmp_path):
    with DemoServer() as demo:
        demo.slow(1.5)  # the crawl outlasts the pipeline's 5-second batches: it writes more than once,
        demo.slow(4.0, school=list(demo.schools)[-1])  # and one school's articles come after the first batch for sure
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        crawl = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                                  "--db", str(db_path)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while count_articles(db_path)[0] == 0 and time.monotonic() < deadline and crawl.poll() is None:
            time.sleep(0.05)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        stored_when_killed = count_articles(db_path)[0]
        assert 0 < stored_when_killed < DEMO_ARTICLES
        check_store(db_path)
        demo.slow(0)
        again = run_cli("--once", "--config", config, "--db", db_path)
        assert again.returncode == 0, again.stderr[-3000:]
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)
    check_store(db_path)
    conn = sqlite3.connect(db_path)
    statuses = [row[0] for row in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
    conn.close()
    assert statuses == ["interrupted", "ok"]


def hold(db_path, sql: str, seconds: float, ready: threading.Event) -> None:
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    conn.execute(sql)
    conn.execute("SELECT COUNT(*) FROM articles").fetchone()
    ready.set()
    time.sleep(seconds)
    conn.execute("COMMIT")
    conn.close()


@pytest.mark.parametrize("sql", ["BEGIN", "BEGIN IMMEDIATE"], ids=["long reader", "long writer"])
def test_a_database_held_by_another_connection_makes_the_crawl_wait_not_fail(tmp_path, sql):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
        demo.show_next_day()  # two new articles to write while the database is held
        ready = threading.Event()
        holder = threading.Thread(target=hold, args=(db_path, sql, 4, ready))
        holder.start()
        ready.wait(30)
        result = run_cli("--once", "--config", config, "--db", db_path)
        holder.join()
    assert result.returncode == 0, result.stderr[-3000:]
    assert count_articles(db_path)[0] == DEMO_ARTICLES + 2
    check_store(db_path)


def test_an_article_that_failed_for_the_night_is_fetched_the_next_night_behind_an_unchanged_list(tmp_path):
    with DemoServer() as demo:
        school = demo.schools["jiahe"]
        failing = school.article_path(school.articles[-1])  # on the last list page
        demo.fail("jiahe", failing, 503)
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        first = run_cli("--once", "--config", config, "--db", db_path)
        assert first.returncode == 0
        assert count_articles(db_path)[0] == DEMO_ARTICLES - 1
        assert "部分失败" in first.stdout and "HTTP 503" in first.stdout
        demo.heal()
        demo.clear_log()
        second = run_cli("--once", "--config", config, "--db", db_path)
        assert second.returncode == 0
        assert failing in [hit.path for hit in demo.hits("jiahe") if hit.status == 200]
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)


def limit_file_size(max_bytes: int):
    """For the child: files it writes cannot grow past ``max_bytes`` (write() fails with EFBIG, as on a full disk)."""
    def apply():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))
    return apply


def test_a_full_disk_is_a_clear_error_and_corrupts_nothing(tmp_path):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
        demo.show_next_day()
        conn = sqlite3.connect(db_path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next writes must grow a file
        conn.close()
        full = subprocess.run([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                               "--db", str(db_path)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                              preexec_fn=limit_file_size(16 * 1024))
        assert full.returncode == 1
        # SQLite words a write refused with EFBIG as "disk I/O error" ("database or disk is full" for ENOSPC)
        assert f"error: cannot write {db_path}" in full.stderr
        assert "Traceback" not in full.stderr
        check_store(db_path)
        assert count_articles(db_path)[0] == DEMO_ARTICLES
        again = run_cli("--once", "--config", config, "--db", db_path)  # space is back
        assert again.returncode == 0, again.stderr[-3000:]
    assert count_articles(db_path)[0] == DEMO_ARTICLES + 2
    check_store(db_path)


def test_a_database_path_that_cannot_be_written_is_a_clear_error(tmp_path):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", "/proc/reports.db")
    assert result.returncode == 1
    assert "cannot write /proc/reports.db" in result.stderr and "Traceback" not in result.stderr


def test_a_dead_school_is_described_in_chinese(tmp_path):
    """The first error a person reads (summary, Datasette, the broken-site alert) says what
    happened in their words: 连接被拒绝, not ConnectionRefusedError."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "sites.toml"
    config.write_text(f'[[sites]]\nname = "关停中学"\nstart_urls = ["http://127.0.0.1:{port}/xwdt/list.htm"]\n'
                      "[crawl]\nretry_times = 0\n", encoding="utf-8")
    result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
    assert result.returncode == 1  # every school failed
    conn = sqlite3.connect(tmp_path / "reports.db")
    (first_error,) = conn.execute("SELECT first_error FROM crawl_run_sites").fetchone()
    conn.close()
    assert first_error.startswith(("列表页连接被拒绝", "列表页放弃下载")) and "Error" not in first_error, first_error
