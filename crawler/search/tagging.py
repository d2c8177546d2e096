"""Words, keywords and watched topics of an article, with jieba; search text and queries.

jieba is loaded once per process with the project's domain dictionary
(``crawler/search/userdict.txt``: 党建, 主题教育, 三会一课, 立德树人, 红船精神, …), so these terms are
single words for segmentation, keywords and topics alike.

An article is cut once (:func:`analyse`): its words (what topics are found among) and its
TF-IDF keywords come from the same cut. Keywords are jieba.analyse's TF-IDF on jieba's own
IDF table, read here into 34 MB: ``import jieba.analyse`` builds that table (and a
TextRank) in 96 MB, which pushed a crawl past 300 MB. A test holds the keywords equal to
``extract_tags``.

Search does not use the words: a person expects every article that contains what they
typed, and a segmenter's words cannot give that (课程思政 is one word, so 思政 would miss
it). The search index holds overlapping character pairs instead (:func:`search_text`,
:func:`fts_query`, below); no jieba is needed to query it.
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

USER_DICT = Path(__file__).with_name("userdict.txt")
DEFAULT_TOPICS = {
    "党建": ["党建", "党支部", "党委", "党总支", "党员", "基层党组织", "三会一课", "主题党日"],
    "主题教育": ["主题教育"],
    "党史学习教育": ["党史学习教育", "党史"],
    "思政": ["思政课", "课程思政", "立德树人", "思想政治"],
    "技能竞赛": ["技能大赛", "职业技能大赛", "竞赛"],
    "校企合作": ["校企合作", "产教融合", "现代学徒制"],
    "安全教育": ["安全教育", "消防演练", "防溺水"],
    "体育": ["运动会", "田径运动会"],
    "来访调研": ["来校调研", "调研", "考察", "来访"],
}
KEYWORD_COUNT = 10
# jieba.analyse's stop words: its IDF table is Chinese, so only English ones need naming
STOP_WORDS = frozenset((
    "the", "of", "is", "and", "to", "in", "that", "we", "for", "an", "are", "by", "be", "as", "on", "with",
    "can", "if", "from", "which", "you", "it", "this", "then", "at", "have", "all", "not", "one", "has", "or"))
_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_jieba = None
_idf: tuple[dict[str, float], float] | None = None


def jieba():
    """The jieba module, initialised once with the domain dictionary."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba as module

            module.setLogLevel(logging.WARNING)
            module.load_userdict(str(USER_DICT))
            _jieba = module
    return _jieba


def idf_table() -> tuple[dict[str, float], float]:
    """jieba's IDF of each word (its ``analyse/idf.txt``) and the median, for unknown words.

    Read line by line, one float object per distinct value (3,328 of them for 270,132 words).
    """
    global _idf
    module = jieba()
    with _lock:
        if _idf is None:
            values: dict[str, float] = {}
            table: dict[str, float] = {}
            with open(Path(module.__file__).with_name("analyse") / "idf.txt", encoding="utf-8") as lines:
                for line in lines:
                    word, _, value = line.strip().partition(" ")
                    table[word] = values.setdefault(value, float(value))
            _idf = table, sorted(table.values())[len(table) // 2]
    return _idf


@dataclass(frozen=True)
class Analysis:
    title_words: list[str]  # search words: what jieba.cut_for_search gives, punctuation dropped
    text_words: list[str]
    keywords: list[str]


def analyse(title: str, text: str) -> Analysis:
    """Search words and keywords of an article, from one cut of its title and one of its text."""
    title_cut = list(jieba().cut(title or ""))
    text_cut = list(jieba().cut(text or ""))
    return Analysis(_search_words(title_cut), _search_words(text_cut),
                    _tfidf([*title_cut, *title_cut, *text_cut]))  # the title twice: it names the story


def _search_words(cut: list[str]) -> list[str]:
    """What ``jieba.cut_for_search`` gives from the same cut, punctuation dropped: each long
    word after its 2- and 3-character dictionary parts."""
    freq = jieba().dt.FREQ
    out = []
    for word in cut:
        for size in (2, 3):
            if len(word) > size:
                out += [gram for gram in (word[i:i + size] for i in range(len(word) - size + 1)) if freq.get(gram)]
        out.append(word)
    return [word for word in out if _WORD.search(word)]


def _tfidf(cut: list[str]) -> list[str]:
    """``jieba.analyse.extract_tags(…, topK=KEYWORD_COUNT)`` over an already cut text."""
    idf, median = idf_table()
    counts: dict[str, float] = {}
    for word in cut:
        if len(word.strip()) < 2 or word.lower() in STOP_WORDS:
            continue
        counts[word] = counts.get(word, 0.0) + 1.0
    total = sum(counts.values())
    weights = {word: n * (idf.get(word, median) / total) for word, n in counts.items()}  # jieba's rounding
    return sorted(weights, key=weights.__getitem__, reverse=True)[:KEYWORD_COUNT]


def topics(vocabulary: set[str], watched: dict[str, list[str]] | None = None) -> list[str]:
    """Watched topics whose terms occur among an article's words (the search words of :func:`analyse`)."""
    watched = DEFAULT_TOPICS if watched is None else watched
    return [name for name, terms in watched.items() if any(term in vocabulary for term in terms)]


# --- search: substring meaning, with an index of overlapping character pairs -------------
#
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


def search_snippet(text: str | None, query: str | None, width: int = 120) -> str:
    """About ``width`` characters of ``text`` around the first place a query term occurs, every
    occurrence in it between ``<mark>`` and ``</mark>`` (plain text otherwise: whoever shows
    it as HTML escapes it first, keeping only those two tags). The text's start when no term
    occurs in it (a title match)."""
    text = " ".join((text or "").split())
    lower = text.lower()
    needles = []
    for term in query_terms(query):
        needles += [part for part in re.split(r"[^\w]+|_", unicodedata.normalize("NFKC", term).lower()) if part]
    needles = sorted(set(needles), key=len, reverse=True)
    first = min((i for i in (lower.find(n) for n in needles) if i >= 0), default=-1)
    start = 0 if first < 0 else max(0, first - width // 4)
    end = min(len(text), start + width)
    if first >= 0 and end - start < width:
        start = max(0, end - width)
    window, low = text[start:end], lower[start:end]
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
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
