"""What each item the spider yields does to the store: one function per item type
(``functools.singledispatch``), all run for a batch in one transaction.

The SQL is db/store.py's; what an item means is decided here: an article's row and its index
terms, a failing link's next recheck, the per-school counters of the run summary. The store
pipeline (pipelines/store.py) and the cluster's coordinator both write through
:func:`apply_batch`, so the store has one way in.
"""
from __future__ import annotations

import json
from functools import singledispatch

import sqlite_utils

from crawler.extract.dates import now_iso
from crawler.extract.text import compact, content_hash
from crawler.incremental import failing_recheck_at
from crawler.items import (ArticleCheckedItem, ArticleGoneItem, ArticleItem, ColumnFoundItem, ColumnWalkedItem,
                           FailingLinkItem, HomeCheckedItem, ListPageItem, SkippedLinkItem)
from db import store
from db.store import BatchResult


def apply_batch(db: sqlite_utils.Database, items: list, run_id: int | None, index=None) -> BatchResult:
    """Apply a batch of spider items in one transaction.

    ``index`` (a :class:`pipelines.index.StoreIndex`) keeps search, keywords, topics and repost
    clusters in step with new and changed articles.
    """
    batch = Batch(db, run_id, index, now_iso(), BatchResult())
    with db.conn:
        for item in items:
            apply(item, batch)
    return batch.result


class Batch:
    """What every item of a batch is applied with."""

    def __init__(self, db, run_id: int | None, index, now: str, result: BatchResult):
        self.db, self.run_id, self.index, self.now, self.result = db, run_id, index, now, result

    def count(self, site: str, counter: str, n: int = 1) -> None:
        self.result.counts[(site, counter)] += n


@singledispatch
def apply(item, batch: Batch) -> None:
    raise TypeError(f"no store write for {type(item).__name__}")


@apply.register
def _(item: ArticleItem, batch: Batch) -> None:
    row = article_row(item, batch.run_id, batch.now)
    existing = store.stored_article(batch.db, row["url"])
    article_id, status = store.store_article(batch.db, row, item.aliases, batch.run_id, batch.now, batch.result,
                                             existing, existing is not None and edited(existing, row))
    if batch.index is not None and status != "unchanged":
        batch.index.index(article_id, changed=status == "changed", terms=item.index_terms)


def edited(stored: tuple, row: dict) -> bool:
    """The text changed, or the title beyond its spacing: an edit, whose old version is kept."""
    _, old_title, _, old_hash, _ = stored
    return old_hash != row["content_hash"] or compact(old_title or "") != compact(row["title"] or "")


@apply.register
def _(item: ArticleCheckedItem, batch: Batch) -> None:
    store.mark_checked(batch.db, item.url, item.checked_at)


@apply.register
def _(item: ArticleGoneItem, batch: Batch) -> None:
    batch.count(item.site, "gone_articles", store.mark_gone(batch.db, item.url, item.checked_at))


@apply.register
def _(item: ListPageItem, batch: Batch) -> None:
    store.save_list_page(batch.db, item.url, item.site, item.etag, item.last_modified, item.fetched_at, item.column,
                         item.links)


@apply.register
def _(item: SkippedLinkItem, batch: Batch) -> None:
    store.save_skipped_link(batch.db, item.url, item.site, item.reason, item.seen_at)


@apply.register
def _(item: FailingLinkItem, batch: Batch) -> None:
    failures = store.failures_so_far(batch.db, item.url) + 1
    store.save_failing_link(batch.db, item.url, item.site, item.reason, item.seen_at, failures,
                            failing_recheck_at(failures, item.lasting, item.seen_at))


@apply.register
def _(item: ColumnFoundItem, batch: Batch) -> None:
    if store.save_found_column(batch.db, item.start_url, item.site, item.name, item.seen_at):
        batch.count(item.site, "columns_found")


@apply.register
def _(item: HomeCheckedItem, batch: Batch) -> None:
    batch.count(item.site, "columns_gone",
                store.save_home_check(batch.db, item.site, item.home, item.checked_at, item.candidates))


@apply.register
def _(item: ColumnWalkedItem, batch: Batch) -> None:
    store.save_walked_column(batch.db, item.start_url, item.site, item.walked_at, batch.run_id)


def article_row(item: ArticleItem, run_id: int | None, now: str) -> dict:
    """The row stored for ``item``; its texts are clean already (crawler.extract made them safe,
    once), so the index terms computed with them fit the row."""
    return {
        "url": item.url,
        "site": item.site,
        "title": item.title,
        "text": item.text,
        "published_at": item.published_at,
        "author": item.author,
        "source": item.source,
        "editor": item.editor,
        "views": item.views,
        "images": json.dumps(item.images, ensure_ascii=False),
        "layout": json.dumps(item.layout, ensure_ascii=False),
        "attachments": json.dumps(item.attachments, ensure_ascii=False),
        "list_url": item.list_url,
        "content_hash": content_hash(item.text),
        "first_seen_at": now,
        "first_seen_run": run_id,
        "fetched_at": item.fetched_at,
        "checked_at": item.fetched_at,
        "etag": item.etag,
        "last_modified": item.last_modified,
    }
