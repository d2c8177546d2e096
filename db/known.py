"""What the store knows, read once per crawl: the rows the incremental rules start from.

Read only, through its own connection: the crawl's writer may be busy, and an absent or
foreign file knows nothing. Plain rows: what they mean (a gap, a failing link not yet due)
is decided by ``crawler.incremental.known_state``.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StoredRows:
    # (url, site, title, published_at, first_seen_at, etag, last_modified, gone)
    articles: list[tuple] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, url)
    # (url, etag, last_modified, its column's start URL, its links as JSON)
    list_pages: list[tuple] = field(default_factory=list)
    walked_columns: list[str] = field(default_factory=list)  # columns walked to their end once
    found_columns: list[tuple[str, str, str]] = field(default_factory=list)  # (start_url, site, name), not gone
    homes_checked: list[tuple[str, str]] = field(default_factory=list)  # (site, checked_at)
    skipped_links: list[tuple[str, str | None]] = field(default_factory=list)  # (url, recheck_at)


def read_known(db_path: str | Path | None) -> StoredRows:
    """The rows of what the store knows; an absent database, or not ours yet, has none."""
    rows = StoredRows()
    if not db_path or not Path(db_path).exists():
        return rows
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return rows
        rows.articles = conn.execute("SELECT url, site, title, published_at, first_seen_at, etag, last_modified, "
                                     "gone_at IS NOT NULL FROM articles").fetchall()
        if "url_aliases" in tables:
            rows.aliases = conn.execute("SELECT alias, url FROM url_aliases").fetchall()
        if "list_pages" in tables:
            rows.list_pages = conn.execute(
                "SELECT url, etag, last_modified, start_url, links FROM list_pages").fetchall()
        if "columns" in tables:
            rows.walked_columns = [row[0] for row in conn.execute(
                "SELECT start_url FROM columns WHERE walked_to_end_at IS NOT NULL")]
            if "homes" in tables:  # columns found from homepages, and when each homepage was read
                rows.found_columns = conn.execute("SELECT start_url, site, name FROM columns "
                                                  "WHERE found_at IS NOT NULL AND gone_at IS NULL").fetchall()
                rows.homes_checked = conn.execute("SELECT site, checked_at FROM homes").fetchall()
        if "skipped_links" in tables:
            rows.skipped_links = conn.execute("SELECT url, recheck_at FROM skipped_links").fetchall()
    finally:
        conn.close()
    return rows


def last_success(db_path: str) -> str | None:
    """Start of the last refresh that finished ok or partial (read-only: never creates the file)."""
    if not Path(db_path).exists():
        return None
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT MAX(started_at) FROM crawl_runs WHERE status IN ('ok', 'partial')").fetchone()
    except sqlite3.OperationalError:  # an empty file, or made before crawl_runs existed
        return None
    finally:
        conn.close()
    return row[0] if row else None
