"""The store's search index format and its query language: one definition for both sides.

The store writes each article's title, text and keywords as :func:`search_text`; the
reading room turns what a person typed into :func:`fts_query` over the same tokens. A
store whose index was written in another ``SEARCH_TEXT_FORMAT`` is re-indexed when opened
(db/schema.py).
"""
from __future__ import annotations

import re
import unicodedata

# A person searching news types a word or a phrase and expects every article that contains
# it: 思政 inside 课程思政, 主题党日, 党的二十大, a whole slogan. Words from a segmenter cannot
# give that (jieba cuts 课程思政 as one word, 党的二十大 across its boundaries), so the index
# holds every CJK run as its overlapping character pairs (主题党日 → 主题 题党 党日) and
# ends each run with its last character alone (日), while Latin letters and digits stay
# words. A query becomes the same pairs as an FTS5 phrase: consecutive pairs in order are
# exactly the text that contains the query. A query of one character is a prefix query
# (党*): every pair that starts with it, and the lone last characters.

SEARCH_TEXT_FORMAT = "cjk-bigrams-1"  # change it when search_text changes: stores rebuild their index
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"  # kana, ideographs, hangul
_RUN = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
_QUOTED = re.compile(r'"([^"]*)"|“([^”]*)”|「([^」]*)」')


def _runs(text: str) -> list[tuple[str, bool]]:
    """``(run, is_cjk)`` of a text: CJK runs and Latin/digit words, NFKC and lower case."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return [(m.group(1), True) if m.group(1) else (m.group(2), False) for m in _RUN.finditer(text)]


def _tokens(runs: list[tuple[str, bool]]) -> list[str]:
    out: list[str] = []
    for run, cjk in runs:
        if cjk:
            out += [run[i:i + 2] for i in range(len(run) - 1)]
            out.append(run[-1])
        else:
            out.append(run)
    return out


def search_text(text: str | None) -> str:
    """What the search index holds of a text: the tokens of :func:`fts_query`, space separated
    (for FTS5's unicode61 tokenizer). 主题党日，2023学年 → ``主题 题党 党日 日 2023 学年 年``."""
    return " ".join(_tokens(_runs(text or "")))


MAX_QUERY_CHARS = 200  # what anyone types; a longer query (a pasted page) is cut, not run whole


def query_terms(query: str | None) -> list[str]:
    """The terms of what a user typed (its first MAX_QUERY_CHARS characters): split at spaces, a
    quoted stretch ("…", “…”) is one term; terms with no letter, digit or CJK character are
    dropped (a lone quote, ``-``)."""
    terms: list[str] = []
    query = (query or "")[:MAX_QUERY_CHARS]
    position = 0
    for match in _QUOTED.finditer(query):
        terms += query[position:match.start()].split()
        terms.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    terms += query[position:].split()
    out = []
    for term in terms:
        term = term.strip().strip('"“”「」')
        if _runs(term) and term not in out:
            out.append(term)
    return out


def _phrase(term: str) -> str:
    """One term as an FTS5 phrase of the index's tokens; a term ending in a lone CJK character
    is a prefix phrase (that character may start a pair)."""
    runs = _runs(term)
    tokens = _tokens(runs)
    last, cjk = runs[-1]
    prefix = cjk and len(last) == 1
    if cjk and not prefix:
        tokens.pop()  # the run may go on in the text: no lone last character there
    return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")


def fts_query(query: str | None) -> str:
    """A user's query as an FTS5 expression over the index of :func:`search_text`: every term
    must occur, each as a substring (思政 finds 课程思政; 主题党日 finds only 主题党日). Never a
    syntax error: FTS5 operators and quotes are words or are dropped; a query with nothing to
    search for is ``""``, which matches nothing."""
    return " AND ".join(_phrase(term) for term in query_terms(query)) or '""'
