"""The SQLite store users open in Datasette: its tables, created or migrated by code.

``open_db`` is the one way to open the file: WAL (Datasette can read while the crawl
writes), a busy timeout (a long reader makes the crawl wait, not fail), and the schema
brought up to date (new columns added, nothing dropped).

Only the project's own store is opened so: ``PRAGMA application_id`` marks it (set when the
store is created; a store made before the mark existed is known by its tables and gets it).
Any other SQLite file given as the database, even one with an ``articles`` table, is
refused untouched (:class:`NotOurStore`).
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import sqlite_utils

from db.fts import SEARCH_TEXT_FORMAT, search_text

# PRAGMA application_id of the project's store: "SNM1" (school news monitor, store 1)
APPLICATION_ID = int.from_bytes(b"SNM1", "big")


class NotOurStore(ValueError):
    """The file is not this project's store (another program's database, or no database):
    nothing was written to it."""


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
    "layout": str,  # JSON: subheadings and photos by paragraph number ({"headings": [...], "photos": [...]})
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
    "topics_rule": int,  # the rule that chose them (crawler/search/tagging.py TOPICS_RULE); NULL: the first
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
    "fetched_at": str,
    "start_url": str,  # the column whose walk reached it
    "links": str,  # JSON list of its article links; one neither stored nor skipped is a gap
}

# Links from list pages that are known never to be articles, so they are not gaps.
# Transient failures (5xx, timeouts, resets) are not here: those links are tried again.
# A link that fails for good (403, 5xx or a timeout two nights running, an off-site redirect) is
# here too, with ``recheck_at``: until then it is not asked again and is no gap; then once more.
SKIPPED_LINK_COLUMNS = {
    "url": str,
    "site": str,
    "reason": str,
    "seen_at": str,
    "failures": int,  # times it failed (NULL: never an article, e.g. 404, robots.txt)
    "recheck_at": str,  # a failing link is asked again from then on (NULL: never)
}

# A column (start URL) whose archive was walked to its end (or to max_pages/since) once:
# only then may later runs stop at known pages. Columns found from a school's homepage
# (``home`` in sites.toml) carry their name and when they were found, last seen, or gone.
COLUMN_COLUMNS = {
    "start_url": str,
    "site": str,
    "walked_to_end_at": str,
    "walked_in_run": int,
    "name": str,
    "found_at": str,
    "last_seen_at": str,
    "gone_at": str,
}

# When each school's homepage was last read for its columns (``rediscover_days``).
HOME_COLUMNS = {"site": str, "home": str, "checked_at": str}

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
    "offsite_redirects": int,  # redirect hops (HTTP or meta refresh) to another host, not followed
    "article_pages_cut": int,  # articles stored with their first max_article_pages pages only
    "list_links_cut": int,  # article links past max_links_per_list on a list page, not taken
    "bad_links": int,  # malformed links (a port out of range, a broken IPv6 host) skipped
    "failing_links": int,  # links failing for good, not asked until their weekly recheck
    "columns_found": int,  # news columns found on the homepage for the first time
    "columns_gone": int,  # known columns the homepage no longer links to
    "script_lists": int,  # column pages whose list a script builds (ajax/JSON, document.write)
    "column_moves": int,  # columns whose page 1 lists articles under a new CMS column id
    "list_items_shown": int,  # dated items in the main lists of the list pages read
    "list_items_taken": int,  # of those, the ones whose article link was taken
    "lists_partly_understood": int,  # list pages whose main list was not all taken (see coverage_gap)
    "first_error": str,
    "coverage_gap": str,  # the first such page, in Chinese: 栏目「…」：列表显示 20 条，识别 9 条
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
    "status": str,  # pending / sending / sent / unknown (the process died while sending, or no answer in time)
    "attempts": int,
    "last_error": str,
    "sent_at": str,
    "message": str,  # "2/3": which part of the digest carried it
}


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (or create) the store at ``path``; raise NotOurStore, having written nothing, when
    the file is something else."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    check_ours(path)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


def check_ours(path: str | Path) -> None:
    """Raise NotOurStore unless ``path`` is absent, empty, or the project's store; reads only."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return  # a new store
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            article_columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        finally:
            conn.close()
    except sqlite3.OperationalError:
        raise  # busy, unreadable: not a verdict on what the file is
    except sqlite3.DatabaseError:
        raise NotOurStore(f"{path} is not an SQLite database, not a school news store: left untouched") from None
    if application_id == APPLICATION_ID:
        return
    if application_id == 0:
        if not tables:
            return  # an empty database: it becomes the store
        if {"crawl_runs", "articles"} <= tables and "content_hash" in article_columns:
            return  # a store made before application_id was set: migrate() marks it
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    owner = f"application_id {application_id:#010x}" if application_id else f"tables {shown}"
    raise NotOurStore(f"{path} is another program's database ({owner}), not a school news store: "
                      f"left untouched")


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
    """Create missing tables, columns and indexes; never drops anything. Marks the file as the
    project's store (``PRAGMA application_id``)."""
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with db.conn:
        _ensure_table(db, "articles", ARTICLE_COLUMNS, pk="id", not_null={"url", "site"})
        _ensure_table(db, "crawl_runs", RUN_COLUMNS, pk="id")
        _ensure_table(db, "crawl_run_sites", RUN_SITE_COLUMNS, pk=("run_id", "site"))
        _ensure_table(db, "article_versions", VERSION_COLUMNS, pk="id")
        _ensure_table(db, "list_pages", LIST_PAGE_COLUMNS, pk="url")
        _ensure_table(db, "columns", COLUMN_COLUMNS, pk="start_url")
        _ensure_table(db, "homes", HOME_COLUMNS, pk="site")
        _ensure_table(db, "url_aliases", ALIAS_COLUMNS, pk="alias")
        _ensure_table(db, "skipped_links", SKIPPED_LINK_COLUMNS, pk="url")
        _ensure_table(db, "minhashes", MINHASH_COLUMNS, pk="article_id")
        _ensure_table(db, "events", EVENT_COLUMNS, pk="id")
        _ensure_table(db, "alerts", ALERT_COLUMNS, pk=("event_id", "channel"))
        # full-text search (rowid = articles.id), kept in sync by pipelines/index.py; rebuilt when stale
        ensure_search_index(db)
        # LSH buckets of the signatures (crawler/search/dedupe.py: band_keys), looked up by bucket
        db.execute("CREATE TABLE IF NOT EXISTS lsh_bands (bucket INTEGER NOT NULL, article_id INTEGER NOT NULL, "
                   "PRIMARY KEY (bucket, article_id)) WITHOUT ROWID")
        # the scheme of the signatures and buckets (dedupe.SIGNATURE_SCHEME); another: signed again
        db.execute("CREATE TABLE IF NOT EXISTS signature_index (scheme TEXT NOT NULL)")
        # each article's topics, a row a topic (articles.topics as a table), for the topic filter
        _ensure_article_topics(db)
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["site", "published_at"], if_not_exists=True)
    db["articles"].create_index(["content_hash"], if_not_exists=True)
    db["articles"].create_index(["first_seen_run"], if_not_exists=True)
    db["article_versions"].create_index(["article_id"], if_not_exists=True)
    db["articles"].create_index(["cluster_id"], if_not_exists=True)
    db["events"].create_index(["key"], unique=True, if_not_exists=True)
    db["alerts"].create_index(["channel", "status"], if_not_exists=True)
    db["events"].create_index(["site", "problem", "kind"], if_not_exists=True)
    # a column's articles (the reading room's column filter and school page): its list pages, their links
    db["list_pages"].create_index(["start_url"], if_not_exists=True)
    db["articles"].create_index(["list_url"], if_not_exists=True)
    # the articles list, newest first, read from the index 50 rows at a time (not sorted whole)
    db.execute("CREATE INDEX IF NOT EXISTS articles_newest ON articles (published_at IS NULL, published_at DESC, "
               "id DESC)")
    # the reposts page: the members of repost groups (their first publishers aside), without the rest
    db.execute("CREATE INDEX IF NOT EXISTS articles_reposted ON articles (cluster_id, first_seen_at) "
               "WHERE cluster_id != id")
    for name, sql in HEALTH_VIEWS.items():  # replaced, so a store always holds this version's rule
        db.create_view(name, sql, replace=True)


