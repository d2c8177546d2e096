"""The distributed mode: a coordinator (``scheduler.py --once`` with [cluster]) and
``scheduler.py --worker`` processes sharing a real redis-server, against the demo schools.

Each test compares the cluster's store with what one process stores from the same site.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis

from demo.generated import generated_schools
from demo.server import DemoServer
from tests.helpers import DEMO_ARTICLES, ROOT, YOUNG, accounting, query, rows, run_cli
from tests.redis_server import redis_server
from demo.next_day import NEW_ARTICLES

@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


def cluster_toml(demo: DemoServer, redis_url: str, prefix: str, **crawl) -> str:
    return demo.config_toml(**crawl) + f'\n[cluster]\nredis_url = "{redis_url}"\nkey_prefix = "{prefix}"\n'


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


class Workers:
    """``count`` × ``scheduler.py --worker``, each in a session of its own (so it can be
    killed whole, with its crawl child and that child's extraction workers)."""

    def __init__(self, config, count: int, logs):
        self.logs = [logs / f"worker-{n}.log" for n in range(count)]
        self.processes = []
        for log in self.logs:
            with open(log, "wb") as out:
                self.processes.append(subprocess.Popen(
                    [sys.executable, str(ROOT / "scheduler.py"), "--worker", "--config", str(config)],
                    cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, n: int) -> str:
        return self.logs[n].read_text(encoding="utf-8", errors="replace")


def one_process(demo: DemoServer, tmp_path, name: str, **crawl):
    config = tmp_path / f"{name}.toml"
    config.write_text(demo.config_toml(**crawl), encoding="utf-8")
    db_path = tmp_path / f"{name}.db"
    return config, db_path


def refresh(config, db_path):
    result = run_cli("--once", "--config", config, "--db", db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_two_workers_store_exactly_what_one_process_stores(redis_url, tmp_path):
    with DemoServer() as demo:
        demo.slow(0.3)  # long enough for both workers to take requests
        config, alone = one_process(demo, tmp_path, "alone")
        refresh(config, alone)

        cluster = tmp_path / "cluster.toml"
        # two connections a worker: the first to start cannot take the whole run
        cluster.write_text(cluster_toml(demo, redis_url, new_prefix(), concurrent_requests=2), encoding="utf-8")
        shared = tmp_path / "cluster.db"
        with Workers(cluster, 2, tmp_path) as workers:
            result = refresh(cluster, shared)
        assert "published on Redis" in result.stderr
        robots = [hit for hit in demo.hits() if hit.path == "/robots.txt"]
    assert len(rows(alone)[0]) == DEMO_ARTICLES
    assert rows(shared) == rows(alone)
    assert accounting(shared, 1) == accounting(alone, 1)
    assert query(shared, "SELECT COUNT(*), status FROM crawl_runs") == [(1, "ok")]
    assert len(robots) == 3 * 2  # once per school for each run (one process, then the cluster)
    for n in range(2):  # both crawled
        fetched = re.search(r"run 1 over: (\d+) page\(s\) fetched", workers.log(n))
        assert fetched and int(fetched[1]) > 0, workers.log(n)[-2000:]


def worker_with_requests_in_flight(server, prefix: str, timeout: float = 60) -> int:
    """The pid of a worker's crawl process that holds requests in flight right now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in server.keys(f"{prefix}:*:in-flight:*"):
            if server.hlen(key) >= 2:
                return int(key.decode().rsplit(":", 1)[1])
        time.sleep(0.05)
    raise AssertionError("no worker took requests")


def test_a_worker_killed_mid_run_loses_nothing_and_the_run_completes(redis_url, tmp_path):
    with DemoServer(generated_schools(4, 30, per_page=10)) as demo:
        config, alone = one_process(demo, tmp_path, "alone", max_pages=5)
        refresh(config, alone)

        prefix = new_prefix()
        cluster = tmp_path / "cluster.toml"
        cluster.write_text(cluster_toml(demo, redis_url, prefix, max_pages=5, download_delay=0.2), encoding="utf-8")
        shared = tmp_path / "cluster.db"
        server = redis.Redis.from_url(redis_url)
        with Workers(cluster, 2, tmp_path):
            coordinator = subprocess.Popen([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config",
                                            str(cluster), "--db", str(shared)], cwd=ROOT, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)
            victim = worker_with_requests_in_flight(server, prefix)
            os.killpg(os.getpgid(victim), signal.SIGKILL)  # the worker, its crawl and its extraction processes
            out, err = coordinator.communicate(timeout=300)
    assert coordinator.returncode == 0, err[-3000:]
    requeued = [line for line in err.splitlines() if "stopped answering" in line]
    assert requeued and f":{victim} stopped answering" in requeued[0], err[-3000:]
    assert " 0 request(s)" not in requeued[0]
    assert len(rows(alone)[0]) == 120
    assert rows(shared) == rows(alone)
    # the writer stored each article once: no version made by an article applied twice
    assert query(shared, "SELECT COUNT(*) FROM article_versions") == [(0,)]
    assert query(shared, "SELECT COUNT(*), status FROM crawl_runs") == [(1, "ok")]
    assert sum(row[5] for row in accounting(shared, 1)) == 120  # new articles, counted once


def test_an_incremental_second_run_with_two_workers_matches_one_process(redis_url, tmp_path):
    with DemoServer() as demo:
        config, alone = one_process(demo, tmp_path, "alone", recheck_days=YOUNG)
        cluster = tmp_path / "cluster.toml"
        cluster.write_text(cluster_toml(demo, redis_url, new_prefix(), recheck_days=YOUNG), encoding="utf-8")
        shared = tmp_path / "cluster.db"
        with Workers(cluster, 2, tmp_path):
            refresh(config, alone)
            refresh(cluster, shared)
            demo.show_next_day()
            refresh(cluster, shared)
            refresh(config, alone)
            demo.clear_log()
            refresh(cluster, shared)  # a quiet night after it
            quiet_hits = demo.hits()
    assert rows(shared) == rows(alone)
    assert accounting(shared, 2) == accounting(alone, 2)
    versions = "SELECT url, title, text FROM article_versions ORDER BY url"
    gone = "SELECT url FROM articles WHERE gone_at IS NOT NULL ORDER BY url"
    assert query(shared, versions) == query(alone, versions) != []
    assert query(shared, gone) == query(alone, gone) != []
    # the next day's news, edit and deletion, found with conditional GETs
    second = accounting(shared, 2)
    assert [sum(row[column] for row in second) for column in (5, 6, 7)] == [len(NEW_ARTICLES), 1, 1]
    # and a quiet night is a 304 for each column's first list page and (recheck_days is wide here) for
    # each young stored article, the deleted one aside: nothing downloaded
    quiet = [hit for hit in quiet_hits if not hit.path.endswith("robots.txt")]
    assert {hit.status for hit in quiet} == {304} and len(quiet) == 3 + len(NEW_ARTICLES) + DEMO_ARTICLES - 1
    assert [row[2:4] for row in accounting(shared, 3)] == [(0, 0)] * 3


def test_a_redis_that_cannot_be_reached_is_a_clear_error_and_a_failed_run(tmp_path):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        # a loopback port with nothing listening
        config.write_text(cluster_toml(demo, "redis://127.0.0.1:9/0", new_prefix()), encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
    assert result.returncode == 1
    assert "cannot reach Redis at redis://127.0.0.1:9/0" in result.stderr
    assert query(tmp_path / "reports.db", "SELECT status FROM crawl_runs") == [("failed",)]


def test_a_worker_config_needs_only_the_cluster_table(tmp_path):
    config = tmp_path / "worker.toml"
    config.write_text('[cluster]\nredis_url = "redis://:${SNM_TEST_UNSET_PASSWORD}@127.0.0.1:9/0"\n', encoding="utf-8")
    result = run_cli("--worker", "--config", config, timeout=60)
    assert result.returncode == 1
    assert "environment variable SNM_TEST_UNSET_PASSWORD is not set" in result.stderr


FORBIDDING_WORKER = '''
import sys
import redis, scrapy
from scrapy.crawler import CrawlerProcess
from crawler.cluster.keys import Keys

redis_url, prefix, base = sys.argv[1:4]
redis.Redis.from_url(redis_url).hset(Keys(prefix, 1).robots(base + "/robots.txt"),
                                     mapping={"status": 200, "body": b"User-agent: *\\nDisallow: /Item/8899.aspx\\n"})

class Probe(scrapy.Spider):
    name = "probe"

    async def start(self):
        for path in ("/Item/8899.aspx", "/Item/8801.aspx"):
            yield scrapy.Request(base + path, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        print("fetched", response.url)

    def failed(self, failure):
        print("refused", failure.request.url, failure.getErrorMessage())

process = CrawlerProcess({
    "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "REDIS_URL": redis_url, "CLUSTER_KEY_PREFIX": prefix,
    "CLUSTER_RUN_ID": 1,
    # Scrapy's own check switched off: as when it ends without a parser, and allows everything
    "DOWNLOADER_MIDDLEWARES": {"scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                               "crawler.cluster.robots.SharedRobotsTxtMiddleware": 140},
})
process.crawl(Probe)
process.start()
'''


def test_a_worker_never_fetches_a_page_the_runs_robots_txt_forbids(redis_url):
    """Whatever Scrapy's own robots middleware concluded (a failure on its way to a parser
    allows everything, silently), the run's shared copy of robots.txt is enforced."""
    from demo.site import Page
    from tests.helpers import Host

    page = Page("<html><body><h1>内部页面</h1></body></html>".encode("utf-8"))
    with Host("127.0.0.1", {"/Item/8899.aspx": page, "/Item/8801.aspx": page}) as host:
        result = subprocess.run([sys.executable, "-c", FORBIDDING_WORKER, redis_url, new_prefix(), host.base],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        asked = list(host.hits)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"refused {host.base}/Item/8899.aspx Forbidden by robots.txt" in result.stdout, result.stdout
    assert f"fetched {host.base}/Item/8801.aspx" in result.stdout
    assert "/Item/8899.aspx" not in asked and "/Item/8801.aspx" in asked
