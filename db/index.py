"""Search index, keywords, topics and repost clusters of stored articles.

Called by the store for every article it inserts or changes (same transaction):

* ``keywords``, ``topics`` (crawler/tagging.py) and ``month`` on the row;
* the jieba-segmented shadow text in ``articles_fts`` (rowid = article id), which the
  Datasette plugin's ``jieba_query()`` searches;
* the MinHash signature in ``minhashes``, its LSH buckets in ``lsh_bands``, and
  ``cluster_id``: the id of the earliest-published article of its repost group, its own
  id when it has none.

The index lives in the store, so opening it costs nothing and memory does not grow with
the archive. Articles stored before this index (or before ``lsh_bands``) existed are
caught up when it opens.
"""
from __future__ import annotations

import json

import sqlite_utils

from crawler.search import dedupe, tagging
from crawler.prepare import IndexTerms, index_terms


class StoreIndex:
    def __init__(self, db: sqlite_utils.Database, topics: dict[str, list[str]] | None = None):
        self.db = db
        self.topics = topics

    def catch_up(self) -> int:
        """Index articles that have no signature yet (stored before the index existed), and
        band the signatures of a store from before ``lsh_bands``."""
        missing = self.db.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM minhashes) ORDER BY id").fetchall()
        with self.db.conn:
            if not self.db.execute("SELECT 1 FROM lsh_bands LIMIT 1").fetchone():
                for article_id, blob in self.db.execute("SELECT article_id, signature FROM minhashes").fetchall():
                    self._band(article_id, blob)
            for (article_id,) in missing:
                self.index(article_id)
        return len(missing)

    def _band(self, article_id: int, signature: bytes, old_blob: bytes | None = None) -> None:
        if old_blob is not None:
            self.db.conn.executemany("DELETE FROM lsh_bands WHERE bucket = ? AND article_id = ?",
                                     [(key, article_id) for key in dedupe.band_keys(old_blob)])
        self.db.conn.executemany("INSERT OR IGNORE INTO lsh_bands (bucket, article_id) VALUES (?, ?)",
                                 [(key, article_id) for key in dedupe.band_keys(signature)])

    def _candidates(self, signature: bytes, exclude: int):
        """``(id, text)`` of stored articles sharing an LSH bucket with ``signature``."""
        keys = dedupe.band_keys(signature)
        marks = ", ".join("?" for _ in keys)
        near = [article_id for article_id, blob in self.db.execute(
            f"SELECT article_id, signature FROM minhashes WHERE article_id != ? AND article_id IN "
            f"(SELECT article_id FROM lsh_bands WHERE bucket IN ({marks}))", [exclude, *keys])
            if dedupe.may_be_same(signature, blob)]
        for article_id in near:
            yield article_id, (self.db.execute("SELECT text FROM articles WHERE id = ?", [article_id]).fetchone()
                               or [""])[0] or ""

    def index(self, article_id: int, *, changed: bool = False, terms: IndexTerms | None = None) -> None:
        """Index a stored article; ``terms``: computed by the crawl's workers, used when they
        are those of the stored title and text."""
        title, text, published_at, content_hash = self.db.execute(
            "SELECT title, text, published_at, content_hash FROM articles WHERE id = ?", [article_id]).fetchone()
        title, text = title or "", text or ""
        if terms is None or not terms.fits(title, text):
            terms = index_terms(title, text)
        self.db.execute(
            "UPDATE articles SET keywords = ?, topics = ?, month = ? WHERE id = ?",
            [json.dumps(terms.keywords, ensure_ascii=False),
             json.dumps(tagging.topics({*terms.title_words, *terms.text_words}, self.topics), ensure_ascii=False),
             (published_at or "")[:7] or None, article_id])
        self.db.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
        self.db.execute("INSERT INTO articles_fts (rowid, title, text, keywords) VALUES (?, ?, ?, ?)",
                        [article_id, " ".join(terms.title_words), " ".join(terms.text_words), " ".join(terms.keywords)])
        old = self.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", [article_id]).fetchone()
        self.db.execute("INSERT OR REPLACE INTO minhashes (article_id, signature) VALUES (?, ?)",
                        [article_id, terms.signature])
        if not changed:
            self._cluster(article_id, text, terms.signature, content_hash)
        self._band(article_id, terms.signature, old[0] if old else None)

    def _cluster(self, article_id: int, text: str, signature: bytes, content_hash: str) -> None:
        matches = set(dedupe.reposts_among(text, self._candidates(signature, exclude=article_id)))
        matches.update(row[0] for row in self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND id != ?", [content_hash, article_id]))
        if not matches:
            self.db.execute("UPDATE articles SET cluster_id = ? WHERE id = ?", [article_id, article_id])
            return
        marks = ", ".join("?" for _ in matches)
        clusters = [row[0] for row in self.db.execute(
            f"SELECT DISTINCT cluster_id FROM articles WHERE id IN ({marks}) AND cluster_id IS NOT NULL", list(matches))]
        members = {article_id, *matches}
        if clusters:
            marks_c = ", ".join("?" for _ in clusters)
            members.update(row[0] for row in self.db.execute(
                f"SELECT id FROM articles WHERE cluster_id IN ({marks_c})", clusters))
        marks_m = ", ".join("?" for _ in members)
        # the group's first publisher: earliest published (undated ones last), then first stored
        root = self.db.execute(
            f"SELECT id FROM articles WHERE id IN ({marks_m}) "
            "ORDER BY published_at IS NULL, substr(published_at, 1, 19), id LIMIT 1", list(members)).fetchone()[0]
        self.db.execute(f"UPDATE articles SET cluster_id = ? WHERE id IN ({marks_m})", [root, *members])
