"""The SQL of the article index: keywords and topics on the row, the search index's row,
MinHash signatures with their LSH buckets, repost clusters.

Plain writes and reads of values computed elsewhere (pipelines/index.py decides them, from
crawler/search), in the caller's transaction.
"""
from __future__ import annotations

import json

import sqlite_utils

from db.schema import rebuild_search_index, search_delete, search_insert


def unindexed_articles(db: sqlite_utils.Database) -> list[int]:
    """Articles with no signature yet (stored before the index existed)."""
    return [row[0] for row in db.execute(
        "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM minhashes) ORDER BY id")]


def signature_scheme(db: sqlite_utils.Database) -> str | None:
    """The scheme the store's signatures and buckets were made by (None: before schemes were kept)."""
    row = db.execute("SELECT scheme FROM signature_index").fetchone()
    return row[0] if row else None


def signed_articles(db: sqlite_utils.Database) -> list[tuple[int, int]]:
    """(id, repost group) of the articles with a signature, first stored first."""
    return db.execute("SELECT m.article_id, coalesce(a.cluster_id, a.id) FROM minhashes m "
                      "JOIN articles a ON a.id = m.article_id ORDER BY m.article_id").fetchall()


def texts(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str]]:
    """(id, text) of these articles."""
    marks = ", ".join("?" for _ in ids)
    return db.execute(f"SELECT id, text FROM articles WHERE id IN ({marks})", ids).fetchall()


def forget_buckets(db: sqlite_utils.Database) -> None:
    db.execute("DELETE FROM lsh_bands")


def set_signature_scheme(db: sqlite_utils.Database, scheme: str) -> None:
    db.execute("DELETE FROM signature_index")
    db.execute("INSERT INTO signature_index (scheme) VALUES (?)", [scheme])


def indexed_fields(db: sqlite_utils.Database, article_id: int) -> tuple:
    """(title, text, published_at, content_hash, keywords) of a stored article."""
    return db.execute("SELECT title, text, published_at, content_hash, keywords FROM articles WHERE id = ?",
                      [article_id]).fetchone()


def write_tags(db: sqlite_utils.Database, article_id: int, keywords: str, topics: str, month: str | None,
               topics_rule: int) -> None:
    db.execute("UPDATE articles SET keywords = ?, topics = ?, month = ?, topics_rule = ? WHERE id = ?",
               [keywords, topics, month, topics_rule, article_id])
    _replace_topics(db, article_id, topics)


def topics_by_an_older_rule(db: sqlite_utils.Database, rule: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, title, text) of up to ``limit`` indexed articles whose topics an earlier rule chose."""
    return db.execute("SELECT id, title, text FROM articles WHERE coalesce(topics_rule, 1) < ? "
                      "AND id IN (SELECT article_id FROM minhashes) ORDER BY id DESC LIMIT ?", [rule, limit]).fetchall()


def write_topics(db: sqlite_utils.Database, article_id: int, topics: str, topics_rule: int) -> None:
    db.execute("UPDATE articles SET topics = ?, topics_rule = ? WHERE id = ?", [topics, topics_rule, article_id])
    _replace_topics(db, article_id, topics)


def _replace_topics(db: sqlite_utils.Database, article_id: int, topics: str) -> None:
    """``article_topics`` rows of the article: its topics (a JSON list), each once."""
    db.execute("DELETE FROM article_topics WHERE article_id = ?", [article_id])
    db.conn.executemany("INSERT OR IGNORE INTO article_topics (topic, article_id) VALUES (?, ?)",
                        [(topic, article_id) for topic in json.loads(topics or "[]")])


def last_version(db: sqlite_utils.Database, article_id: int) -> tuple | None:
    """(title, text) the store last moved to ``article_versions`` for this article."""
    return db.execute("SELECT title, text FROM article_versions WHERE article_id = ? ORDER BY id DESC LIMIT 1",
                      [article_id]).fetchone()


def replace_search_row(db: sqlite_utils.Database, article_id: int, values: tuple, *was: tuple) -> bool:
    """The article's search row written from ``values`` (title, text, keywords), after taking
    out the row it was indexed from, one of ``was``. None of them: the whole index is rebuilt
    rather than left wrong, and False returned."""
    if search_delete(db.conn, article_id, *was):
        search_insert(db.conn, article_id, *values)
        return True
    rebuild_search_index(db.conn)
    return False


def replace_signature(db: sqlite_utils.Database, article_id: int, signature: bytes) -> bytes | None:
    """Store the article's signature; returns the one it replaces."""
    old = db.execute("SELECT signature FROM minhashes WHERE article_id = ?", [article_id]).fetchone()
    db.execute("INSERT OR REPLACE INTO minhashes (article_id, signature) VALUES (?, ?)", [article_id, signature])
    return old[0] if old else None


