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

from crawler.extract.links import is_attachment, is_http, looks_like_article
from crawler.extract.urls import canonical_url

# words of a news column's name (the column is then checked by its content)
NEWS_WORDS = ("新闻", "要闻", "动态", "通知", "公告", "党建", "党群", "党委", "党史", "团学", "团委", "校园", "媒体",
              "快讯", "资讯", "聚焦", "头条", "综合", "信息", "活动", "思政", "主题教育", "学习", "公示", "简报",
              "工作", "风采", "视点", "报道", "news", "News", "NEWS")
# names that are no news column, whatever words they share (学校概况, 联系我们 …)
NOT_COLUMN_WORDS = ("概况", "简介", "联系", "首页", "领导", "机构", "沿革", "校史", "地图", "下载", "邮箱", "登录",
                    "English", "旧版", "网站", "信息公开目录", "办事指南", "服务指南", "招聘", "留言", "搜索")
MORE_TEXT = re.compile(r"^\s*(?:查看)?(?:更多|more|MORE|More)\s*(?:[>»＞+》]+|\.\.\.|…)?\s*$|^\s*[>»＞]{2}\s*$")
MAX_NAME = 12
MAX_CANDIDATES = 40
MIN_LIST_ARTICLES = 3  # fewer article links than this on its page: not a column


@dataclass(frozen=True)
class Candidate:
    name: str
    url: str
    via: str  # "more" (a news box's 更多 link) or "menu" (a link named like a news column)


def is_news_name(name: str) -> bool:
    return any(w in name for w in NEWS_WORDS) and not any(w in name for w in NOT_COLUMN_WORDS)


def name_matches(name: str, wanted: tuple[str, ...], unwanted: tuple[str, ...]) -> bool:
    """``columns`` / ``exclude_columns`` of the config: parts of names (党建 matches 党建工作)."""
    return (not wanted or any(w in name for w in wanted)) and not any(w in name for w in unwanted)


def _text(el) -> str:
    return re.sub(r"\s+", "", el.text_content() or "")


def _box_heading(anchor) -> str | None:
    """The heading of the box a ``更多`` link closes or opens: the first short text before or
    around it in the nearest ancestor that holds more than the link."""
    node = anchor
    for _ in range(4):
        node = node.getparent()
        if node is None:
            return None
        for el in node.iter():
            if el is anchor:
                break
            if el.tag in ("script", "style"):
                continue
            own = re.sub(r"\s+", "", (el.text or ""))
            if 2 <= len(own) <= MAX_NAME and not MORE_TEXT.match(own) and not re.fullmatch(r"[\d\-./:年月日]+", own):
                return own
        # the heading may come after the link in the same box (更多 floated left)
        heading = next((h for h in node.xpath(".//h1|.//h2|.//h3|.//h4|.//*[contains(@class,'title')]")
                        if 2 <= len(_text(h)) <= MAX_NAME and not MORE_TEXT.match(_text(h))), None)
        if heading is not None:
            return _text(heading)
    return None


def column_candidates(html: str, home_url: str, on_site) -> list[Candidate]:
    """The homepage's links that may lead to news columns, best first (``更多`` links, then menu
    links named like news), at most MAX_CANDIDATES; ``on_site(url)`` keeps the school's own."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    home = canonical_url(home_url)
    found: list[Candidate] = []
    seen: set[str] = set()  # canonical URLs taken
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
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
        text = _text(anchor) or re.sub(r"\s+", "", anchor.get("title") or "")
        if MORE_TEXT.match(text) or (not text and anchor.find(".//img") is not None and "more" in href.lower()):
            name = anchor.get("title") if anchor.get("title") and not MORE_TEXT.match(anchor.get("title")) else None
            name = name or _box_heading(anchor)
            if name and not any(w in name for w in NOT_COLUMN_WORDS):
                seen.add(same)
                found.append(Candidate(name, url, "more"))
            continue
        if 2 <= len(text) <= MAX_NAME and is_news_name(text):
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
