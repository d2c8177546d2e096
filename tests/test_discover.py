"""Schools given by name and homepage only: their news columns are found from the homepage
(menu links and the news boxes' 更多>> links), checked by content, crawled, and looked for
again now and then; ``--discover`` prints ready [[sites]] tables."""
from __future__ import annotations

import html
import sqlite3
import tomllib

import pytest

from demo.server import DemoServer
from demo.site import load_schools
from tests.helpers import DEMO_ARTICLES, count_articles, query, run_cli

NEWS_PATHS = {school.key: school.list_path for school in load_schools().values()}


@pytest.fixture(scope="module")
def home_nights(tmp_path_factory):
    """Two nights of the demo schools configured by homepage only, and what each asked for."""
    work = tmp_path_factory.mktemp("home")
    with DemoServer() as demo:
        config = work / "sites.toml"
        config.write_text(demo.config_toml(by_home=True), encoding="utf-8")
        db_path = work / "reports.db"
        first = run_cli("--once", "--config", config, "--db", db_path)
        first_hits = {key: demo.requests(key) for key in demo.schools}
        demo.clear_log()
        second = run_cli("--once", "--config", config, "--db", db_path)
        second_hits = {key: demo.requests(key) for key in demo.schools}
        yield demo, config, db_path, (first, first_hits), (second, second_hits)


def test_a_homepage_is_enough_to_store_every_article_and_nothing_else(home_nights):
    demo, _, db_path, (first, hits), _ = home_nights
    assert first.returncode == 0, first.stderr[-3000:]
    assert count_articles(db_path) == (DEMO_ARTICLES, DEMO_ARTICLES)
    stored = {row[0] for row in query(db_path, "SELECT url FROM articles")}
    assert stored == {article["url"] for article in demo.expected()}
    for key, school in demo.schools.items():
        assert "/" in hits[key]  # the homepage was read
        assert not [path for path in hits[key] if path.startswith(school.robots_disallow)]
        assert "/lxwm/index.htm" not in hits[key]  # 联系我们 is not news: not even asked


def test_the_found_columns_are_kept_with_their_names(home_nights):
    demo, _, db_path, *_ = home_nights
    found = query(db_path, "SELECT site, start_url, name FROM columns WHERE found_at IS NOT NULL ORDER BY site")
    assert sorted((site, url) for site, url, _ in found) == sorted(
        (school.name, demo.base_url(key) + school.list_path) for key, school in demo.schools.items())
    # 学校概况 / 信息公开 is a page, not a dated list: asked, and left out
    assert all(name == "新闻动态" for _, _, name in found)
    assert query(db_path, "SELECT SUM(columns_found) FROM crawl_run_sites WHERE run_id = 1") == [(3,)]
    assert "新发现栏目 1 个" in home_nights[3][0].stdout


def test_the_next_night_reads_the_known_columns_not_the_homepage(home_nights):
    demo, *_, (second, hits) = home_nights
    assert second.returncode == 0, second.stderr[-3000:]
    for key in demo.schools:
        assert "/" not in hits[key]
        assert NEWS_PATHS[key] in hits[key]


def test_columns_narrow_the_found_ones_by_name(tmp_path):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(by_home=True).replace('home = ', 'columns = ["党建"]\nhome = '),
                          encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
        assert all(NEWS_PATHS[key] not in demo.requests(key) for key in demo.schools)
    assert count_articles(tmp_path / "reports.db") == (0, 0)
    assert "首页上没有找到新闻栏目" not in result.stdout  # 党建工作 was a candidate; it just is no column here


def test_a_column_gone_from_the_homepage_is_reported_and_no_longer_crawled(tmp_path):
    with DemoServer() as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(by_home=True), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
        # a redesign: the news column moved and the old one is no longer linked
        home = demo.page("jiahe", "/").body.decode("utf-8")
        demo.replace("jiahe", "/", home.replace("/xwdt/list.htm", "/xwzx/list.htm"))
        conn = sqlite3.connect(db_path)
        conn.execute("UPDATE homes SET checked_at = '2020-01-01T00:00:00+08:00'")  # rediscovery is due
        conn.commit()
        conn.close()
        demo.clear_log()
        result = run_cli("--once", "--config", config, "--db", db_path)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "/" in demo.requests("jiahe") and "/xwdt/list.htm" not in demo.requests("jiahe")
    assert "1 个栏目已不在首页" in result.stdout
    gone = query(db_path, "SELECT start_url FROM columns WHERE gone_at IS NOT NULL")
    assert [url.rsplit("/", 2)[-2:] for (url,) in gone] == [["xwdt", "list.htm"]]


def test_a_list_built_by_a_script_is_said_in_one_line(tmp_path):
    script_page = ('<html><head><meta charset="utf-8"><title>通知公告</title></head><body><h2>通知公告</h2>'
                   '<ul id="list"></ul><script>$.ajax({url: "/api/notices.json", success: function (d) {'
                   'render(d); }});</script></body></html>')
    with DemoServer() as demo:
        demo.replace("jiahe", "/tzgg/list.htm", script_page)
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(by_home=True), encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
    assert result.returncode == 0
    assert "栏目「通知公告」的文章列表由脚本" in result.stderr
    assert "1 个栏目的列表由脚本生成" in result.stdout


