"""Sites that try to lead the crawler astray or wear it out (issue 17), on real loopback
servers, with real ``scheduler.py --once`` crawls into real SQLite files:

* redirects (HTTP and ``<meta http-equiv="refresh">``) to another host are not followed:
  the other host gets no request at all, not even robots.txt;
* an article whose pages go on and on is stored with its first ``max_article_pages``;
* a list page with thousands of links in one block is read in linear time, and at most
  ``max_links_per_list`` of its links are taken;
* a malformed link costs that link, not its list page;
* an article that fails for good is remembered (skipped_links, with a weekly recheck)
  instead of making its column a gap walked again every night;
* edits of young articles are seen behind a list page that answers 304;
* a start URL robots.txt forbids says so as the school's first error;
* a refresh stopped at the time limit is logged as stopped, not finished.
"""
from __future__ import annotations

import logging
import sqlite3
import sys

import pytest

from demo.generated import edit_articles, generated_schools
from demo.server import DemoServer
from demo.site import Page
from tests.helpers import ROOT, Host, check_store, query, run_cli

# ------------------------------------------------------------------ a host that records every request


def html(text: str) -> Page:
    return Page(text.encode("utf-8"), "text/html; charset=utf-8")


def add_to_list(demo: DemoServer, key: str, items: str) -> None:
    """Put ``items`` (HTML) on top of school ``key``'s first list page."""
    school = demo.schools[key]
    listing = demo.page(key, school.list_path).body.decode(school.encoding)
    first = listing.index("<li")
    demo.serve(key, school.list_path, Page(
        (listing[:first] + items + listing[first:]).encode(school.encoding), f"text/html; charset={school.declared}"))


def item(path: str, title: str, date: str = "2024-01-01") -> str:
    return f'<li><a href="{path}" title="{title}">{title}</a><span>{date}</span></li>'


def site_row(db_path, site: str, run_id: int | None = None) -> dict:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        run_id = run_id or conn.execute("SELECT MAX(run_id) FROM crawl_run_sites").fetchone()[0]
        return dict(conn.execute("SELECT * FROM crawl_run_sites WHERE run_id = ? AND site = ?", (run_id, site))
                    .fetchone())
    finally:
        conn.close()


def spider_lines(result, *parts: str) -> list[str]:
    return [line for line in result.stderr.splitlines()
            if "[spiders.news]" in line or "[crawler." in line
            if all(p in line for p in parts)]


SCHOOL = "第1测试职业学校"
ENDLESS = "/2024/0101/c1234a70003/page.htm"
ENDLESS_PAGES = 60  # served; more than enough to show the cut at 20


def endless_article(n: int) -> Page:
    """Page ``n`` of an article whose pager always shows one page more."""
    pager = " ".join(f'<a href="page_{k}.htm">{k}</a>' for k in range(2, n + 2))
    return html(f"""<html><head><title>没有尽头的文章</title></head><body>
<div class="article"><h1 class="arti_title">没有尽头的文章</h1>
<p class="arti_metas"><span class="arti_update">发布时间：2024-01-01</span></p>
<div class="wp_articlecontent"><p style="text-indent:2em">这是没有尽头的文章的第{n}页，每一页都有足够长的正文段落，用来检验分页文章的页数上限。</p></div>
<div class="fy">{pager} <a href="page_{n + 1}.htm">下一页</a></div></div></body></html>""")


