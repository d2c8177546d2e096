"""Real list pages of schools collected for issue 22 (tests/pages, kind "list" with their
column's items by hand): the crawl asks for every item of the column it can follow, for
nothing else, finds the next page, and says when a list shows items it cannot follow."""
from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
import pytest
from scrapy.http import HtmlResponse

from crawler.config import parse_config
from crawler.extract.listing import link_target
from crawler.extract.urls import canonical_url
from spiders.news import NewsSpider
from tests.helpers import MANIFEST, PAGES, page_url

WITH_ITEMS = [entry for entry in MANIFEST if entry["kind"] == "list" and "column_items" in entry]


def read(entry):
    url = page_url(entry)
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=(PAGES / entry["file"]).read_bytes(), encoding=entry["encoding"])
    return url, NewsSpider(config=config).read_list(response, config.sites[0], 1)


def target(item) -> str | None:
    """Where an item's link leads, as a browser would go (a javascript: link's location, percent-decoded)."""
    anchor = lxml.html.fromstring("<a>item</a>")
    anchor.set("href", item["href"])
    return link_target(anchor)


def followable(entry, url) -> list[str]:
    """The items the crawl can and should ask for: not a placeholder with no address, not another
    site's page (a 人事处 list linking a 学院's article: the school did not ask to follow it)."""
    return [canonical_url(urljoin(url, target(item))) for item in entry["column_items"]
            if target(item) and not item.get("off_site")]


def test_the_collected_pages_are_there():
    assert len(WITH_ITEMS) >= 6 and len({entry["site"].split(" ")[0] for entry in WITH_ITEMS}) >= 4


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_every_item_of_the_column_and_nothing_else(entry):
    url, (links, _, _, _) = read(entry)
    taken = [link for link, _, _ in links]
    assert set(followable(entry, url)) == set(taken)


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_the_next_page(entry):
    url, (_, next_url, _, _) = read(entry)
    want = entry["pagination"]["next"]
    assert next_url == (canonical_url(urljoin(url, want)) if want else None)


@pytest.mark.parametrize("entry", WITH_ITEMS, ids=lambda e: e["file"])
def test_a_list_with_items_the_crawl_cannot_follow_is_partly_understood(entry):
    url, (_, _, _, coverage) = read(entry)
    unfollowable = sum(target(item) is None for item in entry["column_items"])
    assert coverage.partial == (unfollowable >= 2), coverage


def read_html(html: str, url: str = "https://www.x.edu.cn/xwzx.htm"):
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    return NewsSpider(config=config).read_list(response, config.sites[0], 1)


def test_a_parent_column_keeps_its_child_columns_items_and_unknown_shapes_and_not_the_sidebar():
    """新闻中心 lists 学院要闻 (info/1001) and 媒体报道 (info/1002) items, and items of a vendor's
    plain ids and of SiteServer (contents/12/345.html) in the same dated list; the sidebar's hot
    items (another column) stay out."""
    hrefs = ["info/1001/2301.htm", "info/1002/2302.htm", "info/1001/2303.htm", "contents/12/345.html",
             "news.aspx?nid=77", "info/1002/2306.htm"]
    items = "".join(f'<li><a href="{h}" title="学院召开第{n}次党建工作推进会议">学院召开第{n}次党建工作推进会议</a>'
                    f"<span>2023-05-0{n + 1}</span></li>" for n, h in enumerate(hrefs))
    hot = "".join(f'<li><a href="info/1099/{90 + n}.htm">热点：校园开放日活动安排第{n}期</a></li>' for n in range(4))
    html = (f'<html><body><div class="main"><ul class="list">{items}</ul>'
            f'<div class="pb"><a href="#" onclick="location.href=\'xwzx/2.htm\'">下页</a></div></div>'
            f'<div class="side"><ul>{hot}</ul></div></body></html>')
    links, next_url, _, coverage = read_html(html)
    assert [u.rsplit("/", 1)[-1] for u, _, _ in links] == [h.rsplit("/", 1)[-1] for h in hrefs]
    assert next_url == "https://www.x.edu.cn/xwzx/2.htm"
    assert (coverage.shown, coverage.taken, coverage.partial) == (6, 6, False)


