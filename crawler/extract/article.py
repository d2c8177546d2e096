"""Turn one article page (decoded HTML text + URL) into a clean article record.

A pure function: no Scrapy, no network, no database. The spider, ``scheduler.py --try``
and ``python -m crawler.extract FILE`` all call :func:`extract`.

trafilatura finds the body; Chinese school pages carry their metadata in a line of text
under the title (``来源：… 作者：… 发布时间：…``), which we read ourselves because the
generic libraries take 责任编辑 for the author, a sidebar date for the publish date, and
never see 来源 at all.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.extract import text as textmod
from crawler.extract.body import body_container, body_text
from crawler.extract.cms import AUTHOR_XPATHS, DATES_IN_SCRIPTS, SOURCE_XPATHS
from crawler.extract.dates import SHANGHAI, date_from_url, now_shanghai, parse_date
from crawler.extract.layout import layout
from crawler.extract.links import is_attachment, may_be_attachment
from crawler.extract.overrides import ExtractOverrides, first_text, remove_noise
from crawler.extract.text import compact

# ---------------------------------------------------------------- metadata labels
# Longest first at each position: 发布时间 must win over 时间, 责任编辑 over 编辑.
_FIELD_LABELS = {
    "date": ["发布时间", "发布日期", "发表时间", "发表日期", "更新时间", "更新日期", "创建时间", "上传时间",
             "录入时间", "添加时间", "时间", "日期"],
    "source": ["信息来源", "文章来源", "新闻来源", "内容来源", "稿件来源", "来源", "稿源", "供稿单位", "供稿部门", "供稿",
               "发布单位", "发布部门", "部门"],
    "author": ["作者", "撰稿人", "撰稿", "撰文", "投稿人", "投稿", "文字", "记者", "通讯员", "文"],
    # who published it on the site: an office (the 来源) or a person or account (neither)
    "publisher": ["发布者", "发布人"],
    "editor": ["责任编辑", "责编", "编辑", "审核", "审稿"],
    "views": ["浏览次数", "浏览量", "浏览", "点击数", "点击量", "点击率", "点击", "访问量", "访问次数", "阅读次数", "阅读量",
              "阅读"],
    # read only to end the value before them: they name no field we store
    "other": ["摄影", "图片", "图", "字号", "字体", "分享到", "分享至", "打印", "关闭", "索引号", "发文字号",
              "成文日期", "分类"],
}
_LABEL_TO_FIELD = {label: name for name, labels in _FIELD_LABELS.items() for label in labels}
_LABELS_SORTED = sorted(_LABEL_TO_FIELD, key=len, reverse=True)
_LABEL_RE = re.compile(
    r"(?P<label>" + "|".join(map(re.escape, _LABELS_SORTED)) + r")\s*[:：]"
)
# single-character labels only count after a separator, never inside a word (原文：, 正文：)
_WEAK_LABELS = {"文", "图"}
_VIEWS_UNLABELLED = re.compile(r"(?:阅读|浏览|点击)\s*(\d+)\s*次")
_VALUE_STOP = re.compile(r"\s{2,}|[|｜\u2002\u2003\u3000]|\s+(?=\d{4}[-/.年])")
_PLACEHOLDER_EMPTY = {"", "-", "—", "null", "None", "无", "暂无"}
# page widgets whose words end up glued to a value (来源：科技处 分享至)
_WIDGET_TAIL = re.compile(r"\s*(?:分享至|分享到|分享|打印本页|打印|关闭窗口|关闭|字号|收藏|【).*$")
# what an office's name ends with: 党委宣传部, 教务处, 团委, 信息化中心, 学生工作部（处）
_OFFICE = re.compile(r"(?:处|部|办|办公室|室|中心|学院|系|委员会|委|团委|馆|科|院|局|厅|所|站|协会|学会|会|社|组|中学|小学|学校|大学|电大)"
                     r"(?:[（(][^）)]{1,4}[）)])?$")
# a byline closing the body: （张三）, （文/张三 图/李四）, 文/图 张三, 文/张三
_NAMES = r"[\u4e00-\u9fff]{2,4}(?:[\s、，,]+[\u4e00-\u9fff]{2,4}){0,3}"
_BYLINE_IN_PARENS = re.compile(r"[（(]\s*(?:(?:文字?|撰稿|供稿|作者|记者|通讯员|学生记者)\s*[/／:：]?\s*)?(?P<names>" + _NAMES
                               + r")(?:\s+(?:图|摄影?|图片)\s*[/／:：]\s*" + _NAMES + r")?\s*[)）]\s*$")
_BYLINE_LEADING = re.compile(r"^(?:文[/／]图|图[/／]文|文字?)\s*[/／:：]?\s*(?P<names>" + _NAMES + r")\s*$")
# a credit line closing the body: role/name pairs (文/王五 图/信息中心, 图、文/赵六, 摄影/张艳 编辑/苏芳),
# perhaps after the office that supplied it (药剂科供稿); only the author and the editor are kept
_CREDIT_ROLES = {
    "author": ("图、文", "文、图", "图文", "文图", "文字", "撰稿", "撰文", "作者", "记者", "通讯员", "学生记者", "文"),
    "editor": ("责任编辑", "责编", "编辑"),
    "other": ("图片", "摄影", "摄像", "审核", "审稿", "校对", "初审", "复审", "终审", "图", "摄"),
}
_CREDIT_ROLE = {label: role for role, labels in _CREDIT_ROLES.items() for label in labels}
_CREDIT = re.compile(r"(?P<label>" + "|".join(map(re.escape, sorted(_CREDIT_ROLE, key=len, reverse=True)))
                     + r")\s*[/／:：]\s*(?P<names>[^\s/／:：()（）]{2,30})")
_CREDIT_GAP = re.compile(r"^(?:[\s　,，;；|｜]*|[\s　]*\S{2,30}供稿[\s　]*)$")
# （机电工程学院 张三报道）, （某某电大李四 报道）: a unit, a name, 报道
_REPORTED = re.compile(r"[（(]\s*(?P<who>[^()（）]{2,40}?)\s*报道\s*[)）]$")  # alone, or closing the last paragraph
# a byline's names start with a common surname (the ~250 that name nearly everyone), which keeps
# （有删节）, （节选）, （待续） out
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏韦付傅方白邹孟熊秦邱江尹薛闫严段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向"
    "柳邢骆岳齐梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解"
    "强丛华车冉房边辜吉饶刁瞿戚丘米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揣迟宇宗鞠"
    "常乔卞岑官冷鄢卓蔺蒲麦佘阚荣容危明")
_NAME_SPLIT = re.compile(r"\s*[、，,;；/]\s*|\s+")
_SITE_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜—–]|-{1,2}|::)\s*")

MAX_META_BLOCK = 200


@dataclass
class Article:
    url: str
    title: str | None = None
    text: str = ""
    published_at: str | None = None
    author: str | None = None
    source: str | None = None
    editor: str | None = None
    views: int | None = None
    images: list[str] = field(default_factory=list)
    # subheadings and photos among the text's paragraphs (crawler/extract/layout.py)
    layout: dict = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- public API
def extract(
    html: str,
    url: str,
    *,
    list_date: str | None = None,
    fetched_at: datetime | None = None,
    more_pages: list[str] | None = None,
    overrides: ExtractOverrides | None = None,
) -> Article:
    """Extract one article from decoded ``html``.

    ``list_date``: the date shown beside the link on the list page (a fallback).
    ``more_pages``: decoded HTML of pages 2..N of an article split over several pages.
    ``overrides``: the site's XPaths, for templates the generic rules get wrong.
    """
    fetched_at = fetched_at or now_shanghai()
    overrides = overrides or ExtractOverrides()
    url = url or ""  # a saved page without its address: no URL to resolve links or read a date from
    tree = _parse(html)
    article = Article(url=url)
    if tree is None:
        return article
    remove_noise(tree, overrides.noise_xpaths)

    order = {el: i for i, el in enumerate(tree.iter())}  # document order, for "below the title"
    lengths = _solid_lengths(tree)  # read-only steps until body_text prunes the tree
    blocks = list(_info_blocks(tree, lengths))
    page_title = _page_title(tree)
    container = body_container(tree, overrides.body_xpath)  # before body_text prunes the tree
    heading_el, article.title = _find_title(tree, page_title, blocks, order, container)
    article.title = first_text(tree, overrides.title_xpath) or article.title
    if article.title:  # ★ in a heading is decoration, as in the text
        article.title = _norm(textmod.strip_decorations(article.title)) or None
    meta = _read_meta_tags(tree)
    fields = _read_info_lines(blocks, heading_el, order)
    if not fields.get("date_text") and heading_el is not None:  # the page's own date beats the URL's
        fields = {**_line_under_heading(heading_el, page_title), **fields}

    article.author = fields.get("author") or _clean_name_list(meta.get("author"))
    article.source = fields.get("source") or _clean_value(meta.get("source"))
    article.editor = fields.get("editor")
    article.views = fields.get("views")
    article.published_at = (
        parse_date(first_text(tree, overrides.date_xpath) or "", not_after=fetched_at)
        or parse_date(fields.get("date_text") or "", not_after=fetched_at)
        or parse_date(meta.get("date") or "", not_after=fetched_at)
        or parse_date(list_date or "", not_after=fetched_at)
        or date_from_url(url, not_after=fetched_at)
    )
    article.images = _body_images(container if container is not None else tree, url)
    article.attachments = _attachments(tree, url)

    body = tree.find(".//body")
    page_text = _text_of(body if body is not None else tree)
    # an editor named outside the body, read before body_text prunes the tree: asked only when
    # no labelled line named one (a body's own 编辑 line still comes first, below)
    editor_elsewhere = None if article.editor else (_editor_anywhere(page_text) or _editor_alone(tree))
    title_repeats_in_body = _shown_twice(tree, article.title, lengths)
    bodies = [body_text(tree, url, body_xpath=overrides.body_xpath)]
    for page in more_pages or []:
        page_tree = _parse(page)
        if page_tree is not None:
            remove_noise(page_tree, overrides.noise_xpaths)
            bodies.append(body_text(page_tree, url, body_xpath=overrides.body_xpath))

    editor_from_body: list[str] = []
    cleaned = []
    for body in bodies:
        for line in body.splitlines():
            if textmod.is_editor_line(textmod.normalise_line(line)) and not article.editor:
                editor_from_body.append(line)
        cleaned.append(textmod.clean_body(body, is_meta_line=_is_info_line))
    if cleaned:
        cleaned[0] = _drop_title_line(cleaned[0], article.title, keep=title_repeats_in_body)
    article.text = "\n".join(part for part in cleaned if part)
    if article.text:
        author, credited_editor, text = _author_from_byline(article.text)
        if not article.author:  # a labelled author wins; the byline then stays in the text
            article.author, article.text = author, text
        article.editor = article.editor or credited_editor
    if article.published_at is None:
        article.published_at = _htmldate(tree, fetched_at)  # the tree is pruned now: no sidebar dates
    if not article.editor and editor_from_body:
        article.editor = _read_fields(textmod.normalise_line(editor_from_body[0])).get("editor")
    if not article.editor:
        article.editor = editor_elsewhere
    article = _without_controls(article)
    if container is not None and article.text:  # subheadings and photos among the paragraphs
        article.layout = layout(container, article.text.split("\n"), lambda img: _photo_src(img, url))
    return article


def _without_controls(article: Article) -> Article:
    """The one place texts are made safe: no control character or bidi override in any field
    (a page's ``\x1b[31m`` or U+202E reaches no store, feed, terminal or log), so the index
    terms a worker computes from this article are those of the row the store keeps."""
    article.text = textmod.strip_controls(article.text, multiline=True) or ""
    for name in ("title", "author", "source", "editor"):
        setattr(article, name, textmod.strip_controls(getattr(article, name)) or None)
    return article


def _author_from_byline(text: str) -> tuple[str | None, str | None, str]:
    """A byline closing the body names the author (and a credit line the editor too); a byline
    goes from the text only when it is the last line and alone. A short closing line after it
    (the newsroom's name) is looked past. Returns (author, editor, text)."""
    lines = text.split("\n")
    author, alone = byline(lines[-1])
    if author and alone:
        return author, None, "\n".join(lines[:-1]).rstrip()
    candidates = [lines[-1]]
    if len(lines) > 1 and len(lines[-1]) <= 30 and not re.search(r"[。！？；]", lines[-1]):
        candidates.append(lines[-2])
    for line in candidates:
        found = (byline(line)[0], None)
        if found[0] is None:
            found = credits(line)
        if found[0] or found[1]:
            return found[0], found[1], text
    return None, None, text


def _person_names(value: str) -> list[str] | None:
    """Names of people (each starting with a common surname, none an office), or None."""
    names = [n for n in re.split(r"[\s、，,]+", value) if n]
    if not names or any(len(n) > 4 or n[0] not in _SURNAMES or is_office(n) for n in names):
        return None
    return names


def credits(line: str) -> tuple[str | None, str | None]:
    """(author, editor) a credit line or a 报道 byline names; (None, None) for any other line."""
    line = line.strip()
    m = _REPORTED.search(line)
    if m and m["who"].split():  # the name is the last 2 or 3 characters before 报道, after the unit
        who = m["who"].split()[-1]
        for size in (2, 3):
            name, unit = who[-size:], who[:-size] or (m["who"].split()[0] if len(m["who"].split()) > 1 else "")
            if _person_names(name) and (not unit or is_office(unit)):
                return name, None
        return None, None
    if m:
        return None, None
    inner = line[1:-1] if line[:1] in "（(" and line[-1:] in "）)" else line
    found: dict[str, list[str]] = {}
    position = 0
    for m in _CREDIT.finditer(inner):
        if not _CREDIT_GAP.match(inner[position:m.start()]):
            return None, None
        role = _CREDIT_ROLE[m["label"]]
        names = _person_names(m["names"])
        if role != "other" and names:
            found.setdefault(role, []).extend(names)
        position = m.end()
    if position == 0 or inner[position:].strip():
        return None, None
    return ("、".join(found["author"]) if "author" in found else None,
            "、".join(found["editor"]) if "editor" in found else None)


def _shown_twice(tree, title: str | None, at_least: dict) -> bool:
    """True when the page shows the title in two places (heading, and again atop the body);
    ``at_least``: :func:`_solid_lengths` of the tree."""
    if not title:
        return False
    wanted = compact(title)
    longest = 2 * len(title) + 40  # an element with much more text than the title is not it

    def shows_title(el) -> bool:  # at_least: too little text cannot be the title, too much is more
        return len(wanted) <= at_least[el] <= longest and compact(_title_text(el)) == wanted

    shown = 0
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        if shows_title(el) and not any(isinstance(child.tag, str) and shows_title(child) for child in el):
            shown += 1
    return shown >= 2


def _solid_lengths(tree) -> dict:
    """For each node, the characters of its text other than spaces (as ``text_content`` gives it:
    a comment's own text is none of it), a lower bound of ``len(_text_of(el))``; in one pass
    from the leaves up: reading every element's whole text instead costs as much as the rest of
    the extraction on a deep page."""
    def solid(text: str | None) -> int:
        return len("".join(text.split()).replace("\u200b", "")) if text else 0

    lengths: dict = {}
    for el in reversed(list(tree.iter())):
        own = solid(el.text) if isinstance(el.tag, str) else 0
        lengths[el] = own + sum(lengths[child] + solid(child.tail) for child in el)
    return lengths


def _drop_title_line(text: str, title: str | None, *, keep: bool) -> str:
    """Remove the heading trafilatura repeats as the first line; keep the body's own repeat."""
    lines = text.split("\n")
    leading = 0
    while leading < len(lines) and textmod.same_text(lines[leading], title or ""):
        leading += 1
    drop = max(0, leading - (1 if keep else 0))
    return "\n".join(lines[drop:])


# ---------------------------------------------------------------- parsing
_CLOSING_DOC_TAGS = re.compile(r"</\s*(?:html|body)\s*>", re.I)


def repair_html(html: str) -> str:
    """Undo template accidents that hide the body from parsers.

    Included header fragments close </html> early, and some CMSs concatenate several
    documents; libxml2 then drops or misplaces what follows. Closing tags of html/body
    carry no content, so removing them all is safe.
    """
    # lxml refuses str input that carries an XML encoding declaration
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    return _CLOSING_DOC_TAGS.sub("", html)


def _parse(html: str):
    if not html or not html.strip():
        return None
    html = repair_html(html)
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _norm(text: str | None) -> str:
    return re.sub(r"[\s\u00a0]+", " ", text or "").strip(" \u3000\u200b")


def _text_of(el) -> str:
    try:
        return _norm(el.text_content())
    except ValueError:
        return ""


# ---------------------------------------------------------------- title
_TITLE_HINT = re.compile(r"title|tit\b|tit_|_tit|biaoti|bt\b|headline|arti_t|news_t|article-t|detail-t", re.I)


def _page_title(tree) -> str:
    node = tree.find(".//title")
    return _title_text(node) if node is not None else ""


_TITLE_SPACE = re.compile(r"[\s\u00a0\u3000]+")


def _title_text(el) -> str:
    """Heading text as shown: line-break whitespace (newline, U+3000 after <br>) vanishes, spaces stay."""
    text = "".join(el.itertext())
    text = _TITLE_SPACE.sub(lambda m: " " if " " in m[0] or "\u00a0" in m[0] else "", text)
    return text.strip(" \u200b")


def _is_breadcrumb(text: str) -> bool:
    return len(re.findall(r"[>›»＞]|&gt;", text)) >= 1 and ("首页" in text or text.rstrip().endswith((">", "›", "»")) or len(re.findall(r"[>›»＞]", text)) >= 2)


def _title_candidates(tree):
    for el in tree.iter("h1", "h2", "h3", "h4", "div", "p", "td", "span", "strong", "font"):
        if el.tag in ("div", "p", "td", "span", "strong", "font"):
            hint = f"{el.get('class', '')} {el.get('id', '')}"
            if not _TITLE_HINT.search(hint):
                continue
        text = _title_text(el)
        if 4 <= len(text) <= 160 and not _is_info_line(text) and "当前位置" not in text and not _is_breadcrumb(text):
            yield el, text


def _find_title(tree, page_title: str, info_blocks, order, container=None):
    """The article's own heading, not <title> with the site name appended, not the breadcrumb.

    First choice: the longest element on the page whose text the <title> contains (the
    heading, wherever the template puts it); then the CMS ArticleTitle meta; then the
    block right above the info line, an <h1>, the last heading before the body (a copied
    page's <title> says something else), a title-classed block, and last <title> without
    its site suffix.
    """
    compact_title = compact(page_title)
    best, best_len = None, 0
    if compact_title:
        for el in tree.iter():
            if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or el.tag in ("html", "body"):
                continue
            text = _title_text(el)
            if not 4 <= len(text) <= 160:
                continue
            squeezed = compact(text)
            if len(squeezed) > best_len and squeezed in compact_title and not _is_breadcrumb(text):
                best, best_len = (el, text), len(squeezed)
    if best is not None and best_len >= max(4, len(compact_title) // 3):
        el, text = best
        # a heading split by the parser (<p>title<div>subtitle</div></p>) continues in its next sibling
        sibling = el.getnext()
        if sibling is not None and isinstance(sibling.tag, str):
            joined = text + _title_text(sibling)
            if len(joined) <= 160 and compact(joined) in compact_title:
                text = joined
        return el, text
    meta_title = _meta(tree, "ArticleTitle")
    if meta_title:
        return None, _norm(re.sub(r"<[^>]+>", "", meta_title))
    heading = _heading_before_info_line(tree, info_blocks, order)
    if heading is not None:
        return heading
    first_h1 = first_hinted = None
    for el, text in _title_candidates(tree):
        if container is not None and any(up is container for up in el.iterancestors()):
            continue  # a subheading of the body (pasted WeChat text has its own h1s)
        squeezed = compact(text)
        if el.tag == "h1" and first_h1 is None:
            first_h1 = (el, text)
        if first_hinted is None and len(squeezed) >= 6 and squeezed not in compact_title:
            first_hinted = (el, text)
    # a title-classed block above the body is the title; one below it is a 推荐阅读 card, and
    # then the last heading above the body is (a copied page whose <title> names another site)
    above = first_hinted is not None and (container is None or order.get(first_hinted[0], 0) < order.get(container, 0))
    return first_h1 or (first_hinted if above else None) or _heading_before_body(tree, container, order) \
        or first_hinted or (None, _strip_site_suffix(page_title) or None)


def _heading_before_body(tree, container, order):
    """The last heading (h1-h4) above the body's container and outside it: the article's own,
    where neither <title> nor an info line points to it."""
    if container is None:
        return None
    found = None
    for el in tree.iter("h1", "h2", "h3", "h4"):
        if order.get(el, 0) >= order.get(container, 0):
            break
        text = _title_text(el)
        if 4 <= len(text) <= 160 and not _is_info_line(text) and not _is_breadcrumb(text):
            found = (el, text)
    return found


def _heading_before_info_line(tree, info_blocks, order):
    """On pages whose <title> is only the site name: the short text block right above the info line."""
    info = _best_info_block(info_blocks)
    if info is None:
        return None
    previous = None
    for el, text in _title_candidates(tree):
        if order[el] >= order[info] or info in el.iterancestors():
            break
        previous = (el, text)
    return previous


def _strip_site_suffix(title: str) -> str:
    parts = [p for p in _SITE_TITLE_SPLIT.split(title) if p]
    if not parts:
        return title
    return max(parts, key=len) if len(parts) > 1 else parts[0]


# ---------------------------------------------------------------- meta tags
def _meta(tree, name: str) -> str | None:
    lname = name.lower()
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        if key == lname:
            value = _norm(el.get("content"))
            if value:
                return value
    return None


def _read_meta_tags(tree) -> dict:
    date = None
    for name in ("PubDate", "publishdate", "article:published_time", "pubdate", "publish_date", "datePublished"):
        date = _meta(tree, name)
        if date:
            break
    content_source = _meta(tree, "ContentSource")
    return {
        "date": date or _date_in_script(tree),
        "source": content_source or _meta(tree, "source") or _family_field(tree, SOURCE_XPATHS),
        # an Author meta is shown on the page only on government-style templates (which also
        # carry ContentSource); elsewhere it names whoever typed the page into the CMS
        "author": (_meta(tree, "Author") if content_source is not None else None) or _family_field(tree, AUTHOR_XPATHS),
    }


def _date_in_script(tree) -> str | None:
    """A publish date a CMS family's script fills in (WeChat's ``var ct = "1697184000"``)."""
    scripts = " ".join(s.text or "" for s in tree.iter("script"))
    for pattern in DATES_IN_SCRIPTS:
        m = pattern.search(scripts)
        if m:
            value = m.group(1)
            return datetime.fromtimestamp(int(value), SHANGHAI).isoformat() if value.isdigit() else value
    return None


def _family_field(tree, xpaths) -> str | None:
    """A field a CMS family names where no labelled line does (WeChat's account name, its 作者)."""
    for xpath in xpaths:
        found = tree.xpath(xpath)
        if found:
            return _clean_value(_text_of(found[0]))
    return None


# ---------------------------------------------------------------- the info line
def _label_matches(line: str):
    for m in _LABEL_RE.finditer(line):
        label = m["label"]
        if label in _WEAK_LABELS and m.start() > 0 and not re.match(r"[\s|｜/（(【\[]", line[m.start() - 1]):
            continue
        yield m


def _read_fields(line: str) -> dict:
    """Fields of one labelled line: ``来源：X 作者：Y 发布时间：Z 浏览次数：N``."""
    matches = list(_label_matches(line))
    fields: dict = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        raw = line[m.end():end]
        name = _LABEL_TO_FIELD[m["label"]]
        if name in fields or name == "other":
            continue
        if name == "publisher":  # an office is the source; a person or an account is neither
            value = _clean_value(_VALUE_STOP.split(raw.strip(), 1)[0])
            if value and is_office(value):
                fields.setdefault("source", value)
            continue
        if name == "date":
            if parse_date(raw):
                fields["date_text"] = raw.strip()
                fields["date"] = True
            continue
        if name == "views":
            digits = re.match(r"\s*(\d+)", raw)
            fields["views"] = int(digits[1]) if digits else None
            continue
        value = raw.strip()
        if name != "author":
            value = _VALUE_STOP.split(value, 1)[0]
        value = _clean_value(value)
        if name == "author":
            value = _clean_name_list(value)
        fields[name] = value
    if "views" not in fields or fields["views"] is None:
        m = _VIEWS_UNLABELLED.search(line)
        if m:
            fields["views"] = int(m[1])
    if "date" not in fields:
        leftover = _LABEL_RE.sub(" ", line)
        if parse_date(leftover) and len(line) <= 80:
            fields["date_text"] = leftover
            fields["date"] = True
    return fields


def is_office(name: str) -> bool:
    """An office of the school (党委宣传部, 教务处, 团委), not a person (颜曰越) or an account (admin)."""
    return len(name) >= 2 and not name.isascii() and bool(_OFFICE.search(name))


def byline(last_line: str) -> tuple[str | None, bool]:
    """The author a byline at the end of the body names, and whether the line is the byline alone."""
    line = last_line.strip()
    m = _BYLINE_LEADING.match(line) or _BYLINE_IN_PARENS.search(line)
    if not m:
        return None, False
    names = [n for n in re.split(r"[\s、，,]+", m["names"]) if n]
    if not names or any(n[0] not in _SURNAMES or is_office(n) for n in names):
        return None, False
    return "、".join(names), m.start() == 0


def _clean_value(value: str | None) -> str | None:
    if value is None:
        return None
    value = _WIDGET_TAIL.sub("", _norm(value))
    value = value.strip("　 |｜:：,，;；[]【】")
    if value[:1] in "（(" and value[-1:] in "）)" and value.count("（") + value.count("(") == 1:
        value = value[1:-1]  # （学校办公室）: the whole value in brackets
    if value.endswith(("）", ")")) and not any(open_ in value for open_ in "（("):
        value = value.rstrip("）)")  # a closing bracket of the line, not of 学生工作部（处）
    if value.startswith(("（", "(")) and not any(close in value for close in "）)"):
        value = value.lstrip("（(")
    value = value.strip("　 ")
    value = re.split(r"\s*(?:\d{4}[-/.年]\d)", value, maxsplit=1)[0].strip()
    return None if value in _PLACEHOLDER_EMPTY else value


def _clean_name_list(value: str | None) -> str | None:
    """Authors as shown, several names joined with 、 (``付梦婕 俞佩忠`` → ``付梦婕、俞佩忠``)."""
    value = _clean_value(value)
    if not value:
        return None
    value = re.split(r"\s{2,}|[|｜\u2002\u2003\u3000]", value, maxsplit=1)[0]
    parts = [p for p in _NAME_SPLIT.split(value) if p]
    if len(parts) > 1 and all(len(p) <= 6 for p in parts):
        return "、".join(parts)
    return value.strip() or None


# a date standing alone under the title: 2023-05-08, [发布时间2023年5月8日], 2023-05-08 10:20 机电工程学院
_DATE_LABEL_BARE = re.compile(r"^(?:发布|发表|更新|录入)?(?:时间|日期)\s*[:：]?\s*")
UNDER_HEADING = 12  # elements looked at below the title before the body starts
_VENUE = re.compile(r"(?:厅|室|馆|楼|堂|场|教室|会场|广场)$")


def _line_under_heading(heading_el, page_title: str = "") -> dict:
    """The date (and an unlabelled office after it, TRS's 来源 slot) of a short line standing
    alone right under the heading, with no label or a label without its colon. The site's own
    name there (the one <title> ends with) is the site, not a 来源."""
    for el in heading_el.xpath(f"following::*[position() <= {UNDER_HEADING}]"):
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS:
            continue
        text = _text_of(el)
        if not text:
            continue
        if len(text) > 60:
            return {}  # the body has begun
        line = _DATE_LABEL_BARE.sub("", text.strip("[]【】（）() "))
        m = re.match(r"(?P<date>(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?:\s*日)?"
                     r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)\s*(?P<rest>.*)$", line)
        if m is None or parse_date(m["date"]) is None:
            continue
        rest = _clean_value(m["rest"]) or ""
        if rest and (not is_office(rest) or _VENUE.search(rest)):
            continue  # a date inside some other line, or an event's time and place (14:30 图书馆报告厅)
        if rest and rest in page_title:
            rest = ""
        return {"date_text": m["date"], **({"source": rest} if rest else {})}
    return {}


def _is_info_line(line: str) -> bool:
    """A metadata line: short, and two labels, or one label with a date."""
    if len(line) > MAX_META_BLOCK:
        return False
    matches = [m for m in _label_matches(line) if _LABEL_TO_FIELD[m["label"]] != "other"]
    if len(matches) >= 2:
        return True
    if len(matches) == 1 and _LABEL_TO_FIELD[matches[0]["label"]] == "date":
        return parse_date(line) is not None and len(line) <= 60
    if len(matches) == 1 and len(line) <= 40 and _LABEL_TO_FIELD[matches[0]["label"]] in ("source", "author"):
        return True
    # old templates: "2004-12-10      阅读10544次"
    return not matches and len(line) <= 60 and bool(_VIEWS_UNLABELLED.search(line)) and parse_date(line) is not None


_SKIP_TAGS = {"script", "style", "noscript", "head", "title", "select", "option", "textarea", "a"}


def _info_blocks(tree, lengths: dict):
    """Short elements carrying labelled metadata, smallest first within a subtree (``lengths``:
    :func:`_solid_lengths`, which spares reading the text of every large element)."""
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or lengths[el] > MAX_META_BLOCK:
            continue
        text = _text_of(el)
        if not text or len(text) > MAX_META_BLOCK:
            continue
        if _is_info_line(text):
            yield el, text


def _best_info_block(info_blocks):
    best = None
    best_score = None
    for el, text in info_blocks:
        fields = _read_fields(text)
        score = (len([k for k in fields if k not in ("date_text",)]), -len(text))
        if best_score is None or score > best_score:
            best, best_score = el, score
    return best


def _read_info_lines(blocks, heading_el, order) -> dict:
    """Merge the labelled fields of the page's info lines, the one under the title first."""
    if not blocks:
        return {}
    scored = []
    for index, (el, text) in enumerate(blocks):
        fields = _read_fields(text)
        after_heading = heading_el is not None and order[heading_el] < order[el]
        scored.append(((after_heading, len(fields), -len(text)), index, fields))
    scored.sort(key=lambda item: item[0], reverse=True)
    merged: dict = {}
    primary = scored[0][2]
    merged.update(primary)
    for _, _, fields in scored[1:]:
        for key in ("source", "author", "editor", "views"):
            if merged.get(key) is None and fields.get(key) is not None:
                merged[key] = fields[key]
        # a bare date in another block is a sidebar's; only a labelled one may fill in
    return merged


_EDITOR_ANYWHERE = re.compile(r"(?:责任编辑|责编)\s*[:：]\s*([^\s|｜)）】\]]{2,20})")
# a plain 编辑： names the editor only as a block of its own (<div>编辑：毛梦囡</div> under the text)
_EDITOR_ALONE = re.compile(r"[（(【\[]?\s*编辑\s*[:：]\s*([^\s|｜)）】\]:：]{2,20})\s*[)）】\]]?")


def _editor_alone(tree) -> str | None:
    """A block that is only ``编辑：name``: found from the text nodes holding 编辑 (not by reading
    every element's whole text)."""
    for text in tree.xpath('//body//text()[contains(., "编辑")]'):
        owner = text.getparent()
        block = owner.getparent() if text.is_tail else owner
        for el in (block, block.getparent() if block is not None else None):
            m = _EDITOR_ALONE.fullmatch(_text_of(el)) if el is not None else None
            if m:
                return _clean_value(m[1])
    return None


def _editor_anywhere(text: str) -> str | None:
    m = _EDITOR_ANYWHERE.search(text)
    return _clean_value(m[1]) if m else None


def _htmldate(tree, fetched_at: datetime) -> str | None:
    """htmldate's guess, the last resort, on a tree without sidebars, footers and 页面生成时间."""
    try:
        from htmldate import find_date

        # a "页面生成时间" meta is when the CMS rendered the page, not when it was published
        for el in tree.xpath('//meta[contains(@name, "页面生成时间") or contains(@content, "页面生成时间")]'):
            el.drop_tree()
        found = find_date(tree, original_date=True, extensive_search=False, max_date=fetched_at.strftime("%Y-%m-%d"))
    except Exception:  # htmldate is a last resort; a failure there is not an extraction failure
        return None
    return found


# ---------------------------------------------------------------- links
# page furniture that sits among article images: logos, icons, QR codes, counters, buttons
_NOT_PHOTO = re.compile(r"logo|icon|ico_|qr|erweima|ewm|wx_?code|share|print|close|btn|button|arrow|bg[_.]|"
                        r"banner|counter|spacer|blank\.gif|loading|dot\.|line\.|bullet|weixin\.png|weibo", re.I)
MIN_PHOTO_SIDE = 60  # a width or height attribute below this: an icon, not a photo


def _photo_src(img, url: str) -> str | None:
    """An image's absolute URL when it is a photo of the article (lazy ``data-src`` too), not a
    logo, an icon, a QR code or a counter."""
    src = (img.get("data-src") or img.get("data-original") or img.get("src") or "").strip()
    if not src or src.startswith("data:") or _NOT_PHOTO.search(src) or _NOT_PHOTO.search(img.get("class") or ""):
        return None
    sides = [int(v) for v in (img.get("width"), img.get("height")) if v and v.strip().isdigit()]
    if sides and min(sides) < MIN_PHOTO_SIDE:
        return None
    full = urljoin(url, src)
    return full if _safe(full) else None


def _body_images(container, url: str) -> list[str]:
    """The article's photos: images inside the body container, in order, each once."""
    images = []
    for img in container.iter("img"):
        full = _photo_src(img, url)
        if full is None:
            continue
        if full not in images:
            images.append(full)
    return images


# the only addresses kept for a link or a photo: a page's (http, https) or a saved file's (file);
# javascript:, data:, vbscript: (however spelt: " javascript:", "java&#10;script:") never reach the reading room
SAFE_SCHEMES = ("http", "https", "file")


def _safe(full: str) -> bool:
    return urlsplit(full).scheme.lower() in SAFE_SCHEMES


def _attachments(tree, url: str) -> list[str]:
    attachments = []
    for a in tree.iter("a"):
        href = a.get("href")
        if href and may_be_attachment(href):
            full = urljoin(url, href.strip())
            if _safe(full) and is_attachment(full) and not re.search(r"\.(?:jpe?g|png|gif|bmp|webp|svg)$", full, re.I) and full not in attachments:
                attachments.append(full)
    return attachments


# ---------------------------------------------------------------- command line