# ------------------------------------------------------------------ 1, 2, 4, 8: one hostile night


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    schools = generated_schools(schools=1, count=4, per_page=4)
    with DemoServer(schools) as demo, Host("127.0.0.2") as foreign, Host("127.0.0.3") as forbidding, \
            Host("127.0.0.4") as moved:
        # the foreign host would serve a fine article at any path, and a robots.txt allowing all
        article = demo.page("gen1", schools["gen1"].article_path(schools["gen1"].articles[0])).body
        foreign.default = Page(article.replace(schools["gen1"].articles[0]["title"].encode(), "外站文章".encode()))
        foreign.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow:\n", "text/plain")
        away = foreign.base + "/2024/0101/c1234a70001/page.htm"
        demo.serve("gen1", "/2024/0101/c1234a70001/page.htm", Page(b"", status=302, location=away))
        demo.serve("gen1", "/2024/0101/c1234a70002/page.htm", html(
            f'<html><head><meta http-equiv="refresh" content="0;url={foreign.base}/2024/0101/c1234a70002/page.htm">'
            '</head><body>正在跳转</body></html>'))
        demo.serve("gen1", ENDLESS, endless_article(1))
        for n in range(2, ENDLESS_PAGES + 1):
            demo.serve("gen1", ENDLESS.replace("page.htm", f"page_{n}.htm"), endless_article(n))
        add_to_list(demo, "gen1", "".join([
            item("/2024/0101/c1234a70001/page.htm", "跳转到外站的文章"),
            item("/2024/0101/c1234a70002/page.htm", "用meta refresh跳到外站的文章"),
            item(ENDLESS, "没有尽头的文章"),
            item("http://127.0.0.1:99999/2024/0101/c1234a70004/page.htm", "端口写错的链接"),
            item("http://[::1/2024/0101/c1234a70005/page.htm", "IPv6写残的链接"),
        ]))
        demo.serve("gen1", "/moved/list.htm", Page(b"", status=302, location=foreign.base + "/xwdt/list.htm"))
        forbidding.pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n", "text/plain")
        moved.pages["/robots.txt"] = Page(b"", status=302, location=foreign.base + "/robots.txt")
        moved.pages["/xwdt/list.htm"] = Page(b"", status=302, location=foreign.base + "/xwdt/list.htm")
        base = demo.base_url("gen1")
        config = tmp / "sites.toml"
        config.write_text(f"""
[[sites]]
name = "{SCHOOL}"
start_urls = ["{base}/xwdt/list.htm", "{base}/moved/list.htm"]

[[sites]]
name = "全站禁止的学校"
start_urls = ["{forbidding.base}/xwdt/list.htm"]

[[sites]]
name = "搬走的学校"
start_urls = ["{moved.base}/xwdt/list.htm"]

[crawl]
download_delay = 0
autothrottle = false
""", encoding="utf-8")
        db_path = tmp / "reports.db"
        result = run_cli("--once", "--config", config, "--db", db_path, timeout=240)
        school_paths = demo.requests("gen1")
        expected = {a["url"] for a in demo.expected()}
    yield {"result": result, "db": db_path, "foreign": foreign.hits, "school_paths": school_paths,
           "expected": expected, "base": base, "foreign_base": foreign.base}


def test_the_hostile_night_finishes_with_a_sound_store(hostile):
    assert hostile["result"].returncode == 0, hostile["result"].stderr[-3000:]
    check_store(hostile["db"])


def test_no_redirect_leaves_the_schools_hosts(hostile):
    assert hostile["foreign"] == []  # not a page, not robots.txt
    assert query(hostile["db"], "SELECT COUNT(*) FROM articles WHERE url LIKE 'http://127.0.0.2%' "
                                "OR title = '外站文章'") == [(0,)]
    assert query(hostile["db"], "SELECT COUNT(*) FROM url_aliases WHERE url LIKE 'http://127.0.0.2%'") == [(0,)]


def test_each_offsite_hop_is_counted_and_logged_once(hostile):
    # an article's 302, an article's meta refresh, a start URL's 302
    assert site_row(hostile["db"], SCHOOL)["offsite_redirects"] == 3
    # the moved school: its start URL's 302 and its robots.txt's 302
    assert site_row(hostile["db"], "搬走的学校")["offsite_redirects"] == 2
    for path in ("/2024/0101/c1234a70001/page.htm", "/2024/0101/c1234a70002/page.htm", "/xwdt/list.htm",
                 "/robots.txt"):
        lines = spider_lines(hostile["result"], "off-site", hostile["foreign_base"] + path)
        assert len(lines) == (2 if path == "/xwdt/list.htm" else 1), (path, lines)


def test_a_school_whose_start_url_redirects_off_site_fails_and_says_why(hostile):
    row = site_row(hostile["db"], "搬走的学校")
    assert row["status"] == "failed"
    assert "跳转到校外网站" in row["first_error"] and hostile["foreign_base"] in row["first_error"]


def test_an_endless_multi_page_article_is_stored_with_its_first_pages(hostile):
    text = query(hostile["db"], f"SELECT text FROM articles WHERE url = '{hostile['base']}{ENDLESS}'")
    assert text, "the article is stored"
    assert "第20页" in text[0][0] and "第21页" not in text[0][0]
    asked = [p for p in hostile["school_paths"] if p.startswith(ENDLESS.rsplit("/", 1)[0])]
    assert len(asked) == 20
    assert site_row(hostile["db"], SCHOOL)["article_pages_cut"] == 1
    assert len(spider_lines(hostile["result"], ENDLESS, "20")) >= 1


