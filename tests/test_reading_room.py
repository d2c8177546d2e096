"""The reading room's own pages, as an office uses them, on a real Datasette over a real store:
the demo's two nights (an article edited on the second, photos in the first article of each
school) plus 130 more reports stored by the store's own write path, so a search has more
than 100 hits. Search pages through every hit; exports hold every hit, in Chinese, without
markup; a school's page and a run's page; photos and an edit's diff on the article page; and
from the first page, two levels of links without Datasette's developer chrome."""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from db.schema import open_db, rebuild_search_index
from db.store import BatchResult, store_article
from demo.server import DemoServer
from tests.helpers import YOUNG, datasette_server, run_cli

EXTRA_REPORTS = 130
TERM = "党建"
# what Datasette's developer pages say, that no page on an office's path may
DEVELOPER_CHROME = ("Suggested facets", "This data as", "Apply", "Edit SQL", "Custom SQL query", "sorted by",
                    "rows where", "Advanced export")


def _reports(db, count: int) -> None:
    """``count`` more reports of the demo's first school, each on its own day, through the store's write path."""
    site, list_url = db.execute("select site, list_url from articles order by id limit 1").fetchone()
    result = BatchResult()
    with db.conn:
        for n in range(count):
            day = f"2022-{1 + n % 12:02d}-{1 + n % 28:02d}"
            row = {"url": f"http://127.0.0.1:9/info/2000/{5000 + n}.htm", "site": site, "list_url": list_url,
                   "title": f"第{n + 1}期{TERM}工作简报", "published_at": f"{day}T09:00:00+08:00", "month": day[:7],
                   "text": f"学院召开第{n + 1}次{TERM}工作推进会。\n会议部署了下一阶段的{TERM}重点任务。",
                   "source": "党委组织部", "author": "组织部", "content_hash": f"extra-{n}", "images": "[]",
                   "attachments": "[]", "keywords": "[]", "topics": '["党建"]', "first_seen_at": f"{day}T10:00:00+08:00"}
            store_article(db, row, [], None, row["first_seen_at"], result, None, False)
        rebuild_search_index(db.conn)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """(server root, database name, sqlite_utils store) of the demo's two nights and the extra reports;
    the demo schools stay up, so the photos the articles show load."""
    tmp = tmp_path_factory.mktemp("room")
    path, config = tmp / "reports.db", tmp / "sites.toml"
    with DemoServer() as demo:
        config.write_text(demo.config_toml(recheck_days=YOUNG), encoding="utf-8")
        for night in ("first", "next day"):
            if night == "next day":
                demo.show_next_day(repost=True)  # one article edited, two new, one carried by another school
            result = run_cli("--once", "--config", str(config), "--db", str(path))
            assert result.returncode == 0, result.stderr[-3000:]
        db = open_db(path)
        _reports(db, EXTRA_REPORTS)
        with datasette_server(path, "-m", "db/metadata.yml") as root:
            yield root, path.stem, db


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read(), response.headers.get("content-type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("content-type", "")


def html_of(url: str) -> str:
    status, body, _ = fetch(url)
    assert status == 200, url
    return body.decode("utf-8")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, class)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], attrs.get("class") or ""))


def links_of(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def containing(db, *terms) -> set[int]:
    rows = db.execute("select id, title || char(10) || text from articles").fetchall()
    return {i for i, text in rows if all(t in text for t in terms)}


def article_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'class="snm-title" href="/[^/"]+/articles/(\d+)', html)]


