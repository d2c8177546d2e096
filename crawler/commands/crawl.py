"""``scrapy crawl news -a config=sites.toml -a db=db/reports.db``: the same refresh as
``scheduler.py --once``.

A refresh is more than the spider: the database's lock, its ``crawl_runs`` row, the
per-school accounting, then alerts and the feed. Scrapy's own ``crawl`` would run the
spider alone, so this project command takes its name and hands the news spider to the
one function ``--once`` calls; ``-s NAME=VALUE`` settings are passed on. Any other
spider runs as Scrapy's ``crawl`` runs it.
"""
from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

NEWS_ARGUMENTS = {"config", "db"}


class Command(ScrapyCrawl):
    # the refresh makes its own CrawlerProcess, with the settings of the config's [crawl] table
    requires_crawler_process = False

    def short_desc(self) -> str:
        return "Run a spider; 'news' runs a full refresh (-a config=sites.toml -a db=db/reports.db)"

    def run(self, args, opts) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl news -a config=sites.toml -a db=db/reports.db")
        if args[0] != "news":
            from scrapy.crawler import CrawlerProcess

            self.crawler_process = CrawlerProcess(self.settings)
            return super().run(args, opts)
        from crawler.runtime.stop import hold_stop_signals

        hold_stop_signals()  # a stop before Scrapy starts is handed to its graceful stop
        self.exitcode = self.refresh(opts.spargs)

    def refresh(self, arguments: dict) -> int:
        from crawler.config import ConfigError, load_config
        from crawler.runtime.once import DEFAULT_DB, refresh_and_report

        unknown = set(arguments) - NEWS_ARGUMENTS
        if unknown:
            print(f"error: the news spider takes -a config=FILE and -a db=FILE, not {', '.join(sorted(unknown))}",
                  file=sys.stderr)
            return 2
        try:
            config = load_config(arguments.get("config", "sites.toml"))
        except ConfigError as exc:
            print(f"配置错误：{exc}", file=sys.stderr)
            return 2
        cmdline = SETTINGS_PRIORITIES["cmdline"]
        overrides = {name: self.settings[name] for name in self.settings
                     if self.settings.getpriority(name) == cmdline and name != "LOG_LEVEL"}
        log_level = self.settings.get("LOG_LEVEL") if self.settings.getpriority("LOG_LEVEL") == cmdline else "INFO"
        return refresh_and_report(config, arguments.get("db") or DEFAULT_DB, log_level, **overrides)
