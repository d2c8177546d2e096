"""The SQLite store users open in Datasette: its tables, created or migrated by code.

``open_db`` is the one way to open the file: WAL (Datasette can read while the crawl
writes), a busy timeout (a long reader makes the crawl wait, not fail), and the schema
brought up to date (new columns added, nothing dropped).
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import sqlite_utils

from crawler.dates import SHANGHAI

DEFAULT_DB = Path(__file__).with_name("reports.db")
DEMO_DB = Path(__file__).with_name("demo.db")

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
    "fetched_at": str,
}

RUN_COLUMNS = {
    "id": int,
    "started_at": str,
    "finished_at": str,
    "status": str,  # running / ok / partial / failed
    "config_path": str,
    "sites": int,
    "requests": int,
    "list_pages": int,
    "article_pages": int,
    "new_articles": int,
    "errors": int,
    "message": str,
}

RUN_SITE_COLUMNS = {
    "run_id": int,
    "site": str,
    "status": str,  # ok / partial / failed
    "requests": int,
    "list_pages": int,
    "article_pages": int,
    "new_articles": int,
    "not_articles": int,
    "robots_blocked": int,
    "broken_links": int,  # 404/410 links on the school's own pages: their fault, not a failure
    "errors": int,
    "first_error": str,
    "duration_s": float,
}


def now_iso() -> str:
    return datetime.now(SHANGHAI).isoformat(timespec="seconds")


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
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["site", "published_at"], if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["articles"].create_index(["first_seen_run"], if_not_exists=True)


# ------------------------------------------------------------------ runs
def start_run(db: sqlite_utils.Database, config_path: str, site_count: int) -> int:
    with db.conn:
        table = db["crawl_runs"].insert(
            {"started_at": now_iso(), "status": "running", "config_path": config_path, "sites": site_count}
        )
    return table.last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, site_rows: list[dict], status: str, message: str = "") -> None:
    totals = {key: sum(row.get(key, 0) or 0 for row in site_rows)
              for key in ("requests", "list_pages", "article_pages", "new_articles", "errors")}
    with db.conn:
        for row in site_rows:
            db["crawl_run_sites"].upsert({"run_id": run_id, **row}, pk=("run_id", "site"))
        db["crawl_runs"].update(run_id, {"finished_at": now_iso(), "status": status, "message": message, **totals})


# ------------------------------------------------------------------ articles
def article_row(item, run_id: int | None, content_hash: str, now: str) -> dict:
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
        "attachments": json.dumps(item.attachments, ensure_ascii=False),
        "list_url": item.list_url,
        "content_hash": content_hash,
        "first_seen_at": now,
        "first_seen_run": run_id,
        "fetched_at": item.fetched_at,
    }


def store_articles(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    """Insert rows in one transaction; an URL already stored only gets its fetched_at refreshed.

    Returns the rows that were new.
    """
    new_rows = []
    columns = list(ARTICLE_COLUMNS)[1:]
    insert_sql = (
        f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        "ON CONFLICT(url) DO NOTHING"
    )
    with db.conn:
        for row in rows:
            cursor = db.conn.execute(insert_sql, [row[c] for c in columns])
            if cursor.rowcount == 1:
                new_rows.append(row)
            else:
                db.conn.execute("UPDATE articles SET fetched_at = ? WHERE url = ?", (row["fetched_at"], row["url"]))
    return new_rows
