"""A school's news columns, found from its homepage: what a person would click to read news.

Two places name them: the navigation menu (新闻中心, 通知公告, 党建工作 …) and the ``更多>>``
links of the homepage's news boxes, whose box heading is the column's name. Candidates are
kept by name here (news-like words, not 学校概况 or 联系我们); whether a candidate really is
a column is decided on its own page, by content: a dated list of article links
(:func:`is_news_list`). Pure: no Scrapy, no network.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html

from crawler.extract.links import DATE_SHAPE, is_attachment, is_http, looks_like_article
from crawler.extract.listing import link_target
from crawler.extract.urls import canonical_url

# A column's name is news-like when it holds a word only news columns use (新闻, 通知, 党建 …),
# or when it is made of broad words alone (信息, 工作, 校园 …: 综合信息, 党群工作, 校园动态), never
# when a broad word is part of something else (信息工程学院, 工作指南, 名师风采, 校园卡, 学习推荐).
NEWS_WORDS = ("新闻", "要闻", "动态", "通知", "公告", "党建", "党的建设", "快讯", "资讯", "头条", "简报", "报道", "公示",
              "视点", "聚焦", "主题教育", "党史", "纪实", "news", "News", "NEWS")
# words that make a news column's name when they begin it: the press on the school (媒体科大, 媒体看川大),
# not a word's end (新媒体矩阵, 融媒体中心 are portals)
NEWS_PREFIXES = ("媒体",)
BROAD_WORDS = ("信息", "工作", "校园", "学院", "学校", "党委", "党群", "党务", "团委", "团学", "团建", "思政", "媒体", "综合",
               "活动", "学习", "风采", "园地", "天地", "之窗", "基层", "组织", "宣传", "统战", "纪检", "监察", "工会", "理论",
               "学术", "报告", "讲座", "科研", "教学", "学工", "教务", "学生")
# names that are no news column, whatever words they share (学校概况, 联系我们, 招生信息 …); ``columns``
# in the config asks for any of them by name
NOT_COLUMN_WORDS = ("概况", "简介", "联系", "首页", "领导", "机构", "沿革", "校史", "地图", "下载", "邮箱", "登录",
                    "English", "旧版", "网站", "信息公开目录", "指南", "招聘", "留言", "搜索", "常见问题", "问答", "表格",
                    "校历", "投票", "校园卡", "制度", "规章", "章程")
# offices' services, left unless the name says news (招生信息, 就业服务 left; 就业新闻, 招生动态 kept)
SERVICE_WORDS = ("招生", "就业", "办事", "服务")
MORE_TEXT = re.compile(r"^(?:[>»＞》+]+)?(?:查看|点击)?(?:更多|more)(?:[>»＞》+.…·•。]+|\.\.\.)?$", re.I)
MAX_NAME = 12
BOX_DEPTH = 8  # ancestors of a 更多 link looked at for its box and its tab bar (a carousel nests its panels deep)
MAX_CANDIDATES = 40
MIN_LIST_ARTICLES = 3  # fewer article links than this on its page: not a column


@dataclass(frozen=True)
class Candidate:
    name: str
    url: str
    via: str  # "more" (a news box's 更多 link) or "menu" (a link named like a news column)


_BROAD_ONLY = re.compile("^(?:" + "|".join(sorted(BROAD_WORDS, key=len, reverse=True)) + ")+$")


def is_news_name(name: str, wanted: tuple[str, ...] = ()) -> bool:
    """A name a news column may have (its page decides); ``wanted``: the config's ``columns``,
    which ask for any column by name, 招生 included."""
    if _asked(name, wanted):
        return True
    if _left_out(name, wanted):
        return False
    return _strong_news(name) or bool(_BROAD_ONLY.match(name))


def _asked(name: str, wanted: tuple[str, ...]) -> bool:
    """The config's ``columns`` ask for the name: a part of it matches (党建 asks for 党建工作)."""
    return any(w in name for w in wanted)


def _menu_news_name(name: str, wanted: tuple[str, ...]) -> bool:
    """A menu link's name that may be a news column's: a news word, or two broad words and more
    (综合信息, 工会工作, 学生活动); one broad word alone (学生, 团委, 党委) names an audience or a
    body, and a menu section named with broad words (学生工作 over its sub-menu) is not asked
    (a box's 更多 link has its dated items to vouch for a broad name)."""
    if _asked(name, wanted):
        return True
    if _left_out(name, wanted):
        return False
    return _strong_news(name) or (bool(_BROAD_ONLY.match(name)) and name not in BROAD_WORDS)


def _strong_news(name: str) -> bool:
    """Named with a word only news columns use (broad words alone do not count)."""
    return any(w in name for w in NEWS_WORDS) or name.startswith(NEWS_PREFIXES)


