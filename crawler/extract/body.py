"""Find an article page's body text: the CMS's own container when we know it, trafilatura always.

School CMSs wrap the body in a few well-known containers (VSB ``#vsb_content``, WebPlus
``.wp_articlecontent``, PowerEasy ``.conTxt``, Hanweb ``#zoom``, TRS ``.TRS_Editor``, …;
see ``shared/corpus/TEMPLATES.md``). When one is on the page, trafilatura reads only
that container: the sidebar, 上一篇/下一篇 and footer never reach it, and on a short
简讯 it cannot fall back to the whole page. Otherwise the page's navigation, sidebars
and footers are pruned by their class names first (never an ancestor of the densest
text block), then trafilatura reads the rest.

Works on the lxml tree the caller parsed once (trafilatura copies what it is given), and
prunes that tree in place: read metadata and links from it first.
"""
from __future__ import annotations

import copy
import re

import lxml.html
import trafilatura
from lxml import etree

from crawler.extract.cms import BODY_XPATHS

_KNOWN_BODY = [etree.XPath(x) for x in BODY_XPATHS]  # the CMS families' containers (crawler.extract.cms)
MIN_CONTAINER_CJK = 15

# Template parts that are never the article, by tag or by class/id words.
_BOILERPLATE_TAGS = {"nav", "footer", "aside", "header", "script", "style", "noscript", "form", "select"}
_BOILERPLATE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|foot|bottom|sidebar|side|right|left_nav|leftnav|header|head|top|topbar|"
    r"position|location|weizhi|dqwz|breadcrumb|crumbs?|path|prenext|pre_next|prev_next|sxp|share|bdshare|"
    r"links?|friendlink|yqlj|copyright|banquan|related|hot|tuijian|comment)(?:$|[\s_-]|\d)",
    re.I,
)


def cjk(text: str | None) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", text or "")


def _text_len(el) -> int:
    try:
        return len(cjk(el.text_content()))
    except ValueError:
        return 0


def _largest(tree, finder):
    found = [el for el in finder(tree) if isinstance(el, etree._Element)]
    return max(found, key=_text_len) if found else None


def known_container(tree, body_xpath: str | None = None):
    """The body container: the site's configured XPath (trusted as it is), then a known CMS
    container that holds some Chinese text."""
    if body_xpath:
        configured = _largest(tree, etree.XPath(body_xpath))
        if configured is not None:
            return configured
    for finder in _KNOWN_BODY:
        best = _largest(tree, finder)
        if best is not None and _text_len(best) >= MIN_CONTAINER_CJK:
            return best
    return None


def body_container(tree, body_xpath: str | None = None):
    """The element the article body is in: a known or configured container, else the densest block."""
    container = known_container(tree, body_xpath)
    return container if container is not None else densest_block(tree)


def densest_block(tree):
    """The element whose direct paragraphs hold the most Chinese text (a body container)."""
    scores: dict = {}
    for el in tree.iter("p", "div", "td", "font", "span", "br"):
        parent = el.getparent()
        if parent is None:
            continue
        own = (el.text or "") if el.tag != "br" else (el.tail or "")
        length = len(cjk(own)) if el.tag != "p" else _text_len(el)
        if length >= 10:
            scores[parent] = scores.get(parent, 0) + length
    if not scores:
        return None
    return max(scores, key=scores.get)


def _is_boilerplate(el) -> bool:
    if el.tag in _BOILERPLATE_TAGS:
        return True
    names = f"{el.get('class', '')} {el.get('id', '')}".strip()
    return bool(names) and bool(_BOILERPLATE_NAMES.search(names))


def prune_boilerplate(tree, keep) -> None:
    """Remove navigation, sidebars and footers, but never ``keep`` or what contains it."""
    protected = set(keep.iterancestors()) | {keep} if keep is not None else set()
    doomed = [el for el in tree.iter() if isinstance(el.tag, str) and el not in protected
              and el.tag not in ("html", "body") and _is_boilerplate(el)]
    for el in doomed:
        if keep is not None and keep in set(el.iterdescendants()):
            continue
        el.drop_tree()


def trafilatura_text(tree_or_html, url: str) -> str:
    text = trafilatura.extract(
        tree_or_html,
        url=url,
        include_tables=False,
        include_comments=False,
        include_images=False,
        deduplicate=False,
        favor_recall=True,
        output_format="txt",
    )
    return text or ""


def _lines_of(el) -> str:
    """The element's text, a line per block: what trafilatura would keep, when it keeps nothing.

    Marks line breaks in ``el``'s tails, so call it last on a tree.
    """
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in el.iter("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
        block.tail = "\n" + (block.tail or "")
    text = el.text_content()
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _as_document(el):
    """A container as a document trafilatura accepts (it rejects a single bare fragment)."""
    doc = lxml.html.document_fromstring("<html><body><div></div></body></html>")
    doc.find(".//div").append(copy.deepcopy(el))
    return doc


def body_text(tree, url: str, *, body_xpath: str | None = None) -> str:
    """The article body as lines of text, before our line-by-line cleanup. Prunes ``tree``."""
    container = known_container(tree, body_xpath)
    if container is not None:
        prune_boilerplate(tree, container)
        text = trafilatura_text(_as_document(container), url)
        if len(cjk(text)) < 0.5 * _text_len(container):
            text = _lines_of(container)
        return text
    block = densest_block(tree)
    prune_boilerplate(tree, block)
    text = trafilatura_text(tree, url)
    # a broken page can hide the body from trafilatura: read the densest block alone
    if block is not None and len(cjk(text)) < 0.5 * _text_len(block):
        fallback = trafilatura_text(_as_document(block), url)
        if len(cjk(fallback)) > len(cjk(text)):
            return fallback
    return text
