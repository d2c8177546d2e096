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


@pytest.mark.parametrize("name", ["sid", "t", "ts", "ref", "from", "_t", "timestamp"])
def test_a_parameter_that_numbers_the_articles_stays(name):
    one, two = (canonical_url(f"http://a.cn/news_show.asp?{name}={n}") for n in (101, 102))
    assert one != two and one.endswith(f"{name}=101")


@pytest.mark.parametrize("link", [
    "http://a.cn/show.asp?id=7&sid=0a1b2c3d4e5f6a7b8c9d",  # a session token
    "http://a.cn/show.asp?id=7&t=1700000000",  # a cache buster, seconds
    "http://a.cn/show.asp?id=7&_t=1700000000123",  # milliseconds
    "http://a.cn/show.asp?id=7&from=singlemessage",  # a WeChat share
])
def test_a_parameter_whose_value_cannot_be_an_id_is_dropped(link):
    assert canonical_url(link) == "http://a.cn/show.asp?id=7"


@pytest.mark.parametrize("name", ["sid", "t", "ref"])
def test_a_column_of_query_keyed_articles_stores_every_one(tmp_path, name):
    """An ASP school site: every article is news_show.asp?<name>=N on one path."""
    from demo.server import DemoServer
    from tests.helpers import query, run_cli

    titles = ["我校召开2023年党建工作会议", "我校举行秋季学期开学典礼", "学校党委理论学习中心组开展集中学习",
              "我校学子在全省技能大赛中获佳绩", "学校开展校园安全隐患排查工作"]
    with DemoServer() as demo:
        items = "".join(f'<tr><td><a href="news_show.asp?{name}={101 + n}">{t}</a></td><td>2023-10-{n + 1:02d}</td></tr>'
                        for n, t in enumerate(titles))
        demo.replace("jiahe", "/news/news_list.asp", '<html><head><meta charset="utf-8"><title>学校新闻</title></head>'
                     f'<body><div class="nav">首页</div><table class="list">{items}</table></body></html>')
        for n, title in enumerate(titles):
            demo.replace("jiahe", f"/news/news_show.asp?{name}={101 + n}",
                         f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
                         f'<div class="info">发布时间：2023-10-{n + 1:02d} 来源：党委宣传部</div><div class="content">'
                         f'<p>{title}。会议由学校党委书记主持，全体中层干部参加，共有{n + 120}人到会。</p>'
                         f'<p>会议强调，要坚持以党建引领学校高质量发展，把第{n + 1}项重点工作落到实处。</p></div></body></html>')
        config = tmp_path / "sites.toml"
        config.write_text(f'[[sites]]\nname = "嘉禾职业技术学院"\nstart_urls = ["{demo.base_url("jiahe")}/news/news_list.asp"]\n'
                          '[crawl]\ndownload_delay = 0\nautothrottle = false\n', encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
    assert result.returncode == 0, result.stderr[-3000:]
    stored = query(tmp_path / "reports.db", "SELECT title, url FROM articles ORDER BY url")
    assert sorted(title for title, _ in stored) == sorted(titles)
    assert all(url.endswith(f"news_show.asp?{name}={101 + n}") for n, (_, url) in enumerate(stored))
