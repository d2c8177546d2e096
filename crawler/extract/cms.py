"""What each CMS family Chinese schools and governments run looks like: data, in one place.

A family is its article URL shape, its list (column) pages' URL shapes, the containers its
article body sits in, and where its article URLs name their column. The link rules
(``links``), the body finder (``body``) and the metadata reader read this table; a new
family, or a new shape of a known one, is one entry here plus a saved page in
``tests/pages`` whose manifest entry names the family and its exact expected fields
(tests/test_cms_families.py fails for a family without one). Body containers are tried in
table order, first match wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


def _class(name: str) -> str:
    """An XPath test for one whole class name (not a substring of another)."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


@dataclass(frozen=True)
class CmsFamily:
    name: str
    article_url: re.Pattern | None  # an article's URL path, whatever the site
    body_xpaths: tuple[str, ...]  # the article body's containers
    list_url: re.Pattern | None = None  # a column's list pages, the first and the numbered ones (URL path)
    column_id: re.Pattern | None = None  # the column an article URL belongs to (group 1), where the CMS says
    source_xpath: str | None = None  # where the publishing account or office is named, if not in a labelled line
    author_xpath: str | None = None  # where the author is named, if not in a labelled line
    host: str | None = None  # the one host the family serves (a platform), None: any school's own host
    date_in_script: re.Pattern | None = None  # a publish date a script fills in (group 1: a date or a Unix time)


FAMILIES = (
    CmsFamily("VSB (博达 Visual SiteBuilder)", re.compile(r"/info/\d+/\d+\.s?html?$", re.I),
              ('//*[@id="vsb_content" or starts-with(@id, "vsb_content_")]', f"//*[{_class('v_news_content')}]"),
              # a column's page 1 is its own name (tzgg.htm); later pages are numbered in its folder
              # (tzgg/31.htm), counting down; list.jsp is the dynamic list
              list_url=re.compile(r"(?:/\d{1,4}\.htm$)|(?:/list\d*\.jsp$)", re.I),
              column_id=re.compile(r"/info/(\d+)/\d+")),
    CmsFamily("WebPlus (Sudy)", re.compile(r"/c\d+a\d+/page\.(?:htm|html|psp)$", re.I),
              (f"//*[{_class('wp_articlecontent')}]",),
              list_url=re.compile(r"/list\d*\.(?:htm|html|psp)$", re.I),  # list.htm, list2.htm …
              column_id=re.compile(r"/c(\d+)a\d+/")),
    CmsFamily("PowerEasy (动易)", re.compile(r"/item/\d+\.aspx$", re.I), (f"//*[{_class('conTxt')}]",),
              list_url=re.compile(r"/index(?:_\d+)?\.aspx$", re.I)),  # Category_37/Index_2.aspx
    CmsFamily("Hanweb (大汉)", re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$", re.I),
              ('//*[@id="zoom"]',)),  # lists: col/col123/index.html, paged by a query (pageNum=2)
    CmsFamily("TRS WCM", re.compile(r"/t\d{8}_\d+\.s?html?$", re.I),
              ('//*[contains(@class, "TRS_Editor") or contains(@class, "TRS_UEDITOR")]',),
              list_url=re.compile(r"/index(?:_\d+)?\.s?html?$", re.I)),  # index.html, index_1.html …
    CmsFamily("UCAP (gov.cn)", None, ('//*[@id="UCAP-CONTENT"]',)),
    # 教育局 and school sites: articles in their channel's folder, channels paged as 18287_2.html;
    # the body's container is the template's own (found by structure)
    CmsFamily("SiteServer", re.compile(r"/contents/\d+/\d+\.s?html?$", re.I), (),
              list_url=re.compile(r"/channels/\d+(?:_\d+)?\.s?html?$", re.I),
              column_id=re.compile(r"/contents/(\d+)/\d+")),
    # a school's WeChat account (follow_hosts = ["mp.weixin.qq.com"]): the date is in a script,
    # the account's name is the 来源
    CmsFamily("WeChat 公众号 (mp.weixin.qq.com)", re.compile(r"^/s(?:/[\w-]{10,}|$)"),
              ('//*[@id="js_content"]',), source_xpath='//*[@id="js_name"]', author_xpath='//*[@id="js_author_name"]',
              date_in_script=re.compile(r"""\bvar\s+ct\s*=\s*["'](\d{10})["']"""), host="mp.weixin.qq.com"),
    # no one CMS: names many templates give the body, and numbered index pages (index2.html)
    CmsFamily("common names", None, (
        '//*[@id="artibody" or @id="article_content" or @id="news_content" or @id="newsContent"]',
        f"//*[{_class('article-content')} or {_class('article_content')} or {_class('news_content')}"
        f" or {_class('arti_content')}]",
    ), list_url=re.compile(r"/index\d+\.s?html?$", re.I)),
)

# (host or None, shape) of the families' article URLs: a platform's shape holds on its host only
ARTICLE_URL_SHAPES = tuple((family.host, family.article_url) for family in FAMILIES if family.article_url is not None)
LIST_URL_SHAPES = tuple(family.list_url for family in FAMILIES if family.list_url is not None)
BODY_XPATHS = tuple(xpath for family in FAMILIES for xpath in family.body_xpaths)
COLUMN_IDS = tuple((family.name, family.column_id) for family in FAMILIES if family.column_id)
SOURCE_XPATHS = tuple(family.source_xpath for family in FAMILIES if family.source_xpath)
AUTHOR_XPATHS = tuple(family.author_xpath for family in FAMILIES if family.author_xpath)
DATES_IN_SCRIPTS = tuple(family.date_in_script for family in FAMILIES if family.date_in_script)


def article_shaped(host: str | None, path: str) -> bool:
    """Whether a URL (its host and path) has a family's article shape."""
    return any((on is None or on == host) and shape.search(path) for on, shape in ARTICLE_URL_SHAPES)


def family_of(url: str, tree) -> CmsFamily | None:
    """The family an article page belongs to: by its URL's shape, else by the first body
    container found in ``tree`` (an lxml tree). None: a template the table does not know."""
    parts = urlsplit(url)
    for family in FAMILIES:
        if family.article_url is not None and family.host in (None, parts.hostname) \
                and family.article_url.search(parts.path):
            return family
    for family in FAMILIES:
        if any(tree.xpath(xpath) for xpath in family.body_xpaths):
            return family
    return None
