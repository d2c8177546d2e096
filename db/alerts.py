"""The store's ``alerts`` table (one row per event and channel: pending, sending, sent or
unknown) and the reads the digests and the feed make: all its SQL, for crawler/notify/outbox.py."""
from __future__ import annotations

import sqlite_utils

INTERRUPTED = "the process stopped while sending; not resent"


def forget_interrupted_sends(db: sqlite_utils.Database) -> int:
    """Alerts left 'sending' by a killed process are 'unknown' (never resent); how many."""
    with db.conn:
        return db.conn.execute("UPDATE alerts SET status = 'unknown', last_error = ? WHERE status = 'sending'",
                               [INTERRUPTED]).rowcount


def mark(db: sqlite_utils.Database, channel: str, event_ids: list[int], status: str, *, message: str | None = None,
         error: str | None = None, sent_at: str | None = None) -> None:
    """Set the status of ``channel``'s alerts for ``event_ids`` in one transaction: 'sending'
    counts an attempt; 'sent' keeps when and which message; 'unknown' and 'pending' the error."""
    marks = ",".join("?" for _ in event_ids)
    where = f"WHERE channel = ? AND event_id IN ({marks})"
    with db.conn:
        if status == "sending":
            db.conn.execute(f"UPDATE alerts SET status = 'sending', attempts = attempts + 1 {where}",
                            [channel, *event_ids])
        elif status == "sent":
            db.conn.execute(f"UPDATE alerts SET status = 'sent', sent_at = ?, message = ?, last_error = NULL {where}",
                            [sent_at, message, channel, *event_ids])
        elif status == "unknown":
            db.conn.execute(f"UPDATE alerts SET status = 'unknown', message = ?, last_error = ? {where}",
                            [message, error, channel, *event_ids])
        else:
            db.conn.execute(f"UPDATE alerts SET status = 'pending', last_error = ? {where}", [error, channel, *event_ids])


def pending(db: sqlite_utils.Database, channel: str) -> list[tuple]:
    """``channel``'s pending events with their article's fields, newest reports first:
    (event id, kind, site, count, detail, title, url, published_at, source)."""
    return db.execute(
        "SELECT e.id, e.kind, e.site, e.count, e.detail, a.title, a.url, a.published_at, a.source "
        "FROM alerts x JOIN events e ON e.id = x.event_id LEFT JOIN articles a ON a.id = e.article_id "
        "WHERE x.channel = ? AND x.status = 'pending' ORDER BY a.published_at DESC, e.id", [channel]).fetchall()


def recent_reports(db: sqlite_utils.Database, limit: int) -> list[dict]:
    """The last ``limit`` announced reports, for the feed."""
    columns = ("url", "title", "site", "published_at", "source", "text", "announced_at")
    return [dict(zip(columns, row)) for row in db.execute(
        "SELECT a.url, a.title, a.site, a.published_at, a.source, a.text, e.created_at FROM events e "
        "JOIN articles a ON a.id = e.article_id WHERE e.kind = 'report' ORDER BY e.id DESC LIMIT ?", [limit])]
