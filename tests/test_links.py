"""URL rules: which links are articles, list pages, attachments or article continuations."""
from __future__ import annotations

import pytest

from crawler.extract.links import continuation_suffix, is_attachment, looks_like_article, looks_like_list_page

ARTICLES = [
    "https://www.x.edu.cn/2023/0419/c1234a56789/page.htm",  # WebPlus, date directories
    "https://itsc.nju.edu.cn/28/e4/c21558a534756/page.htm",  # WebPlus, hashed directories
    "https://www.x.edu.cn/info/1045/2301.htm",  # VSB
    "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",  # TRS
    "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",  # 大汉
    "http://www.sxyz.cn/Item/8809.aspx",  # PowerEasy
    "http://ccer.pku.edu.cn/cn/ReadNews.asp?NewsID=4173",  # old ASP
    "http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html",
]
LISTS = [
    "https://itsc.nju.edu.cn/wlyxqk/list.htm",
    "https://itsc.nju.edu.cn/wlyxqk/list2.htm",
    "http://www.x.gov.cn/xwzx/index_1.html",
    "http://www.x.edu.cn/news/index3.htm",
    "http://www.sxyz.cn/Category_37/Index_2.aspx",
    "https://www.x.edu.cn/index/tzgg/31.htm",  # VSB, numbered backwards
    "https://www.x.edu.cn/news/?page=3",
]


@pytest.mark.parametrize("url", ARTICLES)
def test_article_shapes(url):
    assert looks_like_article(url) and not looks_like_list_page(url)


@pytest.mark.parametrize("url", LISTS)
def test_list_shapes(url):
    assert looks_like_list_page(url) and not looks_like_article(url)


@pytest.mark.parametrize("url", ["https://x.edu.cn/_upload/a/2023.pdf", "https://x.edu.cn/f/附件.DOCX",
                                 "https://x.edu.cn/p/1.jpg", "https://x.edu.cn/f/a.zip"])
def test_attachments_are_never_articles(url):
    assert is_attachment(url) and not looks_like_article(url)


def test_site_pattern_overrides_shapes():
    import re

    pattern = re.compile(r"/news/show-\d+$")
    assert looks_like_article("https://x.cn/news/show-12", pattern)
    assert not looks_like_article("https://x.cn/info/1045/2301.htm", pattern)


def test_continuation_pages():
    assert continuation_suffix("http://x.cn/info/1045/2301.htm", "http://x.cn/info/1045/2301_2.htm") == 2
    assert continuation_suffix("http://x.cn/a/t20230828_3307.html", "http://x.cn/a/t20230828_3307_1.html") == 1
    assert continuation_suffix("http://x.cn/info/1045/2301.htm", "http://x.cn/info/1045/2302.htm") is None
    assert continuation_suffix("http://x.cn/info/1045/2301.htm", "http://y.cn/info/1045/2301_2.htm") is None
    # a continuation page is not an article in its own right
    assert not looks_like_article("http://x.cn/info/1045/2301_2.htm")


def test_unknown_cms_items_found_by_structure():
    from crawler.extract.links import articles_by_structure

    links = [("https://x.cn/about/intro.htm", "学校简介概况介绍"),
             ("https://x.cn/xwdt/list.htm", "新闻动态栏目"),
             ("https://x.cn/news/show/101", "我校召开学习贯彻主题教育动员会"),
             ("https://x.cn/news/show/102", "我校举行第十九届田径运动会"),
             ("https://x.cn/news/show/103", "我校学子在技能大赛中获一等奖"),
             ("https://x.cn/zt/2023/7", "专题"),
             ("https://x.cn/news/show/103", "我校学子在技能大赛中获一等奖")]
    assert articles_by_structure(links) == ["https://x.cn/news/show/101", "https://x.cn/news/show/102",
                                            "https://x.cn/news/show/103"]


# ---------------------------------------------------------------- a list page's own column
def _items(html: str, base: str = "https://www.x.edu.cn/xwdt/list.htm"):
    import lxml.html

    tree = lxml.html.fromstring(html)
    return [(lxml.html.urljoin(base, a.get("href")), a, a.text_content()) for a in tree.iter("a")]


MAIN = "".join(f'<li><a href="/2023/0{m}10/c1234a5678{m}/page.htm">学院召开第{m}次党建工作推进会</a>'
               f'<span>2023-0{m}-10</span></li>' for m in range(1, 8))
HOT = "".join(f'<li><a href="/2023/0{m}11/c9876a4321{m}/page.htm">热点{m}</a></li>' for m in range(1, 5))


