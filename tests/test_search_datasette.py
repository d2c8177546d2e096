"""Search as users get it: a real Datasette on 127.0.0.1 over a crawl of the demo, started
with the README's command (``datasette DB -m db/metadata.yml``: the plugin comes from the
installed project's entry point, no --plugins-dir), as reports.db (what metadata.yml names)
and as demo.db (the plugin applies the same metadata to it).

Search has substring meaning: the truth for a term is the set of articles whose title or
text contains it (思政 inside 课程思政, 党的二十大 across jieba's words, a whole slogan), and
both the canned ``search`` query and the table's own box (``articles?_search=``) are held
to it. Whatever is typed, the answer is a page, never an error."""
from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from db.fts import fts_query
from db.schema import open_db
from tests.helpers import ROOT, datasette_server

TERMS = ["党建", "运动会", "主题教育", "红船精神", "技能大赛", "校企合作", "立德树人", "安全教育", "党史学习教育"]
# what a segmenter gets wrong: a word inside a longer one (思政 in 课程思政), a phrase across
# its words (党的二十大), a word it would widen (主题党日 is not 主题), whole slogans
SUBSTRINGS = ["主题党日", "产教融合", "思政", "党的二十大", "红船铸魂、双元强能、求真创新、报效祖国", "为党育人、为国育才"]
# what people type by mistake, and FTS5's own syntax: a message, never an error page
MALFORMED = ['"', " ", "AND", "OR", "NOT", '"党建', "党建 OR", "*", "(", ")", "NEAR(党建)", "title:党建", "-", "'",
             "党建\"", "^", "\u3000", ""]
# the venv's own command, as the README runs it
@pytest.fixture(scope="module", params=["reports", "demo"])
def datasette(request, crawled, tmp_path_factory):
    _, db = crawled
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    if path.stem != request.param:
        copy = tmp_path_factory.mktemp("served") / f"{request.param}.db"
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        path = copy
    with datasette_server(path, "-m", "db/metadata.yml") as root:
        base = f"{root}/{Path(path).stem}"
        yield base, db


def get(url: str, **params):
    with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=30) as response:
        return json.loads(response.read())


def page(url: str, **params) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url + "?" + urllib.parse.urlencode(params), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def containing(db, *terms) -> set[int]:
    rows = db.execute("select id, title || char(10) || text from articles").fetchall()
    return {i for i, text in rows if all(t in text for t in terms)}


def canned(base, q) -> set[int]:
    return {row["id"] for row in get(base + "/search.json", q=q, _shape="array")}


def table_box(base, q) -> set[int]:
    return {row["id"] for row in get(base + "/articles.json", _search=q, _shape="array", _size="max")}


def assert_finds(found: set[int], truth: set[int]):
    assert truth
    assert len(found & truth) >= 0.9 * len(truth), f"recall: {sorted(found)} vs {sorted(truth)}"
    assert len(found & truth) >= 0.9 * len(found), f"precision: {sorted(found)} vs {sorted(truth)}"


@pytest.mark.parametrize("term", TERMS + SUBSTRINGS)
def test_search_finds_every_article_with_the_term(datasette, term):
    base, db = datasette
    assert_finds(canned(base, term), containing(db, term))


@pytest.mark.parametrize("term", TERMS + SUBSTRINGS)
def test_table_search_box_finds_every_article_with_the_term(datasette, term):
    base, db = datasette
    assert_finds(table_box(base, term), containing(db, term))


def test_substrings_are_exact(datasette):
    """思政 finds 课程思政; 主题党日 is not widened to 主题; 党的二十大 is one phrase."""
    base, db = datasette
    assert containing(db, "课程思政") <= canned(base, "思政")
    assert containing(db, "主题") - containing(db, "主题党日")  # a widening would show
    for term in ("主题党日", "党的二十大", "思政"):
        assert canned(base, term) == table_box(base, term) == containing(db, term)


def test_search_with_two_words_needs_both(datasette):
    base, db = datasette
    truth = containing(db, "党建", "立德树人")
    assert truth and canned(base, "党建 立德树人") == truth == table_box(base, "党建 立德树人")
    assert containing(db, "党建") - truth  # a real narrowing


