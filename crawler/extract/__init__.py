"""Page -> Article: no Scrapy, no database, no network (``python -m crawler.extract FILE``).

``article`` reads title, metadata and body; ``body`` finds the body container for
trafilatura; ``text`` cleans what it leaves; ``dates``, ``urls``, ``links`` and ``charset``
are the page-level facts the crawl shares; ``cms`` holds what each CMS family looks like.
"""
from crawler.extract.article import Article, extract
from crawler.extract.charset import decode_html_bytes

__all__ = ["Article", "extract", "decode_html_bytes"]