def test_a_sidebar_of_another_column_is_not_the_columns_list():
    from crawler.extract.links import own_column

    page = f'<div class="main"><ul class="news_list">{MAIN}</ul></div><div class="side"><h3>热点新闻</h3><ul>{HOT}</ul></div>'
    own, key = own_column(_items(page))
    assert [url.rsplit("/", 2)[-2] for url, _, _ in own] == [f"c1234a5678{m}" for m in range(1, 8)]
    assert key == "WebPlus (Sudy):1234"


def test_the_key_of_page_one_holds_on_a_short_last_page():
    from crawler.extract.links import own_column

    last = "".join(f'<li><a href="/2023/0{m}10/c1234a5678{m}/page.htm">第{m}条</a></li>' for m in range(1, 3))
    page = f'<ul class="news_list">{last}</ul><div class="side"><ul>{HOT}</ul></div>'  # the sidebar is longer here
    own, _ = own_column(_items(page), "WebPlus (Sudy):1234")
    assert len(own) == 2 and all("c1234" in url for url, _, _ in own)


def test_vsb_column_ids_and_links_without_one():
    from crawler.extract.links import own_column

    main = "".join(f'<tr><td><a href="../info/1045/23{n:02d}.htm">通知{n}</a></td><td>2023-05-{n:02d}</td></tr>'
                   for n in range(1, 9))
    side = '<ul><li><a href="../info/1099/9001.htm">内部通知</a></li><li><a href="../info/1101/77.htm">招生</a></li></ul>'
    own, key = own_column(_items(f"<table>{main}</table>{side}", "https://www.x.edu.cn/index/tzgg.htm"))
    assert key == "VSB (博达 Visual SiteBuilder):1045" and len(own) == 8
    # where no CMS names the column in its URLs, every link is kept
    plain = _items('<ul><li><a href="/news/2023/0410/x123.html">甲</a></li><li><a href="/a/2023/05/01/b99.html">乙</a></li></ul>')
    assert own_column(plain) == (plain, None)


@pytest.mark.parametrize("url, under", [
    ("https://www.x.edu.cn/tzgg/12345.html", True),
    ("https://www.x.edu.cn/tzgg/2.htm", False),  # a pager's page, not an article
    ("https://www.x.edu.cn/xwdt/12345.html", False),  # another column's folder
    ("https://www.x.edu.cn/tzgg/sub/12345.html", False),
])
def test_plain_numbers_under_the_column(url, under):
    from crawler.extract.links import numbered_under

    assert numbered_under("https://www.x.edu.cn/tzgg/list.htm", url) is under


@pytest.mark.parametrize("name", ["009.html", "011.html", "018.html", "019.html"])
def test_saved_list_pages_yield_their_column_and_its_next_page(name):
    """Real list pages: every item of the column's list, first to last, and the pager's next
    page; on WebPlus pages (column ids in article URLs) nothing from the sidebars."""
    from scrapy.http import HtmlResponse

    from crawler.config import parse_config
    from spiders.news import NewsSpider
    from tests.helpers import saved_page

    body, entry = saved_page(name)
    config = parse_config({"sites": [{"name": "s", "start_urls": [entry["url"]]}]})
    response = HtmlResponse(url=entry["url"], body=body, encoding=entry["encoding"])
    links, next_url, _, _ = NewsSpider(config=config).read_list(response, config.sites[0], 1)
    paths = [url.split("://", 1)[1].split("/", 1)[1] for url, _, _ in links]
    for item in (entry["first_item"], entry["last_item"]):
        assert any(path.endswith(item["href"].lstrip("/")) for path in paths), item
    assert next_url.endswith(entry["pagination"]["next"].lstrip("/"))
    if entry["cms"].startswith("WebPlus"):
        assert len(links) == entry["list_items"]


def test_the_quick_attachment_test_passes_every_attachment():
    """may_be_attachment only spares parsing: every link is_attachment accepts passes it."""
    from crawler.extract.links import ATTACHMENT_EXTENSIONS, is_attachment, may_be_attachment

    hrefs = [f"/uploads/2024/通知.{ext}" for ext in ATTACHMENT_EXTENSIONS]
    hrefs += [f"/files/A.{ext.upper()}?v=2#p" for ext in ATTACHMENT_EXTENSIONS]
    hrefs += ["/system/_content/download.jsp?urltype=news.DownloadAttachUrl&wbfileid=1", "/DownLoad.aspx?id=7",
              "/get?file=%E5%90%8D%E5%8D%95%2Exlsx", "/get?name=名单.xls&x=1"]
    assert all(is_attachment("http://www.example.edu.cn" + h) for h in hrefs)
    assert all(may_be_attachment(h) for h in hrefs)
    pages = ["/info/1045/3419.htm", "/2023/0901/c1234a56789/page.htm", "/news/show.asp?id=12", "/list.jsp?a=b.c"]
    assert not any(may_be_attachment(h) for h in pages)
