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
        """Index articles that have no signature yet (stored before the index existed), sign a
        store again whose signatures another scheme made (:meth:`resign`), and give up to
        RETAG_PER_RUN articles whose topics an earlier rule chose the current rule's (newest
        first: a large store is re-tagged over a few nights)."""
        missing = rows.unindexed_articles(self.db)
        with self.db.conn:
            if rows.signature_scheme(self.db) != dedupe.SIGNATURE_SCHEME:
                self.resign()
            for article_id in missing:
                self.index(article_id)
            for article_id, title, text in rows.topics_by_an_older_rule(self.db, tagging.TOPICS_RULE, RETAG_PER_RUN):
                topics = tagging.topics(title, text, self.topics)
                rows.write_topics(self.db, article_id, json.dumps(topics, ensure_ascii=False), tagging.TOPICS_RULE)
        return len(missing)

    def resign(self) -> int:
        """Every signature and its buckets made again by the current scheme, from the stored texts
        (about 0.2 ms an article; the repost groups found stay as they are). Without it, a new
        article would never meet the stored ones in a bucket, and no repost of them would be found."""
        if rows.signature_scheme(self.db) is not None or self.db.execute("SELECT 1 FROM minhashes LIMIT 1").fetchone():
            log.info("signing the store's articles again (repost signatures: %s)", dedupe.SIGNATURE_SCHEME)
        rows.forget_buckets(self.db)
        signed = rows.signed_articles(self.db)
        group_of = dict(signed)
        banded: dict[int, int] = {}
        for start in range(0, len(signed), 500):  # 500 texts in memory at a time
            for article_id, text in rows.texts(self.db, [article for article, _ in signed[start:start + 500]]):
                signature = dedupe.signature(text or "")
                rows.replace_signature(self.db, article_id, signature)
                group = group_of[article_id]
                if banded.get(group, 0) < dedupe.BANDED_PER_GROUP:  # as _cluster keeps them
                    banded[group] = banded.get(group, 0) + 1
                    rows.replace_buckets(self.db, article_id, dedupe.band_keys(signature))
        rows.set_signature_scheme(self.db, dedupe.SIGNATURE_SCHEME)
        return len(signed)

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
        topics = tagging.topics(title, text, self.topics)
        rows.write_tags(self.db, article_id, keywords, json.dumps(topics, ensure_ascii=False),
                        (published_at or "")[:7] or None, tagging.TOPICS_RULE)
        self._index_search(article_id, title, text, keywords, old_keywords, changed)
        old_signature = rows.replace_signature(self.db, article_id, terms.signature)
        if changed:
            rows.replace_buckets(self.db, article_id, terms.buckets,
                                 dedupe.band_keys(old_signature) if old_signature else [])
        elif self._cluster(article_id, text, terms.signature, terms.buckets, content_hash) < dedupe.BANDED_PER_GROUP:
            rows.replace_buckets(self.db, article_id, terms.buckets)

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

    def _cluster(self, article_id: int, text: str, signature: bytes, buckets: list[int], content_hash: str) -> int:
        """Put the article in the repost group of what it reposts (or its own); returns how many of
        that group's members shared its buckets. At most READ_PER_GROUP texts are read per group,
        and a group with BANDED_PER_GROUP members in the buckets is not banded further (the caller
        keeps the article's buckets out): a story copied 300 times costs its next copy what the
        fifth copy cost."""
        candidates = rows.sharing_buckets(self.db, buckets, exclude=article_id)
        groups = dedupe.closest_per_group(signature, candidates)
        matches = set(dedupe.reposts_among(text, (((other, rows.article_text(self.db, other)) for other in members)
                                                  for members in groups.values())))
        matches.update(rows.same_content(self.db, content_hash, exclude=article_id))
        rows.join_cluster(self.db, article_id, matches)
        joined = {group for group, members in groups.items() if matches.intersection(members)}
        return sum(1 for _, _, group in candidates if group in joined)
