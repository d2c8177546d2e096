"""The yardstick of ``throughput.py``: Scrapy and trafilatura alone, nothing of ours.

    .venv/bin/python benchmarks/bare_crawl.py URLS_FILE [--concurrency 16]

Fetches every URL in the file (one per line) with a stock Scrapy spider, at the same
concurrency as the benchmarked crawl, with no delay and no AutoThrottle, and runs
``trafilatura.extract`` on each page with the options our extraction uses. Stores nothing.
Prints ``pages=N extracted=N`` when done, for the caller to check it did the whole job.
"""
from __future__ import annotations

import argparse
import sys

import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.pages = 0
        self.extracted = 0

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        self.pages += 1
        text = trafilatura.extract(response.text, url=response.url, include_tables=False, include_comments=False,
                                   include_images=False, deduplicate=False, favor_recall=True, output_format="txt")
        if text:
            self.extracted += 1
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls_file")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with open(args.urls_file, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,  # the URL list holds only pages the crawl was allowed to fetch
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "COOKIES_ENABLED": False,
        "LOG_LEVEL": "WARNING",
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    print(f"pages={spider.pages} extracted={spider.extracted}")
    return 0 if spider.pages == len(urls) else 1


if __name__ == "__main__":
    sys.exit(main())
