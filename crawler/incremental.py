"""What the store already knows, and the rules that make a quiet night cost a few list pages.

Built once per crawl (``known_state``) from the rows the store holds (``db.known.read_known``): stored article URLs (and the
links that redirected to them), the validators of list pages, and which columns were
walked to their end once. The spider asks:

* ``plan_known_article``: skip a stored article, or revalidate it with a conditional GET
  (younger than ``recheck_days``, whether or not its list page changed, or its headline or
  date on the list changed): an edit behind an unchanged list is seen, and costs 304s;
* a column walked to its end once may stop at its first all-known page (plus a grace
  page); one never walked to its end is walked again, skipping what is stored. So is a
  column with a *gap*: a link on one of its list pages that is neither stored nor known
  never to be an article (the crawl was killed, or the page failed for now). Without
  this, the next night's 304 on that list page would hide the missing article forever.
* a link that fails for good (403, an off-site redirect at once; a 5xx or a timeout when it
  fails a second time) is no gap either, and is not asked again until ``recheck_at``, a week
  later (``failing_recheck_at``); then it is a gap once more, and asked.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from crawler.extract.dates import SHANGHAI, now_shanghai, parse_date
from crawler.extract.links import column_key
from crawler.extract.text import compact

FAILING_RECHECK_DAYS = 7  # a link that fails for good is asked again after this many days


@dataclass(frozen=True)
class KnownArticle:
    url: str
    site: str
    title: str | None
    published_at: str | None
    first_seen_at: str | None
    etag: str | None
    last_modified: str | None
    gone: bool


@dataclass(frozen=True)
class KnownListPage:
    etag: str | None
    last_modified: str | None
    column_keys: frozenset[str] = frozenset()  # the CMS column ids its article links carried last time


@dataclass
class KnownState:
    articles: dict[str, KnownArticle] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    list_pages: dict[str, KnownListPage] = field(default_factory=dict)
    walked_columns: set[str] = field(default_factory=set)
    failing: dict[str, str] = field(default_factory=dict)  # link failing for good -> when it is asked again
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # site -> its found columns' URL -> name
    homes_checked: dict[str, str] = field(default_factory=dict)  # site -> when its homepage was last read

    def article(self, url: str) -> KnownArticle | None:
        """The stored article a link leads to, directly or through a redirect seen before."""
        return self.articles.get(url) or self.articles.get(self.aliases.get(url, ""))

    def young_articles(self, site: str, now: datetime, recheck_days: int) -> list[KnownArticle]:
        return [a for a in self.articles.values() if a.site == site and is_young(a, now, recheck_days)]


def known_state(rows, now: datetime | None = None) -> KnownState:
    """What the store's rows (``db.known.StoredRows``) mean to tonight's crawl."""
    now = now or now_shanghai()
    state = KnownState()
    state.articles = {row[0]: KnownArticle(*row[:7], gone=bool(row[7])) for row in rows.articles}
    state.aliases = dict(rows.aliases)
    listed: list[tuple[str, list[str]]] = []  # (column, links) of each list page, parsed once
    for url, etag, last_modified, column, links in rows.list_pages:
        links = json.loads(links) if links else []
        listed.append((column, links))
        state.list_pages[url] = KnownListPage(etag, last_modified, frozenset(filter(None, map(column_key, links))))
    state.walked_columns = set(rows.walked_columns)
    for url, site, name in rows.found_columns:
        state.columns.setdefault(site, {})[url] = name
    state.homes_checked = dict(rows.homes_checked)
    # never an article (404, robots.txt…), or failing for good and not yet due for its recheck:
    # not a gap. A failing link whose recheck_at has come is one again, and asked.
    skipped = set()
    for url, recheck_at in rows.skipped_links:
        if recheck_at is None:
            skipped.add(url)
        elif not recheck_due(recheck_at, now):
            skipped.add(url)
            state.failing[url] = recheck_at
    for column, links in listed:  # a column with a gap is walked again to its end
        if column and any(state.article(u) is None and u not in skipped for u in links):
            state.walked_columns.discard(column)
    return state


def is_young(article: KnownArticle, now: datetime, recheck_days: int) -> bool:
    """Published (or, undated, first stored) less than ``recheck_days`` ago."""
    when = article.published_at or article.first_seen_at
    if not when:
        return False
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return now - moment < timedelta(days=recheck_days)


def headline_changed(stored_title: str | None, list_title: str | None) -> bool:
    """The list shows another headline than the one stored (a cut-off headline is the same)."""
    shown, stored = compact(list_title or ""), compact(stored_title or "")
    if len(shown) < 4 or not stored:
        return False
    return not (stored.startswith(shown) or shown in stored or stored in shown)


def date_changed(published_at: str | None, list_date: str | None) -> bool:
    """The list shows another full date than the one stored (an update date, a corrected date)."""
    shown = parse_date(list_date or "")
    return bool(shown and published_at) and shown[:10] != published_at[:10]


def plan_known_article(article: KnownArticle, *, list_title: str | None, now: datetime, recheck_days: int,
                       list_date: str | None = None) -> str:
    """``"recheck"`` (conditional GET) or ``"skip"`` for a stored article linked from a list.

    A young article is asked whether or not its list page changed: an edit leaves the list as
    it was. Unchanged, it answers 304, so a quiet night still downloads no article."""
    if headline_changed(article.title, list_title) or date_changed(article.published_at, list_date):
        return "recheck"
    return "recheck" if is_young(article, now, recheck_days) else "skip"


def failing_recheck_at(failures: int, lasting: bool, seen_at: str) -> str:
    """When a link that has now failed ``failures`` times is asked again. A failure that may
    pass (5xx after retries, a timeout) is tried the next night the first time (``seen_at``:
    due at once); a lasting one (403, an off-site redirect), or one failing again, a week later."""
    if not lasting and failures < 2:
        return seen_at
    return (datetime.fromisoformat(seen_at) + timedelta(days=FAILING_RECHECK_DAYS)).isoformat(timespec="seconds")


def recheck_due(recheck_at: str, now: datetime) -> bool:
    """A failing link's ``recheck_at`` has come (an unreadable one has)."""
    try:
        moment = datetime.fromisoformat(recheck_at)
    except (TypeError, ValueError):
        return True
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment <= now


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def older_than(list_date: str | None, since: str | None) -> bool:
    """The date shown on the list is before the site's ``since`` (unknown dates are not)."""
    if not since or not list_date:
        return False
    parsed = parse_date(list_date)
    return bool(parsed) and parsed[:10] < since
