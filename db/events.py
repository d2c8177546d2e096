"""The store's ``events`` table and the reads that decide a run's events (new reports,
baselines, site health): all their SQL, for crawler/notify/events.py, which decides."""
from __future__ import annotations

import sqlite_utils


def unplanned_runs(db: sqlite_utils.Database) -> list[int]:
    """Finished runs whose events are not planned yet, oldest first."""
    return [row[0] for row in db.execute(
        "SELECT id FROM crawl_runs WHERE announced_at IS NULL AND status != 'running' ORDER BY id")]


def mark_planned(db: sqlite_utils.Database, run_id: int, at: str) -> None:
    db.conn.execute("UPDATE crawl_runs SET announced_at = ? WHERE id = ?", (at, run_id))


def add_event(db: sqlite_utils.Database, event: dict) -> int | None:
    """Insert ``event`` unless its key is there already; its id, or None."""
    columns = list(event)
    cursor = db.conn.execute(
        f"INSERT OR IGNORE INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [event[c] for c in columns])
    return cursor.lastrowid if cursor.rowcount == 1 else None


def queue_alert(db: sqlite_utils.Database, event_id: int, channel: str, label: str) -> None:
    db.conn.execute("INSERT OR IGNORE INTO alerts (event_id, channel, channel_label, status, attempts) "
                    "VALUES (?, ?, ?, 'pending', 0)", (event_id, channel, label))


def articles_of_run(db: sqlite_utils.Database, run_id: int) -> list[dict]:
    """The run's new articles, newest first, without their texts (a first crawl brings thousands)."""
    columns = ("id", "site", "title", "published_at", "topics", "cluster_id")
    return [dict(zip(columns, r)) for r in db.execute(
        f"SELECT {', '.join(columns)} FROM articles WHERE first_seen_run = ? ORDER BY published_at DESC, id",
        [run_id])]


def article_text(db: sqlite_utils.Database, article_id: int) -> str:
    return db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()[0]


def columns_walked_before(db: sqlite_utils.Database, site: str, run_id: int) -> set[str]:
    return {row[0] for row in db.execute("SELECT start_url FROM columns WHERE site = ? AND walked_in_run < ?",
                                         [site, run_id])}


def not_announced(db: sqlite_utils.Database, site: str) -> int:
    """The site's stored articles that no planned run announced."""
    return db.execute("SELECT COUNT(*) FROM articles WHERE site = ? AND first_seen_run IN "
                      "(SELECT id FROM crawl_runs WHERE announced_at IS NULL)", [site]).fetchone()[0]


def latest_published_before(db: sqlite_utils.Database, site: str, run_id: int) -> str | None:
    row = db.execute("SELECT MAX(published_at) FROM articles WHERE site = ? AND first_seen_run < ?",
                     [site, run_id]).fetchone()
    return row[0] if row else None


def story_known_before(db: sqlite_utils.Database, cluster_id: int, run_id: int) -> bool:
    return db.execute("SELECT 1 FROM articles WHERE cluster_id = ? AND first_seen_run < ? LIMIT 1",
                      [cluster_id, run_id]).fetchone() is not None


def run_sites(db: sqlite_utils.Database, run_id: int) -> dict[str, tuple]:
    """site -> (status, list_pages, article_links, first_error, too_old, list_items_shown,
    lists_partly_understood, coverage_gap) of the run."""
    return {row[0]: row[1:] for row in db.execute(
        "SELECT site, status, list_pages, article_links, first_error, too_old, list_items_shown, "
        "lists_partly_understood, coverage_gap FROM crawl_run_sites WHERE run_id = ?", [run_id])}


def last_statuses(db: sqlite_utils.Database, site: str, run_id: int, n: int) -> list[str]:
    """The site's last ``n`` run statuses up to ``run_id``, oldest first."""
    return [r[0] for r in db.execute(
        "SELECT status FROM crawl_run_sites WHERE site = ? AND run_id <= ? ORDER BY run_id DESC LIMIT ?",
        [site, run_id, n])][::-1]


def had_links_before(db: sqlite_utils.Database, site: str, run_id: int) -> bool:
    return db.execute("SELECT 1 FROM crawl_run_sites WHERE site = ? AND run_id < ? AND article_links > 0 LIMIT 1",
                      [site, run_id]).fetchone() is not None


def problem_open(db: sqlite_utils.Database, site: str, problem: str) -> bool:
    """The site's last event about ``problem`` says it is broken (the ``site_problems`` view)."""
    return db.execute("SELECT 1 FROM site_problems WHERE site = ? AND problem = ?", [site, problem]).fetchone() is not None


def metadata_counts(db: sqlite_utils.Database, site: str, run_id: int, before: bool, history: int) -> tuple:
    """(articles, dated, with a 来源) of the site's articles of this run, or of its last
    ``history`` articles before it."""
    scope = f"< ? ORDER BY id DESC LIMIT {int(history)}" if before else "= ?"
    return db.execute(
        "SELECT COUNT(*), COUNT(published_at), COUNT(NULLIF(source, '')) FROM "
        f"(SELECT published_at, source FROM articles WHERE site = ? AND first_seen_run {scope})",
        [site, run_id]).fetchone()
