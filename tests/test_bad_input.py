"""Bad pages a school's site serves: each gives one clear log line and a counted error (or
is stored right), and the school's other articles are unaffected.

The bad pages (tests/bad_pages.py) are listed on top of 嘉禾's first list page, and 嘉禾
gets a second column that is an endless pagination trap.
"""
from __future__ import annotations

import sqlite3

import pytest

from demo.server import DemoServer
from demo.site import Page
from tests.bad_pages import serve_bad_pages
from tests.helpers import query, run_cli

TRAP_PAGES = 500


@pytest.fixture(scope="module")
def bad_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad")
    with DemoServer() as demo:
        paths = serve_bad_pages(demo)
        for n in range(1, TRAP_PAGES + 1):  # 下一页 forever, as calendar and search pages do
            demo.serve("jiahe", f"/trap/list{n}.htm", Page(
                f'<html><body><ul></ul><a href="/trap/list{n + 1}.htm">下一页</a></body></html>'.encode()))
        base = demo.base_url("jiahe")
        config = demo.config_toml().replace(f'start_urls = ["{base}/xwdt/list.htm"]',
                                            f'start_urls = ["{base}/xwdt/list.htm", "{base}/trap/list1.htm"]')
        (tmp / "sites.toml").write_text(config, encoding="utf-8")
        db_path = tmp / "reports.db"
        result = run_cli("--once", "--config", tmp / "sites.toml", "--db", db_path)
        trap_requests = [p for p in demo.requests("jiahe") if p.startswith("/trap/")]
        expected = {a["url"] for a in demo.expected()}
    conn = sqlite3.connect(db_path)
    stored = {url: title for url, title in conn.execute("SELECT url, title FROM articles")}
    row = conn.execute("SELECT errors, status FROM crawl_run_sites WHERE site = '嘉禾职业技术学院'").fetchone()
    conn.close()
    return {"result": result, "db": db_path, "paths": {k: base + v for k, v in paths.items()}, "stored": stored,
            "expected": expected, "errors": row[0], "status": row[1], "trap_requests": trap_requests}


def test_the_run_finishes_and_the_other_articles_are_all_stored(bad_night):
    assert bad_night["result"].returncode == 0
    assert bad_night["expected"] <= set(bad_night["stored"])


def test_a_page_declared_utf8_that_is_gbk_is_stored_readable(bad_night):
    assert bad_night["stored"][bad_night["paths"]["gbk declared utf-8"]] == "声明为UTF-8实为GBK的报道"
    assert "declared UTF-8 but is GBK" in bad_night["result"].stderr


def test_a_page_with_nul_bytes_that_reads_as_text_is_stored(bad_night):
    assert bad_night["stored"][bad_night["paths"]["nul bytes in text"]] == "夹带空字节的报道"


def test_a_page_refused_as_binary_is_asked_again_at_its_recheck(bad_night):
    failing = dict(query(bad_night["db"], "SELECT url, recheck_at FROM skipped_links WHERE reason LIKE 'binary%'"))
    assert failing.get(bad_night["paths"]["binary as html"])  # a recheck time, not "never"


def test_malformed_html_is_still_read(bad_night):
    assert bad_night["stored"][bad_night["paths"]["malformed html"]] == "标签残缺的报道"


@pytest.mark.parametrize("name, message", [
    ("binary as html", "二进制内容"),
    ("50 MB page", "过大，未下载"),
    ("redirect loop", "max redirections reached"),
    ("empty 200", "空白页面"),
])
def test_each_bad_page_is_one_clear_line_and_not_stored(bad_night, name, message):
    url = bad_night["paths"][name]
    assert url not in bad_night["stored"]
    lines = [line for line in bad_night["result"].stderr.splitlines() if url in line and "[spiders.news]" in line]
    assert len(lines) == 1 and message in lines[0]


def test_the_bad_pages_are_counted_as_the_school_errors(bad_night):
    assert bad_night["errors"] == 4
    assert bad_night["status"] == "partial"


def test_an_endless_pagination_stops_at_max_pages(bad_night):
    assert len(bad_night["trap_requests"]) == 20


def test_a_page_declared_gb2312_that_is_utf8_is_read_as_utf8():
    from crawler.extract.charset import page_text

    body = "<p>学校召开党建工作会议</p>".encode("utf-8")
    text, note = page_text(body, "gb2312", body.decode("gb18030", "replace"))
    assert text == "<p>学校召开党建工作会议</p>" and note == "declared gb2312 but is UTF-8"
    gbk = "<p>学校召开党建工作会议</p>".encode("gbk")
    assert page_text(gbk, "gb2312", gbk.decode("gb18030")) == (gbk.decode("gb18030"), None)
