"""A list page as a person sees it: its main list of dated items, and how much of it we took.

A column page shows its articles as repeated items, each a headline link with a date beside
it or in it (li, tr, div cards, dl; ``标题(2023-05-08)``), whatever URL shape the CMS gives
them. The largest block of such items is the column's own list (a sidebar's "热点" box is
smaller). The crawl takes its article links by URL shape and by this structure; an item it
could not take (a ``javascript:`` link with no target, a shape it does not recognise) is
counted, so a school whose lists we only partly understand is reported, not called healthy.
An attachment or a link to a site the school did not ask to follow is understood, not missed.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from crawler.extract.dates import parse_date
from crawler.extract.links import NEXT_TEXTS, blocks_of

MIN_HEADLINE_CHARS = 5  # shorter anchor text is a pager, "更多", a date or an icon, not an item
MIN_ITEMS = 4  # fewer dated items than this are no list to judge
MAX_ROW_CHARS = 300  # an item's row: its headline, date, perhaps a summary; more is a whole block
# what is missed, of what is shown, before a list page counts as partly understood
MIN_MISSED_ITEMS, MIN_MISSED_SHARE = 2, 0.1

# a whole address in quotes, not the first half of one built by the script ('show.jsp?id='+3456)
_SCRIPT_TARGET = re.compile(
    r"""(?:\blocation(?:\.href)?\s*=|\blocation\.(?:assign|replace)\(|(?<![\w.])(?:window\.)?open\()"""
    r"""\s*['"]([^'"]+)['"]\s*(?=[;),]|$)""")
_PLACEHOLDER = re.compile(r"^(?:#.*|javascript:.*|)$", re.I | re.S)


def link_target(element) -> str | None:
    """Where a link leads: its href, or, for a placeholder href (``#``, ``javascript:;``), the
    address its ``onclick`` sends the browser to. None: a placeholder with no target."""
    href = (element.get("href") or "").strip()
    if not _PLACEHOLDER.match(href):
        return href
    m = _SCRIPT_TARGET.search(element.get("onclick") or "")
    if m is None and href.lower().startswith("javascript:"):
        m = _SCRIPT_TARGET.search(unquote(href))  # a browser percent-decodes a javascript: URL before running it
    return m.group(1).strip() if m else None


def anchor_text(element) -> str:
    return re.sub(r"\s+", " ", element.text_content() or "").strip()


def is_headline(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return len(compact) >= MIN_HEADLINE_CHARS and not compact.isdigit() and compact not in NEXT_TEXTS \
        and not compact.startswith(("下一页", "上一页", "更多"))


# a card's date in two pieces: 03/10 2025 (month/day, year), 10 2025-03 (day, year-month), 2025-03 10
_SPLIT_DATES = (
    (re.compile(r"(?<!\d)(\d{1,2})[/-](\d{1,2})\s+((?:19|20)\d{2})(?!\d)"), (3, 1, 2)),
    (re.compile(r"(?<![\d-])(\d{1,2})\s+((?:19|20)\d{2})[-/.](\d{1,2})(?!\d)"), (2, 3, 1)),
    (re.compile(r"(?<!\d)((?:19|20)\d{2})[-/.](\d{1,2})\s+(\d{1,2})(?![\d-])"), (1, 2, 3)),
)


# an international school's English date: December 04,2020 / Dec. 4, 2020
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ENGLISH_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")[a-z]*\.?\s+(\d{1,2}),?\s*((?:19|20)\d{2})\b", re.I)


def shown_date(text: str) -> str | None:
    """The date a list row shows, as text a date parser reads: as written, or a card's date
    written in two pieces or in English put together (YYYY-MM-DD)."""
    if parse_date(text):
        return text
    for pattern, (y, m, d) in _SPLIT_DATES:
        found = pattern.search(text)
        if found and 1 <= int(found[m]) <= 12 and 1 <= int(found[d]) <= 31:
            return f"{found[y]}-{int(found[m]):02d}-{int(found[d]):02d}"
    found = _ENGLISH_DATE.search(text)
    if found and 1 <= int(found[2]) <= 31:
        return f"{found[3]}-{_MONTHS.index(found[1].lower()[:3]) + 1:02d}-{int(found[2]):02d}"
    return None


_LABELLED_DATE = re.compile(r"(?:发布|发表|更新|录入)?(?:时间|日期)\s*[:：]\s*([^\r\n]{6,30})")
_DATE_ONLY = re.compile(r"^[\d\s\-/.:年月日时分秒\[\]()（）【】]+$")


class DatesBeside:
    """The date a list shows with a link: in its title attribute, in the nearest enclosing row
    (li, tr, a div) that holds this one item, else in its own text (a card's
    ``标题(2023-05-08)``, whose row holds a summary too). Each row is read once per page: a
    list of 3,000 links in one div reads that div once, not once per link."""

    def __init__(self):
        self.rows: dict = {}  # lxml element -> its text, or None when it is more than one row
        self.dates: dict = {}  # anchor element -> its date text (asked for the main list, then for the links)

    def date(self, anchor) -> str | None:
        if anchor not in self.dates:
            self.dates[anchor] = self._date(anchor)
        return self.dates[anchor]

    def _date(self, anchor) -> str | None:
        title = anchor.get("title", "").strip()
        if title and _DATE_ONLY.match(title) and parse_date(title):
            return title  # a title attribute that is a date, not a headline that names one
        labelled = _LABELLED_DATE.search(title)  # 标题：…&#xD;发表时间：2026年08月20日 (PowerEasy)
        if labelled and shown_date(labelled.group(1)):
            return shown_date(labelled.group(1))
        headline = anchor_text(anchor)
        target = anchor.get("href")
        node = anchor
        for _ in range(3):
            node = node.getparent()
            if node is None:
                break
            text = self.row_text(node, anchor, target)
            if text is None:
                break
            # the row's date, not one its headline names (关于2019年5月1日…的通知 listed 2023-05-10)
            beside = shown_date(text.replace(headline, " ", 1))
            if beside:
                return beside
        return shown_date(headline)  # a card: the date inside the link, its row too big to read

    def row_text(self, node, anchor=None, target=None) -> str | None:
        """The text of an item's row, without what its other links to the same article say (a
        card's summary paragraph is a link too); None when the node is more than one row."""
        if node not in self.rows:
            text = re.sub(r"\s+", " ", " ".join(node.xpath(".//text()"))).strip()
            # one item's row: its links lead to at most two places (a card links its picture,
            # heading and 查看详情 to one article)
            several = len(set(node.xpath(".//a/@href"))) > 2
            self.rows[node] = None if several else text
        text = self.rows[node]
        if text is None or len(text) <= MAX_ROW_CHARS:
            return text
        if not target:
            return None
        key = (node, target)  # a long row: without its summary it may be one item's
        if key not in self.rows:
            parts = []
            for piece in node.xpath(".//text()"):
                holder = piece.getparent()
                holder = holder.getparent() if piece.is_tail else holder
                if holder is not None and any(el is not anchor and el.tag == "a" and el.get("href") == target
                                              for el in (holder, *holder.iterancestors())):
                    continue  # the summary or 查看详情 of the same item
                parts.append(piece)
            shorter = re.sub(r"\s+", " ", " ".join(parts)).strip()
            self.rows[key] = shorter if len(shorter) <= MAX_ROW_CHARS else None
        return self.rows[key]


def main_list(anchors: list, dates: DatesBeside) -> list:
    """The anchors of the page's main list: headline links with a date, in the block that
    holds the most of them (the first of equals, in page order). Empty: no dated list."""
    items, targets = [], set()
    for a in anchors:  # one anchor per target: a card's title and summary links are one item
        target = link_target(a)  # None: a placeholder with no address, an item of its own
        if (target is not None and target in targets) or not is_headline(anchor_text(a)) or not dates.date(a):
            continue
        targets.add(target)
        items.append(a)
    if len(items) < MIN_ITEMS:
        return []
    blocks = blocks_of(items)
    counts = Counter(blocks)
    main = max(dict.fromkeys(blocks), key=counts.__getitem__)
    return [a for a, block in zip(items, blocks) if block is main] if counts[main] >= MIN_ITEMS else []


def main_block(main: list):
    """The element that holds the page's main list (its ul, table or div)."""
    return blocks_of(main[:MIN_ITEMS])[0]


def outside(element, block) -> bool:
    """Whether a link lies outside the block of the page's main list (a sidebar, the menu)."""
    return not any(ancestor is block for ancestor in element.iterancestors())


@dataclass(frozen=True)
class Coverage:
    """Of the dated items a list page shows in its main list, how many the crawl took."""

    shown: int = 0
    taken: int = 0

    @property
    def partial(self) -> bool:
        missed = self.shown - self.taken
        return self.shown >= MIN_ITEMS and missed >= MIN_MISSED_ITEMS and missed >= self.shown * MIN_MISSED_SHARE

    def note(self, column: str) -> str:
        return f"栏目「{column}」：列表显示 {self.shown} 条，识别 {self.taken} 条"
