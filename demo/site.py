"""The bundled demo: three fictional schools whose pages look like real school CMS output.

Each school is rendered in the style of one CMS family seen in ``shared/corpus``
(WebPlus, VSB in GBK labelled gb2312, PowerEasy), with the noise real templates carry:
breadcrumbs, metadata lines with glued labels, 上一篇/下一篇, 责任编辑, sidebars with
dates, print/close widgets, footers with 版权所有 and ICP numbers, 友情链接. Their lists
paginate, link a missing page (404), a PDF and a robots-disallowed page.

Pure: builds ``{path: Page}`` for a school; :mod:`demo.server` serves them.
"""
from __future__ import annotations

import html
import json
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ARTICLES_FILE = Path(__file__).with_name("articles.json")


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # for redirects


@dataclass
class School:
    key: str
    name: str
    host: str
    cms: str
    encoding: str  # what the bytes are in
    declared: str  # what the page says it is in
    list_path: str
    per_page: int
    robots_disallow: tuple[str, ...]
    articles: list[dict] = field(default_factory=list)
    notice: str = "关于做好2023年秋季学期开学工作的通知"  # the list pages' 通知公告 box

    def list_page_path(self, number: int) -> str:
        """Path of list page ``number`` (1-based) in this CMS's scheme."""
        if number == 1:
            return self.list_path
        if self.cms == "webplus":
            return self.list_path.replace("list.htm", f"list{number}.htm")
        if self.cms == "vsb":  # VSB numbers its pages backwards: page 2 is the highest number
            total = self.page_count()
            return self.list_path.replace(".htm", f"/{total - number + 1}.htm")
        return self.list_path.replace("Index.aspx", f"Index_{number}.aspx")

    def page_count(self) -> int:
        return max(1, -(-len(self.articles) // self.per_page))

    def article_path(self, article: dict, page: int = 1) -> str:
        number = int(article["id"][1:])
        if self.cms == "webplus":
            y, m, d = article["date"][:10].split("-")
            return f"/{y}/{m}{d}/c1234a{56780 + number}/page.htm"
        if self.cms == "vsb":
            return f"/info/1045/{2300 + number}{'' if page == 1 else f'_{page}'}.htm"
        return f"/Item/{8800 + number}.aspx"


SCHOOLS = {
    "jiahe": dict(name="嘉禾职业技术学院", host="127.0.0.1", cms="webplus", encoding="utf-8", declared="utf-8",
                  list_path="/xwdt/list.htm", per_page=4, robots_disallow=("/nbxx/",)),
    "nanhu": dict(name="南湖交通运输职业学校", host="127.0.0.2", cms="vsb", encoding="gbk", declared="gb2312",
                  list_path="/index/xwdt.htm", per_page=3, robots_disallow=("/system/", "/info/1099/")),
    "hongchuan": dict(name="红船中学", host="127.0.0.3", cms="powereasy", encoding="utf-8", declared="utf-8",
                      list_path="/Category_12/Index.aspx", per_page=3, robots_disallow=("/Admin/", "/Item/8899.aspx")),
}


def load_schools() -> dict[str, School]:
    articles = json.loads(ARTICLES_FILE.read_text(encoding="utf-8"))
    schools = {key: School(key=key, **spec) for key, spec in SCHOOLS.items()}
    for article in articles:
        schools[article["school"]].articles.append(article)
    for school in schools.values():
        school.articles.sort(key=lambda a: a["date"], reverse=True)  # lists show newest first
    return schools


# ------------------------------------------------------------------ helpers
def esc(text: str) -> str:
    return html.escape(text, quote=True)


def shown_date(article: dict, cms: str) -> str:
    """The date as this CMS prints it."""
    value = article["date"]
    if cms == "powereasy":
        y, m, d = value[:10].split("-")
        return f"{y}年{m}月{d}日"
    return value + (":00" if cms == "vsb" and len(value) > 10 else "")


def paragraphs_html(paragraphs: list[str], photos: list[str] = ()) -> str:
    """The body's paragraphs; ``photos`` (their paths) stand after the first, centred, as CMS editors place them."""
    out = []
    for number, text in enumerate(paragraphs):
        if number == 1:
            out += [f'<p style="text-align:center"><img src="{src}" width="600" alt=""></p>' for src in photos]
        if len(text) < 30 and not text.endswith(("。", "！", "？")):
            out.append(f'<p style="text-align:center"><strong>{esc(text)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em">{esc(text)}</p>')
    return "\n".join(out)


def body_parts(article: dict) -> list[list[str]]:
    """The paragraphs of each page of the article (two pages when ``split_at`` is set)."""
    paragraphs = article["paragraphs"]
    if not article.get("split_at"):
        return [paragraphs]
    cut = next(i for i, p in enumerate(paragraphs) if p.startswith(article["split_at"]))
    return [paragraphs[:cut], paragraphs[cut:]]


def footer(school: School) -> str:
    return f"""<div class="footer">
<div class="links">友情链接：<a href="http://www.moe.gov.cn/">教育部</a> <a href="http://jyt.zj.gov.cn/">浙江省教育厅</a>
<a href="http://www.chinazy.org/">中国职业技术教育网</a></div>
<p>版权所有 Copyright 2023 {esc(school.name)} 地址：南湖区学院路88号 邮编：314000 电话：0573-83640000</p>
<p><a href="https://beian.miit.gov.cn/">浙ICP备05012345号-1</a> 浙公网安备33040202000123号</p>
</div>"""


def nav(school: School) -> str:
    return f"""<div class="header"><div class="logo"><img src="/images/logo.png" alt="{esc(school.name)}"></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="{school.list_path}">新闻动态</a></li>
<li><a href="/tzgg/list.htm">通知公告</a></li><li><a href="/xxgk/index.htm">信息公开</a></li>
<li><a href="/djgz/list.htm">党建工作</a></li><li><a href="/zsjy/list.htm">招生就业</a></li></ul></div>"""


def sidebar(school: School, skip: dict | None) -> str:
    items = []
    for other in school.articles[:5]:
        if other is skip:
            continue
        md = other["date"][5:10]
        items.append(f'<li><a href="{school.article_path(other)}" title="{esc(other["title"])}">'
                     f'{esc(other["title"][:14])}</a><span class="date">[{md}]</span></li>')
    return f'<div class="sidebar"><h3>热点新闻</h3><ul>{"".join(items)}</ul></div>'


def document(school: School, title: str, content: str, *, head_extra: str = "") -> bytes:
    charset = school.declared
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{esc(title)}</title>
{head_extra}
<link rel="stylesheet" href="/css/style.css">
</head>
<body>
<div class="topbar">设为首页 | 加入收藏 | <a href="/">English</a></div>
{nav(school)}
{content}
{footer(school)}
</body>
</html>
"""
    return page.encode(school.encoding)


# ------------------------------------------------------------------ article pages
def article_pages(school: School, article: dict, index: int) -> dict[str, Page]:
    parts = body_parts(article)
    newer = school.articles[index - 1] if index > 0 else None
    older = school.articles[index + 1] if index + 1 < len(school.articles) else None
    pages = {}
    for number, paragraphs in enumerate(parts, start=1):
        pager = ""
        if len(parts) > 1:
            links = []
            for n in range(1, len(parts) + 1):
                links.append(str(n) if n == number else f'<a href="{school.article_path(article, n).rsplit("/", 1)[1]}">{n}</a>')
            if number < len(parts):
                links.append(f'<a href="{school.article_path(article, number + 1).rsplit("/", 1)[1]}">下一页</a>')
            pager = f'<div class="fy">共{len(parts)}页&nbsp;{"&nbsp;".join(links)}</div>'
        render = {"webplus": _webplus_article, "vsb": _vsb_article, "powereasy": _powereasy_article}[school.cms]
        photos = photo_paths(school, article) if number == 1 else []
        content = render(school, article, paragraphs_html(paragraphs, photos), pager, newer, older)
        head = ""
        if school.cms == "webplus":
            head = '<meta name="keywords" content="党建,新闻"><meta name="description" content="">'
        pages[school.article_path(article, number)] = Page(
            document(school, f"{article['title']}-{school.name}", content, head_extra=head),
            f"text/html; charset={school.declared}",
        )
    return pages


PHOTOS_PER_ARTICLE = 2
PHOTO_ARTICLES = ("a7", "b5", "c5")  # each school's newest report of the first night shows its event in photos


def photo_paths(school: School, article: dict) -> list[str]:
    if article["id"] not in PHOTO_ARTICLES:
        return []
    return [f"/uploads/photo/{article['id']}-{n}.png" for n in range(1, PHOTOS_PER_ARTICLE + 1)]


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-coloured PNG: a photo stand-in a browser really draws."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _prev_next(school: School, newer: dict | None, older: dict | None, words=("上一篇", "下一篇")) -> str:
    def link(item):
        return f'<a href="{school.article_path(item)}">{esc(item["title"])}</a>' if item else "没有了"
    return f'<div class="prenext"><p>{words[0]}：{link(newer)}</p><p>{words[1]}：{link(older)}</p></div>'


def _webplus_article(school, article, body, pager, newer, older) -> str:
    source = f'<span class="arti_source">来源：{esc(article["source"] or "")}</span>'
    author = f'<span class="arti_author">作者：{esc(article["author_shown"] or "")}</span>'
    views = article["views"] if article["views"] is not None else ""
    return f"""<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="{school.list_path}">新闻动态</a> &gt; 正文</div>
<div class="main"><div class="article" frag="窗口3" portletmode="simpleArticleAttri">
<h1 class="arti_title">{esc(article["title"])}</h1><h2 class="arti_title"></h2>
<p class="arti_metas">{source}{author}<span class="arti_update">发布时间：{shown_date(article, "webplus")}</span><span class="arti_views">浏览次数：<span class="WP_VisitCount">{views}</span></span></p>
<div class="entry"><div class="read"><div class='wp_articlecontent'>
{body}
</div></div></div>{pager}
<p class="arti_editor">责任编辑：{esc(article["editor"] or "")}</p>
{_prev_next(school, newer, older)}
</div>{sidebar(school, article)}</div>"""


def _vsb_article(school, article, body, pager, newer, older) -> str:
    number = 2300 + int(article["id"][1:])
    author = f"作者：{esc(article['author_shown'])}&nbsp;&nbsp;" if article["author_shown"] else ""
    return f"""<div class="dqwz">您的位置：<a href="/">首页</a>&gt;&gt;<a href="{school.list_path}">新闻动态</a>&gt;&gt;正文</div>
<div class="today">今天是2026年11月21日 星期六</div>
<form name="_newscontent_fromname"><div class="content">
<div align="center"><h1>{esc(article["title"])}</h1></div>
<div class="info">来源：{esc(article["source"] or "")}&nbsp;&nbsp;{author}发布时间：{shown_date(article, "vsb")}&nbsp;&nbsp;浏览次数：<script>_showDynClicks("wbnews", 1234567890, {number})</script></div>
<div id="vsb_content"><div class="v_news_content">
{body}
</div></div>{pager}
<div class="editor">（责任编辑：{esc(article["editor"] or "")}）</div>
<div class="tools">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
{_prev_next(school, newer, older, ("上一条", "下一条"))}
</div></form>{sidebar(school, article)}
<!--Announced by Visual SiteBuilder 9-->"""


def _powereasy_article(school, article, body, pager, newer, older) -> str:
    number = 8800 + int(article["id"][1:])
    return f"""<div class="location">您现在的位置：<a href="/">首页</a> &gt;&gt; <a href="{school.list_path}">学校新闻</a> &gt;&gt; 正文</div>
<div class="main_left">
<h2 class="title">{esc(article["title"])}</h2><h3 class="subTitle"></h3>
<div class="property"><span>文章来源：{esc(article["source"] or "")}</span> <span>作者：{esc(article["author_shown"] or "")}</span> <span>发布时间：{shown_date(article, "powereasy")}</span> <span>点击数：<script type="text/javascript" src="/Common/GetHits.aspx?id={number}"></script> 次</span></div>
<div class="conTxt"><!--startprint-->
{body}
<!--endprint--></div>{pager}
<div class="page_tool">【<a href="javascript:window.print()">打印正文</a>】</div>
{_prev_next(school, newer, older)}
</div>
<div class="main_right"><h4>推荐阅读</h4>{sidebar(school, article)}
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div></div>"""


# ------------------------------------------------------------------ list pages
OLD_LINK = "/Article/ShowArticle.asp?ArticleID=8803"


def list_pages(school: School) -> dict[str, Page]:
    pages = {}
    total = school.page_count()
    for number in range(1, total + 1):
        chunk = school.articles[(number - 1) * school.per_page: number * school.per_page]
        path = school.list_page_path(number)
        depth_prefix = "../" * (path.count("/") - 1)
        items = []
        for article in chunk:
            href = school.article_path(article)
            if school.cms == "vsb":
                href = depth_prefix + href.lstrip("/")
            if school.cms == "powereasy" and article is school.articles[2]:
                href = OLD_LINK  # an old link the CMS redirects to the article's real URL
            items.append((href, article["title"], article["date"][:10]))
        items += _traps(school, number, total)
        content = _render_list(school, number, total, items)
        pages[path] = Page(document(school, f"新闻动态-{school.name}", content), f"text/html; charset={school.declared}")
    return pages


def _traps(school: School, number: int, total: int) -> list[tuple[str, str, str]]:
    """Links every real column has somewhere: a dead article, a PDF, a page robots.txt forbids."""
    if number == 1:
        if school.cms == "webplus":
            return [("/2023/0601/c1234a59999/page.htm", "（已撤稿）关于调整作息时间的通知", "2023-06-01"),
                    ("/_upload/article/files/2023zsjz.pdf", "2023年招生简章（PDF）", "2023-03-01")]
        if school.cms == "vsb":
            return [("../system/_content/download.jsp?wbfileid=1234.pdf", "附件：技能大赛获奖名单.pdf", "2023-05-22")]
        return [("/Item/8898.aspx", "（已删除）校园开放日通知", "2023-04-01")]
    if number == total:
        if school.cms == "webplus":
            return [("/nbxx/2023/0610/c1234a6001/page.htm", "内部通知：中层干部会议安排", "2023-06-10")]
        if school.cms == "vsb":
            return [("../../info/1099/9001.htm", "内部通知：教职工大会安排", "2023-02-10")]
        return [("/Item/8899.aspx", "内部：期中考试安排", "2023-04-20")]
    return []


def _render_list(school: School, number: int, total: int, items) -> str:
    def page_href(n):
        target = school.list_page_path(n)
        current = school.list_page_path(number)
        if school.cms == "vsb":  # VSB writes pager hrefs relative to the current page
            if current.count("/") == 2:
                return target.split("/", 2)[2]
            return target.rsplit("/", 1)[1] if target.count("/") == 3 else "../" + target.split("/", 2)[2]
        return target

    if school.cms == "webplus":
        lis = "".join(f'<li class="news"><span class="news_title"><a href="{h}" target="_blank" title="{esc(t)}">{esc(t)}</a></span>'
                      f'<span class="news_meta">{d}</span></li>' for h, t, d in items)
        nxt = f'<li><a class="next" href="{page_href(number + 1)}">下一页</a></li>' if number < total else '<li><a class="next" href="javascript:void(0);">下一页</a></li>'
        last = f'<li><a class="last" href="{page_href(total)}">尾页</a></li>'
        pager = (f'<div id="wp_paging_w6"><ul class="wp_paging clearfix"><li class="pages_count">每页 {school.per_page} 记录 总共 {len(school.articles)} 记录</li>'
                 f'<li><a class="first" href="javascript:void(0);">第一页</a></li>{nxt}{last}<li>页码 {number}/{total}</li></ul></div>')
        body = f'<div frag="窗口6" portletmode="simpleList"><div id="wp_news_w6"><ul class="news_list list2">{lis}</ul></div></div>{pager}'
    elif school.cms == "vsb":
        lis = "".join(f'<li id="line_u4_{i}"><a href="{h}">{esc(t)}</a><span>{d}</span></li>' for i, (h, t, d) in enumerate(items))
        nxt = (f'<span class="p_next p_fun"><a href="{page_href(number + 1)}">下页</a></span>'
               f'<span class="p_last p_fun"><a href="{page_href(total)}">尾页</a></span>') if number < total else '<span class="p_next_d p_fun">下页</span>'
        pages = "".join(f'<span class="p_no_d">{n}</span>' if n == number else f'<span class="p_no"><a href="{page_href(n)}">{n}</a></span>'
                        for n in range(1, total + 1))
        pager = f'<div class="pb_sys_common"><span class="p_t">共{len(school.articles)}条</span><span class="p_pages">{pages}</span>{nxt}</div>'
        body = f'<div class="list"><ul>{lis}</ul></div>{pager}'
    else:
        lis = "".join(f'<li><span class="date">{d}</span><a href="{h}" title="标题：{esc(t)}&#xD;发表时间：{d}" target="_blank">{esc(t)}</a></li>'
                      for h, t, d in items)
        links = " ".join(str(n) if n == number else f'<a href="{page_href(n)}">{n}</a>' for n in range(1, total + 1))
        nxt = f'<a href="{page_href(number + 1)}">下一页</a> <a href="{page_href(total)}">尾页</a>' if number < total else "下一页 尾页"
        pager = f'<span id="pe100_page_通用信息列表_普通式" class="pagecss">首页 上一页 {links} {nxt}</span>'
        body = f'<ul class="infoList">{lis}</ul><div class="showpage">{pager}</div>'
    crumb = '<div class="position">当前位置：<a href="/">首页</a> &gt; 新闻动态</div>'
    notice = f'<div class="side_notice"><h3>通知公告</h3><p>{esc(school.notice)}</p></div>'
    return f'{crumb}<div class="main"><div class="col_title"><h2>新闻动态</h2></div>{body}</div>{notice}'


# ------------------------------------------------------------------ homepage
def home_page(school: School) -> str:
    """The school's homepage as templates build it: the menu, a news box and a notices box, each
    closed by a 更多>> link, and links to pages that are no news column (学校概况, 联系我们)."""
    items = "".join(f'<li><a href="{school.article_path(a)}" title="{esc(a["title"])}">{esc(a["title"][:18])}</a>'
                    f'<span>{a["date"][5:10]}</span></li>' for a in school.articles[:5])
    return f"""<div class="banner"><img src="/images/banner.jpg" alt="校园风光"></div>
<div class="home-main">
<div class="box news"><div class="box-title"><h2>学校要闻</h2><a class="more" href="{school.list_path}">更多&gt;&gt;</a></div>
<ul>{items}</ul></div>
<div class="box notice"><div class="box-title"><h2>通知公告</h2><a class="more" href="/tzgg/list.htm">更多&gt;&gt;</a></div>
<ul><li><a href="/tzgg/list.htm">{esc(school.notice)}</a></li></ul></div>
<div class="box links"><a href="/xxgk/index.htm">学校概况</a> <a href="/lxwm/index.htm">联系我们</a></div>
</div>"""


def about_page(school: School, title: str) -> str:
    return f"""<div class="main"><h1>{esc(title)}</h1>
<p>{esc(school.name)}创建于1958年，是一所以交通运输、智能制造为特色的公办学校。学校坚持立德树人，深化产教融合、校企合作。</p>
<p>地址：南湖区学院路88号 电话：0573-83640000</p></div>"""


# ------------------------------------------------------------------ whole site
def site_pages(school: School) -> dict[str, Page]:
    pages: dict[str, Page] = {"/": Page(document(school, school.name, home_page(school)),
                                        f"text/html; charset={school.declared}"),
                              "/xxgk/index.htm": Page(document(school, "学校概况", about_page(school, "学校概况")),
                                                      f"text/html; charset={school.declared}"),
                              "/lxwm/index.htm": Page(document(school, "联系我们", about_page(school, "联系我们")),
                                                      f"text/html; charset={school.declared}")}
    pages.update(list_pages(school))
    for index, article in enumerate(school.articles):
        pages.update(article_pages(school, article, index))
    for article in school.articles:
        for number, path in enumerate(photo_paths(school, article)):
            pages[path] = Page(png(600, 400, ((200, 60, 60), (60, 120, 200))[number % 2]), "image/png")
    robots = "User-agent: *\n" + "".join(f"Disallow: {p}\n" for p in school.robots_disallow)
    pages["/robots.txt"] = Page(robots.encode("ascii"), "text/plain")
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    pages["/_upload/article/files/2023zsjz.pdf"] = Page(pdf, "application/pdf")
    pages["/system/_content/download.jsp"] = Page(pdf, "application/pdf")
    for path in school.robots_disallow:  # served, so that only robots.txt keeps a crawler out
        if path.endswith(".aspx"):
            pages[path] = Page(document(school, "内部", "<p>内部页面</p>"))
    if school.cms == "powereasy":
        pages["/Article/ShowArticle.asp"] = Page(b"", "text/html", 301, location=school.article_path(school.articles[2]))
    if school.cms == "webplus":
        pages["/nbxx/2023/0610/c1234a6001/page.htm"] = Page(document(school, "内部通知", "<h1>内部通知</h1><p>仅限校内。</p>"))
    if school.cms == "vsb":
        pages["/info/1099/9001.htm"] = Page(document(school, "内部通知", "<h1>内部通知</h1><p>仅限校内。</p>"),
                                            f"text/html; charset={school.declared}")
    return pages


def expected_articles(schools: dict[str, School], base_urls: dict[str, str]) -> list[dict]:
    """Ground truth for tests: what a correct crawl of the demo stores."""
    out = []
    for key, school in schools.items():
        for article in school.articles:
            out.append({
                "url": base_urls[key] + school.article_path(article),
                "site": school.name,
                "title": article["title"],
                "date": article["date"],
                "author": article["author"],
                "source": article["source"],
                "editor": article["editor"],
                "text": "\n".join(article["paragraphs"]),
            })
    return out
