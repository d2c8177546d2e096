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
* **broken / recovered**: a site-health problem (crawler/notify/health.py) appearing, or going.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlite_utils

from crawler.notify import health
from crawler.notify.alerts import identity
from crawler.notify.rules import wanted
from db import events as stored
from db.store import holds_articles
from crawler.config import AlertsConfig, Config
from crawler.extract.dates import now_iso, now_shanghai

logger = logging.getLogger(__name__)
HISTORY_ARTICLES = 50  # earlier articles a site's metadata shares are compared with


def announce_pending_runs(db: sqlite_utils.Database, config: Config) -> int:
    """Plan every finished run not planned yet (a crashed night is planned the next); returns events added."""
    return sum(plan_run(db, config, run_id) for run_id in stored.unplanned_runs(db))


def plan_run(db: sqlite_utils.Database, config: Config, run_id: int) -> int:
    """Events of one run, each queued as pending on every configured channel its filters let through."""
    channels = [identity(url) for url in config.alerts.urls]
    added = 0
    with db.conn:
        for event, article in _report_and_baseline_events(db, config, run_id):
            added += _add(db, event, article, config.alerts, channels)
        for event in _health_events(db, config, run_id):
            added += _add(db, event, None, config.alerts, channels)
        stored.mark_planned(db, run_id, now_iso())
    return added


def _add(db, event: dict, article: dict | None, rules: AlertsConfig, channels: list[tuple[str, str]]) -> int:
    event = {"run_id": None, "article_id": None, "problem": None, "count": None, "detail": None, **event,
             "created_at": now_iso()}
    event_id = stored.add_event(db, event)
    if event_id is None:
        return 0
    if wanted(event, article, rules):
        for key, label in channels:
            stored.queue_alert(db, event_id, key, label)
    return 1


# ------------------------------------------------------------------ reports and baselines
def _report_and_baseline_events(db, config: Config, run_id: int):
    rows = stored.articles_of_run(db, run_id)  # no texts: only reports need theirs (filters)
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
                   "count": stored.not_announced(db, site)}, None
            continue
        latest_before = stored.latest_published_before(db, site, run_id)
        for article in articles:
            cluster = article["cluster_id"]
            if cluster and cluster != article["id"]:
                continue  # a repost: its story is announced by the cluster's first article, or was already
            if cluster and stored.story_known_before(db, cluster, run_id):
                continue
            if not _fresh(article["published_at"], latest_before, now, max_age):
                continue
            article["text"] = stored.article_text(db, article["id"])
            yield {"key": f"report:{article['id']}", "run_id": run_id, "kind": "report", "site": site,
                   "article_id": article["id"], "count": reposts_in_run.get(article["id"], 0)}, article


def _is_baseline(db, config: Config, site_name: str, run_id: int) -> bool:
    """A site is in its first crawl until every configured column was walked to its end before this run."""
    try:
        start_urls = config.site(site_name).start_urls
    except KeyError:
        return False
    return not set(start_urls) <= stored.columns_walked_before(db, site_name, run_id)


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
    rows = stored.run_sites(db, run_id)
    failures = config.alerts.failures
    for site in config.sites:
        if site.name not in rows:
            continue
        status, list_pages, article_links, first_error, too_old, items_shown, partly, gap = rows[site.name]
        statuses = stored.last_statuses(db, site.name, run_id, failures)
        had_links = stored.had_links_before(db, site.name, run_id)
        dropped = health.metadata_drop(
            health.MetadataShare(*stored.metadata_counts(db, site.name, run_id, False, HISTORY_ARTICLES)),
            health.MetadataShare(*stored.metadata_counts(db, site.name, run_id, True, HISTORY_ARTICLES)))
        empty = health.empty(list_pages or 0, article_links or 0, had_links)
        verdicts = {
            "failing": (health.failing(statuses, failures),
                        health.describe("failing", failures=failures) + (f"：{first_error}" if first_error else "")),
            "empty": (empty, health.describe("empty")),
            "metadata": (None if dropped is None else bool(dropped), health.describe("metadata", fields=dropped)),
            "nothing": (health.nothing_stored(list_pages or 0, article_links or 0, too_old or 0, holds_articles(db, site.name)),
                        health.describe("nothing")),
            # lists with no article link at all are the "empty" alarm, not a second one
            "coverage": (None if empty else health.partly_understood(list_pages or 0, items_shown or 0, partly or 0),
                         health.describe("coverage", gap=gap or "")),
        }
        for problem, (broken, detail) in verdicts.items():
            is_open = stored.problem_open(db, site.name, problem)
            if broken and not is_open:
                yield {"key": f"broken:{site.name}:{problem}:{run_id}", "run_id": run_id, "kind": "broken",
                       "site": site.name, "problem": problem, "detail": detail}
            elif broken is False and is_open:
                yield {"key": f"recovered:{site.name}:{problem}:{run_id}", "run_id": run_id, "kind": "recovered",
                       "site": site.name, "problem": problem, "detail": health.RECOVERED[problem]}
