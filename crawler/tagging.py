"""Words, keywords and watched topics of an article, with jieba.

jieba is loaded once per process with the project's domain dictionary
(``crawler/userdict.txt``: 党建, 主题教育, 三会一课, 立德树人, 红船精神, …), so these terms are
single words for segmentation, keywords and search alike. Search (SQLite FTS5) indexes
the segmented text: a two-character word like 党建 is a token, which neither the default
tokenizer nor the trigram tokenizer can give.
"""
from __future__ import annotations

import logging
import re
import threading
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
_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_jieba = None


def jieba():
    """The jieba module, initialised once with the domain dictionary."""
    global _jieba
    with _lock:
        if _jieba is None:
            import jieba as module
            import jieba.analyse  # noqa: F401 (keywords)

            module.setLogLevel(logging.WARNING)
            module.load_userdict(str(USER_DICT))
            _jieba = module
    return _jieba


def words(text: str) -> list[str]:
    """Search words: jieba's search-mode cut (long words and their parts), punctuation dropped."""
    return [w for w in jieba().cut_for_search(text or "") if _WORD.search(w)]


def segmented(text: str) -> str:
    """Text as space-separated words, for an FTS5 index with the unicode61 tokenizer."""
    return " ".join(words(text))


def keywords(title: str, text: str) -> list[str]:
    """TF-IDF top words of an article (title counted twice: it names the story)."""
    return jieba().analyse.extract_tags(f"{title}\n{title}\n{text}", topK=KEYWORD_COUNT)


def topics(vocabulary: set[str], watched: dict[str, list[str]] | None = None) -> list[str]:
    """Watched topics whose terms occur among an article's words (from :func:`words`)."""
    watched = DEFAULT_TOPICS if watched is None else watched
    return [name for name, terms in watched.items() if any(term in vocabulary for term in terms)]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_query(query: str) -> str:
    """A user's query as an FTS5 expression: every word must occur (quoted: no syntax errors).

    A word of 4+ characters matches as itself, or as the run of its dictionary parts
    (学习教育 → the phrase "学习 教育"), because the index holds a long word's parts in order
    but not every 4-character stretch of a longer word (党史学习教育).
    """
    clauses: list[str] = []
    for word in jieba().cut(query or ""):
        if not _WORD.search(word):
            continue
        parts = [p for p in jieba().cut_for_search(word) if p != word and len(p) <= 2] if len(word) >= 4 else []
        clause = f"({_quoted(word)} OR {_quoted(' '.join(parts))})" if parts else _quoted(word)
        if clause not in clauses:
            clauses.append(clause)
    return " AND ".join(clauses) or '""'