def test_a_malformed_link_is_skipped_and_the_rest_of_its_list_page_is_read(hostile):
    stored = {url for (url,) in query(hostile["db"], "SELECT url FROM articles")}
    assert hostile["expected"] <= stored
    assert site_row(hostile["db"], SCHOOL)["bad_links"] == 2
    assert len(spider_lines(hostile["result"], "99999")) == 1
    assert len(spider_lines(hostile["result"], "[::1")) == 1


def test_a_start_url_robots_txt_forbids_is_the_first_error(hostile):
    row = site_row(hostile["db"], "全站禁止的学校")
    assert row["status"] == "failed"
    assert row["first_error"] and "robots.txt 禁止" in row["first_error"]


# ------------------------------------------------------------------ 3: thousands of links in one block

LINKS_IN_ONE_DIV = 3000


def test_a_list_page_with_thousands_of_links_in_one_block_is_read_and_capped(tmp_path):
    links = "".join(f'<a href="/2024/0101/c1234a{80000 + n}/page.htm">第{n}条新闻：学校召开工作会议</a> 2024-01-01<br>'
                    for n in range(LINKS_IN_ONE_DIV))
    with Host("127.0.0.1", {"/xwdt/list.htm": html(f"<html><body><div>{links}</div></body></html>")}) as school:
        config = tmp_path / "sites.toml"
        config.write_text(f'[[sites]]\nname = "{SCHOOL}"\nstart_urls = ["{school.base}/xwdt/list.htm"]\n\n'
                          "[crawl]\ndownload_delay = 0\nautothrottle = false\nconcurrent_requests_per_domain = 8\n",
                          encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "r.db", timeout=90)
        articles_asked = [p for p in school.hits if p.endswith("/page.htm")]
    assert result.returncode == 0, result.stderr[-3000:]
    row = site_row(tmp_path / "r.db", SCHOOL)
    assert row["list_pages"] == 1 and row["article_links"] == 500
    assert row["list_links_cut"] == LINKS_IN_ONE_DIV - 500
    assert len(articles_asked) == 500
    lines = spider_lines(result, "max_links_per_list")
    assert len(lines) == 1 and str(LINKS_IN_ONE_DIV) in lines[0]


# ------------------------------------------------------------------ 5: articles that fail for good

FAILING = {
    "403": "/2023/1101/c1234a61001/page.htm",
    "500": "/2023/1101/c1234a61002/page.htm",
    "timeout": "/2023/1101/c1234a61003/page.htm",
    "file": "/2023/1101/c1234a61004/page.htm",
}


def nights_hits(demo, config, db_path, logs: list | None = None):
    """One refresh; the requests the schools answered (robots.txt aside). ``logs`` gets its stderr."""
    demo.clear_log()
    result = run_cli("--once", "--config", config, "--db", db_path)
    assert result.returncode == 0, result.stderr[-3000:]
    if logs is not None:
        logs.append(result.stderr)
    return [h for h in demo.hits() if h.path != "/robots.txt"]


@pytest.fixture(scope="module")
def failing_nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("failing")
    with DemoServer() as demo:
        demo.serve("jiahe", FAILING["403"], Page(b"Forbidden", "text/html", 403))
        demo.serve("jiahe", FAILING["500"], Page(b"Internal Server Error", "text/html", 500))
        demo.hang("jiahe", FAILING["timeout"])
        demo.serve("jiahe", FAILING["file"], Page(b"", "text/html", 302, location="file:///etc/passwd"))
        add_to_list(demo, "jiahe", "".join(item(path, f"总是失败的文章{name}", "2023-11-01")
                                           for name, path in FAILING.items()))
        config = tmp / "sites.toml"
        config.write_text(demo.config_toml(retry_times=1, download_timeout=2), encoding="utf-8")
        db_path = tmp / "reports.db"
        logs: list[str] = []
        nights = [nights_hits(demo, config, db_path, logs) for _ in range(3)]
        skipped = query(db_path, "SELECT url, reason, seen_at, recheck_at FROM skipped_links")
        # a week later: every failing link is due for its recheck
        conn = sqlite3.connect(db_path)
        with conn:
            conn.execute("UPDATE skipped_links SET recheck_at = '2000-01-01T00:00:00+08:00' "
                         "WHERE recheck_at IS NOT NULL")
        conn.close()
        nights.append(nights_hits(demo, config, db_path, logs))
        base = demo.base_url("jiahe")
    yield {"nights": nights, "logs": logs, "base": base, "db": db_path,
           "skipped": {url[len(base):]: rest for url, *rest in skipped if url.startswith(base)}}


