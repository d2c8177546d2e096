"""Writes into the store: runs, articles, and what a crawl learned of pages and columns.

All SQL that writes the store is here, as functions of plain values; which write an item
makes is decided in pipelines/apply.py, which runs a batch in one transaction (a killed
process leaves whole batches or none). An article already stored is compared by its
normalised text hash and title: an edit keeps the old text in ``article_versions``; a
404/410 sets ``gone_at``; nothing is ever deleted.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

from db.schema import ARTICLE_COLUMNS, RUN_COLUMNS

# crawl_runs' totals are the sums of the same-named crawl_run_sites counters
RUN_TOTALS = tuple(name for name, kind in RUN_COLUMNS.items() if kind is int and name not in ("id", "sites"))


# ------------------------------------------------------------------ runs
def start_run(db: sqlite_utils.Database, config_path: str, site_count: int, at: str) -> int:
    """Open a run's row at ``at`` (ISO time). Called under the refresh lock, so a row still
    'running' is a killed run's."""
    with db.conn:
        db.conn.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?), "
                        "message = 'the crawl process was killed before it finished' WHERE status = 'running'",
                        (at,))
        table = db["crawl_runs"].insert(
            {"started_at": at, "status": "running", "config_path": config_path, "sites": site_count}
        )
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, site_rows: list[dict], status: str, at: str,
               message: str = "") -> None:
    totals = {key: sum(row.get(key, 0) or 0 for row in site_rows) for key in RUN_TOTALS}
    with db.conn:
        for row in site_rows:
            db["crawl_run_sites"].upsert({"run_id": run_id, **row}, pk=("run_id", "site"))
        db["crawl_runs"].update(run_id, {"finished_at": at, "status": status, "message": message, **totals})


# ------------------------------------------------------------------ batches
@dataclass
class BatchResult:
    new: list[dict] = field(default_factory=list)  # article rows first stored now
    changed: list[dict] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (site, counter) -> n


def holds_articles(db: sqlite_utils.Database, site: str) -> bool:
    """Whether the store holds any article of the school."""
    return db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1", [site]).fetchone() is not None


# what an edit replaces; first_seen_* never change
_EDIT_COLUMNS = ("title", "text", "published_at", "author", "source", "editor", "views", "images", "layout",
                 "attachments", "content_hash")
_REFRESH_COLUMNS = ("fetched_at", "checked_at", "etag", "last_modified", "views")


def mark_checked(db: sqlite_utils.Database, url: str, checked_at: str) -> None:
    """A stored article answered 304: checked now, and not gone."""
    db.conn.execute("UPDATE articles SET checked_at = ?, gone_at = NULL WHERE url = ?", (checked_at, url))


def mark_gone(db: sqlite_utils.Database, url: str, checked_at: str) -> int:
    """A stored article answered 404/410: gone from now (kept); 1 when it was not gone before."""
    return db.conn.execute("UPDATE articles SET gone_at = ?, checked_at = ? WHERE url = ? AND gone_at IS NULL",
                           (checked_at, checked_at, url)).rowcount


def save_list_page(db: sqlite_utils.Database, url: str, site: str, etag: str | None, last_modified: str | None,
                   fetched_at: str, start_url: str | None, links: list[str]) -> None:
    db.conn.execute(
        "INSERT INTO list_pages (url, site, etag, last_modified, fetched_at, start_url, links) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET site = excluded.site, "
        "etag = excluded.etag, last_modified = excluded.last_modified, "
        "fetched_at = excluded.fetched_at, start_url = excluded.start_url, links = excluded.links",
        (url, site, etag, last_modified, fetched_at, start_url, json.dumps(links)))


def save_skipped_link(db: sqlite_utils.Database, url: str, site: str, reason: str, seen_at: str) -> None:
    """A list's link that is never an article (404, robots.txt …): no gap, never asked again."""
    db.conn.execute("INSERT OR REPLACE INTO skipped_links (url, site, reason, seen_at) VALUES (?, ?, ?, ?)",
                    (url, site, reason, seen_at))


def failures_so_far(db: sqlite_utils.Database, url: str) -> int:
    row = db.conn.execute("SELECT failures FROM skipped_links WHERE url = ?", (url,)).fetchone()
    return (row[0] or 0) if row else 0


def save_failing_link(db: sqlite_utils.Database, url: str, site: str, reason: str, seen_at: str, failures: int,
                      recheck_at: str | None) -> None:
    """A list's link failing for good: asked again from ``recheck_at``."""
    db.conn.execute("INSERT OR REPLACE INTO skipped_links (url, site, reason, seen_at, failures, recheck_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (url, site, reason, seen_at, failures, recheck_at))


def save_found_column(db: sqlite_utils.Database, start_url: str, site: str, name: str, seen_at: str) -> bool:
    """A column found on the homepage; True when it is found for the first time."""
    known = db.conn.execute("SELECT found_at FROM columns WHERE start_url = ?", (start_url,)).fetchone()
    db.conn.execute(
        "INSERT INTO columns (start_url, site, name, found_at, last_seen_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(start_url) DO UPDATE SET site = excluded.site, name = excluded.name, "
        "found_at = coalesce(columns.found_at, excluded.found_at), last_seen_at = excluded.last_seen_at, "
        "gone_at = NULL",
        (start_url, site, name, seen_at, seen_at))
    return not known or not known[0]


def save_home_check(db: sqlite_utils.Database, site: str, home: str, checked_at: str, candidates: list[str]) -> int:
    """A homepage read: the found columns it no longer links to are gone; how many."""
    db.conn.execute("INSERT OR REPLACE INTO homes (site, home, checked_at) VALUES (?, ?, ?)", (site, home, checked_at))
    return db.conn.execute(
        "UPDATE columns SET gone_at = ? WHERE site = ? AND found_at IS NOT NULL AND gone_at IS NULL "
        "AND start_url NOT IN (SELECT value FROM json_each(?))", (checked_at, site, json.dumps(candidates))).rowcount


def save_walked_column(db: sqlite_utils.Database, start_url: str, site: str, walked_at: str,
                       run_id: int | None) -> None:
    db.conn.execute(
        "INSERT INTO columns (start_url, site, walked_to_end_at, walked_in_run) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(start_url) DO UPDATE SET site = excluded.site, "
        "walked_to_end_at = excluded.walked_to_end_at, walked_in_run = excluded.walked_in_run",
        (start_url, site, walked_at, run_id))


def stored_article(db, url: str) -> tuple | None:
    """(id, title, text, content_hash, published_at) of the article stored at ``url``."""
    return db.conn.execute("SELECT id, title, text, content_hash, published_at FROM articles WHERE url = ?",
                           (url,)).fetchone()


def store_article(db, row: dict, aliases: list[str], run_id, now: str, result: BatchResult,
                  existing: tuple | None, edited: bool) -> tuple[int, str]:
    """Insert or update one article (``existing``: :func:`stored_article`; ``edited``: whether
    its text or title changed, as the caller decides); returns its id and "new", "changed" or
    "unchanged"."""
    columns = [c for c in ARTICLE_COLUMNS if c != "id" and c in row]
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