def replace_buckets(db: sqlite_utils.Database, article_id: int, buckets: list[int], old: list[int] = ()) -> None:
    db.conn.executemany("DELETE FROM lsh_bands WHERE bucket = ? AND article_id = ?", [(b, article_id) for b in old])
    db.conn.executemany("INSERT OR IGNORE INTO lsh_bands (bucket, article_id) VALUES (?, ?)",
                        [(b, article_id) for b in buckets])


def sharing_buckets(db: sqlite_utils.Database, buckets: list[int], exclude: int) -> list[tuple[int, bytes, int]]:
    """(id, signature, repost group) of the other articles in any of these buckets (the group: its
    cluster_id, or its own id when it has none yet)."""
    marks = ", ".join("?" for _ in buckets)
    return db.execute(
        f"SELECT m.article_id, m.signature, coalesce(a.cluster_id, m.article_id) FROM minhashes m "
        f"JOIN articles a ON a.id = m.article_id WHERE m.article_id != ? AND m.article_id IN "
        f"(SELECT article_id FROM lsh_bands WHERE bucket IN ({marks}))", [exclude, *buckets]).fetchall()


def article_text(db: sqlite_utils.Database, article_id: int) -> str:
    return (db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone() or [""])[0] or ""


def same_content(db: sqlite_utils.Database, content_hash: str, exclude: int) -> set[int]:
    return {row[0] for row in db.execute("SELECT id FROM articles WHERE content_hash = ? AND id != ?",
                                         [content_hash, exclude])}


def join_cluster(db: sqlite_utils.Database, article_id: int, matches: set[int]) -> None:
    """Put the article, its ``matches`` and every article already clustered with them in one
    repost cluster, named after its first publisher: earliest published (undated ones
    last), then first stored. No match: the article is its own cluster. Joining one cluster
    whose first publisher stays first writes the article's row alone, whatever the cluster's size."""
    if not matches:
        db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [article_id, article_id])
        return
    marks = ", ".join("?" for _ in matches)
    clusters = [row[0] for row in db.execute(
        f"SELECT DISTINCT cluster_id FROM articles WHERE id IN ({marks})", list(matches))]
    if len(clusters) == 1 and clusters[0] is not None and _first_published(db, [clusters[0], article_id]) == clusters[0]:
        db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [clusters[0], article_id])
        return
    clusters = [cluster for cluster in clusters if cluster is not None]
    members = {article_id, *matches}
    marks_c = ", ".join("?" for _ in clusters) or "NULL"
    members.update(row[0] for row in db.execute(f"SELECT id FROM articles WHERE cluster_id IN ({marks_c})", clusters))
    root = _first_published(db, list(members))
    marks_m = ", ".join("?" for _ in members)
    db.execute(f"UPDATE articles SET cluster_id = ? WHERE id IN ({marks_m})", [root, *members])


def _first_published(db: sqlite_utils.Database, ids: list[int]) -> int:
    """The first publisher among these articles: earliest published (undated last), then first stored."""
    marks = ", ".join("?" for _ in ids)
    return db.execute(f"SELECT id FROM articles WHERE id IN ({marks}) "
                      "ORDER BY published_at IS NULL, substr(published_at, 1, 19), id LIMIT 1", ids).fetchone()[0]
