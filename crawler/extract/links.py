"""Tell article links from list pages, pagination and attachments, by URL shape and anchor text.

Chinese school sites run on a handful of CMSs whose URL shapes are stable, so one set of
rules covers most schools without per-site code; ``article_pattern`` in the config covers
the rest.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.extract.cms import COLUMN_IDS, LIST_URL_SHAPES, article_shaped

# Files a news crawler must not download as pages.
ATTACHMENT_EXTENSIONS = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps rar zip 7z gz tar jpg jpeg png gif bmp webp svg "
    "mp3 mp4 avi wmv flv mov swf exe apk txt csv xml ofd ceb caj".split()
)

# Generic shapes, tried only when the URL is not a list page.
_GENERIC_ARTICLE_SHAPES = [
    re.compile(r"/(?:content|article|detail|news|show|view)[_-]?\d{3,}\.s?html?$", re.I),
    re.compile(r"/20\d{2}[-_/]?[01]?\d[-_/]?[0-3]?\d/[^/?#]*\d{2,}[^/?#]*\.s?html?$", re.I),  # date path + id
    re.compile(r"/20\d{2}[-_]?[01]\d/[^/?#]*\d{3,}[^/?#]*\.s?html?$", re.I),  # /202309/xxx123.html
    re.compile(r"/20\d{2}/[01]?\d[0-3]\d/[^/?#]*\d{2,}[^/?#]*\.s?html?$", re.I),  # WebPlus date dirs
]
_ARTICLE_QUERY_KEYS = {"newsid", "articleid", "infoid", "contentid", "wbnewsid", "aid", "docid"}
_ARTICLE_SCRIPTS = re.compile(r"(?:show|read|view|detail|content|article)\w*\.(?:asp|aspx|php|jsp|do)$", re.I)

# List (column) page shapes, first page and numbered pages: each CMS family's (cms.py).
_PAGE_QUERY_KEYS = {"page", "pageno", "pagenum", "pageindex", "p", "pn", "curpage", "currentpage", "start", "offset"}
_PAGE_QUERY = re.compile(r"[?&;](?:%s)=\d" % "|".join(sorted(_PAGE_QUERY_KEYS)), re.IGNORECASE)

# Anchor texts of a pager's "next" link.
NEXT_TEXTS = ("下一页", "下页", "后页", "下一頁", "next", "Next", "NEXT", ">", "›", "»", ">>", "＞")


def extension(url: str) -> str:
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


# a download script (VSB's download.jsp?wbfileid=…, DownLoad.aspx?id=…) serves a file, not a page
_DOWNLOAD_SCRIPT = re.compile(r"^down(?:load)?(?:file)?\.(?:jsp|asp|aspx|php|do)$", re.I)


# what every address is_attachment accepts has somewhere: a file extension (perhaps
# percent-encoded, in the query) or a download script's name; a quick test before parsing it
_MAY_BE_ATTACHMENT = re.compile(
    r"(?:\.|%2e)(?:" + "|".join(sorted(ATTACHMENT_EXTENSIONS, key=len, reverse=True)) + r")(?![0-9a-z])|down", re.I)


def may_be_attachment(href: str) -> bool:
    """False for a link that is certainly no attachment (most of a page's links), without parsing it."""
    return bool(_MAY_BE_ATTACHMENT.search(href))


def is_attachment(url: str) -> bool:
    """A file, not a page: by its extension, a download script, or a file name in its query."""
    if extension(url) in ATTACHMENT_EXTENSIONS:
        return True
    parts = urlsplit(url)
    if _DOWNLOAD_SCRIPT.match(parts.path.rsplit("/", 1)[-1]):
        return True
    return any(value.rsplit(".", 1)[-1].lower() in ATTACHMENT_EXTENSIONS
               for _, value in parse_qsl(parts.query) if "." in value)


def is_http(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https")


def looks_like_article(url: str, pattern: re.Pattern | None = None) -> bool:
    """True when ``url`` has the shape of an article page (or matches the site's own pattern)."""
    if not is_http(url) or is_attachment(url):
        return False
    if pattern is not None:
        return bool(pattern.search(url))
    parts = urlsplit(url)
    path = parts.path
    if article_shaped(parts.hostname, path):
        return True
    if looks_like_list_page(url):
        return False
    if any(shape.search(path) for shape in _GENERIC_ARTICLE_SHAPES):
        return True
    if parts.query:
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        if keys & _ARTICLE_QUERY_KEYS or (_ARTICLE_SCRIPTS.search(path) and "id" in keys):
            return True
    return False


def looks_like_list_page(url: str) -> bool:
    """True for column list pages and their numbered pages (list2.htm, index_1.html, ?page=3)."""
    parts = urlsplit(url)
    if article_shaped(parts.hostname, parts.path):
        return False
    if any(shape.search(parts.path) for shape in LIST_URL_SHAPES):
        return True
    if parts.query:
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        return bool(keys & _PAGE_QUERY_KEYS) and not (keys & _ARTICLE_QUERY_KEYS)
    return False


def is_next_text(text: str) -> bool:
    text = re.sub(r"\s+", "", text or "")
    return text in NEXT_TEXTS or text.startswith("下一页") or text.startswith("下页")


def may_continue(base_url: str, html: str) -> bool:
    """False when no link on the page can be a next page of the article at ``base_url``
    (see :func:`continuation_suffix`): most pages, which then need no link parsing."""
    name = urlsplit(base_url).path.rpartition("/")[2].rpartition(".")[0]
    return bool(name and f"{name}_" in html) or bool(_PAGE_QUERY.search(html))


def continuation_suffix(base_url: str, url: str) -> int | None:
    """Page number when ``url`` is page N (>= 2) of the article at ``base_url``.

    Multi-page articles add ``_2``, ``_3`` … before the extension (TRS ``t2023_1.html``
    counts from ``_1`` for the second page, so any suffix number is accepted) or a
    ``page=N`` query.
    """
    b, u = urlsplit(base_url), urlsplit(url)
    if (b.scheme, b.netloc) != (u.scheme, u.netloc):
        return None
    b_stem, _, b_ext = b.path.rpartition(".")
    u_stem, _, u_ext = u.path.rpartition(".")
    if b_ext == u_ext and u_stem.startswith(b_stem + "_"):
        number = u_stem[len(b_stem) + 1:]
        if number.isdigit():
            return int(number)
    if b.path == u.path and u.query != b.query:
        for key, value in parse_qsl(u.query):
            if key.lower() in _PAGE_QUERY_KEYS and value.isdigit():
                return int(value)
    return None


def url_template(url: str) -> str:
    """The URL with every run of digits replaced, so links of one column group together."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "#", f"{parts.netloc}{parts.path}?{'&'.join(sorted(k for k, _ in parse_qsl(parts.query)))}")


def articles_by_structure(links: list[tuple[str, str]], min_group: int = 3) -> list[str]:
    """Article links of a column whose CMS uses no URL shape we know.

    ``links``: (url, anchor text) pairs of one list page. News items are the largest group
    of links that share one URL template and carry headline-length anchor text.
    """
    groups: dict[str, list[str]] = {}
    for url, text in links:
        if len(re.sub(r"\s+", "", text)) < 6 or looks_like_list_page(url) or is_attachment(url):
            continue
        if not re.search(r"\d", urlsplit(url).path + urlsplit(url).query):
            continue  # column pages (/about/intro.htm) carry no item id
        groups.setdefault(url_template(url), [])
        if url not in groups[url_template(url)]:
            groups[url_template(url)].append(url)
    if not groups:
        return []
    best = max(groups.values(), key=len)
    return best if len(best) >= min_group else []


# ------------------------------------------------------------------ a list page's own column
def column_key(url: str) -> str | None:
    """The column an article URL says it belongs to (WebPlus ``c1234a…``, VSB ``info/1045/``)."""
    path = urlsplit(url).path
    for family, pattern in COLUMN_IDS:
        m = pattern.search(path)
        if m:
            return f"{family}:{m.group(1)}"
    return None


_NUMBERED = re.compile(r"/(\d{3,})\.s?html?$", re.I)


def numbered_under(list_url: str, url: str) -> bool:
    """An article link that is a plain number in the column's own folder (``tzgg/12345.html``)."""
    folder = urlsplit(list_url).path.rsplit("/", 1)[0] + "/"
    path = urlsplit(url).path
    return bool(_NUMBERED.search(path)) and path.startswith(folder) and path.count("/") == folder.count("/")


def blocks_of(elements: list) -> list:
    """The list block each element sits in: its lowest ancestor holding another of them (an
    item's own ``li``/``tr``/table is passed, the ``ul``/``table`` of the list is taken).
    Linear: every element's first few ancestors are counted once."""
    counts: dict = {}
    chains = []
    for el in elements:
        chain = []
        node = el.getparent()
        while node is not None and len(chain) < 8:
            chain.append(node)
            counts[node] = counts.get(node, 0) + 1
            node = node.getparent()
        chains.append(chain)
    return [next((a for a in chain if counts[a] >= 2), chain[-1] if chain else None) for chain in chains]


# a date as lists print it beside an item (2023-05-08, 05-08, 5月8日): shape only, not parsed
# (and a day with an English month, as card lists print it: 12 Jan, Jan 12)
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|" \
         r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
DATE_SHAPE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\b\d{1,2}[-/]\d{1,2}\b|\d{1,2}月\d{1,2}日|"
                        rf"(?i:\b\d{{1,2}}\s*{_MONTH}(?![a-z])|\b{_MONTH}\s*\d{{1,2}}\b)")


def _dated(element) -> bool:
    """A date shown right beside a link: after it, or in the next cell of its row."""
    near = [element.tail or ""]
    for node in (element, element.getparent()):
        following = node.getnext() if node is not None else None
        while following is not None and not isinstance(following.tag, str):  # a comment (an item commented out)
            following = following.getnext()
        if following is not None:
            near.append(following.text_content() or "")
    return bool(DATE_SHAPE.search(" ".join(near)[:80]))


NO_KEY = ""  # the column's own links carry no column id (keyed links are other columns')


def own_column(items: list[tuple], key: str | None = None) -> tuple[list[tuple], str | None]:
    """The column's own article links among a list page's ``(url, element, headline)`` items:
    not a sidebar's or a "热点" box's links to other columns. The page's main block is the one
    with the most links, dated ones counting double (a list shows dates; sidebars seldom do),
    or, on a later page, the one holding most links of the column ``key`` page 1 showed.

    What the main block lists is the column's, whatever column ids its URLs carry: a parent
    column shows its child columns' items, and a column moved to a new id lists new articles
    under it above the old ones. Outside the main block, a link is the column's when it
    carries no id or one the main block carries; where the main block's links carry no id,
    keyed links elsewhere are other columns'. Returns the links and the main block's
    (majority) key, which the column's later pages are read with."""
    keys = [column_key(url) for url, _, _ in items]
    if not any(keys):
        return items, key
    blocks = blocks_of([element for _, element, _ in items])
    carrying = [block for k, block in zip(keys, blocks) if key and k == key]  # the column page 1 showed
    if carrying:
        main = max(dict.fromkeys(carrying), key=carrying.count)  # the first of equals, in page order
    else:
        weight: dict = {}
        for (_, element, _), block in zip(items, blocks):
            weight[block] = weight.get(block, 0) + (2 if _dated(element) else 1)
        main = max(weight, key=lambda b: weight[b])
    in_main = [k for k, block in zip(keys, blocks) if block is main]
    keyed = [k for k in in_main if k]
    page_key = max(set(keyed), key=keyed.count) if len(keyed) * 2 > len(in_main) else NO_KEY
    if page_key == NO_KEY:
        kept = [item for item, k, block in zip(items, keys, blocks) if block is main or k is None]
    else:
        ours = {*keyed, *([key] if key else [])}
        kept = [item for item, k, block in zip(items, keys, blocks) if block is main or k is None or k in ours]
    return kept, key if key is not None else page_key