def test_a_search_of_more_than_100_hits_pages_through_all_of_them(room):
    root, _, db = room
    truth = containing(db, TERM)
    assert len(truth) > 100
    url, seen, pages = f"{root}/-/articles?q={urllib.parse.quote(TERM)}", [], 0
    while url:
        html = html_of(url)
        pages += 1
        seen += article_ids(html)
        assert f"共 {len(truth):,} 篇" in html
        nexts = [href for href, _ in links_of(html) if "page=" in href and "下一页" in html]
        match = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', html)
        url = root + match[1].replace("&amp;", "&") if match else None
        assert nexts or not match
    assert pages == -(-len(truth) // 50)
    assert len(seen) == len(set(seen)) and set(seen) == truth


def test_exports_hold_every_hit_in_chinese_without_markup(room):
    root, _, db = room
    truth = containing(db, TERM)
    html = html_of(f"{root}/-/articles?q={urllib.parse.quote(TERM)}")
    exports = {href.replace("&amp;", "&") for href, cls in links_of(html) if "snm-export" in cls}
    csv_url = next(h for h in exports if ".csv" in h)
    xlsx_url = next(h for h in exports if ".xlsx" in h)

    status, body, kind = fetch(root + csv_url)
    assert status == 200 and kind.startswith("text/csv")
    assert body.startswith(b"\xef\xbb\xbf")  # Excel and WPS read UTF-8 by its BOM
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == len(truth)
    assert {"标题", "学校", "发布时间", "来源", "原文网址", "正文"} <= set(rows[0])
    assert not {"etag", "content_hash", "id", "list_url"} & set(rows[0])
    assert "<mark>" not in body.decode("utf-8") and TERM in rows[0]["检索摘要"]
    titles = {title for (title,) in db.execute(f"select title from articles where id in "
                                                f"({','.join(map(str, truth))})")}
    assert {r["标题"] for r in rows} == titles

    status, body, kind = fetch(root + xlsx_url)
    assert status == 200 and "spreadsheetml" in kind
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["文章"]  # one sheet, no foreign-language notes
    sheet = book["文章"]
    header = [c.value for c in sheet[1]]
    assert "标题" in header and "发布时间" in header
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(truth)
    dates = [row[header.index("发布时间")] for row in values]
    assert all(isinstance(d, datetime) for d in dates)  # dates as dates, to sort and filter in Excel
    assert not any("<mark>" in str(v) for row in values for v in row)


def test_filters_narrow_and_sort_the_list(room):
    root, _, db = room
    site = db.execute("select site from articles group by site order by count(*) limit 1").fetchone()[0]
    html = html_of(f"{root}/-/articles?{urllib.parse.urlencode({'site': site, 'sort': 'oldest'})}")
    ids = article_ids(html)
    truth = [i for (i,) in db.execute("select id from articles where site = ? order by published_at, id", [site])]
    assert ids == truth[:50]
    month = db.execute("select month from articles where month is not null limit 1").fetchone()[0]
    ids = article_ids(html_of(f"{root}/-/articles?month={month}"))
    assert set(ids) == {i for (i,) in db.execute("select id from articles where month = ?", [month])}
    source = "党委组织部"
    status, body, _ = fetch(f"{root}/-/articles.csv?{urllib.parse.urlencode({'source': source, 'q': TERM})}")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    truth = containing(db, TERM) & {i for (i,) in db.execute("select id from articles where source = ?", [source])}
    assert len(rows) == len(truth) >= EXTRA_REPORTS and {r["来源"] for r in rows} == {source}


def test_a_phrase_found_only_apart_says_so_and_links_the_words(room):
    root, _, db = room
    html = html_of(f"{root}/-/articles?q={urllib.parse.quote('二十大精神')}")
    assert not containing(db, "二十大精神")
    both = containing(db, "二十大", "精神")
    assert both
    assert f"分开检索 二十大 精神：{len(both)} 篇" in html
    href = next(h for h, cls in links_of(html) if "snm-apart" in cls).replace("&amp;", "&")
    assert set(article_ids(html_of(root + href))) == both


def test_the_article_page_shows_its_photos_and_an_edit_as_a_diff(room):
    root, name, db = room
    article_id, images = db.execute("select id, images from articles where images != '[]' limit 1").fetchone()
    html = html_of(f"{root}/{name}/articles/{article_id}")
    srcs = re.findall(r'<figure class="snm-photo"><img src="([^"]+)"', html)  # among the paragraphs, in order
    assert srcs and srcs == json.loads(images)
    edited, = db.execute("select article_id from article_versions limit 1").fetchone()
    old, = db.execute("select text from article_versions where article_id = ?", [edited]).fetchone()
    new, = db.execute("select text from articles where id = ?", [edited]).fetchone()
    html = html_of(f"{root}/{name}/articles/{edited}")
    assert "修改记录" in html
    added = [p for p in new.split("\n") if p and p not in old]
    assert added and all(any(part in html for part in re.split(r"(?<=。)", p) if part) for p in added)
    assert 'class="snm-added"' in html


def test_a_school_page_and_a_run_page(room):
    root, _, db = room
    site = db.execute("select site from articles limit 1").fetchone()[0]
    html = html_of(f"{root}/-/school?{urllib.parse.urlencode({'site': site})}")
    count = db.execute("select count(*) from articles where site = ?", [site]).fetchone()[0]
    assert f"{count:,} 篇" in html and "采集记录" in html
    runs = [href for href, _ in links_of(html) if href.startswith("/-/runs/")]
    assert runs
    run_html = html_of(root + runs[0])
    assert site in run_html and "各学校" in run_html
    status, body, _ = fetch(f"{root}/-/school?site=no-such-school")
    assert status == 404 and "没有找到" in body.decode()


def test_two_levels_of_links_from_the_first_page_are_chinese_pages(room):
    """Every page an office reaches from the first page in two clicks: ours, in Chinese,
    without Datasette's developer chrome; SQL is one click away on a link that says so."""
    root, _, _ = room
    first = html_of(root + "/")
    sql_links = [h for h, cls in links_of(first) if "snm-sql" in cls or h.startswith("/reports")]
    assert sql_links  # SQL for who wants it
    level, seen = ["/"], {"/"}
    for _ in range(2):
        following = []
        for path in level:
            html = html_of(root + path)
            for href, cls in links_of(html):
                href = href.replace("&amp;", "&")
                if not href.startswith("/") or href.startswith("//") or "snm-sql" in cls:
                    continue  # the school's own pages, and the link offered to SQL users
                if re.search(r"\.(csv|xlsx|json|atom)(\?|$)", href) or href in seen:
                    continue
                seen.add(href)
                following.append(href)
        for path in following:
            status, body, kind = fetch(root + path)
            assert status == 200, path
            text = body.decode("utf-8")
            found = [chrome for chrome in DEVELOPER_CHROME if chrome in text]
            assert not found, f"{path}: {found}"
        level = following
    assert len(seen) > 20


def test_an_address_that_leads_nowhere_is_a_chinese_page(room):
    root, name, _ = room
    for path in ("/no-such-database", f"/{name}/articles/999999", "/-/runs/999999"):
        status, body, _ = fetch(root + path)
        text = body.decode("utf-8")
        assert status == 404 and ("没有找到" in text or "没有第" in text) and "Error 404" not in text, path


def test_the_plugin_templates_are_found_as_datasettes_plugins_are(room):
    root, _, _ = room
    plugins = json.loads(fetch(root + "/-/plugins.json")[1])
    ours = next(p for p in plugins if p["name"] == "school-news-monitor")
    assert ours["templates"] is True and "register_routes" in ours["hooks"]


def test_the_reposts_page_lists_each_group_first_publisher_first(room):
    root, _, db = room
    html = html_of(root + "/-/reposts")
    groups = db.execute("select cluster_id, count(*) from articles where cluster_id is not null "
                        "group by cluster_id having count(*) > 1").fetchall()
    assert groups and html.count('<section class="snm-group">') == len(groups)
    for cluster_id, members in groups:
        first = html.index(f"/articles/{cluster_id}\"")
        titles = [t for (t,) in db.execute("select title from articles where cluster_id = ?", [cluster_id])]
        assert all(t in html for t in titles) and f"共 {members} 篇" in html and first > 0


def test_the_article_page_shows_subheadings_as_headings(room):
    root, name, db = room
    for article_id, text, layout in db.execute("select id, text, layout from articles where layout like '%headings\": [_%'"):
        headings = [text.split("\n")[n] for n in json.loads(layout)["headings"]]
        html = html_of(f"{root}/{name}/articles/{article_id}")
        assert all(f'<h3 class="snm-subheading">{h}</h3>' in html for h in headings), headings
        break
    else:
        pytest.fail("no demo article has subheadings")


def test_an_export_never_carries_a_formula():
    """A page title that starts like a formula (=HYPERLINK…, +, -, @) stays text in Excel and WPS."""
    from crawler.reading_room.exports import to_csv, to_xlsx

    rows = [{"title": '=HYPERLINK("http://x.invalid","点此")', "site": "甲校", "published_at": "2023-05-06",
             "source": "-1+1", "author": None, "editor": None, "views": 3, "keywords": "[]", "topics": "[]",
             "text": "正文", "url": "http://x.invalid/1.htm"}]
    line = to_csv(rows).decode("utf-8-sig").splitlines()[1]
    assert line.startswith("\"'=HYPERLINK") and ",'-1+1," in line
    cell = load_workbook(io.BytesIO(to_xlsx(rows)))["文章"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_a_column_of_the_school_page_lists_its_articles(room):
    root, _, db = room
    start_url, site = db.execute("select start_url, site from list_pages group by start_url limit 1").fetchone()
    truth = {i for (i,) in db.execute("select id from articles where list_url in "
                                      "(select url from list_pages where start_url = ?)", [start_url])}
    school = html_of(f"{root}/-/school?{urllib.parse.urlencode({'site': site})}")
    href = next(h.replace("&amp;", "&") for h, _ in links_of(school) if "column=" in h
                and urllib.parse.quote(start_url, safe="") in h)
    listed = html_of(root + href)
    assert truth and f"共 {len(truth):,} 篇" in listed and set(article_ids(listed)) <= truth


def test_odd_addresses_are_pages_not_errors(room):
    root, _, _ = room
    for path in ("/-/articles?run=%C2%B2", "/-/articles?page=1000000000000000000", "/-/articles?page=999",
                 "/-/articles?run=99999999999999999999", "/-/runs/99999999999999999999", "/-/articles?month=x"):
        status, body, _ = fetch(root + path)
        assert status in (200, 404), (path, status)
    html = html_of(root + "/-/articles?page=999")
    assert article_ids(html)  # past the end: the last page, not an empty one


def test_a_store_of_an_earlier_version_reads_until_its_next_crawl(room, tmp_path):
    """A store written before layout existed (no column yet): its article pages still open."""
    _, name, db = room
    old = tmp_path / "old.db"
    with sqlite3.connect(db.conn.execute("PRAGMA database_list").fetchone()[2]) as source, \
            sqlite3.connect(old) as target:
        source.backup(target)
        target.execute("ALTER TABLE articles DROP COLUMN layout")
    article_id = db.execute("select id from articles order by id limit 1").fetchone()[0]
    with datasette_server(old, "-m", "db/metadata.yml") as root:
        html = html_of(f"{root}/old/articles/{article_id}")
    assert 'class="snm-text"' in html
