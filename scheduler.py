"""Command line of the school news monitor.

    python scheduler.py [--config sites.toml] [--db db/reports.db]          run the nightly schedule until stopped
    python scheduler.py --once [--config sites.toml] [--db db/reports.db]   one refresh of every school, then alerts
    python scheduler.py --demo                                               the same, on the bundled demo site
    python scheduler.py --try URL                                            try a news column before adding it
    python scheduler.py --worker [--config sites.toml]                       crawl for the runs of a [cluster]
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

from crawler.config import ConfigError, load_config, parse_config
from crawler.runtime.once import DEFAULT_DB, EXIT_BUSY, refresh_and_report

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "sites.toml"
DEMO_PORT = 18601


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Nightly monitoring crawler for Chinese school news.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run one refresh of every configured school and exit")
    mode.add_argument("--demo", action="store_true", help="serve the bundled demo schools and refresh db/demo.db")
    mode.add_argument("--try", dest="try_url", metavar="URL", help="crawl one news column without storing anything")
    mode.add_argument("--worker", action="store_true",
                      help="crawl for the refreshes of the [cluster] in the config, until stopped (needs only Redis)")
    mode.add_argument("--worker-run", action="store_true", help=argparse.SUPPRESS)  # a worker's child: one run
    parser.add_argument("--key-prefix", help=argparse.SUPPRESS)
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="sites file (default: sites.toml)")
    parser.add_argument("--db", default=None, help="SQLite file (default: db/reports.db; db/demo.db with --demo)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    args = parser.parse_args(argv)
    log_level = "WARNING" if args.quiet else "INFO"

    if args.try_url:
        return try_column(args.try_url, log_level)
    if args.demo:
        return run_demo(args.db, log_level)
    if args.worker or args.worker_run:
        return run_worker(args, log_level)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    db_path = args.db or DEFAULT_DB
    if args.once:
        return refresh_and_report(config, db_path, log_level)
    return run_schedule(config, args.config, db_path, log_level)


def run_demo(db_path: str | None, log_level: str) -> int:
    from demo.server import DemoServer

    db_path = db_path or str(ROOT / "db" / "demo.db")
    # a fixed port keeps the demo's URLs stable, so a second --demo run finds its articles known
    try:
        demo = DemoServer(port=DEMO_PORT).start()
    except OSError as exc:
        print(f"error: cannot serve the demo on port {DEMO_PORT} of 127.0.0.1-3: {exc.strerror}", file=sys.stderr)
        return 1
    with demo:
        config = parse_config(demo.config_dict(), "<demo>")
        for site in config.sites:
            print(f"demo school {site.name}: {site.start_urls[0]}", file=sys.stderr)
        code = refresh_and_report(config, db_path, log_level, feed_path=str(Path(db_path).with_suffix(".atom")))
    print(f"\nBrowse it: .venv/bin/datasette {db_path} -m db/metadata.yml")
    return code


def run_worker(args, log_level: str) -> int:
    """``--worker``: serve the cluster's runs; ``--worker-run`` (its child): crawl the current one."""
    from crawler.cluster import ClusterUnavailable, resolve_url
    from crawler.cluster_worker import crawl_current_run, serve
    from crawler.config import load_cluster_config

    try:
        if args.worker_run:  # Scrapy sets up the logging
            return crawl_current_run(args.key_prefix, log_level)
        logging.basicConfig(level=log_level, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
        cluster = load_cluster_config(args.config)
        return serve(resolve_url(cluster.redis_url), cluster.key_prefix, log_level)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except ClusterUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def run_schedule(config, config_path: str, db_path: str, log_level: str) -> int:
    """The nightly schedule in the foreground: each refresh a child process, never two at once."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
    from apscheduler.schedulers.blocking import BlockingScheduler

    from crawler.child import ChildRunner
    from crawler.lock import Busy, exclusive, lock_path
    from crawler.schedule import catch_up_due, parse_cron
    from db.outbox import usable_channels

    plan = config.schedule
    log = scheduler_log(plan.log_file or str(Path(db_path).with_name("scheduler.log")), log_level)
    _, unusable = usable_channels(config)
    for label, reason in unusable.items():
        log.error("[alerts] url %s: %s", label, reason)
    if unusable:
        log.error("not started: fix the alert channels above (secrets come from environment variables)")
        return 2
    try:
        with exclusive(lock_path(db_path, "scheduler")):
            trigger = parse_cron(plan.cron, plan.timezone)
            command = [sys.executable, str(Path(__file__).resolve()), "--once", "--config", config_path, "--db", db_path]
            if log_level != "INFO":
                command.append("--quiet")
            runner = ChildRunner(command, timeout_s=plan.timeout_minutes * 60, grace_s=plan.stop_grace_seconds,
                                 log=log)
            scheduler = BlockingScheduler(timezone=plan.timezone)
            now = datetime.now(trigger.timezone)
            last = last_success(db_path)
            first_run = now if catch_up_due(trigger, last, now) else None
            scheduler.add_job(runner.run, trigger, id="refresh", name="nightly refresh", coalesce=True,
                              max_instances=1, misfire_grace_time=int(plan.misfire_grace_minutes * 60),
                              **({"next_run_time": first_run} if first_run else {}))
            scheduler.add_listener(lambda event: log.warning(
                "a scheduled refresh was skipped: %s", "the previous one is still running"
                if event.code == EVENT_JOB_MAX_INSTANCES else "it was missed by more than misfire_grace_minutes"),
                EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)

            def stop(signum, _frame):
                log.info("%s received: stopping after the running refresh has finished its writes",
                         signal.Signals(signum).name)
                runner.stop()
                scheduler.shutdown(wait=False)

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            log.info("schedule %r (%s) for %d school(s) into %s; last successful refresh: %s",
                     plan.cron, plan.timezone, len(config.sites), db_path, last.isoformat() if last else "never")
            if first_run:
                log.info("a scheduled time passed since the last successful refresh: refreshing now")
            scheduler.start()  # returns after stop()
            runner.wait_stopped()
            log.info("scheduler stopped")
    except Busy as exc:
        log.error("not started: another scheduler for %s is running (process %s)", db_path, exc.holder or "?")
        return EXIT_BUSY
    return 0


def last_success(db_path: str) -> datetime | None:
    """Start of the last refresh that finished ok or partial (read-only: never creates the file)."""
    if not Path(db_path).exists():
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT MAX(started_at) FROM crawl_runs WHERE status IN ('ok', 'partial')").fetchone()
    except sqlite3.OperationalError:  # an empty file, or made before crawl_runs existed
        return None
    finally:
        conn.close()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def scheduler_log(path: str, log_level: str) -> logging.Logger:
    """Log to stderr and to a rotating file (5 × 5 MB)."""
    from logging.handlers import RotatingFileHandler

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("scheduler")
    log.setLevel(logging.INFO)
    log.propagate = False
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    for handler in (logging.StreamHandler(sys.stderr), RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5,
                                                                          encoding="utf-8")):
        handler.setFormatter(formatter)
        log.addHandler(handler)
    logging.getLogger("apscheduler").addHandler(log.handlers[0])
    logging.getLogger("apscheduler").addHandler(log.handlers[1])
    return log


def try_column(url: str, log_level: str) -> int:
    """Crawl one list page and its next page; print the links found and two extracted articles."""
    from crawler.refresh import build_settings, run_crawl

    try:
        config = parse_config({"sites": [{"name": "try", "start_urls": [url], "max_pages": 2}]}, "--try")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    items = []
    settings = build_settings(config, LOG_LEVEL=log_level)  # no STORE_DB_PATH: nothing is stored

    crawler = run_crawl(config, settings, on_item=items.append, try_mode=True)
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    print(f"\nList pages read: {stats.get('site/try/list_pages', 0)}; article links found: {len(spider.found_links)}")
    for link in spider.found_links:
        print("  " + link)
    if not spider.found_links and stats.get("site/try/list_pages", 0):
        print("  (none: the column's article URLs have an unusual shape; set article_pattern in sites.toml)")
    for item in items[:2]:
        fields = {k: getattr(item, k) for k in ("url", "title", "published_at", "author", "source", "editor", "views")}
        fields["text"] = item.text[:200] + ("…" if len(item.text) > 200 else "")
        print(json.dumps(fields, ensure_ascii=False, indent=2))
    if stats.get("site/try/first_error"):
        print(f"first error: {stats['site/try/first_error']}")
    return 0 if spider.found_links else 1


if __name__ == "__main__":
    sys.exit(main())
