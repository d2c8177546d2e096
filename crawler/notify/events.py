"""What a finished run means for users, written as ``events`` with pending ``alerts``.

Run once per run (``crawl_runs.announced_at`` marks it), in one transaction, and
idempotent by each event's ``key``: a re-run of the same night, or planning a run twice,
adds nothing.

* **report**: an article first stored in this run, unless its site is being crawled for
  the first time (a *baseline*: one summary event per site, never one per archived
  article), it repeats a story already stored (a repost, by ``cluster_id``), or it is
  archive surfacing (dated more than ``max_age_days`` before both today and the site's
  newest stored article, e.g. after a site moved its URLs).
* **baseline**: the first crawl of a site, with the number of its articles stored and not yet
  announced (a first crawl killed and completed by the next run counts both runs' articles).
* **broken / recovered**: a site-health problem (crawler/health.py) appearing, or going.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlite_utils

from crawler.notify import health
from crawler.notify.alerts import identity
from crawler.notify.rules import wanted
from db.store import holds_articles
from crawler.config import AlertsConfig, Config
from crawler.extract.dates import now_iso, now_shanghai

logger = logging.getLogger(__name__)
HISTORY_ARTICLES = 50  # earlier articles a site's metadata shares are compared with


def announce_pending_runs(db: sqlite_utils.Database, config: Config) -> int:
    """Plan every finished run not planned yet (a crashed night is planned the next); returns events added."""
    runs = [row[0] for row in db.execute(
        "SELECT id FROM crawl_runs WHERE announced_at IS NULL AND status != 'running' ORDER BY id")]
    return sum(plan_run(db, config, run_id) for run_id in runs)


def plan_run(db: sqlite_utils.Database, config: Config, run_id: int) -> int:
    """Events of one run, each queued as pending on every configured channel its filters let through."""
    channels = [identity(url) for url in config.alerts.urls]
    added = 0
    with db.conn:
        for event, article in _report_and_baseline_events(db, config, run_id):
            added += _add(db, event, article, config.alerts, channels)
        for event in _health_events(db, config, run_id):
            added += _add(db, event, None, config.alerts, channels)
        db.conn.execute("UPDATE crawl_runs SET announced_at = ? WHERE id = ?", (now_iso(), run_id))
    return added


def _add(db, event: dict, article: dict | None, rules: AlertsConfig, channels: list[tuple[str, str]]) -> int:
    event = {"run_id": None, "article_id": None, "problem": None, "count": None, "detail": None, **event,
             "created_at": now_iso()}
    columns = list(event)
    cursor = db.conn.execute(
        f"INSERT OR IGNORE INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
        [event[c] for c in columns])
    if cursor.rowcount != 1:
        return 0
    if wanted(event, article, rules):
        for key, label in channels:
            db.conn.execute(
                "INSERT OR IGNORE INTO alerts (event_id, channel, channel_label, status, attempts) "
                "VALUES (?, ?, ?, 'pending', 0)", (cursor.lastrowid, key, label))
    return 1


# ------------------------------------------------------------------ reports and baselines
def _report_and_baseline_events(db, config: Config, run_id: int):
    # no texts here: a first crawl brings thousands of articles, and only reports need theirs (filters)
    rows = [dict(zip(("id", "site", "title", "published_at", "topics", "cluster_id"), r)) for r in db.execute(
        "SELECT id, site, title, published_at, topics, cluster_id FROM articles "
        "WHERE first_seen_run = ? ORDER BY published_at DESC, id", [run_id])]
    by_site: dict[str, list[dict]] = {}
    for row in rows:
        by_site.setdefault(row["site"], []).append(row)
    reposts_in_run: dict[int, int] = {}
    for row in rows:
        if row["cluster_id"] and row["cluster_id"] != row["id"]:
            reposts_in_run[row["cluster_id"]] = reposts_in_run.get(row["cluster_id"], 0) + 1
    now = now_shanghai()
    max_age = timedelta(days=config.alerts.max_age_days)
    for site, articles in by_site.items():
        if _is_baseline(db, config, site, run_id):
            yield {"key": f"baseline:{site}", "run_id": run_id, "kind": "baseline", "site": site,
                   "count": _not_announced(db, site)}, None
            continue
        latest_before = _latest_published(db, site, run_id)
        for article in articles:
            cluster = article["cluster_id"]
            if cluster and cluster != article["id"]:
                continue  # a repost: its story is announced by the cluster's first article, or was already
            if cluster and _story_known_before(db, cluster, run_id):
                continue
            if not _fresh(article["published_at"], latest_before, now, max_age):
                continue
            article["text"] = db.execute("SELECT text FROM articles WHERE id = ?", [article["id"]]).fetchone()[0]
            yield {"key": f"report:{article['id']}", "run_id": run_id, "kind": "report", "site": site,
                   "article_id": article["id"], "count": reposts_in_run.get(article["id"], 0)}, article


def _is_baseline(db, config: Config, site_name: str, run_id: int) -> bool:
    """A site is in its first crawl until every configured column was walked to its end before this run."""
    try:
        start_urls = config.site(site_name).start_urls
    except KeyError:
        return False
    walked = {row[0] for row in db.execute(
        "SELECT start_url FROM columns WHERE site = ? AND walked_in_run < ?", [site_name, run_id])}
    return not set(start_urls) <= walked


def _not_announced(db, site: str) -> int:
    """The site's stored articles that no planned run announced: this run's, and those of the
    runs planned after it (killed first crawls are planned together with the run that follows)."""
    return db.execute("SELECT COUNT(*) FROM articles WHERE site = ? AND first_seen_run IN "
                      "(SELECT id FROM crawl_runs WHERE announced_at IS NULL)", [site]).fetchone()[0]


def _latest_published(db, site: str, run_id: int) -> str | None:
    row = db.execute("SELECT MAX(published_at) FROM articles WHERE site = ? AND first_seen_run < ?",
                     [site, run_id]).fetchone()
    return row[0] if row else None


def _story_known_before(db, cluster_id: int, run_id: int) -> bool:
    row = db.execute("SELECT 1 FROM articles WHERE cluster_id = ? AND first_seen_run < ? LIMIT 1",
                     [cluster_id, run_id]).fetchone()
    return row is not None


def _fresh(published_at: str | None, latest_before: str | None, now: datetime, max_age: timedelta) -> bool:
    """Not archive surfacing: dated within ``max_age`` of today or of the site's newest stored article."""
    if not published_at:
        return True
    day = published_at[:10]
    recent = (now - max_age).strftime("%Y-%m-%d")
    if day >= recent:
        return True
    if latest_before:
        floor = (datetime.fromisoformat(latest_before[:10]) - max_age).strftime("%Y-%m-%d")
        return day >= floor
    return False


