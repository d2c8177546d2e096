"""What a hit looks like: the stretch of an article around what was searched for."""
from __future__ import annotations

import re
import unicodedata

from db.fts import query_terms


def search_snippet(text: str | None, query: str | None, width: int = 120) -> str:
    """About ``width`` characters of ``text`` around the first place a query term occurs, every
    occurrence in it between ``<mark>`` and ``</mark>`` (plain text otherwise: whoever shows
    it as HTML escapes it first, keeping only those two tags). The text's start when no term
    occurs in it (a title match)."""
    text = " ".join((text or "").split())
    needles = _needles(query)
    lower = text.lower()
    first = min((i for i in (lower.find(n) for n in needles) if i >= 0), default=-1)
    start = 0 if first < 0 else max(0, first - width // 4)
    end = min(len(text), start + width)
    if first >= 0 and end - start < width:
        start = max(0, end - width)
    return ("…" if start > 0 else "") + _mark(text[start:end], needles) + ("…" if end < len(text) else "")


def highlighted(text: str | None, query: str | None) -> str:
    """The whole ``text`` with every occurrence of a query term between ``<mark>`` tags (an
    article read after a search)."""
    return _mark(text or "", _needles(query))


def _needles(query: str | None) -> list[str]:
    """What to look for in a text: the query's terms cut at punctuation, lower case, longest first."""
    needles = []
    for term in query_terms(query):
        needles += [part for part in re.split(r"[^\w]+|_", unicodedata.normalize("NFKC", term).lower()) if part]
    return sorted(set(needles), key=len, reverse=True)


def _mark(window: str, needles: list[str]) -> str:
    low = window.lower()
    marks = [False] * len(window)
    for needle in needles:
        at = low.find(needle)
        while at >= 0:
            marks[at:at + len(needle)] = [True] * len(needle)
            at = low.find(needle, at + 1)
    out, inside = [], False
    for char, marked in zip(window, marks):
        if marked != inside:
            out.append("<mark>" if marked else "</mark>")
            inside = marked
        out.append(char)
    if inside:
        out.append("</mark>")
    return "".join(out)
