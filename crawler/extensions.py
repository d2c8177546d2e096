"""Scrapy extensions of this project, one class one job, each switched by a setting."""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured


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
        wanted = crawler.settings.get("LIBRARY_LOG_LEVEL")
        if not wanted:
            raise NotConfigured  # LIBRARY_LOG_LEVEL empty: Scrapy logs at LOG_LEVEL
        return cls(max(logging.getLevelName(wanted), logging.getLevelName(crawler.settings.get("LOG_LEVEL"))))
