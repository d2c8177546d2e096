"""Writes into the store: runs, and batches of what a crawl learned, each in one transaction.

The store pipeline (and any other single writer) hands a batch of items to
:func:`apply_batch`; a killed process leaves whole batches or none. An article already
stored is compared by its normalised text hash and title: an edit keeps the old text in
``article_versions``; a 404/410 sets ``gone_at``; nothing is ever deleted.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from crawler.incremental import failing_recheck_at
from crawler.items import (ArticleCheckedItem, ArticleGoneItem, ArticleItem, ColumnFoundItem, ColumnWalkedItem,
                           FailingLinkItem, HomeCheckedItem, ListPageItem, SkippedLinkItem)
from crawler.extract.text import compact, content_hash, strip_controls
from crawler.extract.dates import now_iso
from db.schema import ARTICLE_COLUMNS, RUN_COLUMNS

# crawl_runs' totals are the sums of the same-named crawl_run_sites counters
RUN_TOTALS = tuple(name for name, kind in RUN_COLUMNS.items() if kind is int and name not in ("id", "sites"))


# ------------------------------------------------------------------ runs
def start_run(db: sqlite_utils.Database, config_path: str, site_count: int) -> int:
    """Open a run's row. Called under the refresh lock, so a row still 'running' is a killed run's."""
    with db.conn:
        db.conn.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), "
                        "message = 'the crawl process was killed before it finished' WHERE status = 'running'",
                        (now_iso(),))
        table = db["crawl_runs"].insert(
            {"started_at": now_iso(), "status": "running", "config_path": config_path, "sites": site_count}
        )
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, site_rows: list[dict], status: str, message: str = "") -> None:
    totals = {key: sum(row.get(key, 0) or 0 for row in site_rows) for key in RUN_TOTALS}
    with db.conn:
        for row in site_rows:
            db["crawl_run_sites"].upsert({"run_id": run_id, **row}, pk=("run_id", "site"))
        db["crawl_runs"].update(run_id, {"finished_at": now_iso(), "status": status, "message": message, **totals})


# ------------------------------------------------------------------ batches
@dataclass
class BatchResult:
    new: list[dict] = field(default_factory=list)  # article rows first stored now
    changed: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (site, counter) -> n


def holds_articles(db: sqlite_utils.Database, site: str) -> bool:
    """Whether the store holds any article of the school."""
    return db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1", [site]).fetchone() is not None


def article_row(item: ArticleItem, run_id: int | None, now: str) -> dict:
    """The row stored for ``item``: its texts without control characters or bidi overrides
    (a page's ``\x1b[31m`` or U+202E reaches no feed, terminal or log from the store)."""
    text = strip_controls(item.text, multiline=True)
    return {
        "url": item.url,
        "site": item.site,
        "title": strip_controls(item.title),
        "text": text,
        "published_at": item.published_at,
        "author": strip_controls(item.author),
        "source": strip_controls(item.source),
        "editor": strip_controls(item.editor),
        "views": item.views,
        "images": json.dumps(item.images, ensure_ascii=False),
        "attachments": json.dumps(item.attachments, ensure_ascii=False),
        "list_url": item.list_url,
        "content_hash": content_hash(text),
        "first_seen_at": now,
        "first_seen_run": run_id,
        "fetched_at": item.fetched_at,
        "checked_at": item.fetched_at,
        "etag": item.etag,
        "last_modified": item.last_modified,
    }


# what an edit replaces; first_seen_* never change
_EDIT_COLUMNS = ("title", "text", "published_at", "author", "source", "editor", "views", "images", "attachments",
                 "content_hash")
_REFRESH_COLUMNS = ("fetched_at", "checked_at", "etag", "last_modified", "views")


def apply_batch(db: sqlite_utils.Database, items: list, run_id: int | None, index=None) -> BatchResult:
    """Apply a batch of spider items in one transaction.

    ``index`` (a :class:`db.index.StoreIndex`) keeps search, keywords, topics and repost
    clusters in step with new and changed articles.
    """
    result = BatchResult()
    now = now_iso()
    with db.conn:
        for item in items:
            if isinstance(item, ArticleItem):
                article_id, status = _store_article(db, article_row(item, run_id, now), item.aliases, run_id, now,
                                                    result)
                if index is not None and status != "unchanged":
                    index.index(article_id, changed=status == "changed", terms=item.index_terms)
            elif isinstance(item, ArticleCheckedItem):
                db.conn.execute("UPDATE articles SET checked_at = ?, gone_at = NULL WHERE url = ?",
                                (item.checked_at, item.url))
            elif isinstance(item, ArticleGoneItem):
                cursor = db.conn.execute(
                    "UPDATE articles SET gone_at = ?, checked_at = ? WHERE url = ? AND gone_at IS NULL",
                    (item.checked_at, item.checked_at, item.url))
                result.counts[(item.site, "gone_articles")] += cursor.rowcount
            elif isinstance(item, ListPageItem):
                db.conn.execute(
                    "INSERT INTO list_pages (url, site, etag, last_modified, fetched_at, start_url, links) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET site = excluded.site, "
                    "etag = excluded.etag, last_modified = excluded.last_modified, "
                    "fetched_at = excluded.fetched_at, start_url = excluded.start_url, links = excluded.links",
                    (item.url, item.site, item.etag, item.last_modified, item.fetched_at, item.column,
                     json.dumps(item.links)))
            elif isinstance(item, SkippedLinkItem):
                db.conn.execute("INSERT OR REPLACE INTO skipped_links (url, site, reason, seen_at) VALUES (?, ?, ?, ?)",
                                (item.url, item.site, item.reason, item.seen_at))
            elif isinstance(item, FailingLinkItem):
                before = db.conn.execute("SELECT failures FROM skipped_links WHERE url = ?", (item.url,)).fetchone()
                failures = (before[0] or 0) + 1 if before else 1
                db.conn.execute(
                    "INSERT OR REPLACE INTO skipped_links (url, site, reason, seen_at, failures, recheck_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (item.url, item.site, item.reason, item.seen_at, failures,
                     failing_recheck_at(failures, item.lasting, item.seen_at)))
            elif isinstance(item, ColumnFoundItem):
                known = db.conn.execute("SELECT found_at FROM columns WHERE start_url = ?", (item.start_url,)).fetchone()
                if not known or not known[0]:
                    result.counts[(item.site, "columns_found")] += 1
                db.conn.execute(
                    "INSERT INTO columns (start_url, site, name, found_at, last_seen_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(start_url) DO UPDATE SET site = excluded.site, name = excluded.name, "
                    "found_at = coalesce(columns.found_at, excluded.found_at), last_seen_at = excluded.last_seen_at, "
                    "gone_at = NULL",
                    (item.start_url, item.site, item.name, item.seen_at, item.seen_at))
            elif isinstance(item, HomeCheckedItem):
                db.conn.execute("INSERT OR REPLACE INTO homes (site, home, checked_at) VALUES (?, ?, ?)",
                                (item.site, item.home, item.checked_at))
                linked = json.dumps(item.candidates)
                cursor = db.conn.execute(
                    "UPDATE columns SET gone_at = ? WHERE site = ? AND found_at IS NOT NULL AND gone_at IS NULL "
                    "AND start_url NOT IN (SELECT value FROM json_each(?))", (item.checked_at, item.site, linked))
                result.counts[(item.site, "columns_gone")] += cursor.rowcount
            elif isinstance(item, ColumnWalkedItem):
                db.conn.execute(
                    "INSERT INTO columns (start_url, site, walked_to_end_at, walked_in_run) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(start_url) DO UPDATE SET site = excluded.site, "
                    "walked_to_end_at = excluded.walked_to_end_at, walked_in_run = excluded.walked_in_run",
                    (item.start_url, item.site, item.walked_at, run_id))
    return result


