"""The record the spider hands to the pipelines: one article, as stored."""
from __future__ import annotations

from dataclasses import dataclass, field


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
    attachments: list[str] = field(default_factory=list)
