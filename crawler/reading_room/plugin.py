"""Datasette plugin: the store as a school office reads it. Search with substring meaning,
a first page that starts with search, an article page for reading, Chinese labels.

Why it exists: Datasette's own search quotes words for FTS5's tokenizer, which cannot cut
Chinese; its pages show column names and ISO timestamps; and ``db/metadata.yml`` only
names one database. Registered as a ``datasette`` entry point in pyproject.toml, it loads
wherever the project is installed, so ``datasette db/reports.db -m db/metadata.yml`` needs
no ``--plugins-dir``, and even a plain ``datasette db/demo.db`` has its SQL functions.

Search. The store indexes title, text and keywords as overlapping character pairs
(db/fts.py, pipelines/index.py); the plugin adds the query side:

* ``search_query(q)`` turns what a user types (思政, 主题党日, 党的二十大 运动会) into an FTS5
  expression that finds exactly the articles containing every term; never a syntax error
  (a lone quote, ``AND``, a space: words or nothing). ``jieba_query(q)`` is the same
  function under its old name, for saved queries.
* ``search_snippet(text, q[, width])``: the stretch of the text around the first hit, hits
  between ``<mark>`` tags; ``render_cell`` shows them highlighted (everything else escaped).
* in a store's connections, ``escape_fts`` (what the table's own search box ``?_search=``
  runs) is ``search_query``, so the box has the same meaning.

Pages (templates in ``crawler/reading_room/templates``, which Datasette finds as this plugin's
own: the package is the entry point; each falls back to Datasette's page outside a store):

* ``/`` (index.html): the search box, what the last run brought, each school's health;
* ``/DB/search?q=`` (query.html for the canned ``search``): hits with their snippets;
* ``/DB/articles/ID`` (row.html for ``articles``): the article for reading, its repost group;
* tables: labelled columns, the articles table without its internal columns (``?_col=``
  shows any), facets labelled, months in order (``_table.html``, ``_facet_results.html``);
* every page: a Chinese menu (base.html), error pages in Chinese (error.html), the login
  page of datasette-auth-passwords in Chinese (password_login.html);
* the office's own pages (articles, exports, schools, runs, feed): pages.py.

Labels of columns and values come from ``plugins: school-news-monitor`` in db/metadata.yml.

``db/metadata.yml`` is written for the database ``reports``; this plugin gives every
other database the server opens (db/demo.db, a ``--db`` of your own) the same labels,
facets, search and canned queries. It uses only Datasette's public API (0.64 and 0.65):
its plugin hooks, ``datasette.metadata()``, ``plugin_config()``, ``databases``, ``urls``.
"""
from __future__ import annotations

import copy
import json
import sqlite3
import sys
import threading
import urllib.parse
from pathlib import Path

from datasette import Response, hookimpl
from datasette.utils import escape_fts, tilde_decode
from markupsafe import Markup

from crawler.reading_room.article_list import query_problem
from crawler.reading_room.health import health_prefix
from crawler.reading_room.sharing import readers, sharing_metadata
from crawler.reading_room.snippet import highlighted, search_snippet
from crawler.reading_room.versions import changes
from crawler.reading_room.stores import config, feed_file, is_store, is_store_connection, value_labels
from crawler.reading_room.values import display_date, json_list, marked, safe_url
from db.fts import MAX_QUERY_CHARS, fts_query, query_terms

DASHBOARDS = "datasette-dashboards"
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_DATABASE = "reports"
NOT_STORES = {TEMPLATE_DATABASE, "_internal"}
# the articles table as a person reads it; ?_col= shows any other column
READ_COLUMNS = ("id", "title", "site", "published_at", "source", "author", "keywords", "topics", "cluster_id")

# datasette.metadata() calls every get_metadata hook, this one included: while this
# thread is inside that call, the hook adds nothing (no endless recursion).
_reading = threading.local()
@hookimpl
def forbidden(datasette, request, message):
    """A visitor who has not logged in, where only readers may look: to the login page, not an English 403."""
    if request is not None and request.actor is None and readers():
        return Response.redirect(datasette.urls.path("/-/login"))
    return None


# --- SQL functions


# trylast: after Datasette's own prepare_connection, whose escape_fts this wraps
@hookimpl(trylast=True)
def prepare_connection(conn, database, datasette):
    conn.create_function("search_query", 1, fts_query, deterministic=True)
    conn.create_function("jieba_query", 1, fts_query, deterministic=True)
    conn.create_function("search_snippet", 2, search_snippet, deterministic=True)
    conn.create_function("search_snippet", 3, search_snippet, deterministic=True)

    def escape(query):
        """What the table's search box runs: search_query in a store, Datasette's own elsewhere."""
        return fts_query(query) if is_store(datasette, database) else escape_fts(query)

    conn.create_function("escape_fts", 1, escape)
    if is_store_connection(conn):
        # a store is read page by page all over (facets, counts): map it instead of copying each page
        conn.execute("PRAGMA mmap_size = 1073741824")


