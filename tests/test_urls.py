"""Canonical URLs: one row per article whatever link led to it."""
from __future__ import annotations

import pytest

from crawler.extract.urls import canonical_url

CANONICAL = "http://www.example.edu.cn/info/1045/2301.htm"


@pytest.mark.parametrize("link", [
    "http://www.example.edu.cn/info/1045/2301.htm",
    "HTTP://WWW.Example.EDU.cn/info/1045/2301.htm",
    "http://www.example.edu.cn:80/info/1045/2301.htm",
    "http://www.example.edu.cn/info/1045/2301.htm#top",
    "http://www.example.edu.cn/info/1045/2301.htm?utm_source=wechat&from=timeline",
    "http://www.example.edu.cn/info/1045/2301.htm;jsessionid=0A1B2C3D4E",
    "http://www.example.edu.cn/info/1045/2301.htm?spm=a1.b2&isappinstalled=0",
])
def test_links_to_one_article_share_one_url(link):
    assert canonical_url(link) == CANONICAL


def test_index_page_is_its_directory_and_query_order_does_not_matter():
    assert canonical_url("https://a.edu.cn/xwdt/index.htm") == canonical_url("https://a.edu.cn/xwdt/")
    assert canonical_url("https://a.edu.cn:443/show.aspx?id=7&cid=2") == "https://a.edu.cn/show.aspx?cid=2&id=7"


def test_parameters_that_choose_the_article_stay():
    assert canonical_url("http://a.cn/ReadNews.asp?NewsID=4173") != canonical_url("http://a.cn/ReadNews.asp?NewsID=4174")
    assert canonical_url("http://a.cn/content.jsp?urltype=news.NewsContentUrl&wbnewsid=1234").endswith("wbnewsid=1234")
