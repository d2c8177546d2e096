"""Words, keywords and watched topics of an article, with jieba.

jieba is loaded once per process with the project's domain dictionary
(``crawler/search/userdict.txt``: 党建, 主题教育, 三会一课, 立德树人, 红船精神, …), so these terms are
single words for segmentation, keywords and topics alike.

An article is cut once (:func:`analyse`): its words (what topics are found among) and its
TF-IDF keywords come from the same cut. Keywords are jieba.analyse's TF-IDF on jieba's own
IDF table, read here into 34 MB: ``import jieba.analyse`` builds that table (and a
TextRank) in 96 MB, which pushed a crawl past 300 MB. A test holds the ranking equal to
``extract_tags``'s; words that are no keyword (school boilerplate, numbers, one-off fragments:
:func:`keyword_worthy`) are passed over.

Search does not use the words: a person expects every article that contains what they
typed, and a segmenter's words cannot give that (课程思政 is one word, so 思政 would miss
it). The search index holds overlapping character pairs instead (db/fts.py); no jieba is
needed to query it.
"""
from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

USER_DICT = Path(__file__).with_name("userdict.txt")
# school boilerplate (我校, 开展, 活动 …): never a keyword (one word a line, # comments)
KEYWORD_STOPWORDS = frozenset(
    line.strip() for line in Path(__file__).with_name("keyword_stopwords.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#"))
# a count or an ordinal in words (二百余名, 第十九届, 十九): no keyword
_NUMBER_WORD = re.compile(r"^第?[零〇一二三四五六七八九十百千万两余几多]+[届次名个年位项场期]?$")
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
    """The KEYWORD_COUNT best of ``jieba.analyse.extract_tags(…)`` over an already cut text that
    are worth a keyword (:func:`keyword_worthy`)."""
    idf, median = idf_table()
    counts: dict[str, float] = {}
    for word in cut:
        if len(word.strip()) < 2 or word.lower() in STOP_WORDS:
            continue
        counts[word] = counts.get(word, 0.0) + 1.0
    total = sum(counts.values())
    weights = {word: n * (idf.get(word, median) / total) for word, n in counts.items()}  # jieba's rounding
    ranked = sorted(weights, key=weights.__getitem__, reverse=True)
    return [word for word in ranked if keyword_worthy(word, counts[word])][:KEYWORD_COUNT]


def keyword_worthy(word: str, count: float) -> bool:
    """Not school boilerplate (我校, 开展), not a number (2023, 102, 二百余名), and not a
    fragment the segmenter cut out of a phrase it does not know (中获 of 比赛中获得, 以赛 of
    以赛促学, 电大以): a word outside the dictionary counts when it is three characters or more
    and comes back (a name, a new term)."""
    if word in KEYWORD_STOPWORDS or any(char.isdigit() for char in word) or _NUMBER_WORD.match(word):
        return False
    return bool(jieba().dt.FREQ.get(word)) or (len(word) >= 3 and count >= 2)


# A topic is what an article is about, not a word it says once: its title names the topic, or
# the text says it again and again for its length. Measured on 65 articles labelled by hand
# (tests/topic_labels.json): one mention anywhere gave precision 0.43; this rule 0.87 (recall 0.74).
MIN_MENTIONS = 2
MENTIONS_PER_1000_CHARS = 3
TOPICS_RULE = 2  # stored with each article's topics: 1 (NULL) any mention, 2 this rule; the index re-tags older ones


def topics(title_words: list[str], text_words: list[str], text_chars: int,
           watched: dict[str, list[str]] | None = None) -> list[str]:
    """Watched topics an article is about (see MIN_MENTIONS): named in its title, or mentioned at
    least MIN_MENTIONS times and MENTIONS_PER_1000_CHARS times per thousand characters of its text
    (the search words of :func:`analyse`)."""
    watched = DEFAULT_TOPICS if watched is None else watched
    title = set(title_words)
    counts = Counter(text_words)
    out = []
    for name, terms in watched.items():
        mentions = sum(counts[term] for term in terms)
        if any(term in title for term in terms) or (
                mentions >= MIN_MENTIONS and mentions * 1000 >= MENTIONS_PER_1000_CHARS * max(text_chars, 1)):
            out.append(name)
    return out