@hookimpl
def startup(datasette):
    for name, db in datasette.databases.items():
        if db.path and not is_store(datasette, name) and _has_old_index(db.path):
            print(f"school-news-monitor: {db.path}: the search index is from an earlier version; the next crawl "
                  f"re-indexes it, or now: python -c \"from db.schema import open_db; open_db('{db.path}')\"",
                  file=sys.stderr)


def _has_old_index(path: str) -> bool:
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


# --- metadata


# what a store's articles table needs for its search box, with or without -m db/metadata.yml
STORE_METADATA = {"tables": {"articles": {"fts_table": "articles_fts", "fts_pk": "id"}}}


@hookimpl
def get_metadata(datasette, key, database, table):
    if getattr(_reading, "active", False):
        return {}
    _reading.active = True
    try:
        # -m metadata and other plugins' (everything but this hook's, see above)
        template = (datasette.metadata("databases") or {}).get(TEMPLATE_DATABASE)
        dashboards = (datasette.metadata("plugins") or {}).get(DASHBOARDS) or {}
    finally:
        _reading.active = False
    databases = {}
    stores = []
    for name in datasette.databases:
        # a copy per database: Datasette merges later metadata into what a hook returns, in place
        block = copy.deepcopy(template) if template and name not in NOT_STORES else {}
        if is_store(datasette, name):
            stores.append(name)
            if not block.get("tables", {}).get("articles", {}).get("fts_table"):
                block.setdefault("tables", {}).setdefault("articles", {}).update(STORE_METADATA["tables"]["articles"])
        if block:
            databases[name] = block
    out = {"databases": databases} if databases else {}
    shared = sharing_metadata()
    if shared:  # readers named in the environment: only they may look (crawler/reading_room/sharing.py)
        out["allow"] = shared["allow"]
        out.setdefault("plugins", {}).update(shared["plugins"])
    if stores and isinstance(dashboards, dict):
        # charts written without a database (db/metadata.yml) read the served store: reports, else the first
        store = TEMPLATE_DATABASE if TEMPLATE_DATABASE in stores else stores[0]
        charts = {slug: {"charts": {chart: {"db": store} for chart, spec in (board.get("charts") or {}).items()
                                    if isinstance(spec, dict) and "db" not in spec}}
                  for slug, board in dashboards.items() if isinstance(board, dict)}
        out.setdefault("plugins", {})[DASHBOARDS] = charts
    return out


# --- how values read


def _tags(items: list[str], href) -> Markup:
    return Markup('<span class="snm-tags">{}</span>').format(
        Markup("").join(Markup('<a class="snm-tag" href="{}">{}</a>').format(href(item), item) for item in items))


def _search_url(datasette, database: str, q: str) -> str:
    return datasette.urls.path("/-/articles") + "?" + urllib.parse.urlencode({"q": q})


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    async def inner():
        if value is None or not is_store(datasette, database):
            return None
        settings = config(datasette)
        if column == "snippet":
            return marked(value)
        if column in settings.get("date_columns", ()):
            shown = display_date(value)
            return Markup('<time datetime="{}">{}</time>').format(value, shown) if shown != value else None
        if column == "keywords":
            items = json_list(value)
            return _tags(items, lambda k: _search_url(datasette, database, k)) if items or value == "[]" else None
        if column == "topics":
            items = json_list(value)
            base = datasette.urls.path("/-/articles")
            return _tags(items, lambda t: base + "?" + urllib.parse.urlencode({"topic": t})) \
                if items or value == "[]" else None
        labels = value_labels(datasette).get(column)
        if labels and isinstance(value, str) and value in labels:
            return Markup('<span title="{}">{}</span>').format(value, labels[value])
        if column == "title" and table in (None, "articles"):
            keys = row.keys() if hasattr(row, "keys") else ()
            if "id" in keys and row["id"] is not None:
                href = datasette.urls.row(database, "articles", str(row["id"]))
                return Markup('<a href="{}">{}</a>').format(href, value)
        return None

    return inner


# --- pages


