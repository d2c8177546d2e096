"""What the store knows, read once per crawl for the incremental rules (crawler.incremental).

Read only, through its own connection: the crawl's writer may be busy, and an absent or
foreign file knows nothing.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from crawler.extract.dates import now_shanghai
from crawler.extract.links import column_key
from crawler.incremental import KnownArticle, KnownListPage, KnownState, recheck_due


def load_known(db_path: str | Path | None) -> KnownState:
    """Read what the store knows; an absent database knows nothing."""
    state = KnownState()
    if not db_path or not Path(db_path).exists():
        return state
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True, timeout=30)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "articles" not in tables:
            return state
        for row in conn.execute("SELECT url, site, title, published_at, first_seen_at, etag, last_modified, "
                                "gone_at IS NOT NULL FROM articles"):
            state.articles[row[0]] = KnownArticle(*row[:7], gone=bool(row[7]))
        if "url_aliases" in tables:
            state.aliases.update(conn.execute("SELECT alias, url FROM url_aliases"))
        listed: list[tuple[str, list[str]]] = []  # (column, links) of each list page, read once
        if "list_pages" in tables:
            for url, etag, last_modified, column, links in conn.execute(
                    "SELECT url, etag, last_modified, start_url, links FROM list_pages"):
                links = json.loads(links) if links else []
                listed.append((column, links))
                state.list_pages[url] = KnownListPage(etag, last_modified,
                                                      frozenset(filter(None, map(column_key, links))))
        if "columns" in tables:
            state.walked_columns.update(
                row[0] for row in conn.execute("SELECT start_url FROM columns WHERE walked_to_end_at IS NOT NULL"))
            if "homes" in tables:  # columns found from homepages, and when each homepage was read
                for url, site, name in conn.execute("SELECT start_url, site, name FROM columns "
                                                    "WHERE found_at IS NOT NULL AND gone_at IS NULL"):
                    state.columns.setdefault(site, {})[url] = name
                state.homes_checked.update(conn.execute("SELECT site, checked_at FROM homes"))
        # a crawl migrates the store before it reads it, so skipped_links and list_pages.links exist
        if "skipped_links" in tables:
            # never an article (404, robots.txt…), or failing for good and not yet due for its
            # recheck: not a gap. A failing link whose recheck_at has come is one again, and asked.
            skipped, now = set(), now_shanghai()
            for url, recheck_at in conn.execute("SELECT url, recheck_at FROM skipped_links"):
                if recheck_at is None:
                    skipped.add(url)
                elif not recheck_due(recheck_at, now):
                    skipped.add(url)
                    state.failing[url] = recheck_at
            for column, links in listed:
                gaps = [u for u in links if state.article(u) is None and u not in skipped]
                if gaps and column:
                    state.walked_columns.discard(column)
    finally:
        conn.close()
    return state


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