def name_matches(name: str, wanted: tuple[str, ...], unwanted: tuple[str, ...]) -> bool:
    """``columns`` / ``exclude_columns`` of the config: parts of names (党建 matches 党建工作)."""
    return (not wanted or _asked(name, wanted)) and not any(w in name for w in unwanted)


def _text(el) -> str:
    return re.sub(r"\s+", "", el.text_content() or "")




def _is_label(own: str) -> bool:
    return 2 <= len(own) <= MAX_NAME and not MORE_TEXT.match(own) and not re.fullmatch(r"[\d\-./:年月日]+", own) \
        and not DATE_SHAPE.search(own)


def _own(el) -> str:
    return re.sub(r"\s+", "", el.text or "")


def _box(anchor, mores_under: dict) -> tuple[str | None, object]:
    """The heading and the element of the box a ``更多`` link closes or opens: the first short
    text before or around it in the nearest ancestor that holds more than the link, never
    beyond the box. An ancestor holding other boxes' 更多 links too is a set of tabs (the
    link's name is its tab's label, in the same order) or the page (no name). ``mores_under``:
    each element's 更多 links, in page order (:func:`_mores_under`)."""
    node, name, box = anchor, None, None
    for _ in range(BOX_DEPTH):
        node = node.getparent()
        if node is None:
            break
        mores = mores_under.get(node, ())
        if len(mores) > 1:
            tabs = _tab_labels(node) if name is None else []
            if len(tabs) == len(mores):
                return tabs[mores.index(anchor)], box if box is not None else node
            if name is not None:
                break
            continue  # panels of tabs whose bar is further up
        box = node  # the largest ancestor that is this box alone (its items too)
        if name is not None:
            continue
        for el in node.iter():
            if el is anchor:
                break
            # a comment, a script, or a link (the box's first item) does not name the box
            if not isinstance(el.tag, str) or el.tag in ("script", "style") or _in_link(el):
                continue
            if _is_label(_own(el)):
                name = _own(el)
                break
        if name is None:  # the heading may come after the link in the same box (更多 floated left)
            heading = next((h for h in node.xpath(".//h1|.//h2|.//h3|.//h4|.//*[contains(@class,'title')]")
                            if 2 <= len(_text(h)) <= MAX_NAME and not MORE_TEXT.match(_text(h))), None)
            name = _text(heading) if heading is not None else None
    return name, box


def _mores_under(more_links: list) -> dict:
    """Each ancestor of the page's 更多 links -> those links, in page order: one pass up each
    link's ancestors, not a scan of every ancestor's links for each 更多 link."""
    under: dict = {}
    for link in more_links:
        for node in link.iterancestors():
            under.setdefault(node, []).append(link)
    return under


def _left_out(name: str, wanted: tuple[str, ...]) -> bool:
    """Not a news column by its name, whatever its page shows, unless ``columns`` asks for it."""
    if _asked(name, wanted):
        return False
    return any(w in name for w in NOT_COLUMN_WORDS) or (
        any(w in name for w in SERVICE_WORDS) and not any(w in name for w in NEWS_WORDS))


def _tab_labels(node) -> list[str]:
    """The labels of a tab bar: the short texts that come before the first item of the panels."""
    labels = []
    for el in node.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        own = _own(el)
        if DATE_SHAPE.search(own) or (el.tag == "a" and len(_text(el)) > MAX_NAME):
            break  # the first panel's items have begun
        if _is_label(own):
            labels.append(own)
    return labels


def _dated_box(box) -> bool:
    """A news box shows dated items: two dates at least."""
    return box is not None and len(DATE_SHAPE.findall(" ".join(box.itertext()))) >= 2


def _in_link(el) -> bool:
    return el.tag == "a" or any(a.tag == "a" for a in el.iterancestors())


def _more_link(anchor, href: str, text: str) -> bool:
    """A box's ``更多`` link: 更多, 更多>>, 更多···, >>更多, MORE+, or an image (more.gif, alt 更多)."""
    if MORE_TEXT.match(text):
        return True
    image = anchor.find(".//img")
    if text or image is None:
        return False
    return bool(MORE_TEXT.match(re.sub(r"\s+", "", image.get("alt") or ""))) or "more" in href.lower() \
        or "more" in (image.get("src") or "").lower()


def _under_news_item(anchor, wanted: tuple[str, ...]) -> bool:
    """A sub-menu link under a news column's menu item (新闻中心 > 学院要闻, 媒体聚焦 …): the
    first link of the nearest menu item (li) around it that is not its own, named with a news
    word (under 学生工作 or 党群工作, broad words alone, the sub-menu is offices and services)."""
    for li in anchor.iterancestors("li"):
        head = next(li.iter("a"), None)
        if head is None or head is anchor:
            continue
        name = _text(head)
        return _asked(name, wanted) or (_strong_news(name) and not _left_out(name, wanted))
    return False


