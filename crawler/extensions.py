"""Scrapy extensions of this project, one class one job, each switched by a setting.

Scrapy is imported where an extension is made, not with the module: the scheduler, which
never runs Scrapy itself, puts :class:`SafeLogValues` on its own log.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping

from crawler.extract.text import for_log


class LibraryLogLevel:
    """Scrapy's own INFO lines (middlewares, the stats dump) drown the progress lines a person
    reads: Scrapy's loggers log at LIBRARY_LOG_LEVEL or above (never below LOG_LEVEL).

    An extension because Scrapy sets its loggers' levels itself when a crawl starts
    (``configure_logging``), after anything an entry point could set; extensions come next.
    A dead site's robots.txt failure is logged by Scrapy with a full traceback, while the
    spider already logs one clear line for the page that could not be fetched: silenced."""

    def __init__(self, level: int):
        logging.getLogger("scrapy").setLevel(level)
        logging.getLogger("scrapy.downloadermiddlewares.robotstxt").setLevel(logging.CRITICAL)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        wanted = crawler.settings.get("LIBRARY_LOG_LEVEL")
        if not wanted:
            raise NotConfigured  # LIBRARY_LOG_LEVEL empty: Scrapy logs at LOG_LEVEL
        return cls(max(logging.getLevelName(wanted), logging.getLevelName(crawler.settings.get("LOG_LEVEL"))))


class SafeLogValues(logging.Filter):
    """The values the project's log lines carry (titles, URLs, error messages: a page's text)
    made safe on a handler: control characters, line breaks and bidi overrides escaped
    (``\\x1b[31m`` printed, not obeyed by the terminal), each value cut to ``limit`` characters
    (a 100 KB title is a few hundred characters of log). Lines of the project's loggers only:
    Scrapy's own multi-line dumps stay as they are."""

    PROJECT = frozenset({"spiders", "pipelines", "crawler", "db", "demo", "scheduler"})

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and not getattr(record, "values_made_safe", False) \
                and record.name.partition(".")[0] in self.PROJECT:
            if isinstance(record.args, Mapping):
                record.args = {key: self._safe(value) for key, value in record.args.items()}
            else:
                record.args = tuple(self._safe(value) for value in record.args)
            record.values_made_safe = True  # once, whichever handler sees it first
        return True

    def _safe(self, value):
        if isinstance(value, (str, BaseException)):
            return for_log(str(value), self.limit)
        return value


class SafeLogLines:
    """Puts :class:`SafeLogValues` on the root log handlers (Scrapy's, which writes the run's
    log) once the engine has started: Scrapy installs its handler anew when a crawl starts,
    after extensions are made. The filter stays for the rest of the process (the alerts
    after the crawl log through the same handler)."""

    def __init__(self, limit: int):
        self.filter = SafeLogValues(limit)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        limit = crawler.settings.getint("LOG_VALUE_MAX_CHARS")
        if not limit:
            raise NotConfigured  # LOG_VALUE_MAX_CHARS = 0: values go into log lines as they are
        extension = cls(limit)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self):
        protect(logging.root.handlers, self.filter)


def protect(handlers, safe: SafeLogValues) -> None:
    """Put ``safe`` on each of ``handlers`` that has no SafeLogValues yet."""
    for handler in handlers:
        if not any(isinstance(f, SafeLogValues) for f in handler.filters):
            handler.addFilter(safe)
