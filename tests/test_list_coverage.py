"""A list page we only partly understand is said, never called healthy.

Real nights over the demo schools (``scheduler.py once`` against loopback servers, a real
webhook receiver, a real Datasette): one school's column page shows half of its dated items
as links the crawler cannot follow (``javascript:`` with a script call and no address). The
run summary says how many the list showed and how many were taken, the school's row in the
store is partial, its health in Datasette names the problem, and one alert says it.
"""
from __future__ import annotations

import re
import sqlite3
import urllib.request

import lxml.html
import pytest

from crawler.extract.listing import Coverage, DatesBeside, link_target, main_list
from demo.server import DemoServer
from tests.helpers import alerts_toml, datasette_server, run_cli
from tests.webhooks import Receiver, text_of

SCHOOL = "jiahe"


def hide_half_of_the_items(html: str) -> tuple[str, int]:
    """Every second article link of the list becomes ``javascript:void(0)`` with an onclick
    that opens the article by id (a shape the crawler cannot follow)."""
    links = re.findall(r'href="(/\d{4}/\d{4}/c\d+a\d+/page\.htm)"', html)
    for number, href in enumerate(links):
        if number % 2 == 1:
            html = html.replace(f'href="{href}"', f'href="javascript:void(0)" onclick="showNews({number})"', 1)
    return html, len(links) // 2


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coverage")
    receiver = Receiver()
    with DemoServer() as demo:
        school = demo.schools[SCHOOL]
        config = tmp / "sites.toml"
        config.write_text(demo.config_toml() + alerts_toml(receiver.url(), failures=2), encoding="utf-8")
        with urllib.request.urlopen(demo.base_url(SCHOOL) + school.list_path, timeout=10) as response:
            original = response.read().decode(response.headers.get_content_charset() or "utf-8")
        hidden_html, hidden = hide_half_of_the_items(original)
        assert hidden >= 2
        demo.replace(SCHOOL, school.list_path, hidden_html)
        results = []
        for _ in range(2):
            result = run_cli("once", "--config", config, "--db", tmp / "reports.db")
            assert result.returncode == 0, result.stderr[-3000:]
            results.append((result, receiver.take()))
        yield school, tmp / "reports.db", results, hidden
    receiver.close()


def test_the_run_summary_says_how_much_of_the_list_was_taken(nights):
    school, _, results, hidden = nights
    out = results[0][0].stdout
    m = re.search(r"列表未完全识别：栏目「[^」]+」：列表显示 (\d+) 条，识别 (\d+) 条", out)
    assert m, out
    shown, taken = int(m[1]), int(m[2])
    assert shown - taken == hidden


def test_the_school_is_partial_in_the_store_and_unhealthy_in_datasette(nights):
    school, db_path, _, _ = nights
    with sqlite3.connect(db_path) as db:
        status, partly, gap = db.execute(
            "SELECT status, lists_partly_understood, coverage_gap FROM crawl_run_sites WHERE site = ? "
            "ORDER BY run_id LIMIT 1", [school.name]).fetchone()
        assert status == "partial" and partly == 1 and "列表显示" in gap
        assert db.execute("SELECT ok, problems FROM site_health WHERE site = ?", [school.name]).fetchone() == (0, 1)
        assert [row[0] for row in db.execute("SELECT problem FROM site_problems WHERE site = ?", [school.name])] == [
            "coverage"]
        others = db.execute("SELECT site FROM site_health WHERE ok = 0 AND site != ?", [school.name]).fetchall()
        assert others == []
    with datasette_server(db_path, "-m", "db/metadata.yml") as root:
        with urllib.request.urlopen(root + "/", timeout=30) as response:
            home = response.read().decode()
    table = home[home.index("各学校状态"):]
    row = table[table.index(school.name):]
    row = row[:row.index("</tr>")]
    assert "列表未完全识别" in row


def test_one_alert_names_the_column_and_the_counts(nights):
    school, _, results, _ = nights
    first, second = results[0][1], results[1][1]
    assert f"{school.name}：列表页上的文章没有全部识别：栏目「" in text_of(first)
    assert "列表页上的文章" not in text_of(second)  # said once, not every night


def test_the_crawl_still_takes_what_it_can_follow(nights):
    school, db_path, _, hidden = nights
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT count(*) FROM articles WHERE site = ?", [school.name]).fetchone()[0]
    assert stored > 0


def elements(html: str):
    return lxml.html.fromstring(html).xpath("//a")


def test_the_main_list_is_the_largest_block_of_dated_headlines_whatever_the_markup():
    cards = "".join(f'<div class="card"><a href="/contents/12/{n}.html"><img src="/i/{n}.jpg">'
                    f"<h3>学院召开第{n}次党建工作推进会议(2023-05-0{n})</h3><p>摘要……</p></a></div>" for n in range(1, 7))
    sidebar = "".join(f'<li><a href="/contents/9/{n}.html">热点：校园开放日活动安排第{n}期</a><span>2023-04-0{n}</span></li>'
                      for n in range(1, 5))
    html = f'<html><body><div class="list">{cards}</div><ul class="hot">{sidebar}</ul></body></html>'
    main = main_list(elements(html), DatesBeside())
    assert [a.get("href") for a in main] == [f"/contents/12/{n}.html" for n in range(1, 7)]


def test_placeholder_links_lead_where_their_onclick_says():
    html = ('<a href="#" onclick="location.href=\'index_2.htm\'">下一页</a>'
            '<a href="javascript:;" onclick="window.open(\'/news/show.asp?id=12\')">x</a>'
            '<a href="javascript:void(0)" onclick="showNews(3)">y</a><a href="list.htm">z</a>')
    assert [link_target(a) for a in elements(html)] == ["index_2.htm", "/news/show.asp?id=12", None, "list.htm"]
    # an address the script builds is none we can follow (a miss the coverage check counts)
    built = '<a href="#" onclick="location.href=\'show.jsp?id=\'+3456">x</a><a href="#" onclick="doopen(\'123\')">y</a>'
    assert [link_target(a) for a in elements(built)] == [None, None]


def test_a_list_item_is_dated_by_its_row_not_by_a_date_its_headline_names():
    html = '<ul><li><a href="/a.htm" title="关于2019年5月1日召开教代会的通知">关于2019年5月1日召开教代会的通知</a>' \
           '<span>2023-05-10</span></li></ul>'
    assert DatesBeside().date(elements(html)[0]).strip() == "2023-05-10"


def test_a_list_is_partly_understood_only_when_enough_is_missed():
    assert Coverage(shown=20, taken=9).partial
    assert not Coverage(shown=20, taken=19).partial  # one item (a withdrawn link) is no alarm
    assert not Coverage(shown=3, taken=0).partial  # too few dated items to judge
    assert Coverage(shown=20, taken=9).note("学校新闻") == "栏目「学校新闻」：列表显示 20 条，识别 9 条"


def test_a_store_of_an_earlier_version_without_the_health_views_still_shows_its_schools(nights, tmp_path):
    school, db_path, _, _ = nights
    older = tmp_path / "reports.db"
    with sqlite3.connect(db_path) as source, sqlite3.connect(older) as target:
        source.backup(target)
        target.execute("DROP VIEW site_health")
        target.execute("DROP VIEW site_problems")
    with datasette_server(older, "-m", "db/metadata.yml") as root:
        with urllib.request.urlopen(root + "/", timeout=30) as response:
            assert response.status == 200
            home = response.read().decode()
    table = home[home.index("各学校状态"):]
    assert "列表未完全识别" in table[table.index(school.name):]
