"""The SQLite store users open in Datasette: its tables, created or migrated by code.

``open_db`` is the one way to open the file: WAL (Datasette can read while the crawl
writes), a busy timeout (a long reader makes the crawl wait, not fail), and the schema
brought up to date (new columns added, nothing dropped).
"""
from __future__ import annotations

from pathlib import Path

import sqlite_utils


ARTICLE_COLUMNS = {
    "id": int,
    "url": str,
    "site": str,
    "title": str,
    "text": str,
    "published_at": str,
    "author": str,
    "source": str,
    "editor": str,
    "views": int,
    "images": str,  # JSON list of absolute URLs
    "attachments": str,  # JSON list of absolute URLs
    "list_url": str,
    "content_hash": str,
    "first_seen_at": str,
    "first_seen_run": int,
    "fetched_at": str,  # last full download
    "checked_at": str,  # last time the school was asked (a 304 counts)
    "last_changed_at": str,  # when an edit of the text or title was seen; old text in article_versions
    "last_changed_run": int,
    "gone_at": str,  # when the page began answering 404/410; the row is kept
    "etag": str,  # validators of the last 200, for conditional GETs
    "last_modified": str,
    "month": str,  # YYYY-MM of published_at, for facets
    "cluster_id": int,  # id of the earliest-published article of its repost group (its own id when unique)
    "keywords": str,  # JSON list: jieba TF-IDF top 10
    "topics": str,  # JSON list: watched topics ([topics] in the config)
}

# MinHash signatures of article texts, so a night only hashes new articles.
MINHASH_COLUMNS = {"article_id": int, "signature": bytes}

# An article's text and title before an edit replaced them.
VERSION_COLUMNS = {
    "id": int,
    "article_id": int,
    "url": str,
    "title": str,
    "text": str,
    "content_hash": str,
    "published_at": str,
    "replaced_at": str,
    "replaced_in_run": int,
}

# What the last walk of a list page saw: validators for a conditional GET, and the
# fingerprint of its article links (a page whose links and titles are unchanged is
# unchanged, whatever its sidebar says).
LIST_PAGE_COLUMNS = {
    "url": str,
    "site": str,
    "etag": str,
    "last_modified": str,
    "links_hash": str,
    "fetched_at": str,
    "start_url": str,  # the column whose walk reached it
    "links": str,  # JSON list of its article links; one neither stored nor skipped is a gap
}

# Links from list pages that are known never to be articles, so they are not gaps.
# Transient failures (5xx, timeouts, resets) are not here: those links are tried again.
SKIPPED_LINK_COLUMNS = {"url": str, "site": str, "reason": str, "seen_at": str}

# A column (start URL) whose archive was walked to its end (or to max_pages/since) once:
# only then may later runs stop at known pages.
COLUMN_COLUMNS = {
    "start_url": str,
    "site": str,
    "walked_to_end_at": str,
    "walked_in_run": int,
}

# Links that redirected to a stored article (an old ASP link to the new /Item/ page).
ALIAS_COLUMNS = {"alias": str, "url": str}

RUN_COLUMNS = {
    "id": int,
    "started_at": str,
    "finished_at": str,
    "status": str,  # running / ok / partial / failed / stopped (asked to) / interrupted (killed)
    "config_path": str,
    "sites": int,
    "requests": int,
    "list_pages": int,
    "article_pages": int,
    "new_articles": int,
    "changed_articles": int,
    "gone_articles": int,
    "not_modified": int,
    "retries": int,
    "errors": int,
    "message": str,
    "announced_at": str,  # when its new reports and site-health changes became events (alerts)
}