def test_search_rows_carry_what_users_read(datasette):
    base, _ = datasette
    rows = get(base + "/search.json", q="党建", _shape="array")
    assert {"url", "title", "site", "published_at", "snippet"} <= set(rows[0])
    assert "<mark>党建</mark>" in "".join(row["snippet"] for row in rows)


def test_search_ranks_title_hits_first(datasette):
    base, db = datasette
    rows = get(base + "/search.json", q="党建", _shape="array")
    in_title = [("党建" in row["title"]) for row in rows]
    assert all(in_title[:3]) and not all(in_title)


@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_queries_give_a_page_not_an_error(datasette, query):
    base, _ = datasette
    for path, params in (("/search", {"q": query}), ("/articles", {"_search": query})):
        status, html = page(base + path, **params)
        assert status == 200, (path, query, html[-500:])
        status, body = page(base + path + ".json", **params)
        assert status == 200, (path, query, body[-500:])


def test_a_pasted_page_as_query_is_cut_with_a_message(datasette):
    base, _ = datasette
    pasted = "党建 " + "学校召开党建工作会议，部署下一阶段工作。" * 60  # 1,203 characters (as long as a URL may be)
    status, html = page(base + "/search", q=pasted)
    assert status == 200 and "检索词过长" in html and "只按前 200 个字检索" in html
    assert fts_query(pasted) == fts_query(pasted[:200])
    status, _ = page(base + "/articles", _search=pasted)
    assert status == 200


def test_search_highlights_safely_in_html(datasette):
    base, _ = datasette
    status, html = page(base + "/search", q="思政")
    assert status == 200 and "<mark>思政</mark>" in html
    assert "&lt;mark&gt;" not in html


def test_facets_and_canned_queries(datasette):
    base, _ = datasette
    facets = get(base + "/articles.json", _size="0")["facet_results"]
    assert {"site", "source", "month", "topics"} <= set(facets)
    assert len(facets["site"]["results"]) == 3
    for query in ("latest", "new_in_last_run", "reposts", "announced"):
        assert "rows" in get(base + f"/{query}.json")
    assert len(get(base + "/latest.json", _shape="array")) == 17
    # a first crawl is three school baselines, not 17 new reports
    events = get(base + "/events.json", _shape="array")
    assert sorted(e["kind"] for e in events) == ["baseline"] * 3
    assert get(base + "/announced.json", _shape="array") == []


def test_plain_datasette_has_the_search_functions(crawled, tmp_path):
    """``datasette DB`` alone, run outside the checkout: the entry point brings the plugin."""
    _, db = crawled
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    with datasette_server(path, cwd=tmp_path) as root:
        base = f"{root}/{Path(path).stem}"
        for function in ("search_query", "jieba_query"):  # jieba_query: its name before, for saved queries
            rows = get(base + ".json", sql=f"select {function}('党建') as q", _shape="array")
            assert rows == [{"q": fts_query("党建")}] == [{"q": '"党建"'}]
        rows = get(base + ".json", _shape="array",
                   sql="select count(*) as n from articles_fts where articles_fts match search_query('思政')")
        assert rows[0]["n"] == len(containing(db, "思政")) > 0
        assert {r["id"] for r in get(base + "/articles.json", _search="思政", _shape="array")} == containing(db, "思政")
        plugins = get(base.rsplit("/", 1)[0] + "/-/plugins.json")
        ours = [p for p in plugins if p["name"] == "school-news-monitor"]
        assert ours and "prepare_connection" in ours[0]["hooks"]


def test_a_store_indexed_by_words_is_reindexed_when_opened(crawled, tmp_path):
    """A store written before (jieba words in a plain FTS5 table) gets the new index when the
    crawl opens it, and its search box then has substring meaning."""
    _, db = crawled
    path = tmp_path / "reports.db"
    with sqlite3.connect(db.conn.execute("PRAGMA database_list").fetchone()[2]) as source, \
            sqlite3.connect(path) as target:
        source.backup(target)
    with sqlite3.connect(path) as old:
        old.execute("DROP TABLE articles_fts")
        old.execute("DROP TABLE search_index")
        old.execute("DROP TABLE search_rows")
        old.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, keywords)")
        old.execute("INSERT INTO articles_fts (rowid, title, text, keywords) SELECT id, '课程思政', '', '' FROM articles")
    old.close()
    open_db(path).conn.close()
    with sqlite3.connect(path) as store:
        found = {row[0] for row in store.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                                                 [fts_query("思政")])}
    store.close()
    assert found == containing(db, "思政")
    with datasette_server(path, "-m", "db/metadata.yml") as root:
        base = f"{root}/{Path(path).stem}"
        assert table_box(base, "思政") == canned(base, "思政") == containing(db, "思政")