# A school's health, decided here once: the refresh writes runs and broken/recovered events,
# the alert rules ask ``site_problems`` whether a problem is still open, the reading room
# lists ``site_health``. A problem is open while its last event says broken; a school is
# well when none is open and its last run went as planned (or it was not in that run).
HEALTH_VIEWS = {
    # the latest broken/recovered event of each (site, problem), found through the index on
    # (site, problem): a correlated lookup, not a scan of every event
    "site_problems": (
        "SELECT site, problem, detail, created_at FROM events AS e WHERE kind = 'broken' AND id = "
        "(SELECT max(id) FROM events AS x WHERE x.site = e.site AND x.problem = e.problem "
        "AND x.kind IN ('broken', 'recovered'))"),
    # the last run that recorded its schools (a run killed before its end recorded none)
    "site_health": (
        "WITH run_sites AS (SELECT * FROM crawl_run_sites WHERE run_id = (SELECT max(run_id) FROM crawl_run_sites)), "
        "schools AS (SELECT DISTINCT site FROM articles UNION SELECT site FROM run_sites) "
        "SELECT *, (problems = 0 AND coalesce(status, 'ok') = 'ok') AS ok FROM "
        "(SELECT schools.site, run_sites.status, run_sites.new_articles, run_sites.errors, run_sites.first_error, "
        "(SELECT count(*) FROM site_problems WHERE site_problems.site = schools.site) AS problems "
        "FROM schools LEFT JOIN run_sites ON run_sites.site = schools.site)"),
}


