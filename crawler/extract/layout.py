"""Where an article's subheadings and photos stand among its paragraphs, so a page can show it
as the school did: a subheading as a heading, each photo after the paragraph it follows, with
its caption under it.

The stored text stays what it is (paragraphs, one a line: what search, dedupe and hashing
read); the layout only points into it by paragraph number:
``{"headings": [3, 7], "photos": [{"src": URL, "after": 0, "caption": 1}]}`` (``after`` -1:
before the first paragraph; ``caption``: the paragraph that is the photo's caption, or None).
It is read from the body's container: each paragraph of the text is matched, in order, to
the block of the page that says it.
"""
from __future__ import annotations

import re

from crawler.extract.text import compact

BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "div", "section", "blockquote", "center")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BOLD = ("strong", "b")
MAX_HEADING_CHARS = 40  # a subheading is a line, not a paragraph set in bold
MAX_CAPTION_CHARS = 80
_SENTENCE_END = ("。", "！", "？", "；", "…", ".", "!", "?")
_CAPTION_START = re.compile(r"^(?:[（(【\[]?\s*图\s*[为片:：\d一二三四五六七八九十]|[▲△↑]|图/)")
_CAPTION_WORDS = re.compile(r"摄影?[:：/]|摄$|供图|图片来源|图：|图/")


def _centered(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "text-align:center" in style or (el.get("align") or "").lower() == "center" or el.tag == "center"


def _bold_only(el) -> bool:
    """All of the block's text is inside <strong>/<b> (or a bold style)."""
    text = compact(el.text_content() or "")
    if not text:
        return False
    bold = "".join(compact(b.text_content() or "") for b in el.iter(*BOLD)
                   if not any(a.tag in BOLD for a in b.iterancestors()))
    styled = "font-weight:bold" in (el.get("style") or "").replace(" ", "").lower()
    return bold == text or styled


_DATE_ONLY = re.compile(r"^[\d\s年月日.\-/:：]+$")


def _is_heading(el, text: str) -> bool:
    """A subheading: a heading element, or a short bold line that is no sentence, no caption,
    no date and no table cell or list item (a table's header row is not the article's outline)."""
    if len(text) > MAX_HEADING_CHARS or text.endswith(_SENTENCE_END) or el.tag in ("td", "th", "li"):
        return False
    if _CAPTION_START.search(text) or _DATE_ONLY.match(text) or any(a.tag in ("td", "th") for a in el.iterancestors()):
        return False
    return el.tag in HEADINGS or _bold_only(el)


def layout(container, paragraphs: list[str], photo) -> dict:
    """The layout of ``paragraphs`` (the stored text's lines) in ``container``; ``photo(img)``:
    the image's absolute URL when it is one of the article's photos, else None."""
    events = []  # ("block", element, compact text) and ("img", URL), in document order
    for el in container.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "img":
            src = photo(el)
            if src:
                events.append(("img", src))
        elif el.tag in BLOCKS:
            events.append(("block", el, compact(el.text_content() or "")))
    wanted = [compact(p) for p in paragraphs]
    at = {}  # paragraph number -> (event position, its block)
    position = 0
    for number, text in enumerate(wanted):
        if not text:
            continue
        for k in range(position, len(events)):
            event = events[k]
            if event[0] == "block" and event[2] == text:
                # the innermost block that says it (<section><h2>…</h2></section>: the h2)
                while k + 1 < len(events) and events[k + 1][0] == "block" and events[k + 1][2] == text:
                    k += 1
                at[number] = (k, events[k][1])
                position = k + 1
                break
    headings = [n for n, (_, el) in sorted(at.items()) if _is_heading(el, paragraphs[n].strip())]
    photos, seen = [], set()
    for k, event in enumerate(events):
        if event[0] != "img" or event[1] in seen:
            continue
        seen.add(event[1])
        before = [n for n, (place, _) in at.items() if place < k]
        after = max(before) if before else -1
        photos.append({"src": event[1], "after": after, "caption": None})
    for number, photo in enumerate(photos):  # the caption under a row of photos belongs to the last of them
        if number + 1 == len(photos) or photos[number + 1]["after"] != photo["after"]:
            photo["caption"] = _caption(photo["after"] + 1, paragraphs, at, headings)
    return {"headings": headings, "photos": photos}


def _caption(number: int, paragraphs: list[str], at: dict, headings: list[int]) -> int | None:
    """The paragraph right after a photo, when it reads as its caption: short, and centred or
    worded as one (图为…, ▲…, 摄影：…)."""
    if number >= len(paragraphs) or number in headings or number not in at:
        return None
    text = paragraphs[number].strip()
    if not text or len(text) > MAX_CAPTION_CHARS:
        return None
    if _CAPTION_START.search(text) or _CAPTION_WORDS.search(text) or _centered(at[number][1]):
        return number
    return None