def test_card_items_with_the_date_in_the_heading_are_the_list():
    cards = "".join(f'<div class="card"><a href="/contents/12/{n}.html"><img src="/i/{n}.jpg">'
                    f"<h3>学院召开第{n}次党建工作推进会议(2023-05-0{n})</h3><p>会议总结了前期工作。</p></a></div>"
                    for n in range(1, 6))
    links, _, _, coverage = read_html(f"<html><body><div class='list'>{cards}</div></body></html>")
    assert len(links) == 5 and coverage.shown == 5 and not coverage.partial


def test_a_card_date_written_in_two_pieces_is_read():
    """苏州市第一初级中学's cards show <p>03/10</p><span>2025</span>: the items are counted and dated."""
    entry = next(e for e in WITH_ITEMS if e["file"] == "034.html")
    _, (links, _, _, coverage) = read(entry)
    assert coverage.shown == len(entry["column_items"])
    assert all(date for _, date, _ in links)
    from crawler.extract.dates import parse_date
    assert parse_date(links[0][1]).startswith(entry["column_items"][0]["date_iso"])


def test_split_dates_are_put_together_and_nonsense_is_not():
    from crawler.extract.listing import shown_date

    assert shown_date("03/10 2025") == shown_date("10 2025-03") == shown_date("2025-03 10") == "2025-03-10"
    assert shown_date("On December 04,2020") == shown_date("Dec. 4, 2020") == "2020-12-04"
    assert shown_date("第10 2025-13") is None and shown_date("13/45 2025") is None and shown_date("阅读 102 2023") is None


def test_the_main_list_does_not_bring_back_what_the_column_discipline_left():
    """Page 3 of column 1001: a dated sidebar of column 1002 comes first, the column's own three
    items after it; a category link in every row leads to a list page, not an article."""
    side = "".join(f'<li><a href="/info/1002/{n}.htm">他栏目的热点新闻第{n}条标题</a><span>2023-06-0{n}</span></li>'
                   for n in range(1, 7))
    own = "".join(f'<li><a href="/xyxw/list.htm">[学院新闻]</a><a href="/info/1001/{n}.htm">学院召开第{n}次党建工作会议</a>'
                  f"<span>2023-05-0{n}</span></li>" for n in range(1, 4))
    html = f'<html><body><ul class="side">{side}</ul><ul class="list">{own}</ul></body></html>'
    url = "https://www.x.edu.cn/xyxw/list3.htm"
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")
    links, _, _, _ = NewsSpider(config=config).read_list(response, config.sites[0], 3, "VSB (博达 Visual SiteBuilder):1001")
    assert [u.rsplit("/", 1)[-1] for u, _, _ in links] == ["1.htm", "2.htm", "3.htm"]
    assert all("/info/1001/" in u for u, _, _ in links)


def test_undated_column_items_with_a_dated_sidebar_are_taken_and_not_judged_by_the_sidebar():
    own = "".join(f'<li><a href="/info/1001/{n}.htm">学院召开第{n}次党建工作会议</a></li>' for n in range(1, 11))
    side = "".join(f'<li><a href="/hot/item?k={n}">热点：校园开放日活动第{n}期</a><span>2023-06-0{n}</span></li>'
                   for n in range(1, 6))
    links, _, _, coverage = read_html(f'<html><body><ul>{own}</ul><div class="side"><ul>{side}</ul></div></body></html>')
    assert len(links) == 10 and all("/info/1001/" in u for u, _, _ in links)
    assert not coverage.partial


def test_cards_with_a_title_link_and_a_summary_link_are_one_item_each():
    cards = "".join(f'<div class="card"><a href="/news/item?k={n}"><h3>学院召开第{n}次党建工作推进会议</h3></a>'
                    f'<a href="/news/item?k={n}">会议总结了前期工作，部署了下一阶段任务。</a><span>2023-05-0{n}</span></div>'
                    for n in range(1, 9))
    links, _, _, coverage = read_html(f"<html><body><div class='list'>{cards}</div></body></html>")
    assert len(links) == 8 and (coverage.shown, coverage.taken) == (8, 8)


def test_a_press_column_linking_other_sites_is_understood_not_partial():
    items = "".join(f'<li><a href="https://www.people.com.cn/n1/2023/05{n:02d}/c{n}.html">人民网：学院第{n}次获得表彰</a>'
                    f"<span>2023-05-{n:02d}</span></li>" for n in range(1, 11))
    _, _, _, coverage = read_html(f"<html><body><ul>{items}</ul></body></html>")
    assert coverage.shown == 10 and not coverage.partial