RUN_SITE_COLUMNS = {
    "run_id": int,
    "site": str,
    "status": str,  # ok / partial / failed
    "requests": int,
    "list_pages": int,
    "article_pages": int,
    "new_articles": int,
    "changed_articles": int,
    "unchanged_articles": int,  # downloaded again, same text
    "gone_articles": int,  # stored articles that now answer 404/410
    "not_modified": int,  # 304 answers to conditional GETs
    "skipped_known": int,  # stored articles not requested at all
    "too_old": int,  # older than the site's `since`
    "bytes": int,  # response bodies downloaded
    "not_articles": int,
    "robots_blocked": int,
    "article_links": int,  # article links found on the list pages read (0 on a template change)
    "broken_links": int,  # 404/410 links on the school's own pages: their fault, not a failure
    "retries": int,  # transient failures (5xx, resets, timeouts) retried with backoff
    "errors": int,  # pages that failed for good (after retries)
    "first_error": str,
    "duration_s": float,
}



# What a run means for users: a new report, a site's first crawl (baseline), a site broken
# or recovered. ``key`` makes planning idempotent: a re-run of the same night adds nothing.
EVENT_COLUMNS = {
    "id": int,
    "key": str,  # report:<article id> / baseline:<site> / broken:<site>:<problem>:<run> / recovered:…
    "run_id": int,
    "kind": str,  # report / baseline / broken / recovered
    "site": str,
    "article_id": int,  # report: the article; its reposts in the same run are counted in `count`
    "problem": str,  # broken / recovered: failing / empty / metadata
    "count": int,  # baseline: articles stored; report: reposts found with it
    "detail": str,
    "created_at": str,
}

# Which event went to which alert channel: the exactly-once ledger.
ALERT_COLUMNS = {
    "event_id": int,
    "channel": str,  # hash of the configured URL text (never the secret itself)
    "channel_label": str,  # the URL with secrets masked, for people reading the table
    "status": str,  # pending / sending / sent / unknown (the process died while sending)
    "attempts": int,
    "last_error": str,
    "sent_at": str,
    "message": str,  # "2/3": which part of the digest carried it
}


def open_db(path: str | Path) -> sqlite_utils.Database:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


def _ensure_table(db: sqlite_utils.Database, name: str, columns: dict, **create_kwargs) -> None:
    table = db[name]
    if not table.exists():
        table.create(columns, **create_kwargs)
        return
    existing = set(table.columns_dict)
    for column, kind in columns.items():
        if column not in existing:
            table.add_column(column, kind)


def migrate(db: sqlite_utils.Database) -> None:
    """Create missing tables, columns and indexes; never drops anything."""
    with db.conn:
        _ensure_table(db, "articles", ARTICLE_COLUMNS, pk="id", not_null={"url", "site"})
        _ensure_table(db, "crawl_runs", RUN_COLUMNS, pk="id")
        _ensure_table(db, "crawl_run_sites", RUN_SITE_COLUMNS, pk=("run_id", "site"))
        _ensure_table(db, "article_versions", VERSION_COLUMNS, pk="id")
        _ensure_table(db, "list_pages", LIST_PAGE_COLUMNS, pk="url")
        _ensure_table(db, "columns", COLUMN_COLUMNS, pk="start_url")
        _ensure_table(db, "url_aliases", ALIAS_COLUMNS, pk="alias")
        _ensure_table(db, "skipped_links", SKIPPED_LINK_COLUMNS, pk="url")
        _ensure_table(db, "minhashes", MINHASH_COLUMNS, pk="article_id")
        _ensure_table(db, "events", EVENT_COLUMNS, pk="id")
        _ensure_table(db, "alerts", ALERT_COLUMNS, pk=("event_id", "channel"))
        # jieba-segmented shadow text (rowid = articles.id), kept in sync by db/index.py
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, keywords)")
        # LSH buckets of the signatures (crawler/dedupe.py: band_keys), looked up by bucket
        db.execute("CREATE TABLE IF NOT EXISTS lsh_bands (bucket INTEGER NOT NULL, article_id INTEGER NOT NULL, "
                   "PRIMARY KEY (bucket, article_id)) WITHOUT ROWID")
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["site", "published_at"], if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["articles"].create_index(["first_seen_run"], if_not_exists=True)
    db["article_versions"].create_index(["article_id"], if_not_exists=True)
    db["articles"].create_index(["cluster_id"], if_not_exists=True)
    db["events"].create_index(["key"], unique=True, if_not_exists=True)
    db["alerts"].create_index(["channel", "status"], if_not_exists=True)
