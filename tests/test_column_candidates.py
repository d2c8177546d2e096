"""Which homepage links may be news columns (crawler/extract/columns.py), as a person signing
off the list would judge: every spelling of 更多, a box's name from its own heading, a news
menu's sub-columns, and not 招生/就业/办事/服务 or a department whose name holds a broad word."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from crawler.extract import decode_html_bytes
from crawler.extract.columns import column_candidates, is_news_name
from crawler.extract.urls import canonical_url
from tests.helpers import MANIFEST, PAGES, page_url

HOME = """<html><body>
<ul class="nav">
 <li><a href="/xxgk.htm">学校概况</a><ul><li><a href="/xxgk/jj.htm">学校简介</a></li></ul></li>
 <li><a href="/xwzx.htm">新闻中心</a><ul><li><a href="/xwzx/xyyw.htm">学院要闻</a></li>
   <li><a href="/xwzx/mtjj.htm">媒体看学院</a></li><li><a href="/xwzx/lxwm.htm">联系我们</a></li></ul></li>
 <li><a href="/djgz.htm">党的建设</a><ul><li><a href="/djgz/llxx.htm">理论学习</a></li></ul></li>
 <li><a href="/zsxx.htm">招生信息</a></li><li><a href="/jyxx.htm">就业工作</a></li>
 <li><a href="/xb/xxgc.htm">信息工程学院</a></li><li><a href="/gzzn.htm">工作指南</a></li>
 <li><a href="/msfc.htm">名师风采</a></li><li><a href="/xyk.htm">校园卡</a></li><li><a href="/xxtj.htm">学习推荐</a></li>
 <li><a href="/zhxx.htm">综合信息</a></li><li><a href="/dqgz.htm">党群工作</a></li>
</ul>
<div class="box"><h3>通知公告</h3><a class="more" href="/tzgg.htm">更多···</a>
  <ul><li><a href="/info/1/1.htm">关于2023年元旦放假的通知</a></li></ul></div>
<div class="box"><span>校园动态</span><a href="/xydt.htm">>>更多</a></div>
<div class="box"><div class="tab"><span class="on">学术活动</span></div><a href="/xshd.htm">MORE+</a></div>
<div class="box"><h3>媒体聚焦</h3><a href="/mtjj.htm"><img src="/images/more.gif" alt="更多"></a></div>
<div class="box"><a href="/bszn.htm"><img src="/images/more.gif" alt="更多"></a>
  <ul><li><a href="/bszn/1.htm">学生证补办流程</a></li></ul></div>
<div class="box"><!-- 常见问题 --><a href="/cjwt.htm">更多</a><ul><li><a href="/cjwt/1.htm">如何申请</a></li></ul></div>
</body></html>"""


def names(wanted=()):
    return {c.name: c.url.rsplit("/", 1)[-1] for c in column_candidates(HOME, "http://www.x.edu.cn/", lambda u: True,
                                                                        wanted)}


def test_every_spelling_of_more_names_its_box():
    found = names()
    for name, page in (("通知公告", "tzgg.htm"), ("校园动态", "xydt.htm"), ("学术活动", "xshd.htm"),
                       ("媒体聚焦", "mtjj.htm")):
        assert found.get(name) == page, (name, found)


def test_a_box_without_a_heading_is_not_named_after_its_first_item_a_comment_or_another_box():
    found = names()
    assert "bszn.htm" not in found.values() and "cjwt.htm" not in found.values(), found


def test_sub_columns_of_a_news_menu_are_kept_and_not_its_contact_page():
    found = names()
    assert {"新闻中心", "学院要闻", "媒体看学院", "党的建设", "理论学习"} <= set(found)
    assert "联系我们" not in found


def test_broad_words_count_alone_not_inside_other_names():
    found = names()
    assert {"综合信息", "党群工作"} <= set(found)
    for wrong in ("信息工程学院", "工作指南", "名师风采", "校园卡", "学习推荐", "招生信息", "就业工作", "学校简介"):
        assert wrong not in found, wrong


def test_the_config_can_ask_for_what_is_left_by_default():
    assert "招生信息" in names(wanted=("招生",))
    assert is_news_name("招生信息", ("招生",)) and not is_news_name("招生信息")


# ------------------------------------------------------------------ real homepages (tests/pages, kind "home")
HOMES = [entry for entry in MANIFEST if entry["kind"] == "home"]


def candidates_of(entry) -> tuple[set[str], set[str], set[str]]:
    """(candidates, news columns, borderline columns) of a saved homepage, as canonical URLs."""
    base = page_url(entry)
    host = urlsplit(base).hostname
    html = decode_html_bytes((PAGES / entry["file"]).read_bytes())
    found = {canonical_url(c.url) for c in column_candidates(html, base, lambda u: urlsplit(u).hostname == host)}

    def url(column):
        return canonical_url(column.get("target_url") or urljoin(base, column["href"]))

    return found, {url(c) for c in entry["news_columns"]}, {url(c) for c in entry["borderline_columns"]}


@pytest.mark.parametrize("entry", HOMES, ids=lambda e: e["file"])
def test_every_news_column_of_a_real_homepage_is_a_candidate(entry):
    found, news, _ = candidates_of(entry)
    reason = entry.get("known_misses", {}).get("news_columns")
    if reason:
        assert not news <= found, f"found now: remove the known_misses mark ({reason})"
    else:
        assert news <= found, sorted(news - found)


def test_few_candidates_of_real_homepages_are_no_news_column():
    wrong = total = 0
    for entry in HOMES:
        found, news, borderline = candidates_of(entry)
        wrong += len(found - news - borderline)
        total += len(found)
    assert len(HOMES) >= 6 and wrong <= 0.15 * total, (wrong, total)


def test_news_of_an_office_is_news_its_services_are_not():
    for name in ("就业新闻", "招生动态", "学生工作", "校园动态"):
        assert is_news_name(name), name
    for name in ("招生信息", "就业服务", "办事服务", "招生工作"):
        assert not is_news_name(name), name


def test_a_homepage_of_many_boxes_is_read_in_one_pass():
    """200 news boxes, each with its heading and 更多: every box found, named by its own heading."""
    boxes = "".join(f'<div class="box"><h3>新闻栏目{n}</h3><a href="/col{n}.htm">更多>></a>'
                    f'<ul><li><a href="/info/{n}/1.htm">第{n}栏的一条新闻标题</a><span>2023-05-08</span></li></ul></div>'
                    for n in range(200))
    found = column_candidates(f"<html><body>{boxes}</body></html>", "http://www.x.edu.cn/", lambda u: True)
    assert len([c for c in found if c.via == "more"]) == min(200, 40)
    assert found[7].name == "新闻栏目7" and found[7].url.endswith("/col7.htm")


SECTIONS = """<html><body><ul class="menu">
 <li><a href="/xsgz.htm">学生工作</a><ul><li><a href="/xsgz/xljk.htm">心理健康</a></li>
   <li><a href="/xsgz/txzz.htm">团学组织</a></li><li><a href="/xsgz/xshd.htm">学生活动</a></li></ul></li>
 <li><a href="/dqgz.htm">党群工作</a><ul><li><a href="/dqgz/ghgz.htm">工会工作</a></li>
   <li><a href="/dqgz/djdt.htm">党建动态</a></li></ul></li>
 <li><a href="/xwzx.htm">新闻中心</a><ul><li><a href="/xwzx/mtkd.htm">媒体看科大</a></li>
   <li><a href="/xwzx/hdjs.htm">活动纪实</a></li></ul></li>
 <li><a href="/tw.htm">团委</a></li><li><a href="/xs.htm">学生</a></li><li><a href="/xmt.htm">新媒体矩阵</a></li>
