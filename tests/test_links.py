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