@hookimpl
def prepare_jinja2_environment(env, datasette):
    """Datasette lists the plugins' template folders in no set order; ours comes first among
    them, so its Chinese pages win over another plugin's (datasette-auth-passwords' login)."""
    loader = env.loader.loaders[0]  # the FileSystemLoader of Datasette's template paths
    paths = loader.searchpath
    if str(TEMPLATES) in paths:
        paths.remove(str(TEMPLATES))
    paths.insert(1 if datasette.template_dir else 0, str(TEMPLATES))
    env.filters["snm_date"] = display_date
    env.filters["snm_mark"] = marked


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        out: dict = {}
        if template == "index.html":
            stores = [name for name in datasette.databases if is_store(datasette, name)]
            if stores:
                out["snm_home"] = await _home(datasette, stores)
            return out
        if not is_store(datasette, database):
            return out
        out["snm_labels"] = config(datasette).get("labels", {})
        out["snm_read_columns"] = READ_COLUMNS
        url_vars = request.url_vars if request else {}
        if template == "row.html" and table == "articles" and url_vars.get("pks"):
            out["snm_article"] = await _article(datasette, database, url_vars["pks"], request.args.get("q") or "")
        elif template == "query.html" and url_vars.get("table") == "search":
            out["snm_search"] = await _search(datasette, database, request.args.get("q") or "")
        return out

    return inner


async def _search(datasette, database: str, q: str) -> dict:
    db = datasette.get_database(database)
    terms = query_terms(q)
    info = {"q": q, "terms": terms, "total": 0, "message": None,
            "table_url": datasette.urls.table(database, "articles") + "?" + urllib.parse.urlencode({"_search": q})}
    if not q.strip():
        info["message"] = "请输入要检索的词语或短语，例如：主题党日、党的二十大、课程思政。"
    elif not terms:
        info["message"] = query_problem(q)
    else:
        result = await db.execute("select count(*) from articles_fts where articles_fts match search_query(:q)",
                                  {"q": q})
        info["total"] = result.first()[0]
        if not info["total"]:
            shown = "”和“".join(terms)
            info["message"] = f"没有找到含有“{shown}”的文章。" + ("多个词须同时出现，可以减少词语再试。" if len(terms) > 1 else "")
    if len(q) > MAX_QUERY_CHARS:
        info["message"] = query_problem(q) + (info["message"] or "")
    return info


async def _article(datasette, database: str, pks: str, q: str = "") -> dict | None:
    db = datasette.get_database(database)
    try:
        article_id = int(tilde_decode(pks))  # Datasette's own encoding of a row's key in its URL
    except ValueError:
        return None
    # every column: a store of an earlier version (no layout yet) reads too, until its next crawl migrates it
    result = await db.execute("select * from articles where id = ?", [article_id])
    row = result.first()
    if row is None:
        return None
    article = dict(row)
    article.setdefault("layout", None)
    article["q"] = q
    article["images"] = [src for src in json_list(article["images"]) if safe_url(src)]
    article["blocks"], placed = reading_blocks(article["text"] or "", article.pop("layout", None), q)
    article["images"] = [src for src in article["images"] if src not in placed]  # the rest: below the text
    article["keywords"] = json_list(article["keywords"])
    article["topics"] = json_list(article["topics"])
    article["attachments"] = [link for link in json_list(article["attachments"]) if safe_url(link)]
    article["host"] = urllib.parse.urlsplit(article["url"] or "").netloc
    article["search_url"] = lambda term: datasette.urls.path("/-/articles") + "?" + urllib.parse.urlencode(
        {"q": term})
    article["topic_url"] = lambda t: datasette.urls.path("/-/articles") + "?" + urllib.parse.urlencode({"topic": t})
    article["site_url"] = datasette.urls.path("/-/school") + "?" + urllib.parse.urlencode({"site": article["site"]})
    article["versions"] = [
        {**dict(v), "changes": changes(v["text"] or "", v["next_text"] or "")}
        for v in (await db.execute(
            "select v.id, v.title, v.replaced_at, v.text, coalesce((select n.text from article_versions n "
            "where n.article_id = v.article_id and n.id > v.id order by n.id limit 1), :text) as next_text, "
            "coalesce((select n.title from article_versions n where n.article_id = v.article_id and n.id > v.id "
            "order by n.id limit 1), :title) as next_title "
            "from article_versions v where v.article_id = :id order by v.id desc",
            {"id": article_id, "text": article["text"] or "", "title": article["title"] or ""})).rows]
    article["json_url"] = datasette.urls.row(database, "articles", str(article_id), format="json")
    article["group"] = []
    if article["cluster_id"] is not None:
        members = await db.execute(
            "select id, title, site, published_at, url from articles where cluster_id = ? and id != ? "
            "order by published_at is null, substr(published_at, 1, 19), id limit 200",
            [article["cluster_id"], article_id])
        article["group"] = [{**dict(m), "first": m["id"] == article["cluster_id"],
                             "href": datasette.urls.row(database, "articles", str(m["id"]))} for m in members.rows]
    article["first"] = article["cluster_id"] == article_id and bool(article["group"])
    return article