def test_first_page_starts_with_search_and_school_health(datasette):
    base, db = datasette
    status, html = page(base.rsplit("/", 1)[0] + "/")
    assert status == 200
    assert '<label for="snm-q">全文检索</label>' in html and 'action="/-/articles"' in html
    for (site,) in db.execute("select distinct site from articles"):
        assert site in html
    assert "各学校状态" in html and "正常" in html


def test_article_page_is_for_reading(datasette):
    base, db = datasette
    article_id, title, url, text, cluster = db.execute(
        "select id, title, url, text, cluster_id from articles where source is not null order by id limit 1").fetchone()
    status, html = page(f"{base}/articles/{article_id}")
    assert status == 200
    assert f"<h1>{title}</h1>" in html and f'href="{url}"' in html
    shown = html[html.index('class="snm-text"'):]
    blocks = shown.count("<p>") + shown.count('<h3 class="snm-subheading">') + shown.count("<figcaption>")
    assert blocks >= len([p for p in text.split("\n") if p.strip()])
    for internal in ("content_hash", "etag", "list_url", "first_seen_run"):
        assert internal not in html.split('class="content"', 1)[1]
    members = db.execute("select id from articles where cluster_id = (select cluster_id from articles a "
                         "group by cluster_id having count(*) > 1 limit 1)").fetchall()
    if members:
        status, html = page(f"{base}/articles/{members[0][0]}")
        assert all(f"/articles/{other}\"" in html for (other,) in members[1:])


def test_tables_read_in_chinese(datasette):
    base, db = datasette
    status, html = page(base + "/articles")
    assert status == 200
    assert ">学校</a>" in html and ">发布时间" in html and ">发布月份" in html  # headers, facet names
    iso = db.execute("select published_at from articles where published_at like '%T%' limit 1").fetchone()[0]
    assert f">{iso[:10]} {iso[11:16]}</time>" in html
    assert 'class="snm-tag"' in html  # keywords and topics as tags
    assert 'class="col-text' not in html  # the text is read on the article page
    months = [m for m in page(base + "/articles", _facet="month")[1].split('id="facet-month"', 1)[1]
              .split("</ul>", 1)[0].split(">") if m[:4].isdigit() and m[4:5] == "-"]
    months = [m.split("<")[0] for m in months]
    assert months and months == sorted(months, reverse=True)
    status, html = page(base + "/crawl_runs")
    assert "成功" in html and ">状态" in html


def test_snippets_are_escaped_but_marked(datasette):
    base, _ = datasette
    status, html = page(base, sql="select '<script>alert(1)</script><mark>思政</mark>' as snippet")
    assert status == 200
    assert "<mark>思政</mark>" in html and "<script>alert(1)" not in html


def test_search_exports_to_excel(datasette):
    base, _ = datasette
    with urllib.request.urlopen(base + "/search.xlsx?" + urllib.parse.urlencode({"q": "思政"}), timeout=30) as r:
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert r.read(2) == b"PK"


def test_dashboard_of_the_store(datasette):
    """/-/dashboards/overview (datasette-dashboards, charts in db/metadata.yml) reads the served store."""
    base, db = datasette
    root, name = base.rsplit("/", 1)
    status, html = page(root + "/-/dashboards/overview")
    assert status == 200 and "概览" in html
    charts = yaml.safe_load((ROOT / "db" / "metadata.yml").read_text(encoding="utf-8"))[
        "plugins"]["datasette-dashboards"]["overview"]["charts"]
    assert f"{name}.json" in html or f'"{name}"' in html or f"&#34;{name}&#34;" in html  # the charts' database
    for slug, chart in charts.items():
        rows = get(base + ".json", sql=chart["query"], _shape="array")
        assert rows, slug
    total = get(base + ".json", sql=charts["articles"]["query"], _shape="array")[0]["count"]
    assert total == db.execute("select count(*) from articles").fetchone()[0]
