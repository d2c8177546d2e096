"""End to end: scheduler.py --once over the demo schools, checked against their ground truth."""
from __future__ import annotations

import json

from tests.helpers import run_cli


def rows_by_url(db):
    return {row["url"]: row for row in db["articles"].rows}


def test_every_article_stored_once_with_school_title_and_date(demo, crawled):
    _, db = crawled
    stored = rows_by_url(db)
    expected = demo.expected()
    assert len(expected) == 17
    assert sorted(stored) == sorted(e["url"] for e in expected)
    assert db.execute("select count(*), count(distinct url) from articles").fetchone() == (17, 17)
    for article in expected:
        row = stored[article["url"]]
        assert row["site"] == article["site"]
        assert row["title"] == article["title"]
        date = article["date"]
        want = date if len(date) == 10 else date.replace(" ", "T") + ":00+08:00"
        assert row["published_at"] == want, article["url"]


def test_metadata_fields_match_the_pages(demo, crawled):
    _, db = crawled
    stored = rows_by_url(db)
    for article in demo.expected():
        row = stored[article["url"]]
        assert (row["author"], row["source"], row["editor"]) == (
            article["author"], article["source"], article["editor"]), article["url"]


def test_text_is_the_article_and_nothing_else(demo, crawled):
    _, db = crawled
    stored = rows_by_url(db)
    for article in demo.expected():
        text = stored[article["url"]]["text"]
        assert text == article["text"], article["url"]


def test_gbk_page_labelled_gb2312_comes_out_exact(demo, crawled):
    _, db = crawled
    nanhu = [row for row in db["articles"].rows if row["site"] == "南湖交通运输职业学校"]
    assert len(nanhu) == 5
    authors = {row["author"] for row in nanhu}
    assert {"王堃", "李昇"} <= authors  # 堃 and 昇 exist in GBK, not in GB2312
    assert {row["editor"] for row in nanhu} == {"朱镕"}
    assert not any("\ufffd" in row["text"] for row in nanhu)


def test_two_page_article_is_one_row_with_both_pages(demo, crawled):
    _, db = crawled
    rows = [row for row in db["articles"].rows if "“三同三力”" in row["title"]]
    assert len(rows) == 1
    assert rows[0]["url"].endswith("/info/1045/2302.htm")
    assert "坚持主题教育与学校事业发展同部署" in rows[0]["text"]  # page 1
    assert "29篇报道登上中央和省级媒体" in rows[0]["text"]  # page 2
    assert db.execute("select count(*) from articles where url like '%\\_2.htm' escape '\\'").fetchone()[0] == 0


def test_no_list_page_404_pdf_or_forbidden_page_is_stored_or_fetched(demo, crawled):
    _, db = crawled
    urls = list(rows_by_url(db))
    assert not any("list" in u or "Index" in u or "xwdt" in u for u in urls)
    assert not any(u.endswith(".pdf") or "download.jsp" in u for u in urls)
    for key in demo.schools:
        fetched = demo.requests(key)
        assert not any(path.startswith(("/nbxx/", "/info/1099/", "/Item/8899.aspx")) for path in fetched), fetched
        assert not any(path.endswith(".pdf") or "download.jsp" in path for path in fetched), fetched
        assert "/robots.txt" in fetched
        assert not any(path.startswith(("/tzgg/", "/xxgk/", "/djgz/", "/zsjy/")) for path in fetched), fetched


def test_redirected_link_stores_the_final_url(demo, crawled):
    _, db = crawled
    assert "/Article/ShowArticle.asp" in demo.requests("hongchuan")
    assert not any("ShowArticle" in url for url in rows_by_url(db))
    assert any(url.endswith("/Item/8803.aspx") for url in rows_by_url(db))


def test_run_is_accounted_per_school(crawled):
    result, db = crawled
    runs = list(db["crawl_runs"].rows)
    assert len(runs) == 1 and runs[0]["status"] == "ok" and runs[0]["new_articles"] == 17
    sites = {row["site"]: row for row in db["crawl_run_sites"].rows}
    assert sites["嘉禾职业技术学院"]["new_articles"] == 7
    assert sites["嘉禾职业技术学院"]["list_pages"] == 2
    assert sites["嘉禾职业技术学院"]["broken_links"] == 1
    assert sites["嘉禾职业技术学院"]["robots_blocked"] == 1
    assert "嘉禾职业技术学院" in result.stdout and "新文章 17 篇" in result.stdout


def test_second_run_stores_no_duplicates(demo, demo_config, crawled, tmp_path):
    _, db = crawled
    result = run_cli("--once", "--config", str(demo_config), "--db", db.conn.execute("pragma database_list").fetchone()[2])
    assert result.returncode == 0, result.stderr[-2000:]
    assert db.execute("select count(*) from articles").fetchone()[0] == 17
    assert "新文章 0 篇" in result.stdout


def test_one_school_down_does_not_stop_the_others(demo, tmp_path):
    config = tmp_path / "sites.toml"
    dead = '[[sites]]\nname = "停机学校"\nstart_urls = ["http://127.0.0.9:9/news/list.htm"]\n\n'
    config.write_text(dead + demo.config_toml(), encoding="utf-8")
    db_path = tmp_path / "r.db"
    result = run_cli("--once", "--config", str(config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr[-2000:]
    import sqlite_utils

    db = sqlite_utils.Database(db_path)
    assert db["articles"].count == 17
    sites = {row["site"]: row for row in db["crawl_run_sites"].rows}
    assert sites["停机学校"]["status"] == "failed" and sites["停机学校"]["errors"] >= 1
    assert "停机学校" in result.stdout and "失败" in result.stdout
    assert next(db["crawl_runs"].rows)["status"] == "partial"


def test_try_prints_links_and_two_articles_without_storing(demo, tmp_path):
    url = demo.base_url("hongchuan") + demo.schools["hongchuan"].list_path
    result = run_cli("--try", url, "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    # both list pages: 5 articles, the dead link and the robots-forbidden link, numbered for a person
    assert "读取列表页 2 页，找到文章链接 7 个：" in result.stdout
    assert "    1. http" in result.stdout and "    7. http" in result.stdout
    assert "Refreshing" not in result.stderr
    assert result.stdout.count("\n第 ") == 2 and "  发布时间：" in result.stdout and "  正文：" in result.stdout
    assert "{" not in result.stdout  # no raw JSON for a person


def test_try_json_is_one_object_for_a_pipe(demo):
    url = demo.base_url("hongchuan") + demo.schools["hongchuan"].list_path
    result = run_cli("try", url, "--json", "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout)
    assert found["list_pages"] == 2 and len(found["links"]) == 7
    assert len(found["articles"]) == 2 and all(a["title"] and a["published_at"] for a in found["articles"])


def test_try_understands_an_address_typed_without_its_scheme(demo):
    url = demo.base_url("hongchuan") + demo.schools["hongchuan"].list_path
    result = run_cli("try", url.split("://", 1)[1], "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "找到文章链接 7 个" in result.stdout
