"""Run one refresh of every configured school and account for it in ``crawl_runs``.

This is the bridge between the pure modules and Scrapy: it builds the settings, runs
the spider in this process, and turns the crawl stats into one ``crawl_run_sites`` row
per school. Scrapy's reactor cannot be restarted, so call it once per process (the
scheduler runs each refresh in a fresh child process).
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.config import check_settings, CRAWL_SETTINGS, Config
from crawler.extract.dates import now_iso
from crawler.runtime.stop import early_stop, hold_stop_signals, stop_requested
from db.schema import RUN_SITE_COLUMNS

# every counter column of crawl_run_sites is a spider stat ``site/<name>/<counter>``
SITE_COUNTERS = tuple(name for name, kind in RUN_SITE_COLUMNS.items() if kind is int and name != "run_id")


@dataclass
class RunResult:
    run_id: int | None
    status: str
    sites: list[dict] = field(default_factory=list)
    duration_s: float = 0.0
    announcement: object | None = None  # crawler.notify.outbox.Announcement: events planned, alerts sent

    @property
    def new_articles(self) -> int:
        return sum(s["new_articles"] for s in self.sites)


def build_settings(config: Config, **overrides) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    for key, value in config.crawl.items():
        settings.set(CRAWL_SETTINGS[key], value, priority="project")
    if config.topics is not None:
        settings.set("WATCHED_TOPICS", config.topics, priority="project")
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    check_settings(settings)  # however a setting came (sites.toml, -s, a settings module): in its range
    return settings


def run_crawl(config: Config, settings: Settings, spider_class=None, on_item=None, **spider_kwargs):
    """Run the news spider (or ``spider_class``, a subclass) over ``config`` in this process;
    return the finished crawler.

    ``on_item`` is called with every article the spider yields (``--try`` prints them).
    """
    from scrapy import signals

    from spiders.news import NewsSpider

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_class or NewsSpider)
    if on_item is not None:
        crawler.signals.connect(lambda item, **_: on_item(item), signal=signals.item_scraped, weak=False)
    # a stop asked for before Scrapy took over the signals goes to Scrapy's graceful stop now
    crawler.signals.connect(lambda **_: early_stop() and os.kill(os.getpid(), early_stop()),
                            signal=signals.engine_started, weak=False)
    process.crawl(crawler, config=config, **spider_kwargs)
    process.start()
    hold_stop_signals()  # Scrapy's handlers stay installed but need the reactor, which has stopped
    return crawler


def site_rows(config: Config, stats: dict, duration_s: float) -> list[dict]:
    rows = []
    for site in config.sites:
        row = {"site": site.name, "duration_s": round(duration_s, 1)}
        for counter in SITE_COUNTERS:
            row[counter] = int(stats.get(f"site/{site.name}/{counter}", 0))
        row["first_error"] = stats.get(f"site/{site.name}/first_error")
        row["coverage_gap"] = stats.get(f"site/{site.name}/first_coverage_gap")
        list_errors = int(stats.get(f"site/{site.name}/list_errors", 0))
        if row["list_pages"] == 0 and row["not_modified"] == 0:
            row["status"] = "failed"
        elif row["errors"] or list_errors or row["lists_partly_understood"]:  # a list not understood is no "ok"
            row["status"] = "partial"
        else:
            row["status"] = "ok"
        rows.append(row)
    return rows


def _nothing_stored(db, rows: list[dict]) -> bool:
    """A school whose lists answered but which holds no article is never "ok" (its lists are
    not understood, or their links are another school's): partial, with the reason."""
    from crawler.notify.health import NOTHING_STORED, nothing_stored
    from db.store import holds_articles

    marked = False
    for row in rows:
        if row["status"] == "failed":
            continue
        if nothing_stored(row["list_pages"], row["article_links"], row["too_old"], holds_articles(db, row["site"])):
            row["status"], row["first_error"] = "partial", row["first_error"] or NOTHING_STORED
            marked = True
    return marked


def run_refresh(config: Config, db_path: str, *, log_level: str = "INFO", feed_path: str | None = None,
                **setting_overrides) -> RunResult:
    """One refresh of every site into ``db_path``, then its alerts and feed.

    Holds the database's refresh lock throughout (raises crawler.runtime.lock.Busy when another
    process is refreshing it) and always closes its crawl_runs row. A run stopped by a
    signal (SIGTERM from the scheduler) keeps what it stored; its alerts go out with the
    next run's.
    """
    from crawler.runtime.lock import exclusive, lock_path
    from db.schema import open_db
    from db.store import start_run

    with exclusive(lock_path(db_path), on=db_path):
        db = open_db(db_path)
        run_id = start_run(db, config.path, len(config.sites), now_iso())
        db.close()
        result = _crawl_and_record(config, db_path, run_id, log_level, setting_overrides)
        if result.status != "stopped" and not stop_requested():
            from crawler.notify.outbox import announce as announce_run

            db = open_db(db_path)
            try:
                result.announcement = announce_run(db, config, feed_path)
            finally:
                db.close()
    return result


def _crawl_and_record(config: Config, db_path: str, run_id: int, log_level: str, setting_overrides) -> RunResult:
    from db.schema import open_db
    from db.store import finish_run

    started = time.monotonic()
    status, message, stats = "failed", "", {}
    try:
        if config.cluster is not None:
            from crawler.runtime.coordinator import crawl_on_cluster

            from crawler.extensions import SafeLogValues, protect
            from crawler.settings import LOG_FORMAT, LOG_VALUE_MAX_CHARS

            logging.basicConfig(level=log_level, format=LOG_FORMAT)
            if LOG_VALUE_MAX_CHARS:  # no Scrapy here to put it on (crawler/extensions.py SafeLogLines)
                protect(logging.root.handlers, SafeLogValues(LOG_VALUE_MAX_CHARS))
            stats = crawl_on_cluster(config, str(db_path), run_id, stop_requested)
        else:
            settings = build_settings(
                config, STORE_DB_PATH=str(db_path), CRAWL_RUN_ID=run_id, LOG_LEVEL=log_level, **setting_overrides
            )
            from crawler.incremental import known_state
            from db.known import read_known

            stats = run_crawl(config, settings, known=known_state(read_known(db_path))).stats.get_stats()
        stopped = stats.get("finish_reason") == "shutdown" or stop_requested()
        status = "stopped" if stopped else "ok"
        if stats.get("store_error"):
            status, message = "failed", stats["store_error"]
    except BaseException as exc:  # record the failure, then let it propagate
        message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        duration = time.monotonic() - started
        rows = site_rows(config, stats, duration)
        if status == "ok":
            failed = sum(r["status"] == "failed" for r in rows)
            if failed == len(rows):
                status = "failed"
            elif failed or any(r["status"] == "partial" for r in rows):
                status = "partial"
        elif status == "stopped":
            message = "stopped by a signal before the end; what was stored is kept"
        db = open_db(db_path)
        if _nothing_stored(db, rows) and status == "ok":
            status = "partial"
        finish_run(db, run_id, rows, status, now_iso(), message)
        db.close()
        logging.getLogger(__name__).debug("run %s finished: %s", run_id, status)
    return RunResult(run_id=run_id, status=status, sites=rows, duration_s=duration)
