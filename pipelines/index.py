"""Search index, keywords, topics and repost clusters of stored articles.

Run by the item handling (pipelines/apply.py) for every article it inserts or changes, in the
same transaction:

* ``keywords``, ``topics`` (crawler/search/tagging.py) and ``month`` on the row;
* the search text in ``articles_fts`` (rowid = article id): title, text and keywords as
  overlapping character pairs (db/fts.py: ``search_text``), which the Datasette plugin's
  ``search_query()`` searches with substring meaning (db/schema.py creates the table and
  rebuilds it when a store's index is in an older format);
* the MinHash signature in ``minhashes``, its LSH buckets in ``lsh_bands``, and
  ``cluster_id``: the id of the earliest-published article of its repost group, its own
  id when it has none.

What to write is decided here; the SQL is db/index.py's. The index lives in the store, so
opening it costs nothing and memory does not grow with the archive. Articles stored before
this index (or before ``lsh_bands``) existed are caught up when it opens.
"""
from __future__ import annotations

import json
import logging

import sqlite_utils

from crawler.prepare import IndexTerms, index_terms
from crawler.search import dedupe, tagging
from db import index as rows

RETAG_PER_RUN = 5000  # articles re-tagged by the current topic rule per run (about 5 ms each)
log = logging.getLogger(__name__)


class StoreIndex:
    def __init__(self, db: sqlite_utils.Database, topics: dict[str, list[str]] | None = None):
        self.db = db
        self.topics = topics

    def catch_up(self) -> int:
        """Index articles that have no signature yet (stored before the index existed), band
        the signatures of a store from before ``lsh_bands``, and give up to RETAG_PER_RUN
        articles whose topics an earlier rule chose the current rule's (newest first: a large
        store is re-tagged over a few nights, each costing seconds)."""
        missing = rows.unindexed_articles(self.db)
        with self.db.conn:
            for article_id, signature in rows.unbanded_signatures(self.db):
                rows.replace_buckets(self.db, article_id, dedupe.band_keys(signature))
            for article_id in missing:
                self.index(article_id)
            for article_id, title, text in rows.topics_by_an_older_rule(self.db, tagging.TOPICS_RULE, RETAG_PER_RUN):
                words = tagging.analyse(title or "", text or "")
                topics = tagging.topics(words.title_words, words.text_words, len(text or ""), self.topics)
                rows.write_topics(self.db, article_id, json.dumps(topics, ensure_ascii=False), tagging.TOPICS_RULE)
        return len(missing)

    def index(self, article_id: int, *, changed: bool = False, terms: IndexTerms | None = None) -> None:
        """Index a stored article; ``terms``: computed by the crawl's extraction processes from the
        text extraction made final, so they are those of the stored row (checked: a mismatch is
        logged and recomputed). Computed here for articles stored before the index (``catch_up``)."""
        title, text, published_at, content_hash, old_keywords = rows.indexed_fields(self.db, article_id)
        title, text = title or "", text or ""
        if terms is None or not terms.fits(title, text):
            if terms is not None:  # extraction makes text final once; a difference is a bug to hear of
                log.warning("index terms of article %s were not those of its stored text; computed again", article_id)
            terms = index_terms(title, text)
        keywords = json.dumps(terms.keywords, ensure_ascii=False)
        topics = tagging.topics(terms.title_words, terms.text_words, len(text), self.topics)
        rows.write_tags(self.db, article_id, keywords, json.dumps(topics, ensure_ascii=False),
                        (published_at or "")[:7] or None, tagging.TOPICS_RULE)
        self._index_search(article_id, title, text, keywords, old_keywords, changed)
        old_signature = rows.replace_signature(self.db, article_id, terms.signature)
        if not changed:
            self._cluster(article_id, text, terms.signature, content_hash)
        rows.replace_buckets(self.db, article_id, dedupe.band_keys(terms.signature),
                             dedupe.band_keys(old_signature) if old_signature else [])

    def _index_search(self, article_id: int, title: str, text: str, keywords: str, old_keywords: str | None,
                      changed: bool) -> None:
        """The article's row of the search index. An indexed article is taken out first, with the
        values it was indexed from: its row as it is (indexed again) or, after an edit, the
        text the store just moved to ``article_versions``."""
        was = [(title, text, old_keywords)]
        if changed:  # an edit: the index holds the text just moved to article_versions (tried first)
            version = rows.last_version(self.db, article_id)
            if version:
                was.insert(0, (version[0] or "", version[1] or "", old_keywords))
        if not rows.replace_search_row(self.db, article_id, (title, text, keywords), *was):
            log.warning("search index: article %s was changed outside the index; rebuilt the index", article_id)

    def _cluster(self, article_id: int, text: str, signature: bytes, content_hash: str) -> None:
        near = ((other, rows.article_text(self.db, other))
                for other, blob in rows.sharing_buckets(self.db, dedupe.band_keys(signature), exclude=article_id)
                if dedupe.may_be_same(signature, blob))
        matches = set(dedupe.reposts_among(text, near))
        matches.update(rows.same_content(self.db, content_hash, exclude=article_id))
        rows.join_cluster(self.db, article_id, matches)
