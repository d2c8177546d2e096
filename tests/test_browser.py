"""The store in a real browser, as a school office uses it: Debian's chromium (headless, with
fonts-noto-cjk) driven by Playwright against a real Datasette on 127.0.0.1 over a crawl of
the demo, started with the README's command.

From the first page: type a phrase into 全文检索, get highlighted hits, open one and read
it (title, school, date, 来源, paragraphs, keywords, a link to the original, nothing
internal); the table's own search box; a malformed query is a message.

The browser is the system's (``chromium`` on PATH, or ``SNM_CHROMIUM``), never a download.
Without it, or without the ``playwright`` package, these tests skip with the reason;
``SNM_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes that a failure. The browser may only
reach 127.0.0.1: every other request is aborted, and host names resolve nowhere.
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import datasette_server

REQUIRED = os.environ.get("SNM_REQUIRE_BROWSER", "") not in ("", "0")


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not chromium_path():
        return "no chromium on PATH (Debian: apt-get install chromium fonts-noto-cjk)"
    return None


def chromium_path() -> str | None:
    return os.environ.get("SNM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if REQUIRED:
            pytest.fail(f"browser tests are required (SNM_REQUIRE_BROWSER): {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True,
            # root in a container has no user namespaces for the sandbox; no name resolves off loopback
            # (the demo schools are 127.0.0.1-3)
            args=["--no-sandbox",
                  "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE 127.0.0.2 , EXCLUDE 127.0.0.3",
                  "--disable-background-networking", "--no-first-run"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def site(crawled, browser):
    _, db = crawled
    path = db.conn.execute("PRAGMA database_list").fetchone()[2]
    with datasette_server(path, "-m", "db/metadata.yml") as base:
        yield base, Path(path).stem, db


@pytest.fixture
def page(browser, site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    offsite = []

    def only_loopback(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host and host.startswith("127."):  # the reading room, and the demo schools (127.0.0.2, .3) it shows
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []
    assert offsite == []


def containing(db, term) -> set[int]:
    return {i for i, text in db.execute("select id, title || char(10) || text from articles") if term in text}


def test_search_from_the_first_page_then_read_a_hit(page, site, tmp_path):
    base, name, db = site
    response = page.goto(base + "/")
    assert response.status == 200
    box = page.get_by_label("全文检索")
    assert box.is_visible()
    assert page.locator(".snm-schools td a").count() == 3  # each school's health at a glance
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    box.fill("主题党日")
    box.press("Enter")
    page.wait_for_load_state()
    assert "/-/articles?q=" in page.url
    hits = page.locator("ol.snm-hits > li")
    truth = containing(db, "主题党日")
    assert hits.count() == len(truth) > 0
    assert page.locator("ol.snm-hits mark").first.inner_text() == "主题党日"
    assert page.get_by_role("status").first.inner_text().startswith(f"共 {len(truth)} 篇")
    first = hits.first.locator("a.snm-title")
    title = first.inner_text()
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)
    first.click()
    page.wait_for_load_state()

    article_id = int(urllib.parse.urlsplit(page.url).path.rsplit("/", 1)[-1])
    assert page.locator(".snm-text mark").first.inner_text() == "主题党日"  # the term, marked where it is
    row = db.execute("select title, site, url, source, text, published_at from articles where id = ?",
                     [article_id]).fetchone()
    assert page.locator("h1").inner_text() == title == row[0]
    facts = page.locator("dl.snm-facts").inner_text()
    assert row[1] in facts and row[3] in facts and row[5][:10] in facts
    assert "T" not in row[5][:16] or row[5][:10] + " " + row[5][11:16] in facts  # 2023-11-02 15:45, not ISO
    paragraphs = page.locator(".snm-text p, .snm-text h3, .snm-text figcaption")  # subheadings, captions: paragraphs too
    assert paragraphs.count() == len([p for p in row[4].split("\n") if p.strip()]) > 0
    assert page.locator("a.snm-original").get_attribute("href") == row[2]
    assert page.locator(".snm-tags a.snm-tag").count() > 0
    body = page.locator("body").inner_text()
    for internal in ("content_hash", "etag", "list_url", "first_seen_run", "minhash"):
        assert internal not in body
    # the text is laid out in CJK glyphs, not boxes: a Chinese line is as wide as its characters
    width = page.evaluate("() => document.querySelector('h1').getBoundingClientRect().width")
    assert width > 10 * 16
    page.screenshot(path=str(tmp_path / "article.png"), full_page=True)


def test_table_search_box_and_row_links(page, site):
    base, name, db = site
    page.goto(f"{base}/{name}/articles")
    page.locator("input#_search").fill("思政")
    page.locator("input#_search").press("Enter")
    page.wait_for_load_state()
    titles = page.locator("td.col-title a")
    assert titles.count() == len(containing(db, "思政")) > 0
    assert page.locator("th[data-column=site]").inner_text().strip() == "学校"
    assert page.locator("td.col-text").count() == 0  # read on the article page, not in the table
    titles.first.click()
    page.wait_for_load_state()
    assert page.locator("article.snm-article .snm-text p").count() > 0


@pytest.mark.parametrize("query", ['"', "AND", "("])
def test_a_malformed_query_is_a_message(page, site, query):
    base, name, _ = site
    response = page.goto(f"{base}/{name}/search?" + urllib.parse.urlencode({"q": query}))
    assert response.status == 200
    assert page.locator(".snm-message, .snm-count").first.is_visible()
    assert page.get_by_label("全文检索").input_value() == query


def test_dashboard_draws_its_charts(page, site):
    base, _, db = site
    page.goto(base + "/-/dashboards/overview")
    drawn = ".vega-embed canvas, .vega-embed svg.marks"
    page.wait_for_selector(drawn, timeout=15000)
    page.wait_for_function(f"document.querySelectorAll('{drawn}').length == 4")  # month, school, topic, 来源
    total = db.execute("select count(*) from articles").fetchone()[0]
    assert f"{total} 篇" in page.locator("body").inner_text()


def test_the_articles_list_filters_pages_and_reads_on_a_phone(browser, site, tmp_path):
    base, _, db = site
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(base + "/")
        page.get_by_role("link", name="全部文章").click()
        page.wait_for_load_state()
        total = db.execute("select count(*) from articles").fetchone()[0]
        assert page.get_by_role("status").first.inner_text().startswith(f"共 {total} 篇")
        # nothing wider than the phone: the filters wrap, the list reads
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390 + 1
        site_name = db.execute("select site from articles group by site order by count(*) limit 1").fetchone()[0]
        page.get_by_label("学校").select_option(site_name)
        page.get_by_role("button", name="筛选").click()
        page.wait_for_load_state()
        count = db.execute("select count(*) from articles where site = ?", [site_name]).fetchone()[0]
        assert page.locator("ol.snm-hits > li").count() == count
        assert all(site_name in meta for meta in page.locator("ol.snm-hits .snm-meta").all_inner_texts())
        page.screenshot(path=str(tmp_path / "articles-phone.png"), full_page=True)
        assert "Suggested facets" not in page.content() and "Custom SQL query" not in page.content()
    finally:
        context.close()


def test_an_article_shows_its_photos(page, site):
    base, name, db = site
    article_id, images = db.execute("select id, images from articles where images != '[]' limit 1").fetchone()
    page.goto(f"{base}/{name}/articles/{article_id}")
    photos = page.locator(".snm-text .snm-photo img, .snm-photos img")
    assert photos.count() == len(json.loads(images)) > 0
    photos.first.scroll_into_view_if_needed()
    shown = ".snm-text .snm-photo img, .snm-photos img"
    for n in range(photos.count()):
        photos.nth(n).scroll_into_view_if_needed()
    page.wait_for_function(f"() => [...document.querySelectorAll('{shown}')].every(i => i.complete)")
    widths = page.evaluate(f"() => [...document.querySelectorAll('{shown}')].map(i => i.naturalWidth)")
    assert all(width > 0 for width in widths)  # drawn, not a broken-image icon


def test_a_school_page_says_how_the_school_is_doing(page, site):
    base, _, db = site
    page.goto(base + "/")
    school = page.locator(".snm-schools td a").first
    name = school.inner_text()
    school.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name
    count = db.execute("select count(*) from articles where site = ?", [name]).fetchone()[0]
    body = page.locator("body").inner_text()
    assert "状态" in body and f"{count} 篇" in body and "采集记录" in body
    page.get_by_role("link", name="第 1 次").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "第 1 次采集" and name in page.locator("table").inner_text()


DEVELOPER_CHROME = ("Suggested facets", "This data as", "Apply", "Edit SQL", "Custom SQL query", "sorted by",
                    "rows where", "Advanced export", "Error 404", "Powered by")


def office_paths(name: str, db) -> list[str]:
    site = db.execute("select site from articles limit 1").fetchone()[0]
    article = db.execute("select id from articles order by id limit 1").fetchone()[0]
    return ["/", "/-/articles", "/-/articles?" + urllib.parse.urlencode({"q": "党建", "sort": "newest"}),
            "/-/school?" + urllib.parse.urlencode({"site": site}), "/-/runs", "/-/runs/1", "/-/reposts",
            f"/{name}/articles/{article}", "/-/no-such-page"]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_office_page_reads_in_chinese_at_desk_and_phone_width(browser, site, width):
    base, name, db = site
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}, is_mobile=width < 500)
    page = context.new_page()
    try:
        for path in office_paths(name, db):
            page.goto(base + path)
            text = page.locator("body").inner_text()
            assert not [c for c in DEVELOPER_CHROME if c in text], path
            assert page.locator("h1").first.is_visible(), path
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width + 1, path
            chinese = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
            assert chinese >= 10, path  # a page of Chinese words, not an English frame
    finally:
        context.close()
