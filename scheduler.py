"""Command line of the school news monitor.

    python scheduler.py [--config sites.toml] [--db db/reports.db]          run the nightly schedule until stopped
    python scheduler.py once [--config sites.toml] [--db db/reports.db]     one refresh of every school, then alerts
    python scheduler.py demo                                                 the same, on the bundled demo site
    python scheduler.py try URL                                              try a news column before adding it
    python scheduler.py discover URL | discover --from schools.csv          find news columns from homepages
    python scheduler.py worker [--config cluster.toml]                       crawl for the runs of a [cluster]

Each subcommand opens what it needs and calls one function of crawler/runtime; a config
error is one line and exit 2, from one place. The flags of earlier releases (--once,
--demo, --try URL, --discover, --worker) still work, as aliases, for this release.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.config import ConfigError
from crawler.runtime.stop import hold_stop_signals

ROOT = Path(__file__).resolve().parent
DEFAULT_CONFIG = ROOT / "sites.toml"
# the flags of earlier releases -> their subcommand (kept for one release)
OLD_FLAGS = {"--once": "once", "--demo": "demo", "--try": "try", "--discover": "discover", "--worker": "worker"}


def parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given before or after the subcommand, the one given wins and the default stays
    common.add_argument("--config", default=argparse.SUPPRESS, help="sites file (default: sites.toml)")
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="SQLite file (default: db/reports.db; db/demo.db for demo)")
    common.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="no progress lines, only the summary")
    main = argparse.ArgumentParser(
        prog="scheduler.py", parents=[common],
        description="Nightly monitoring crawler for Chinese school news. Without a subcommand: run the "
                    "[schedule] of the config until stopped.",
        epilog="The flags of earlier releases still work for this release: --once, --demo, --try URL, "
               "--discover [URL] (with --from), --worker.")
    commands = main.add_subparsers(dest="command", metavar="{once,demo,try,discover,worker}")
    commands.add_parser("once", parents=[common], help="one refresh of every configured school, then alerts")
    commands.add_parser("demo", parents=[common], help="serve the bundled demo schools and refresh db/demo.db")
    trial = commands.add_parser("try", parents=[common], help="crawl one news column without storing anything")
    trial.add_argument("url", metavar="URL")
    discover = commands.add_parser("discover", parents=[common],
                                   help="find the news columns of schools from their homepages and print "
                                        "[[sites]] tables")
    discover.add_argument("url", metavar="URL", nargs="?", help="one school's homepage")
    discover.add_argument("--from", dest="from_csv", metavar="CSV", help="a file of schools (name,home)")
    commands.add_parser("worker", parents=[common],
                        help="crawl for the refreshes of the [cluster] in the config, until stopped (needs only Redis)")
    return main


def old_flags_as_subcommands(argv: list[str]) -> list[str]:
    """``--once …`` -> ``once …``, ``--try URL`` -> ``try URL``, ``--discover=URL`` -> ``discover URL``."""
    for index, arg in enumerate(argv):
        flag, equals, value = arg.partition("=")
        if flag in OLD_FLAGS:
            return [OLD_FLAGS[flag], *([value] if equals else []), *argv[:index], *argv[index + 1:]]
    return argv


def main(argv: list[str] | None = None) -> int:
    argv = old_flags_as_subcommands(list(sys.argv[1:] if argv is None else argv))
    command_line = parser()
    args = command_line.parse_args(argv)
    config_path = getattr(args, "config", str(DEFAULT_CONFIG))
    log_level = "WARNING" if getattr(args, "quiet", False) else "INFO"
    if args.command in ("once", "demo"):
        hold_stop_signals()  # a stop before the crawl starts is handed to Scrapy's graceful stop
    if args.command == "discover" and bool(args.url) == bool(args.from_csv):
        command_line.error("discover takes a homepage URL, or --from schools.csv")
    try:
        return run(args, config_path, log_level)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2


def run(args, config_path: str, log_level: str) -> int:
    """The subcommand: each one function of crawler/runtime."""
    db_path = getattr(args, "db", None)
    if args.command == "discover":
        from crawler.runtime.discover import discover

        return discover(args.from_csv or args.url, bool(args.from_csv), log_level)
    if args.command == "try":
        from crawler.runtime.trial import try_column

        return try_column(args.url, log_level)
    if args.command == "demo":
        from demo.run import run_demo

        return run_demo(db_path, log_level)
    if args.command == "worker":
        from crawler.runtime.worker import serve_from_config

        return serve_from_config(config_path, log_level)
    from crawler.config import load_config
    from crawler.runtime.once import DEFAULT_DB

    config = load_config(config_path)
    if args.command == "once":
        from crawler.runtime.once import refresh_and_report

        return refresh_and_report(config, db_path or DEFAULT_DB, log_level)
    from crawler.runtime.nightly import run_schedule

    return run_schedule(config, config_path, db_path or DEFAULT_DB, log_level)


if __name__ == "__main__":
    sys.exit(main())