def test_discover_prints_a_ready_sites_table(tmp_path):
    with DemoServer() as demo:
        base = demo.base_url("nanhu")
        result = run_cli("--discover", base + "/", "--quiet")
        article_requests = [p for p in demo.requests("nanhu") if p.startswith("/info/")]
    assert result.returncode == 0, result.stderr[-3000:]
    site = tomllib.loads(result.stdout)["sites"][0]
    assert site["name"] == "南湖交通运输职业学校"  # from the homepage's title
    assert site["start_urls"] == [base + NEWS_PATHS["nanhu"]]
    assert "# 新闻动态: 第一页 3 篇" in result.stdout
    assert article_requests == []  # only homepages and first list pages are read


def test_discover_from_a_csv_of_schools(tmp_path):
    with DemoServer() as demo:
        schools = tmp_path / "schools.csv"
        schools.write_text("name,home\n" + "".join(f"{s.name},{demo.base_url(k)}/\n" for k, s in demo.schools.items()),
                           encoding="utf-8-sig")
        result = run_cli("--discover", "--from", schools, "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    sites = tomllib.loads(result.stdout)["sites"]
    assert [s["name"] for s in sites] == [s.name for s in demo.schools.values()]
    assert all(len(s["start_urls"]) == 1 for s in sites)
    assert "[3/3]" in result.stderr  # progress


def test_a_site_needs_start_urls_or_a_home(tmp_path):
    config = tmp_path / "sites.toml"
    config.write_text('[[sites]]\nname = "某校"\n', encoding="utf-8")
    result = run_cli("--once", "--config", config, "--db", tmp_path / "x.db")
    assert result.returncode == 2 and "home" in result.stderr


def test_try_says_when_a_script_builds_the_list(tmp_path):
    script_page = ('<html><head><meta charset="utf-8"><title>新闻</title></head><body><ul id="news"></ul>'
                   '<script>document.write("<li>" + items[0].title + "</li>");</script></body></html>')
    with DemoServer() as demo:
        demo.replace("jiahe", "/js/list.htm", script_page)
        result = run_cli("--try", demo.base_url("jiahe") + "/js/list.htm", "--quiet")
    assert result.returncode == 1
    assert "文章列表由脚本（ajax/JSON 或 document.write）生成" in result.stdout


HOSTILE = '新闻动态\n]]\nstart_urls = ["http://evil.example.cn/"]\n[[sites]]\x1b[2J\x7f"\'\\'


def test_discover_prints_data_a_hostile_homepage_cannot_turn_into_config(tmp_path):
    """Link texts and the title carry newlines, quotes, ]], ESC and DEL; a 更多 link leads off-site."""
    home = (f'<html><head><meta charset="utf-8"><title>南湖"交通]]\x1b[31m学校\x7f</title></head><body>'
            f'<ul class="nav"><li><a href="/">首页</a></li><li><a href="/index/xwdt.htm">新闻{HOSTILE}</a></li></ul>'
            f'<div class="box"><h2>学校要闻</h2><a class="more" href="/index/xwdt.htm" title="{html.escape(HOSTILE)}">'
            f'更多&gt;&gt;</a></div><div class="box"><h2>通知公告</h2>'
            f'<a class="more" href="http://127.0.0.9:9/tzgg/list.htm">更多&gt;&gt;</a></div></body></html>')
    with DemoServer() as demo:
        demo.replace("nanhu", "/", home)
        base = demo.base_url("nanhu")
        result = run_cli("--discover", base + "/", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "\x1b" not in result.stdout and "\x7f" not in result.stdout
    parsed = tomllib.loads(result.stdout)  # parses: what the homepage wrote stayed inside values and comments
    assert len(parsed["sites"]) == 1 and set(parsed["sites"][0]) == {"name", "start_urls"}
    assert parsed["sites"][0]["start_urls"] == [base + NEWS_PATHS["nanhu"]]
    assert "evil" not in str(parsed) and "127.0.0.9" not in result.stdout


def test_discover_reads_csv_files_as_people_save_them(tmp_path):
    with DemoServer() as demo:
        rows = [(s.name, f"{demo.base_url(k)}/") for k, s in demo.schools.items()]
        files = {
            "gbk.csv": ("名称,首页\r\n" + "".join(f"{n},{h}\r\n" for n, h in rows)).encode("gbk"),
            "utf16.csv": ("name,home\n" + "".join(f"{n},{h}\n" for n, h in rows)).encode("utf-16"),
            # a row with one column, a 200 KB cell and a home that is no URL among the good rows
            "broken.csv": ("name,home\n" + f"{rows[0][0]},{rows[0][1]}\n" + "只有名称\n" + f"{'长' * 200_000},{rows[1][1]}\n"
                           + "某校,not a url\n" + "".join(f"{n},{h}\n" for n, h in rows[1:])).encode("utf-8"),
        }
        results = {}
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
            results[name] = run_cli("--discover", "--from", tmp_path / name, "--quiet")
    for name, result in results.items():
        assert result.returncode == 0, (name, result.stderr[-3000:])
        assert "Traceback" not in result.stderr
        assert [s["name"] for s in tomllib.loads(result.stdout)["sites"]] == [n for n, _ in rows], name
    skipped = [line for line in results["broken.csv"].stderr.splitlines() if "已跳过" in line]
    assert [line.split("：")[0].rsplit(" ", 1)[-1] for line in skipped] == ["第3行", "第4行", "第5行"]