# Full-text search (FTS5, rowid = articles.id): title, text and keywords (the JSON list as
# stored) as overlapping character pairs (db/fts.py: search_text, fts_query),
# so a query finds every article that contains it. The index keeps no copy of what it was
# written from (content = '': the pairs would be twice the texts' size); FTS5 deletes a row
# given those values, so ``search_rows`` holds a digest of each article's indexed title, text
# and keywords, and a row is deleted only with values of that digest (search_delete).
# ``search_index`` names the format the index was written in: a store whose index is in
# another one (the jieba words of earlier versions) is re-indexed when opened.
SEARCH_FTS_SQL = ("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, keywords, content = '', "
                  "tokenize = 'unicode61 remove_diacritics 2')")


def _ensure_article_topics(db: sqlite_utils.Database) -> None:
    """The article_topics table, filled from ``articles.topics`` while it is empty and some article
    has topics (a store from before it; a fill cut short is one statement, undone whole, and done
    again at the next open); pipelines/index.py keeps it in step since."""
    db.execute("CREATE TABLE IF NOT EXISTS article_topics (topic TEXT NOT NULL, article_id INTEGER NOT NULL, "
               "PRIMARY KEY (topic, article_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS article_topics_article ON article_topics (article_id)")
    if db.execute("SELECT 1 FROM article_topics LIMIT 1").fetchone() or not db.execute(
            "SELECT 1 FROM articles WHERE topics IS NOT NULL AND topics NOT IN ('', '[]') LIMIT 1").fetchone():
        return
    db.execute("INSERT OR IGNORE INTO article_topics (topic, article_id) SELECT t.value, a.id FROM articles a, "
               "json_each(CASE WHEN json_valid(a.topics) THEN a.topics ELSE '[]' END) t WHERE t.type = 'text'")


def ensure_search_index(db: sqlite_utils.Database) -> int:
    """Create the search index, or rebuild it when it was written in another format; returns
    the number of articles re-indexed. Call inside a transaction."""
    db.execute("CREATE TABLE IF NOT EXISTS search_index (format TEXT NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS search_rows (article_id INTEGER PRIMARY KEY, digest BLOB NOT NULL)")
    written = db.execute("SELECT format FROM search_index").fetchone()
    exists = db.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()
    if exists and exists[0] == SEARCH_FTS_SQL and written and written[0] == SEARCH_TEXT_FORMAT:
        return 0
    return rebuild_search_index(db.conn)


def rebuild_search_index(conn: sqlite3.Connection) -> int:
    """Index every stored article anew (a few seconds per 10,000); returns how many."""
    conn.execute("DROP TABLE IF EXISTS articles_fts")
    conn.execute(SEARCH_FTS_SQL)
    conn.execute("DELETE FROM search_rows")
    count = 0
    for article_id, title, text, keywords in conn.execute("SELECT id, title, text, keywords FROM articles"):
        search_insert(conn, article_id, title, text, keywords)
        count += 1
    if count:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.execute("DELETE FROM search_index")
    conn.execute("INSERT INTO search_index (format) VALUES (?)", [SEARCH_TEXT_FORMAT])
    return count


def _search_digest(title: str | None, text: str | None, keywords: str | None) -> bytes:
    return hashlib.blake2b("\0".join((title or "", text or "", keywords or "")).encode("utf-8"),
                           digest_size=16).digest()


def _search_values(title: str | None, text: str | None, keywords: str | None) -> list[str]:
    return [search_text(title), search_text(text), search_text(keywords)]


def search_insert(conn: sqlite3.Connection, article_id: int, title: str | None, text: str | None,
                  keywords: str | None) -> None:
    """Index an article that is not in the index (``keywords``: the JSON list as stored)."""
    conn.execute("INSERT INTO articles_fts (rowid, title, text, keywords) VALUES (?, ?, ?, ?)",
                 [article_id, *_search_values(title, text, keywords)])
    conn.execute("INSERT OR REPLACE INTO search_rows (article_id, digest) VALUES (?, ?)",
                 [article_id, _search_digest(title, text, keywords)])


def search_delete(conn: sqlite3.Connection, article_id: int, *candidates: tuple) -> bool:
    """Take an article out of the index, given ``(title, text, keywords)`` candidates for what
    it was indexed from; the one whose digest was recorded is used. True when the article is
    not in the index (any more); False when no candidate is what was indexed."""
    row = conn.execute("SELECT digest FROM search_rows WHERE article_id = ?", [article_id]).fetchone()
    if row is None:
        return True
    for values in candidates:
        if _search_digest(*values) == row[0]:
            conn.execute("INSERT INTO articles_fts (articles_fts, rowid, title, text, keywords) "
                         "VALUES ('delete', ?, ?, ?, ?)", [article_id, *_search_values(*values)])
            conn.execute("DELETE FROM search_rows WHERE article_id = ?", [article_id])
            return True
    return False
