"""Schools that share a host: a university's colleges under www.x.edu.cn/jsjxy/ and /jxxy/, an
education bureau's platform hosting many 中职. Each stores its own articles and none of the
other's; a school whose lists answer but which stores nothing is never reported healthy."""
from __future__ import annotations

import pytest

from crawler.config import parse_config
from demo.site import Page
from tests.helpers import Host, query, run_cli

COLLEGES = {
    "jsjxy": ("计算机学院", ["计算机学院召开党建工作会议", "计算机学院举行新生开学典礼", "计算机学院学子获程序设计竞赛金奖"]),
    "jxxy": ("机械学院", ["机械学院开展主题党日活动", "机械学院与企业共建实训基地", "机械学院举办大国工匠讲座"]),
}


def article_path(college: str, n: int) -> str:
    column = 1234 if college == "jsjxy" else 2345
    return f"/{college}/2023/1010/c{column}a{5000 + n}/page.htm"


def article_page(title: str, n: int) -> Page:
    return Page(f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="nav">首页</div>'
                f'<h1>{title}</h1><div class="info">发布时间：2023-10-{n + 1:02d} 来源：学院办公室</div>'
                f'<div class="wp_articlecontent"><p>{title}。学院党委书记出席并讲话，共有{n + 80}名师生参加。</p>'
                f'<p>活动要求全院师生把第{n + 1}项重点任务落到实处，推动学院各项事业高质量发展。</p></div></body></html>'
                .encode("utf-8"))


def list_page(college: str, titles: list[str], offset: int, other: str, other_offset: int) -> Page:
    items = "".join(f'<li><a href="{article_path(college, offset + n)}">{t}</a><span>2023-10-{offset + n + 1:02d}</span></li>'
                    for n, t in enumerate(titles))
    # the sidebar shows the other college's news (a university's 学院动态 box)
    sidebar = "".join(f'<li><a href="{article_path(other, other_offset + n)}">兄弟学院动态{n}</a></li>' for n in range(3))
    return Page(f'<html><head><meta charset="utf-8"><title>学院新闻</title></head><body><div class="nav">首页</div>'
                f'<div class="main"><ul class="news_list">{items}</ul></div><div class="side"><ul>{sidebar}</ul></div>'
                f'</body></html>'.encode("utf-8"))


@pytest.fixture(scope="module")
def two_colleges(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("colleges")
    pages = {}
    offsets = {"jsjxy": 0, "jxxy": 10}
    for college, (_, titles) in COLLEGES.items():
        other = "jxxy" if college == "jsjxy" else "jsjxy"
        pages[f"/{college}/xwdt/list.htm"] = list_page(college, titles, offsets[college], other, offsets[other])
        for n, title in enumerate(titles):
            pages[article_path(college, offsets[college] + n)] = article_page(title, offsets[college] + n)
    # a third school on the host whose list is only script-free links the crawler cannot read as articles
    pages["/hgxy/xwdt/list.htm"] = Page('<html><head><meta charset="utf-8"><title>学院新闻</title></head><body>'
                                        '<ul><li><a href="javascript:;" onclick="go(1)">化工学院召开教代会</a>'
                                        '<span>2023-10-01</span></li></ul></body></html>'.encode("utf-8"))
    with Host("127.0.0.6", pages) as host:
        config = tmp / "sites.toml"
        config.write_text("".join(
            f'[[sites]]\nname = "{name}"\nstart_urls = ["{host.base}/{college}/xwdt/list.htm"]\n\n'
            for college, name in (("jsjxy", "计算机学院"), ("jxxy", "机械学院"), ("hgxy", "化工学院")))
            + '[crawl]\ndownload_delay = 0\nautothrottle = false\n', encoding="utf-8")
        db_path = tmp / "reports.db"
        result = run_cli("--once", "--config", config, "--db", db_path)
    return result, db_path


def test_each_school_on_a_shared_host_stores_its_own_articles_and_none_of_the_others(two_colleges):
    result, db_path = two_colleges
    assert result.returncode == 0, result.stderr[-3000:]
    for college, (name, titles) in COLLEGES.items():
        stored = query(db_path, f"SELECT title, url FROM articles WHERE site = '{name}'")
        assert sorted(title for title, _ in stored) == sorted(titles)
        assert all(f"/{college}/" in url for _, url in stored)


def test_a_school_whose_lists_answered_but_stored_nothing_is_not_ok(two_colleges):
    result, db_path = two_colleges
    status, error = query(db_path, "SELECT status, first_error FROM crawl_run_sites WHERE site = '化工学院'")[0]
    assert status == "partial" and "没有存下一篇文章" in error
    assert "化工学院" in result.stdout and "没有存下一篇文章" in result.stdout
    assert query(db_path, "SELECT status FROM crawl_run_sites WHERE site = '计算机学院'") == [("ok",)]
    broken = query(db_path, "SELECT site, problem FROM events WHERE kind = 'broken'")
    assert broken == [("化工学院", "nothing")]


def test_the_path_scope_comes_from_the_start_urls_or_path_prefix():
    config = parse_config({"sites": [
        {"name": "计算机学院", "start_urls": ["https://www.x.edu.cn/jsjxy/xwdt/list.htm",
                                             "https://www.x.edu.cn/jsjxy/tzgg/list.htm"]},
        {"name": "机械学院", "path_prefix": "/jxxy", "start_urls": ["https://www.x.edu.cn/jxxy/xwdt/list.htm"]},
        {"name": "学校", "start_urls": ["https://www.x.edu.cn/xwzx/list.htm"], "path_prefix": "/"},
        {"name": "另一所学校", "start_urls": ["https://www.y.edu.cn/a/b/list.htm"]},
    ]})
    assert [s.path_prefix for s in config.sites] == ["/jsjxy/", "/jxxy/", "/", "/"]
    owner = {url: (config.owner(url).name if config.owner(url) else None) for url in (
        "https://www.x.edu.cn/jsjxy/info/1011/2301.htm", "https://www.x.edu.cn/jxxy/2023/1010/c1a2/page.htm",
        "https://www.x.edu.cn/info/1011/2301.htm", "https://www.y.edu.cn/c/1.htm")}
    assert owner == {"https://www.x.edu.cn/jsjxy/info/1011/2301.htm": "计算机学院",
                     "https://www.x.edu.cn/jxxy/2023/1010/c1a2/page.htm": "机械学院",
                     "https://www.x.edu.cn/info/1011/2301.htm": "学校",
                     "https://www.y.edu.cn/c/1.htm": "另一所学校"}
