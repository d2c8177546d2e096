"""Write what the spider yields into the SQLite store, in batched transactions.

One transaction per batch keeps a night of hundreds of schools fast and means a killed
crawl leaves whole batches or none. Articles, 304s, 404s of stored articles, list-page
validators and finished column walks all go through here (see ``db/store.py``), so the
store has one writer. New, changed and gone articles are counted per school in the
crawl stats (``site/<name>/new_articles`` …) for the run summary.
"""
from __future__ import annotations

import logging
import sqlite3
import time

from scrapy.exceptions import NotConfigured

from pipelines.index import StoreIndex
from db.schema import open_db
from pipelines.apply import apply_batch

logger = logging.getLogger(__name__)


class SQLiteStorePipeline:
    batch_size = 50
    max_wait_s = 5.0

    def __init__(self, db_path: str, run_id: int | None, stats, topics: dict | None = None, crawler=None):
        self.crawler = crawler
        self.store_error: str | None = None
        self.db_path = db_path
        self.run_id = run_id
        self.stats = stats
        self.topics = topics
        self.db = None
        self.index = None
        self.pending: list = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("STORE_DB_PATH"):
            raise NotConfigured  # no STORE_DB_PATH: nothing is stored (--try, cluster workers)
        return cls(settings.get("STORE_DB_PATH"), settings.getint("CRAWL_RUN_ID") or None, crawler.stats,
                   settings.getdict("WATCHED_TOPICS") or None, crawler)

    def open_spider(self, spider=None):
        self.db = open_db(self.db_path)
        self.index = StoreIndex(self.db, self.topics)
        self.index.catch_up()

    def close_spider(self, spider=None):
        self.flush()
        if self.db is not None:
            self.db.close()

    def process_item(self, item, spider=None):
        if self.store_error:  # the store cannot be written: the crawl is stopping
            return item
        self.pending.append(item)
        if len(self.pending) >= self.batch_size or time.monotonic() - self.last_flush > self.max_wait_s:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending or self.db is None:
            return
        items, self.pending = self.pending, []
        try:
            result = apply_batch(self.db, items, self.run_id, self.index)
        except sqlite3.Error as exc:  # disk full, read-only file: the batch is rolled back whole
            self._give_up(exc)
            return
        self.last_flush = time.monotonic()
        for (site, counter), n in result.counts.items():
            self.stats.inc_value(f"site/{site}/{counter}", n)
        for row in result.new:
            logger.info("新文章 [%s] %s", row["site"], row["title"])
        for row in result.changed:
            logger.info("文章有修改 [%s] %s", row["site"], row["title"])

    def _give_up(self, exc: Exception) -> None:
        """Stop the crawl: nothing more can be stored tonight, and what is not stored is fetched next time."""
        self.store_error = f"cannot write {self.db_path}: {exc}"
        logger.error("%s; stopping the crawl (the store is intact; the next run fetches what is missing)",
                     self.store_error)
        self.stats.set_value("store_error", self.store_error)
        if self.crawler is not None and self.crawler.engine is not None:
            self.crawler.engine.close_spider(self.crawler.spider, "store_error")
