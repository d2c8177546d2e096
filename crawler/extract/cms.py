"""What each CMS family Chinese schools and governments run looks like: data, in one place.

A family is its article URL shape and the containers its article body sits in. The link
rules (``links``) and the body finder (``body``) read this table; a new family, or a new
container of a known one, is one entry here plus a saved page with its expected fields
in ``tests/pages``. Body containers are tried in table order, first match wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


def _class(name: str) -> str:
    """An XPath test for one whole class name (not a substring of another)."""
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


@dataclass(frozen=True)
class CmsFamily:
    name: str
    article_url: re.Pattern | None  # an article's URL path, whatever the site
    body_xpaths: tuple[str, ...]  # the article body's containers
    column_id: re.Pattern | None = None  # the column an article URL belongs to (group 1), where the CMS says
    source_xpath: str | None = None  # where the publishing account or office is named, if not in a labelled line
    date_in_script: re.Pattern | None = None  # a publish date a script fills in (group 1: a date or a Unix time)


FAMILIES = (
    CmsFamily("VSB (博达 Visual SiteBuilder)", re.compile(r"/info/\d+/\d+\.s?html?$", re.I),
              ('//*[@id="vsb_content" or starts-with(@id, "vsb_content_")]', f"//*[{_class('v_news_content')}]"),
              column_id=re.compile(r"/info/(\d+)/\d+")),
    CmsFamily("WebPlus (Sudy)", re.compile(r"/c\d+a\d+/page\.(?:htm|html|psp)$", re.I),
              (f"//*[{_class('wp_articlecontent')}]",), column_id=re.compile(r"/c(\d+)a\d+/")),
    CmsFamily("PowerEasy (动易)", re.compile(r"/item/\d+\.aspx$", re.I), (f"//*[{_class('conTxt')}]",)),
    CmsFamily("Hanweb (大汉)", re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$", re.I),
              ('//*[@id="zoom"]',)),
    CmsFamily("TRS WCM", re.compile(r"/t\d{8}_\d+\.s?html?$", re.I),
              ('//*[contains(@class, "TRS_Editor") or contains(@class, "TRS_UEDITOR")]',)),
    CmsFamily("UCAP (gov.cn)", None, ('//*[@id="UCAP-CONTENT"]',)),
    # a school's WeChat account (follow_hosts = ["mp.weixin.qq.com"]): the date is in a script,
    # the account's name is the 来源
    CmsFamily("WeChat 公众号 (mp.weixin.qq.com)", re.compile(r"^/s(?:/[\w-]{10,}|$)"),
              ('//*[@id="js_content"]',), source_xpath='//*[@id="js_name"]',
              date_in_script=re.compile(r"""\bvar\s+ct\s*=\s*["'](\d{10})["']""")),
    CmsFamily("common names", None, (
        '//*[@id="artibody" or @id="article_content" or @id="news_content" or @id="newsContent"]',
        f"//*[{_class('article-content')} or {_class('article_content')} or {_class('news_content')}"
        f" or {_class('arti_content')}]",
    )),
)

ARTICLE_URL_SHAPES = tuple(family.article_url for family in FAMILIES if family.article_url is not None)
BODY_XPATHS = tuple(xpath for family in FAMILIES for xpath in family.body_xpaths)
COLUMN_IDS = tuple((family.name, family.column_id) for family in FAMILIES if family.column_id)
SOURCE_XPATHS = tuple(family.source_xpath for family in FAMILIES if family.source_xpath)
DATES_IN_SCRIPTS = tuple(family.date_in_script for family in FAMILIES if family.date_in_script)
