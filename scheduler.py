"""Command line of the school news monitor.

    python scheduler.py [--config sites.toml] [--db db/reports.db]          run the nightly schedule until stopped
    python scheduler.py --once [--config sites.toml] [--db db/reports.db]   one refresh of every school, then alerts
    python scheduler.py --demo                                               the same, on the bundled demo site
    python scheduler.py --try URL                                            try a news column before adding it
    python scheduler.py --discover URL | --discover --from schools.csv      find news columns from homepages
    python scheduler.py --worker [--config sites.toml]                       crawl for the runs of a [cluster]
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from crawler.config import ConfigError, load_config
from crawler.runtime.stop import hold_stop_signals
from crawler.settings import LOG_FORMAT
from crawler.runtime.once import DEFAULT_DB, refresh_and_report

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "sites.toml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Nightly monitoring crawler for Chinese school news.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run one refresh of every configured school and exit")
    mode.add_argument("--demo", action="store_true", help="serve the bundled demo schools and refresh db/demo.db")
    mode.add_argument("--try", dest="try_url", metavar="URL", help="crawl one news column without storing anything")
    mode.add_argument("--discover", nargs="?", const="", metavar="URL",
                      help="find the news columns of a school from its homepage and print a [[sites]] table "
                           "(with --from schools.csv: of every school in the file, columns name,home)")
    mode.add_argument("--worker", action="store_true",
                      help="crawl for the refreshes of the [cluster] in the config, until stopped (needs only Redis)")
    mode.add_argument("--worker-run", action="store_true", help=argparse.SUPPRESS)  # a worker's child: one run
    parser.add_argument("--key-prefix", help=argparse.SUPPRESS)
    parser.add_argument("--from", dest="from_csv", metavar="CSV", help="with --discover: a file of schools (name,home)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="sites file (default: sites.toml)")
    parser.add_argument("--db", default=None, help="SQLite file (default: db/reports.db; db/demo.db with --demo)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    args = parser.parse_args(argv)
    log_level = "WARNING" if args.quiet else "INFO"
    if args.once or args.demo or args.worker_run:
        hold_stop_signals()  # a stop before the crawl starts is handed to Scrapy's graceful stop

    if args.discover is not None:
        from crawler.runtime.discover import discover

        if bool(args.discover) == bool(args.from_csv):
            parser.error("--discover takes a homepage URL, or --from schools.csv")
        return discover(args.from_csv or args.discover, bool(args.from_csv), log_level)
    if args.try_url:
        from crawler.runtime.trial import try_column

        return try_column(args.try_url, log_level)
    if args.demo:
        from crawler.runtime.once import run_demo

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
    from crawler.runtime.nightly import run_schedule

    return run_schedule(config, args.config, db_path, log_level)


def run_worker(args, log_level: str) -> int:
    """``--worker``: serve the cluster's runs; ``--worker-run`` (its child): crawl the current one."""
    from crawler.cluster.run import ClusterUnavailable, resolve_url
    from crawler.runtime.worker import crawl_current_run, serve
    from crawler.config import load_cluster_config

    try:
        if args.worker_run:  # Scrapy sets up the logging
            return crawl_current_run(args.key_prefix, log_level)
        logging.basicConfig(level=log_level, format=LOG_FORMAT)
        cluster = load_cluster_config(args.config)
        return serve(resolve_url(cluster.redis_url), cluster.key_prefix, log_level)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except ClusterUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
