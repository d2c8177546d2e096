"""The articles an office asks for: filters, order and page, as one SQL query.

One definition for the list page, its paging and its exports, so the page's 共 N 篇 and the
rows of its Excel file are the same articles. Search is a filter like the others: with a
query the hits are ranked by relevance (title hits weigh most: BM25 5:1:2 over title, text,
keywords), without one the newest come first.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, fields, replace

from db.fts import MAX_QUERY_CHARS, query_terms

PAGE_SIZE = 50
SORTS = {"relevance": "按相关度排列", "newest": "最新发布在前", "oldest": "最早发布在前"}
_MONTH = re.compile(r"\d{4}-\d{2}")
_NUMBER = re.compile(r"[0-9]{1,12}")  # ASCII digits only (not ²), small enough for SQLite
MAX_PAGE = 1_000_000
# the columns an office reads, in order; exports add the text
LIST_COLUMNS = ("id", "title", "site", "published_at", "source", "author", "editor", "views", "keywords", "topics",
                "url", "cluster_id", "gone_at")


@dataclass(frozen=True)
class Filters:
    """What the list shows, read from the page's address (?q=&site=&column=&source=&topic=&month=&run=&sort=&page=)."""
    q: str = ""
    site: str = ""
    column: str = ""  # a column's start URL: the articles its list pages linked
    source: str = ""
    topic: str = ""
    month: str = ""
    run: str = ""  # the run that first stored them (a night's new articles)
    sort: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "Filters":
        def arg(name: str) -> str:
            return (args.get(name) or "").strip()

        page = min(int(arg("page")), MAX_PAGE) if _NUMBER.fullmatch(arg("page")) else 1
        page = max(1, page)
        sort = arg("sort") if arg("sort") in SORTS else ""
        month = arg("month") if _MONTH.fullmatch(arg("month")) else ""
        run = arg("run") if _NUMBER.fullmatch(arg("run")) else ""
        return cls(q=arg("q"), site=arg("site"), column=arg("column"), source=arg("source"), topic=arg("topic"),
                   month=month, run=run, sort=sort, page=page)

    @property
    def order(self) -> str:
        """The order asked for, or the natural one: relevance for a search, else newest first."""
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or ("relevance" if self.q else "newest")

    def query_string(self, **changes) -> str:
        """This list's address parameters with ``changes`` (page 1 and empty values left out)."""
        values = replace(self, **changes)
        pairs = [(f.name, getattr(values, f.name)) for f in fields(values)]
        return urllib.parse.urlencode([(k, v) for k, v in pairs if v and not (k == "page" and v == 1)])

    def search_alone(self) -> bool:
        """A search and no other filter: counted and ranked in the search index alone."""
        return bool(self.q) and not self.narrowed_beyond("q")

    def narrowed_beyond(self, name: str) -> bool:
        """Whether a filter other than ``name`` is set."""
        return any(getattr(self, other) for other in ("q", "site", "column", "source", "topic", "month", "run")
                   if other != name)

    def narrowed(self) -> bool:
        return any((self.q, self.site, self.column, self.source, self.topic, self.month, self.run))


def query_problem(q: str) -> str | None:
    """What is wrong with a search as typed, in words (the articles list and the canned search
    page say it alike): no letters or digits in it, or longer than the search reads."""
    if q and not query_terms(q):
        return f"“{q}”中没有可检索的文字（汉字、字母或数字），请换一个词。"
    if len(q) > MAX_QUERY_CHARS:
        return f"检索词过长（{len(q)} 个字），只按前 {MAX_QUERY_CHARS} 个字检索。"
    return None


_HITS = ("select rowid as hit_id, bm25(articles_fts, 5.0, 1.0, 2.0) as score from articles_fts "
         "where articles_fts match search_query(:q)")


def _from_where(filters: Filters, topics_table: bool = True, ranked: bool = True) -> tuple[str, dict]:
    """``topics_table``: the store has article_topics (a store of an earlier version reads its
    topics from the JSON column until its next crawl); ``ranked``: the search's scores are
    wanted (``hits.score``), else its hits are only a set to be in (a count, a date order)."""
    params: dict = {}
    sql = "from articles a"
    where = []
    if filters.q:
        if ranked:
            sql += f" join ({_HITS}) hits on hits.hit_id = a.id"
        else:  # the other filters' indexes first, then membership: 3-7 times faster on 100,000
            where.append("a.id in (select rowid from articles_fts where articles_fts match search_query(:q))")
        params["q"] = filters.q
    for name in ("site", "source", "month"):
        if getattr(filters, name):
            where.append(f"a.{name} = :{name}")
            params[name] = getattr(filters, name)
    if filters.column:  # the list pages of the column's walk, and the articles they led to
        where.append("a.list_url in (select url from list_pages where start_url = :column)")
        params["column"] = filters.column
    if filters.run:
        where.append("a.first_seen_run = :run")
        params["run"] = int(filters.run)
    if filters.topic:
        where.append("exists (select 1 from article_topics t where t.topic = :topic and t.article_id = a.id)"
                     if topics_table else
                     "exists (select 1 from json_each(case when json_valid(a.topics) then a.topics else '[]' end) "
                     "where value = :topic)")
        params["topic"] = filters.topic
    if where:
        sql += " where " + " and ".join(where)
    return sql, params


_ORDER = {
    "relevance": "hits.score, a.id desc",
    "newest": "a.published_at is null, a.published_at desc, a.id desc",
    "oldest": "a.published_at is null, a.published_at, a.id",
}


def count_sql(filters: Filters, topics_table: bool = True) -> tuple[str, dict]:
    if filters.search_alone():  # every indexed row is a stored article: no join to count them
        return "select count(*) from articles_fts where articles_fts match search_query(:q)", {"q": filters.q}
    if topics_table and filters.topic and not filters.narrowed_beyond("topic"):
        return "select count(*) from article_topics where topic = :topic", {"topic": filters.topic}
    sql, params = _from_where(filters, topics_table, ranked=False)
    return "select count(*) " + sql, params


def rows_sql(filters: Filters, *, columns: tuple[str, ...] = LIST_COLUMNS, snippet: bool = True,
             limit: int | None = PAGE_SIZE, topics_table: bool = True) -> tuple[str, dict]:
    """The rows of the list's page (``limit``), or all of them (``limit=None``, for exports).

    A search alone in relevance order is ranked and cut to the page in the search index, and
    only the page's rows are read: a common word matches half a large store."""
    sql, params = _from_where(filters, topics_table, ranked=filters.order == "relevance")
    picked = ", ".join(f"a.{c}" for c in columns)
    if filters.q and snippet:
        picked += ", search_snippet(a.text, :q) as snippet"
    page = " limit :limit offset :offset" if limit is not None else ""
    if limit is not None:
        params.update(limit=limit, offset=(filters.page - 1) * limit)
    if filters.search_alone() and filters.order == "relevance":
        return (f"select {picked} from ({_HITS} order by score, rowid desc{page}) hits "
                f"join articles a on a.id = hits.hit_id order by {_ORDER['relevance']}"), params
    return f"select {picked} {sql} order by {_ORDER[filters.order]}{page}", params


def pages(total: int, page: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size)) if total else 1
