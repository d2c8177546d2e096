"""The reading room's own pages, where an office works: the articles list (search, filters,
paging, exports), a school's page and a run's page. Registered through Datasette's
``register_routes``; rendered with the templates in ``templates/`` (Datasette finds a
plugin's own). Datasette's table and SQL pages stay reachable for who wants them, one link
away, never on the way.

    /-/articles[.csv|.xlsx]?q=&site=&source=&topic=&month=&run=&sort=&page=&db=
    /-/school?site=&db=
    /-/runs?db=, /-/runs/<id>?db=
    /-/feed.atom?db=    the Atom feed of new reports the crawl writes beside the store
    /-/reposts?db=      reports carried by several schools (repost groups), newest first

``db`` picks the store when the server holds several (default: the first).
"""
from __future__ import annotations

import urllib.parse
from dataclasses import replace

from datasette import Response, hookimpl

from crawler.reading_room import article_list, exports
from crawler.reading_room.article_list import PAGE_SIZE, SORTS, Filters, query_problem
from crawler.reading_room.health import health_prefix, problem_words
from crawler.reading_room.stores import feed_file, is_store, value_labels
from db.fts import query_terms

@hookimpl
def register_routes(datasette):
    return [(pattern, store_page(view)) for pattern, view in (
        (r"^/-/articles$", articles_page),
        (r"^/-/articles\.(?P<format>csv|xlsx)$", articles_export),
        (r"^/-/school$", school_page),
        (r"^/-/runs$", runs_page),
        (r"^/-/runs/(?P<run_id>[0-9]{1,12})$", run_page),
        (r"^/-/feed\.atom$", feed),
        (r"^/-/reposts$", reposts_page),
    )]


def _store(datasette, request) -> str | None:
    asked = request.args.get("db")
    stores = [name for name in datasette.databases if is_store(datasette, name)]
    if asked:
        return asked if asked in stores else None
    return stores[0] if stores else None


def store_page(view):
    """A page of a store: ``view(datasette, request, db)``. It obeys Datasette's permissions as
    Datasette's own pages do (view-instance, view-database): when readers are configured
    (sharing.py) a visitor who has not logged in is sent to /-/login. No store: a Chinese 404."""
    async def guarded(datasette, request):
        database = _store(datasette, request)
        allowed = await datasette.permission_allowed(request.actor, "view-instance", default=True) and (
            database is None or await datasette.permission_allowed(request.actor, "view-database", database,
                                                                    default=True))
        if allowed:
            if database is None:
                return await _not_found(datasette, request, "没有找到文章库。")
            return await view(datasette, request, datasette.get_database(database))
        if request.actor is None:
            return Response.redirect(datasette.urls.path("/-/login"))
        html = await datasette.render_template("snm_message.html", {"title": "没有权限",
                                                                "message": "您没有查看这里的权限。"}, request=request)
        return Response.html(html, status=403)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return guarded


async def _not_found(datasette, request, message: str) -> Response:
    html = await datasette.render_template("snm_message.html", {"message": message}, request=request)
    return Response.html(html, status=404)


class Links:
    """Addresses of the reading room's pages, with the store named when it is not the default."""

    def __init__(self, datasette, database: str, request):
        self.datasette, self.database = datasette, database
        self.db_arg = {"db": database} if request.args.get("db") else {}

    def _path(self, path: str, **params) -> str:
        params = {k: v for k, v in {**params, **self.db_arg}.items() if v not in (None, "")}
        return self.datasette.urls.path(path) + ("?" + urllib.parse.urlencode(params) if params else "")

    def articles(self, filters: Filters | None = None, fmt: str = "", **changes) -> str:
        query = (filters or Filters()).query_string(**changes)
        extra = urllib.parse.urlencode(self.db_arg)
        both = "&".join(part for part in (query, extra) if part)
        return self.datasette.urls.path("/-/articles" + fmt) + ("?" + both if both else "")

    def school(self, site: str) -> str:
        return self._path("/-/school", site=site)

    def run(self, run_id) -> str:
        return self._path(f"/-/runs/{run_id}")

    def article(self, article_id, q: str = "") -> str:
        href = self.datasette.urls.row(self.database, "articles", str(article_id))
        return href + ("?" + urllib.parse.urlencode({"q": q}) if q else "")


_choices_cache: dict[tuple[int, str], tuple[tuple, dict]] = {}