def test_menu_articles_outside_the_main_list_are_not_the_columns_and_title_dates_are_read():
    """绍兴一中's PowerEasy list (35 items): its menu links single articles (办公电话, 作息时间)
    of the same URL shape, undated; its items carry 发表时间 in their title attribute."""
    entry = next(e for e in MANIFEST if e["file"] == "018.html")
    url = entry["url"]
    config = parse_config({"sites": [{"name": "某校", "start_urls": [url]}]})
    response = HtmlResponse(url=url, body=(PAGES / "018.html").read_bytes(), encoding=entry["encoding"])
    links, _, _, _ = NewsSpider(config=config).read_list(response, config.sites[0], 1)
    taken = [u for u, _, _ in links]
    assert not any(u.endswith(("/Item/1380.aspx", "/Item/13310.aspx")) for u in taken)
    assert 35 <= len(taken) <= 36  # at most one dated sidebar item besides the column's 35
    from crawler.extract.dates import parse_date

    first = next(date for u, date, _ in links if u.endswith(entry["first_item"]["href"]))
    assert parse_date(first).startswith(entry["first_item"]["date"])


def test_cards_with_english_dates_and_three_links_to_one_article_are_counted():
    """The SiteServer group's cards: picture, heading and 查看详情 link one article, the date reads
    'On December 04,2020'."""
    entry = next(e for e in WITH_ITEMS if e["file"] == "048.html")
    _, (links, _, _, coverage) = read(entry)
    assert coverage.shown == len(entry["column_items"]) and not coverage.partial
    from crawler.extract.dates import parse_date
    assert parse_date(links[0][1]).startswith("2020-12-04")


def test_a_card_with_a_summary_link_is_dated_by_its_row():
    """WebPlus cards: picture, heading and summary all link the article; the date sits beside the
    heading, the summary is long. Every card is a dated item of the list."""
    summary = "学院召开会议，总结前期工作并部署下一阶段任务。" * 12
    cards = "".join(
        f'<li class="news"><div class="img"><a href="/c/c1a{n}/page.htm"><img src="/i/{n}.jpg"></a></div>'
        f'<div class="con"><div class="title"><a href="/c/c1a{n}/page.htm">学院召开第{n}次党建工作推进会议</a></div>'
        f'<div class="meta">2024-11-{n + 10:02d}</div><div class="text"><a href="/c/c1a{n}/page.htm">{summary}</a></div>'
        f"</div></li>" for n in range(1, 7))
    links, _, _, coverage = read_html(f"<html><body><ul class='news_list'>{cards}</ul></body></html>")
    assert (coverage.shown, coverage.taken) == (6, 6) and len(links) == 6


def test_items_commented_out_beside_the_list_are_no_trouble():
    items = "".join(f'<li><a href="/info/1030/{n}.htm">我校获评全国优秀博士后科研流动站第{n}期</a>'
                    f"<!-- <li><a href='/info/1030/9{n}.htm'>旧条目</a></li> --><span>[2020-12-1{n}]</span></li>"
                    for n in range(5))
    links, _, _, coverage = read_html(f"<html><body><ul>{items}<!-- hidden --></ul></body></html>")
    assert len(links) == 5 and coverage.shown == 5


def test_a_javascript_link_goes_where_its_percent_encoded_script_says():
    """A mirror (Teleport) writes javascript:if(confirm(%27URL...%27))window.location=%27URL%27:
    a browser decodes it and goes to URL, so does the crawl (another site's URL: understood, not missed)."""
    items = "".join(
        f"<li><a href=\"javascript:if(confirm(%27http://www.x.edu.cn/info/1/{n}.htm%27))"
        f"window.location=%27http://www.x.edu.cn/info/1/{n}.htm%27\">学院召开第{n}次党建工作推进会议</a>"
        f"<span>2023-05-0{n + 1}</span></li>" for n in range(5))
    links, _, _, coverage = read_html(f"<html><body><ul>{items}</ul></body></html>")
    assert [u for u, _, _ in links] == [f"http://www.x.edu.cn/info/1/{n}.htm" for n in range(5)]
    assert (coverage.shown, coverage.taken, coverage.partial) == (5, 5, False)
