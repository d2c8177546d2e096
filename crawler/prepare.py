"""The CPU-heavy part of an article page, as one call a worker process can make.

Scrapy runs the spider and the pipelines on one thread. Extraction (lxml, trafilatura),
jieba and MinHash are two thirds of a crawl's CPU, so the spider hands each page to
:func:`prepare_article` in extraction processes (crawler/extraction_pool.py) and keeps downloading.
The store then only writes. Everything here is a pure function of its arguments.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from crawler.search import dedupe, tagging
from crawler.extract import Article, extract


def _digest(title: str, text: str) -> bytes:
    return hashlib.blake2b(f"{title}\0{text}".encode("utf-8"), digest_size=16).digest()


@dataclass(frozen=True)
class IndexTerms:
    """What the store's index keeps of an article's title and text (pipelines/index.py)."""

    made_from: bytes  # digest of the title and text these were computed from
    keywords: list[str]
    signature: bytes  # MinHash of the text's 5-grams (crawler/search/dedupe.py)
    buckets: list[int]  # its LSH buckets
    scheme: str = dedupe.SIGNATURE_SCHEME  # what made signature and buckets

    def fits(self, title: str, text: str) -> bool:
        """Whether these terms are those of this title and text (the stored ones), made by this
        version's signature scheme (a cluster worker of another version sends others)."""
        return self.made_from == _digest(title, text) and getattr(self, "scheme", None) == dedupe.SIGNATURE_SCHEME


def index_terms(title: str, text: str) -> IndexTerms:
    signature = dedupe.signature(text)
    return IndexTerms(_digest(title, text), tagging.keywords(title, text), signature, dedupe.band_keys(signature))


def prepare_article(html: str, url: str, *, with_terms: bool = True, **extract_options) -> tuple[Article, IndexTerms | None]:
    """The article of a page (see crawler.extract.extract) and, when it is one, its index terms."""
    article = extract(html, url, **extract_options)
    if not with_terms or not article.title or not article.text:
        return article, None
    return article, index_terms(article.title, article.text)


SHARE_MAX_CHARS = 1_000_000  # a page larger than this is always read in an extraction process (isolated)


async def prepare_shared(pool, html: str, url: str, *, with_terms: bool = True,
                         **extract_options) -> tuple[Article, IndexTerms | None]:
    """:func:`prepare_article` in an extraction process, or, while those have pages waiting, its
    extraction here and only the index terms there: on two cores, Scrapy's process would otherwise
    wait for the extraction process half the time (a whole article there is twice the crawl's own
    work on a page). The text sent over is the extracted one, smaller than the page."""
    if len(html) > SHARE_MAX_CHARS or not pool.share():
        return await pool.run(prepare_article, html, url, with_terms=with_terms, **extract_options)
    article = extract(html, url, **extract_options)
    if not with_terms or not article.title or not article.text:
        return article, None
    return article, await pool.run(index_terms, article.title, article.text)


def warm_up() -> None:
    """Load jieba, its IDF table and the MinHash permutations before the first page comes."""
    index_terms("学校召开党建工作会议", "学校召开党建工作会议，部署下一阶段工作。")