async def _choices(db, filters: Filters) -> dict:
    """What the filter menus offer: every school, the commonest sources, topics and months;
    read again only when a crawl wrote the store (four aggregates over every article are
    most of a page's time on a large store)."""
    # what changes when a crawl writes: its run, the articles' number and newest id (read from
    # indexes: the newest fetch time was a scan of every row, 30 ms a page at 100,000 articles)
    state = tuple((await db.execute("select (select max(id) from articles), (select count(*) from articles), "
                                    "(select max(id) || ' ' || coalesce(finished_at, '') from crawl_runs "
                                    "where id = (select max(id) from crawl_runs))")).first())
    key = (id(db), db.name)
    cached = _choices_cache.get(key)
    if cached and cached[0] == state:
        return cached[1]

    async def values(sql: str) -> list:
        return [row[0] for row in (await db.execute(sql)).rows if row[0]]

    found = {
        "sites": await values("select site from articles group by site order by site"),
        "sources": await values("select source from articles where source is not null and source != '' "
                                "group by source order by count(*) desc limit 60"),
        "topics": await values("select topic from article_topics group by topic order by count(*) desc limit 40"
                               if await db.table_exists("article_topics") else
                               "select value from articles, json_each(case when json_valid(articles.topics) "
                               "then articles.topics else '[]' end) group by value order by count(*) desc limit 40"),
        "months": await values("select month from articles where month is not null group by month "
                               "order by month desc limit 120"),
    }
    _choices_cache[key] = (state, found)
    return found


def _words(term: str) -> list[str]:
    """A phrase cut into its words (二十大精神 -> 二十大, 精神), to offer them apart."""
    import jieba  # loaded on the first phrase that finds nothing: its dictionary takes a second

    return [w for w in (w.strip() for w in jieba.lcut(term)) if w and query_terms(w)]


async def _apart(db, filters: Filters) -> dict | None:
    """When a search finds nothing as written: the same words apart, and how many articles hold them all."""
    words = []
    for term in query_terms(filters.q):
        words += _words(term)
    if len(words) < 2 or words == query_terms(filters.q):
        return None
    apart = replace(filters, q=" ".join(words), sort="", page=1)
    sql, params = article_list.count_sql(apart, await db.table_exists("article_topics"))
    total = (await db.execute(sql, params)).first()[0]
    return {"words": words, "total": total, "filters": apart} if total else None


async def articles_page(datasette, request, db):
    database = db.name
    filters = Filters.from_args(request.args)
    links = Links(datasette, database, request)
    terms = query_terms(filters.q)
    message = query_problem(filters.q)
    if filters.q and not terms:
        filters = replace(filters, q="")
    topics_table = await db.table_exists("article_topics")
    sql, params = article_list.count_sql(filters, topics_table)
    total = (await db.execute(sql, params)).first()[0]
    last_page = article_list.pages(total, filters.page)
    if filters.page > last_page:  # a page past the end (an old link, a typed number): the last one
        filters = replace(filters, page=last_page)
    sql, params = article_list.rows_sql(filters, topics_table=topics_table)
    rows = [dict(row) for row in (await db.execute(sql, params)).rows]
    apart = await _apart(db, filters) if filters.q and not total else None
    column_name = None
    if filters.column:
        named = (await db.execute("select name from columns where start_url = ?", [filters.column])).first()
        column_name = (named[0] if named else None) or filters.column
    context = {
        "database": database, "filters": filters, "total": total, "rows": rows, "page": filters.page,
        "last_page": last_page, "page_size": PAGE_SIZE, "sorts": SORTS, "order": filters.order,
        "choices": await _choices(db, filters), "message": message, "terms": terms, "apart": apart,
        "links": links, "value_labels": value_labels(datasette), "column_name": column_name,
        "sql_url": datasette.urls.table(database, "articles"),
    }
    html = await datasette.render_template("snm_articles.html", context, request=request)
    return Response.html(html)


