"""Column discipline on real crawls: a list page's own articles are taken, not a sidebar's
links to other columns, and articles that are plain numbers in the column's folder count."""
from __future__ import annotations

from demo.server import DemoServer
from tests.helpers import query, run_cli

NOTICES = ["关于开展2023年度师德师风专题教育活动的通知", "关于做好国家奖学金评审工作的通知",
           "关于举办第十届职业技能大赛的通知", "关于组织开展校园安全隐患排查的通知"]


def notice_page(title: str, number: int) -> str:
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><div class="nav">首页</div>'
            f'<h1>{title}</h1><div class="info">发布时间：2023-10-{number:02d} 来源：学校办公室</div>'
            f'<div class="article"><p>各部门、各二级学院：根据学校工作安排，现就第{number}项工作通知如下，请认真组织落实。</p>'
            f'<p>一、高度重视。各单位要把此项工作作为第{number}季度重点任务，明确责任人，按时完成。</p>'
            f'<p>二、按时报送。请于10月{number + 10}日前将材料报送学校办公室。</p></div></body></html>')


def column_page(items: str, sidebar: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>通知公告</title></head><body><div class="nav">首页</div>'
            f'<div class="main"><h2>通知公告</h2><ul class="list">{items}</ul>'
            f'<div class="pages"><a href="list.htm">1</a></div></div>'
            f'<div class="side"><h3>热点新闻</h3><ul>{sidebar}</ul></div></body></html>')


def test_plain_numbered_articles_are_taken_and_other_columns_sidebars_are_not(tmp_path):
    items = "".join(f'<li><a href="{10001 + n}.html">{t}</a><span>2023-10-{n + 1:02d}</span></li>'
                    for n, t in enumerate(NOTICES))
    sidebar = "".join(f'<li><a href="/2023/0501/c777a{n}/page.htm">热点报道{n}</a></li>' for n in range(5))
    with DemoServer() as demo:
        demo.replace("jiahe", "/tzgg/list.htm", column_page(items, sidebar))
        for n, title in enumerate(NOTICES):
            demo.replace("jiahe", f"/tzgg/{10001 + n}.html", notice_page(title, n + 1))
        config = tmp_path / "sites.toml"
        config.write_text(f'[[sites]]\nname = "嘉禾职业技术学院"\nstart_urls = ["{demo.base_url("jiahe")}/tzgg/list.htm"]\n'
                          '[crawl]\ndownload_delay = 0\nautothrottle = false\n', encoding="utf-8")
        result = run_cli("--once", "--config", config, "--db", tmp_path / "reports.db")
        asked = demo.requests("jiahe")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(t for (t,) in query(tmp_path / "reports.db", "SELECT title FROM articles")) == sorted(NOTICES)
    assert not [path for path in asked if "/c777a" in path]  # the sidebar's other column: not asked


def test_articles_on_a_followed_host_are_the_schools_and_its_navigation_is_not_fetched(tmp_path):
    """follow_hosts = ["mp.weixin.qq.com"]: a loopback host stands in for the WeChat one."""
    from demo.site import Page
    from tests.helpers import PAGES, Host

    wechat_page = (PAGES / "wechat" / "jiahe-20231013.html").read_bytes()
    with DemoServer() as demo, Host("127.0.0.4", {"/s/AbCdEfGhIjKlMnOp": Page(wechat_page)}) as wechat:
        article = f"{wechat.base}/s/AbCdEfGhIjKlMnOp"
        items = "".join(f'<li><a href="{10001 + n}.html">{t}</a><span>2023-10-{n + 1:02d}</span></li>'
                        for n, t in enumerate(NOTICES[:3]))
        items += f'<li><a href="{article}">我校在省职业院校技能大赛中获一等奖3项</a><span>2023-10-13</span></li>'
        sidebar = f'<li><a href="{wechat.base}/">关注我们的公众号</a></li>'  # the other host's navigation
        demo.replace("jiahe", "/tzgg/list.htm", column_page(items, sidebar))
        for n, title in enumerate(NOTICES[:3]):
            demo.replace("jiahe", f"/tzgg/{10001 + n}.html", notice_page(title, n + 1))
        site = f'[[sites]]\nname = "嘉禾职业技术学院"\nstart_urls = ["{demo.base_url("jiahe")}/tzgg/list.htm"]\n'
        crawl = '[crawl]\ndownload_delay = 0\nautothrottle = false\n'
        without, with_ = tmp_path / "without.toml", tmp_path / "with.toml"
        without.write_text(site + crawl, encoding="utf-8")
        with_.write_text(site + 'follow_hosts = ["127.0.0.4"]\n' + crawl, encoding="utf-8")
        assert run_cli("--once", "--config", without, "--db", tmp_path / "without.db").returncode == 0
        assert wechat.hits == []  # not opted in: never asked
        result = run_cli("--once", "--config", with_, "--db", tmp_path / "with.db")
        assert result.returncode == 0, result.stderr[-3000:]
        hits = list(wechat.hits)
    assert "/" not in hits and "/s/AbCdEfGhIjKlMnOp" in hits
    stored = query(tmp_path / "with.db", "SELECT site, url, source, published_at FROM articles WHERE url LIKE '%/s/%'")
    assert stored == [("嘉禾职业技术学院", article, "嘉禾职业技术学院", "2023-10-13T16:00:00+08:00")]


def test_a_column_moved_to_a_new_cms_id_stores_its_new_articles_and_says_so(tmp_path):
    """WebPlus: the site moves 新闻动态 from c1234 to c2345; page 1 lists two new articles under
    the new id above five under the old one."""
    moved = [("2023/1101/c2345a70001", "我校召开新学期党建工作推进会"), ("2023/1102/c2345a70002", "我校举办职业技能展示周活动")]
    with DemoServer() as demo:
        school = demo.schools["jiahe"]
        config = tmp_path / "sites.toml"
        config.write_text(demo.config_toml(), encoding="utf-8")
        db_path = tmp_path / "reports.db"
        assert run_cli("--once", "--config", config, "--db", db_path).returncode == 0
        listing = demo.page("jiahe", school.list_path).body.decode("utf-8")
        first = listing.index('<li class="news">')
        items = "".join(f'<li class="news"><span class="news_title"><a href="/{path}/page.htm" title="{title}">{title}'
                        f'</a></span><span class="news_meta">2023-11-0{n + 1}</span></li>' for n, (path, title) in enumerate(moved))
        demo.replace("jiahe", school.list_path, listing[:first] + items + listing[first:])
        for n, (path, title) in enumerate(moved):
            demo.replace("jiahe", f"/{path}/page.htm", notice_page(title, n + 1))
        second = run_cli("--once", "--config", config, "--db", db_path)
    assert second.returncode == 0, second.stderr[-3000:]
    stored = {title for (title,) in query(db_path, "SELECT title FROM articles WHERE url LIKE '%c2345a%'")}
    assert stored == {title for _, title in moved}
    assert "1 个栏目的编号有变" in second.stdout
    assert "出现新编号 2345（原为 1234）" in second.stderr