# ------------------------------------------------------------------ site health
def _health_events(db, config: Config, run_id: int):
    rows = {row[0]: row for row in db.execute(
        "SELECT site, status, list_pages, article_links, first_error, too_old FROM crawl_run_sites WHERE run_id = ?",
        [run_id])}
    failures = config.alerts.failures
    for site in config.sites:
        if site.name not in rows:
            continue
        _, status, list_pages, article_links, first_error, too_old = rows[site.name]
        statuses = [r[0] for r in db.execute(
            "SELECT status FROM crawl_run_sites WHERE site = ? AND run_id <= ? ORDER BY run_id DESC LIMIT ?",
            [site.name, run_id, failures])][::-1]
        had_links = db.execute(
            "SELECT 1 FROM crawl_run_sites WHERE site = ? AND run_id < ? AND article_links > 0 LIMIT 1",
            [site.name, run_id]).fetchone() is not None
        dropped = health.metadata_drop(_share(db, site.name, "=", run_id), _share(db, site.name, "<", run_id))
        verdicts = {
            "failing": (health.failing(statuses, failures),
                        health.describe("failing", failures=failures) + (f"：{first_error}" if first_error else "")),
            "empty": (health.empty(list_pages or 0, article_links or 0, had_links), health.describe("empty")),
            "metadata": (None if dropped is None else bool(dropped), health.describe("metadata", fields=dropped)),
            "nothing": (health.nothing_stored(list_pages or 0, article_links or 0, too_old or 0, holds_articles(db, site.name)),
                        health.describe("nothing")),
        }
        for problem, (broken, detail) in verdicts.items():
            is_open = _open_problem(db, site.name, problem)
            if broken and not is_open:
                yield {"key": f"broken:{site.name}:{problem}:{run_id}", "run_id": run_id, "kind": "broken",
                       "site": site.name, "problem": problem, "detail": detail}
            elif broken is False and is_open:
                yield {"key": f"recovered:{site.name}:{problem}:{run_id}", "run_id": run_id, "kind": "recovered",
                       "site": site.name, "problem": problem, "detail": health.RECOVERED[problem]}


def _open_problem(db, site: str, problem: str) -> bool:
    row = db.execute("SELECT kind FROM events WHERE site = ? AND problem = ? ORDER BY id DESC LIMIT 1",
                     [site, problem]).fetchone()
    return row is not None and row[0] == "broken"


def _share(db, site: str, op: str, run_id: int) -> health.MetadataShare:
    """Date and source shares of the site's articles of this run (op "=") or before it (op "<")."""
    limit = "" if op == "=" else f"ORDER BY id DESC LIMIT {HISTORY_ARTICLES}"
    row = db.execute(
        f"SELECT COUNT(*), COUNT(published_at), COUNT(NULLIF(source, '')) FROM "
        f"(SELECT published_at, source FROM articles WHERE site = ? AND first_seen_run {op} ? {limit})",
        [site, run_id]).fetchone()
    return health.MetadataShare(*row)