def _store_article(db, row: dict, aliases: list[str], run_id, now: str, result: BatchResult) -> tuple[int, str]:
    """Insert or update one article; returns its id and "new", "changed" or "unchanged"."""
    columns = [c for c in ARTICLE_COLUMNS if c != "id" and c in row]
    existing = db.conn.execute(
        "SELECT id, title, text, content_hash, published_at FROM articles WHERE url = ?", (row["url"],)
    ).fetchone()
    site = row["site"]
    if existing is None:
        cursor = db.conn.execute(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns])
        article_id, status = cursor.lastrowid, "new"
        result.new.append({**row, "id": article_id})
        result.counts[(site, "new_articles")] += 1
    else:
        article_id, old_title, old_text, old_hash, old_published = existing
        edited = old_hash != row["content_hash"] or compact(old_title or "") != compact(row["title"] or "")
        if edited:
            db["article_versions"].insert({
                "article_id": article_id, "url": row["url"], "title": old_title, "text": old_text,
                "content_hash": old_hash, "published_at": old_published, "replaced_at": now,
                "replaced_in_run": run_id,
            })
            updates = {c: row[c] for c in (*_EDIT_COLUMNS, *_REFRESH_COLUMNS)}
            updates.update(last_changed_at=now, last_changed_run=run_id)
            result.changed.append({**row, "id": article_id})
            result.counts[(site, "changed_articles")] += 1
            status = "changed"
        else:
            updates = {c: row[c] for c in _REFRESH_COLUMNS}
            result.counts[(site, "unchanged_articles")] += 1
            status = "unchanged"
        updates["gone_at"] = None
        assignments = ", ".join(f"{c} = ?" for c in updates)
        db.conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*updates.values(), article_id])
    for alias in aliases:
        if alias != row["url"]:
            db.conn.execute("INSERT OR REPLACE INTO url_aliases (alias, url) VALUES (?, ?)", (alias, row["url"]))
    return article_id, status