def _heads_a_menu(anchor) -> bool:
    """The link heads a menu item with a sub-menu of its own (li > a + ul, dt > a + dd): a
    section (学生工作, 党群工作) whose columns are the sub-menu's links."""
    item = next(anchor.iterancestors("li", "dt"), None)
    if item is None or next(item.iter("a"), None) is not anchor:
        return False
    if item.tag == "li":
        return sum(1 for a in item.iter("a") if a is not anchor and link_target(a)) >= 2
    dd = item.getnext()
    return dd is not None and dd.tag == "dd" and sum(1 for _ in dd.iter("a")) >= 2


def column_candidates(html: str, home_url: str, on_site, wanted: tuple[str, ...] = ()) -> list[Candidate]:
    """The homepage's links that may lead to news columns, best first (``更多`` links, then menu
    links named like news or under a news menu item), at most MAX_CANDIDATES; ``on_site(url)``
    keeps the school's own; ``wanted`` (the config's ``columns``) asks for any name."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    home = canonical_url(home_url)
    found: list[Candidate] = []
    seen: set[str] = set()  # canonical URLs taken
    mores_under = _mores_under([a for a in tree.iter("a") if _more_link(a, link_target(a) or "", _text(a))])
    for anchor in tree.iter("a"):
        href = link_target(anchor)  # a placeholder's onclick or script target counts
        if not href or href.lower().startswith(("javascript:", "mailto:", "tel:")):
            continue
        try:  # asked as linked (a server may not answer its index page's canonical form)
            url = urljoin(home_url, href).split("#")[0]
            same = canonical_url(url)
        except ValueError:
            continue
        if same == home or not is_http(url) or not on_site(url) or is_attachment(url) or looks_like_article(url):
            continue
        if same in seen:
            continue
        text = _text(anchor)
        if _more_link(anchor, href, text):
            title = re.sub(r"\s+", "", anchor.get("title") or "")
            name, box = _box(anchor, mores_under)
            name = title if title and not MORE_TEXT.match(title) else name
            # a box of dated items, or one named like news (a box of system links or pictures is neither)
            if name and not _left_out(name, wanted) and (is_news_name(name, wanted) or _dated_box(box)):
                seen.add(same)
                found.append(Candidate(name, url, "more"))
            continue
        text = text or re.sub(r"\s+", "", anchor.get("title") or "")
        if _heads_a_menu(anchor) and not _strong_news(text) and not _asked(text, wanted):
            continue  # a section of the menu named with broad words: its sub-menu holds the columns
        if 2 <= len(text) <= MAX_NAME and (_menu_news_name(text, wanted) or (
                _under_news_item(anchor, wanted) and not _left_out(text, wanted))):
            seen.add(same)
            found.append(Candidate(text, url, "menu"))
    ordered = sorted(found, key=lambda c: c.via != "more")
    return ordered[:MAX_CANDIDATES]


# a list a script fills in: an ajax/JSON call or document.write (the crawl reads HTML only)
_SCRIPT_LIST = re.compile(r"\$\.(?:ajax|get|post|getJSON)\s*\(|\bfetch\s*\(|XMLHttpRequest|document\.write\s*\(|"
                          r"\.json\b|/api/", re.I)


def built_by_script(html: str) -> bool:
    """The page's list is built by a script: it has none in its HTML but scripts that load one."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S | re.I)
    return any(_SCRIPT_LIST.search(body) for body in scripts)


def script_list_note(name: str, url: str) -> str:
    """The one line that says so, for --try, --discover and the run summary."""
    column = f"栏目「{name}」" if name else "此栏目"
    return f"{column}的文章列表由脚本（ajax/JSON 或 document.write）生成，网页中没有文章链接，暂不能采集: {url}"


def is_news_list(links: list[tuple[str, str | None, str | None]]) -> bool:
    """A column's page: a list of at least MIN_LIST_ARTICLES article links, most of them dated."""
    if len(links) < MIN_LIST_ARTICLES:
        return False
    dated = sum(1 for _, date, _ in links if date)
    return dated * 2 >= len(links)


def date_range(links: list[tuple[str, str | None, str | None]]) -> tuple[str | None, str | None]:
    """Oldest and newest date its first page shows (YYYY-MM-DD), for --discover's comments."""
    from crawler.extract.dates import parse_date

    days = sorted(d[:10] for d in (parse_date(date or "") for _, date, _ in links) if d)
    return (days[0], days[-1]) if days else (None, None)