def asked(hits, path) -> int:
    return sum(h.path == path for h in hits)


def timed_out(failing_nights, night: int) -> bool:
    """The hanging article was asked that night (a hanging answer is logged by the server only at its end)."""
    url = failing_nights["base"] + FAILING["timeout"]
    return any(url in line and "[spiders.news]" in line for line in failing_nights["logs"][night].splitlines())


def test_a_failing_article_is_remembered_with_its_reason_and_when(failing_nights):
    skipped = failing_nights["skipped"]
    assert set(FAILING.values()) <= set(skipped)
    reasons = {name: skipped[path][0] for name, path in FAILING.items()}
    assert "403" in reasons["403"] and "500" in reasons["500"]
    assert "file:///etc/passwd" in reasons["file"]
    for path in FAILING.values():
        seen_at, recheck_at = skipped[path][1:]
        assert seen_at and recheck_at and recheck_at[:10] > seen_at[:10]


def test_a_failure_that_may_pass_is_tried_the_next_night_and_a_permanent_one_is_not(failing_nights):
    second = failing_nights["nights"][1]
    assert asked(second, FAILING["500"]) == 2 and timed_out(failing_nights, 1)  # tried again, with its retry
    assert asked(second, FAILING["403"]) == 0 and asked(second, FAILING["file"]) == 0


def test_failing_articles_are_not_gaps_a_quiet_night_stays_three_304s(failing_nights):
    third = failing_nights["nights"][2]
    assert sorted((h.status, h.conditional) for h in third) == [(304, True)] * 3
    assert not timed_out(failing_nights, 2)


def test_a_failing_article_is_asked_again_at_its_weekly_recheck(failing_nights):
    fourth = failing_nights["nights"][3]
    assert all(asked(fourth, path) >= 1 for name, path in FAILING.items() if name != "timeout")
    assert timed_out(failing_nights, 3)


# ------------------------------------------------------------------ 7: edits behind an unchanged list


def test_an_edit_of_a_young_article_is_seen_behind_a_list_that_answers_304(tmp_path):
    schools = generated_schools(schools=1, count=6, per_page=3)  # one a day back from yesterday: all young
    with DemoServer(schools) as demo:
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")  # default recheck_days (7)
        db_path = tmp_path / "r.db"
        nights_hits(demo, config, db_path)
        demo.show(edit_articles(demo.schools, [("gen1", 4)]))  # on list page 2; no list page changes
        edited = nights_hits(demo, config, db_path)
        quiet = nights_hits(demo, config, db_path)
        edited_path = demo.schools["gen1"].article_path(demo.schools["gen1"].articles[4])
    list_hits = [h for h in edited if "list" in h.path]
    assert [(h.path, h.status) for h in list_hits] == [("/xwdt/list.htm", 304)]
    assert [h.path for h in edited if h.status == 200] == [edited_path]
    assert all(h.conditional for h in edited)
    assert query(db_path, "SELECT COUNT(*) FROM article_versions") == [(1,)]
    assert query(db_path, "SELECT changed_articles FROM crawl_runs WHERE id = 2") == [(1,)]
    # a quiet night asks the young articles again, and downloads none of them
    assert [h for h in quiet if h.status != 304] == []
    assert len(quiet) == 1 + 6


# ------------------------------------------------------------------ the time limit


def test_a_refresh_stopped_at_the_time_limit_is_logged_as_stopped(tmp_path):
    from crawler.runtime.child import ChildRunner

    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    log = logging.getLogger("test_hostile_sites.child")
    log.addHandler(Keep())
    log.setLevel(logging.INFO)
    with DemoServer() as demo:
        demo.slow(1.0)  # the crawl takes longer than the limit
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        runner = ChildRunner([sys.executable, str(ROOT / "scheduler.py"), "--once", "--config", str(config),
                              "--db", str(tmp_path / "r.db")], timeout_s=6, grace_s=60, log=log)
        code = runner.run()
    assert code == 0
    assert query(tmp_path / "r.db", "SELECT status FROM crawl_runs") == [("stopped",)]
    ends = [line for line in records if line.startswith("refresh ") and "started" not in line
            and "still running" not in line]
    assert len(ends) == 1 and "stopped at the time limit" in ends[0], records[-5:]
    assert not any("finished" in line for line in ends)