def reading_blocks(text: str, layout_json: str | None, q: str) -> tuple[list[dict], set[str]]:
    """The article as blocks to show in order: paragraphs, subheadings (the layout's
    ``headings``) and photos after the paragraph they follow, each with its caption paragraph
    (shown under the photo, not again as text); and the photos placed so. The search term is
    marked in every text."""
    paragraphs = text.split("\n")
    try:
        layout = json.loads(layout_json) if layout_json else {}
    except ValueError:
        layout = {}
    layout = layout if isinstance(layout, dict) else {}
    headings = {n for n in layout.get("headings") or () if isinstance(n, int)}
    photos = [p for p in layout.get("photos") or () if isinstance(p, dict) and safe_url(p.get("src"))
              and isinstance(p.get("after"), int) and -1 <= p["after"] < len(paragraphs)]
    captions = {p["caption"] for p in photos if isinstance(p.get("caption"), int)}
    after: dict[int, list[dict]] = {}
    for photo in photos:
        after.setdefault(photo.get("after", -1), []).append(photo)

    def figures(number: int) -> list[dict]:
        return [{"kind": "photo", "src": p["src"],
                 "caption": marked(highlighted(paragraphs[p["caption"]].strip(), q))
                 if isinstance(p.get("caption"), int) and 0 <= p["caption"] < len(paragraphs) else None}
                for p in after.get(number, ())]

    blocks = figures(-1)
    for number, paragraph in enumerate(paragraphs):
        if paragraph.strip() and number not in captions:
            kind = "heading" if number in headings else "paragraph"
            blocks.append({"kind": kind, "html": marked(highlighted(paragraph.strip(), q))})
        blocks += figures(number)
    return blocks, {p["src"] for p in photos}


async def _home(datasette, stores: list[str]) -> dict:
    database = stores[0]
    db = datasette.get_database(database)
    home = {"database": database, "others": stores[1:], "run": None, "new": [], "new_count": 0, "schools": [],
            "search_action": datasette.urls.path("/-/articles"),
            "links": [(label, path) for label, path in (
                ("全部文章", datasette.urls.path("/-/articles")),
                ("概览图表", datasette.urls.path("/-/dashboards/overview")),
                ("采集记录", datasette.urls.path("/-/runs")),
                ("转载关系", datasette.urls.path("/-/reposts")),
            )],
            "feed_url": datasette.urls.path("/-/feed.atom") if feed_file(datasette, database) else None,
            "sql_url": datasette.urls.database(database)}
    run = (await db.execute("select id, started_at, finished_at, status, new_articles, changed_articles, "
                            "gone_articles, errors, sites from crawl_runs where finished_at is not null "
                            "order by id desc limit 1")).first()
    if run is not None:
        home["run"] = dict(run)
        home["new_count"] = (await db.execute("select count(*) from articles where first_seen_run = ?",
                                              [run["id"]])).first()[0]
        home["new"] = [{**dict(r), "href": datasette.urls.row(database, "articles", str(r["id"]))}
                       for r in (await db.execute(
                           "select id, title, site, published_at, source from articles where first_seen_run = ? "
                           "order by published_at desc limit 15", [run["id"]])).rows]
        home["new_url"] = datasette.urls.path("/-/articles") + "?" + urllib.parse.urlencode({"run": run["id"]})
        home["run_url"] = datasette.urls.path(f"/-/runs/{run['id']}")
    if not home["new"]:  # a quiet night: what was stored last, whenever
        home["recent"] = [{**dict(r), "href": datasette.urls.row(database, "articles", str(r["id"]))}
                          for r in (await db.execute(
                              "select id, title, site, published_at, source from articles "
                              "order by id desc limit 10")).rows]
    # every school: its articles, and its health as the store decides it (db/schema.py: site_health)
    health = await health_prefix(db)
    schools: dict[str, dict] = {}
    for r in (await db.execute(health + "select site, status, new_articles as new, errors, first_error, ok "
                               "from site_health")).rows:
        schools[r["site"]] = {**dict(r), "ok": bool(r["ok"]), "articles": 0, "newest": None, "problems": []}
    for r in (await db.execute("select site, count(*) as articles, max(published_at) as newest from articles "
                               "group by site")).rows:
        schools[r["site"]].update(articles=r["articles"], newest=r["newest"])
    for r in (await db.execute(health + "select site, problem, detail, created_at from site_problems")).rows:
        if r["site"] in schools:  # a school with neither articles nor a part in the last run is not listed
            schools[r["site"]]["problems"].append(dict(r))
    for school in schools.values():
        school["href"] = datasette.urls.path("/-/school") + "?" + urllib.parse.urlencode({"site": school["site"]})
    home["schools"] = sorted(schools.values(), key=lambda s: (s["ok"], s["site"]))
    home["value_labels"] = value_labels(datasette)
    return home
