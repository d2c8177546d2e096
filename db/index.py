"""Search index, keywords, topics and repost clusters of stored articles.

Called by the store for every article it inserts or changes (same transaction):

* ``keywords``, ``topics`` (crawler/search/tagging.py) and ``month`` on the row;
* the search text in ``articles_fts`` (rowid = article id): title, text and keywords as
  overlapping character pairs (``tagging.search_text``), which the Datasette plugin's
  ``search_query()`` searches with substring meaning (db/schema.py creates the table and
  rebuilds it when a store's index is in an older format);
* the MinHash signature in ``minhashes``, its LSH buckets in ``lsh_bands``, and
  ``cluster_id``: the id of the earliest-published article of its repost group, its own
  id when it has none.

The index lives in the store, so opening it costs nothing and memory does not grow with
the archive. Articles stored before this index (or before ``lsh_bands``) existed are
caught up when it opens.
"""
from __future__ import annotations

import json
import logging

import sqlite_utils

from crawler.search import dedupe, tagging
from crawler.prepare import IndexTerms, index_terms
from db.schema import rebuild_search_index, search_delete, search_insert

log = logging.getLogger(__name__)


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
        title, text, published_at, content_hash, old_keywords = self.db.execute(
            "SELECT title, text, published_at, content_hash, keywords FROM articles WHERE id = ?",
            [article_id]).fetchone()
        title, text = title or "", text or ""
        if terms is None or not terms.fits(title, text):
            terms = index_terms(title, text)
        keywords = json.dumps(terms.keywords, ensure_ascii=False)
        self.db.execute(
            "UPDATE articles SET keywords = ?, topics = ?, month = ? WHERE id = ?",
            [keywords,
             json.dumps(tagging.topics({*terms.title_words, *terms.text_words}, self.topics), ensure_ascii=False),
             (published_at or "")[:7] or None, article_id])
        self._index_search(article_id, title, text, keywords, old_keywords, changed)
        old = self.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", [article_id]).fetchone()
        self.db.execute("INSERT OR REPLACE INTO minhashes (article_id, signature) VALUES (?, ?)",
                        [article_id, terms.signature])
        if not changed:
            self._cluster(article_id, text, terms.signature, content_hash)
        self._band(article_id, terms.signature, old[0] if old else None)

    def _index_search(self, article_id: int, title: str, text: str, keywords: str, old_keywords: str | None,
                      changed: bool) -> None:
        """The article's row of the search index. An indexed article is taken out first, with the
        values it was indexed from: its row as it is (indexed again) or, after an edit, the
        text the store just moved to ``article_versions``. Should neither be it (the row was
        changed some other way), the whole index is rebuilt rather than left wrong."""
        conn = self.db.conn
        candidates = [(title, text, old_keywords)]
        if changed:  # an edit: the index holds the text just moved to article_versions (tried first)
            version = conn.execute("SELECT title, text FROM article_versions WHERE article_id = ? "
                                   "ORDER BY id DESC LIMIT 1", [article_id]).fetchone()
            if version:
                candidates.insert(0, (version[0] or "", version[1] or "", old_keywords))
        if search_delete(conn, article_id, *candidates):
            search_insert(conn, article_id, title, text, keywords)
        else:
            log.warning("search index: article %s was changed outside the index; rebuilding the index", article_id)
            rebuild_search_index(conn)

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