</ul></body></html>"""


def test_a_menu_section_named_with_broad_words_offers_its_columns_not_itself():
    """学生工作 over its sub-menu is a section (its columns are the sub-menu's); a broad head lends
    no news to its items (心理健康 under 学生工作), a news head does (活动纪实 under 新闻中心);
    one broad word alone (团委, 学生) names a body or an audience; 媒体 begins a press column's name."""
    found = {c.name for c in column_candidates(SECTIONS, "http://www.x.edu.cn/", lambda u: True)}
    assert {"学生活动", "工会工作", "党建动态", "新闻中心", "媒体看科大", "活动纪实"} <= found, found
    for wrong in ("学生工作", "党群工作", "心理健康", "团委", "学生", "新媒体矩阵"):
        assert wrong not in found, (wrong, found)


TABS_IN_A_CAROUSEL = """<html><body><div class="box3"><div class="hd"><img src="/img/box3-title.png"></div>
<div class="tab"><span>通知公告</span><span class="active">综合新闻</span><span>媒体科大</span></div>
<div class="swiper"><div class="container"><div class="wrapper">{slides}</div></div></div></div></body></html>"""
SLIDE = """<div class="slide"><div class="box"><div class="content"><ul>
<li><a href="/info/{n}/1.htm"><div class="date"><p>12</p><p>Jan</p></div><p>学校召开第{n}次工作会议</p></a></li>
<li><a href="/info/{n}/2.htm"><div class="date"><p>10</p><p>Jan</p></div><p>学校举行第{n}次座谈会</p></a></li>
</ul><a class="more" href="/index/{page}.htm">查看更多</a></div></div></div>"""


def test_each_tab_of_a_carousel_box_is_named_by_its_tab():
    slides = "".join(SLIDE.format(n=n, page=page) for n, page in enumerate(("tzgg", "zhxw", "mtkd")))
    found = {c.name: c.url.rsplit("/", 1)[-1]
             for c in column_candidates(TABS_IN_A_CAROUSEL.format(slides=slides), "http://www.x.edu.cn/", lambda u: True)}
    assert found == {"通知公告": "tzgg.htm", "综合新闻": "zhxw.htm", "媒体科大": "mtkd.htm"}


def test_columns_asked_by_part_of_a_name_keep_a_sections_sub_menu():
    home = ('<html><body><ul><li><a href="/xywh.htm">校园文化建设</a><ul><li><a href="/xywh/a.htm">文化活动</a></li>'
            '<li><a href="/xywh/b.htm">社团风采</a></li></ul></li></ul></body></html>')
    found = [c.name for c in column_candidates(home, "http://www.x.edu.cn/", lambda u: True, ("校园文化",))]
    assert found == ["校园文化建设", "文化活动", "社团风采"]