async def articles_export(datasette, request, db):
    """Every row of the list the address describes, as xlsx or CSV (exports.py)."""
    filters = Filters.from_args(request.args)
    if filters.q and not query_terms(filters.q):
        filters = replace(filters, q="")
    sql, params = article_list.rows_sql(filters, columns=exports.EXPORT_COLUMNS, limit=None,
                                        topics_table=await db.table_exists("article_topics"))
    fmt = request.url_vars["format"]

    def build(conn) -> bytes:
        """Every row, read and written in Datasette's database thread, off the event loop and
        outside the time limit of a page's queries (an export of 100,000 rows takes seconds)."""
        cursor = conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row)) for row in cursor]
        return exports.to_csv(rows) if fmt == "csv" else exports.to_xlsx(rows)

    body = await db.execute_fn(build)
    media = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = urllib.parse.quote(f"文章{('_' + filters.q[:20]) if filters.q else ''}.{fmt}")
    return Response(body, content_type=media,
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"})


async def school_page(datasette, request, db):
    database = db.name
    site = (request.args.get("site") or "").strip()
    if not site:
        return await _not_found(datasette, request, "没有找到这所学校。")
    links = Links(datasette, database, request)
    prefix = await health_prefix(db)
    health = (await db.execute(prefix + "select * from site_health where site = ?", [site])).first()
    articles = (await db.execute("select count(*), max(published_at) from articles where site = ?", [site])).first()
    if health is None and not articles[0]:
        return await _not_found(datasette, request, f"没有找到学校“{site}”。")
    labels = value_labels(datasette)
    problems = [{**dict(r), "words": problem_words(r["problem"], r["detail"], labels)}
                for r in (await db.execute(prefix + "select problem, detail, created_at from site_problems "
                                           "where site = ?", [site])).rows]
    columns = [dict(r) for r in (await db.execute(
        "select c.start_url, c.name, c.found_at, c.gone_at, c.walked_to_end_at, "
        "(select max(a.published_at) from articles a where a.list_url in "
        "(select url from list_pages p where p.start_url = c.start_url)) as newest, "
        "(select count(*) from list_pages p where p.start_url = c.start_url) as pages "
        "from columns c where c.site = ? order by c.gone_at is not null, c.name, c.start_url", [site])).rows]
    runs = [dict(r) for r in (await db.execute(
        "select s.*, r.started_at, r.finished_at from crawl_run_sites s join crawl_runs r on r.id = s.run_id "
        "where s.site = ? order by s.run_id desc limit 30", [site])).rows]
    recent = [dict(r) for r in (await db.execute(
        "select id, title, published_at, source from articles where site = ? "
        "order by published_at is null, published_at desc, id desc limit 20", [site])).rows]
    context = {"database": database, "site": site, "health": dict(health) if health else None,
               "problems": problems, "count": articles[0], "newest": articles[1], "columns": columns,
               "runs": runs, "recent": recent, "links": links, "value_labels": labels,
               "filters": Filters(site=site)}
    return Response.html(await datasette.render_template("snm_school.html", context, request=request))


async def run_page(datasette, request, db):
    database = db.name
    run_id = int(request.url_vars["run_id"])
    run = (await db.execute("select * from crawl_runs where id = ?", [run_id])).first()
    if run is None:
        return await _not_found(datasette, request, f"没有第 {run_id} 次采集的记录。")
    sites = [dict(r) for r in (await db.execute(
        "select * from crawl_run_sites where run_id = ? order by status = 'ok', site", [run_id])).rows]
    new = (await db.execute("select count(*) from articles where first_seen_run = ?", [run_id])).first()[0]
    neighbours = (await db.execute("select (select max(id) from crawl_runs where id < :id), "
                                   "(select min(id) from crawl_runs where id > :id)", {"id": run_id})).first()
    context = {"database": database, "run": dict(run), "sites": sites, "new": new, "links": Links(
        datasette, database, request), "value_labels": value_labels(datasette),
        "previous": neighbours[0], "next": neighbours[1], "filters": Filters(run=str(run_id))}
    return Response.html(await datasette.render_template("snm_run.html", context, request=request))


RUNS_SHOWN = 100


async def runs_page(datasette, request, db):
    database = db.name
    runs = [dict(r) for r in (await db.execute(
        "select id, started_at, finished_at, status, sites, new_articles, changed_articles, gone_articles, errors "
        "from crawl_runs order by id desc limit ?", [RUNS_SHOWN])).rows]
    context = {"database": database, "runs": runs, "links": Links(datasette, database, request),
               "value_labels": value_labels(datasette), "shown": RUNS_SHOWN,
               "sql_url": datasette.urls.table(database, "crawl_runs")}
    return Response.html(await datasette.render_template("snm_runs.html", context, request=request))


async def feed(datasette, request, db):
    """The Atom feed the crawl writes beside the store (``reports.atom`` for reports.db)."""
    atom = feed_file(datasette, db.name)
    if atom is None:
        return await _not_found(datasette, request, "还没有新报道的订阅源：完成一次采集后即会生成。")
    return Response(atom.read_bytes(), content_type="application/atom+xml; charset=utf-8")


REPOST_GROUPS_SHOWN = 100


async def reposts_page(datasette, request, db):
    """Repost groups: one report and the schools that carried it, the first publisher first."""
    database = db.name
    links = Links(datasette, database, request)
    # the groups that grew last (a copy, or a first publisher found late), read from the copies'
    # index (one article in twenty) and their first publishers, not from every article
    latest = [r[0] for r in (await db.execute(
        "select grp, max(seen) as last_seen from ("
        "select cluster_id as grp, first_seen_at as seen from articles where cluster_id != id union all "
        "select id, first_seen_at from articles where id in (select cluster_id from articles where cluster_id != id)"
        ") group by grp order by last_seen desc limit ?", [REPOST_GROUPS_SHOWN])).rows]
    groups = []
    for cluster_id in latest:
        groups.append(dict((await db.execute(
            "select cluster_id, count(*) as members, count(distinct site) as schools, max(first_seen_at) as last_seen "
            "from articles where cluster_id = ?", [cluster_id])).first()))
    groups.sort(key=lambda group: group["last_seen"] or "", reverse=True)
    for group in groups:
        group["articles"] = [dict(r) for r in (await db.execute(
            "select id, title, site, published_at from articles where cluster_id = ? "
            "order by id != cluster_id, published_at is null, substr(published_at, 1, 19), id limit 50",
            [group["cluster_id"]])).rows]
    context = {"database": database, "groups": groups, "links": links, "shown": REPOST_GROUPS_SHOWN}
    return Response.html(await datasette.render_template("snm_reposts.html", context, request=request))
