"""What the spider hands to the pipelines: articles, and what it learned about known pages.

Everything the store remembers travels as an item, so one writer (the store pipeline,
or the single writer of a distributed crawl) applies it all in batched transactions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    url: str  # final URL, after redirects
    site: str  # school name from the config
    title: str | None
    text: str
    published_at: str | None
    author: str | None
    source: str | None
    editor: str | None
    views: int | None
    fetched_at: str
    list_url: str | None = None
    images: list[str] = field(default_factory=list)
    layout: dict = field(default_factory=dict)  # subheadings and photos among the paragraphs (crawler/extract/layout.py)
    attachments: list[str] = field(default_factory=list)
    etag: str | None = None  # validators of this response, for next time's conditional GET
    last_modified: str | None = None
    aliases: list[str] = field(default_factory=list)  # links that redirected here
    index_terms: Any = None  # crawler.prepare.IndexTerms of title and text, when the crawl computed them


@dataclass
class ArticleCheckedItem:
    """A stored article answered 304 Not Modified."""

    url: str
    site: str
    checked_at: str


@dataclass
class ArticleGoneItem:
    """A stored article now answers 404/410: it gets ``gone_at``, it is never deleted."""

    url: str
    site: str
    checked_at: str


@dataclass
class ListPageItem:
    """What a list page looked like: validators, the fingerprint of its article links, and the
    links themselves (a later run checks that each one was stored or skipped for good)."""

    url: str
    site: str
    etag: str | None
    last_modified: str | None
    fetched_at: str
    column: str | None = None
    links: list[str] = field(default_factory=list)


@dataclass
class SkippedLinkItem:
    """A list's link that will never be an article (404/410, robots.txt, not an article page,
    older than ``since``, too large, a redirect loop): known, so not a gap in the column."""

    url: str
    site: str
    reason: str
    seen_at: str


@dataclass
class ColumnFoundItem:
    """A page the homepage links to is a news column (a dated list of article links)."""

    start_url: str
    site: str
    name: str
    seen_at: str


@dataclass
class HomeCheckedItem:
    """A school's homepage was read for its columns; a known column it no longer links to is gone."""

    site: str
    home: str
    checked_at: str
    candidates: list[str] = field(default_factory=list)


@dataclass
class FailingLinkItem:
    """A list's link that failed for good tonight (403, 5xx after retries, a timeout, an off-site
    redirect): remembered in skipped_links with a ``recheck_at`` (crawler.incremental
    failing_recheck_at), so it is no gap and is not asked every night. ``lasting``: a failure
    that will not pass by itself (a 403, an off-site redirect), remembered at its first time."""

    url: str
    site: str
    reason: str
    seen_at: str
    lasting: bool = False


@dataclass
class ColumnWalkedItem:
    """A column was walked to its end (or to max_pages/since): later runs may stop at known pages."""

    start_url: str
    site: str
    walked_at: str
