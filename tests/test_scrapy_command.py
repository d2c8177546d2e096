"""Scrapy's own habits in the project folder: ``scrapy list`` names the spider, and
``scrapy crawl news -a config=… -a db=…`` is the same refresh as ``scheduler.py --once``."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, accounting, query, rows

SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def scrapy(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([SCRAPY, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_scrapy_list_names_the_news_spider():
    result = scrapy("list")
    assert result.returncode == 0, result.stderr
    assert "news" in result.stdout.split()  # the refresh; the others are the try, discover and cluster crawls
    assert len(set(result.stdout.split())) == len(result.stdout.split())
    assert "same name" not in result.stderr  # each spider has a name of its own


def test_scrapy_crawl_news_is_the_same_refresh_as_once(crawled, demo_config, tmp_path):
    once_db = crawled[1].conn.execute("PRAGMA database_list").fetchone()[2]  # scheduler.py --once's store
    db_path = tmp_path / "reports.db"
    result = scrapy("crawl", "news", "-a", f"config={demo_config}", "-a", f"db={db_path}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "次采集：" in result.stdout and "新文章" in result.stdout  # the same summary as --once
    assert rows(db_path) == rows(once_db)
    assert accounting(db_path, 1) == accounting(once_db, 1)
    assert query(db_path, "SELECT id, status FROM crawl_runs") == [(1, "ok")]


def test_scrapy_crawl_news_says_what_it_needs(tmp_path):
    missing = scrapy("crawl", "news", "-a", f"config={tmp_path / 'nowhere.toml'}", "-a", f"db={tmp_path / 'x.db'}")
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("配置错误：")
    wrong = scrapy("crawl", "news", "-a", "url=https://www.example.edu.cn/")
    assert wrong.returncode == 2
    assert "-a config=FILE and -a db=FILE" in wrong.stderr
    assert not (tmp_path / "x.db").exists()
