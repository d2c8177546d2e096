"""Keywords (with jieba) and watched topics of an article.

jieba is loaded once per process with the project's domain dictionary
(``crawler/search/userdict.txt``: 党建, 主题教育, 三会一课, 立德树人, 红船精神, …), so these terms are
single words for segmentation and keywords alike.

jieba cuts an article once, for its keywords: jieba is most of the CPU an article costs, so
nothing else waits for its words. Topics are counted in the text itself (:func:`topics`): a
term inside a longer word counts, as jieba's search words counted it, at a fraction of the cost.
Keywords are jieba.analyse's TF-IDF on jieba's own
IDF table, read here into 4 MB (:class:`IdfTable`): ``import jieba.analyse`` builds that table
(and a TextRank) in 96 MB. A test holds the ranking equal to
``extract_tags``'s; words that are no keyword (school boilerplate, numbers, one-off fragments:
:func:`keyword_worthy`) are passed over.

Search does not use the words: a person expects every article that contains what they
typed, and a segmenter's words cannot give that (课程思政 is one word, so 思政 would miss
it). The search index holds overlapping character pairs instead (db/fts.py); no jieba is
needed to query it.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from pathlib import Path

import numpy as np

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
log = logging.getLogger(__name__)
_lock = threading.Lock()
_jieba = None
_idf = None


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


class IdfTable:
    """jieba's IDF of each word (its ``analyse/idf.txt``), and the median for unknown words.

    Words are kept as 64-bit hashes in a sorted array beside their IDFs (4 MB): a dict of the
    270,132 words took 34 MB in every extraction process. An article's words are looked up at
    once (``numpy.searchsorted``); two words sharing a hash is a chance of 1 in 10^13 a word.
    The arrays are built once per installed idf.txt and kept in the user's cache directory;
    later processes map that file: no reading, shared pages.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray):
        self.keys, self.values = keys, values
        self.median = float(np.sort(values)[len(values) // 2])

    @classmethod
    def of_file(cls, path: Path, cache_dir: Path | None = None) -> IdfTable:
        stat = path.stat()
        tag = hashlib.blake2b(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode(), digest_size=8).hexdigest()
        cache = Path(cache_dir or _cache_dir()) / f"jieba-idf-{tag}.npy"
        try:
            table = np.load(cache, mmap_mode="r")
            if table.ndim == 2 and table.shape[0] == 2 and table.dtype == np.uint64 and table.shape[1] > 0 and \
                    bool(np.all(table[0, 1:] > table[0, :-1])):
                return cls(table[0], table[1].view(np.float64))
        except Exception as exc:  # noqa: BLE001  missing, empty, cut short by a power loss: read again
            log.debug("jieba's IDF table cache unreadable (%s); reading idf.txt", exc)
        keys, values = _read_idf(path)
        written = None
        try:  # written whole and synced, then moved into place: no process reads half a file
            cache.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=cache.parent, prefix=cache.stem, suffix=".tmp", delete=False) as out:
                written = out.name
                np.save(out, np.stack([keys, values.view(np.uint64)]))
                out.flush()
                os.fsync(out.fileno())
            os.replace(written, cache)
        except OSError as exc:  # a full or read-only cache directory: read each time
            log.debug("jieba's IDF table not cached (%s)", exc)
            if written:
                Path(written).unlink(missing_ok=True)
        return cls(keys, values)

    def of(self, words: list[str]) -> list[float]:
        """The IDF of each word (the median for a word jieba's table does not have)."""
        if not words:
            return []
        hashes = np.fromiter((_word_key(word) for word in words), dtype=np.uint64, count=len(words))
        at = np.minimum(np.searchsorted(self.keys, hashes), len(self.keys) - 1)
        return np.where(self.keys[at] == hashes, self.values[at], self.median).tolist()


def _cache_dir() -> Path:
    """This user's cache directory (XDG_CACHE_HOME or ~/.cache): not the shared /tmp, where
    another user could leave a file under the name this one reads."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    except RuntimeError:  # no home directory (a service account): the temporary one, this user's name on it
        base = Path(tempfile.gettempdir()) / f"cache-{os.getuid()}"
    return Path(base) / "school-news-monitor"


def _read_idf(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(word hashes sorted, their IDFs) of a ``word idf`` file."""
    keys, values = [], []
    with open(path, encoding="utf-8") as lines:
        while chunk := [line.strip().partition(" ") for line in itertools.islice(lines, 2000)]:
            # 2,000 lines at a time: the whole file as Python objects would take 20 MB for good
            keys.append(np.fromiter((_word_key(word) for word, _, _ in chunk), dtype=np.uint64, count=len(chunk)))
            values.append(np.fromiter((float(value) for _, _, value in chunk), dtype=np.float64, count=len(chunk)))
    keys_array, values_array = np.concatenate(keys), np.concatenate(values)
    order = np.argsort(keys_array, kind="stable")  # by hash (numpy.unique would take 24 MB on the way)
    keys_array, values_array = keys_array[order], values_array[order]
    last = np.append(keys_array[1:] != keys_array[:-1], True)  # a word listed twice: its last value, as a dict
    return keys_array[last], values_array[last]


def _word_key(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little")


def idf_table() -> IdfTable:
    """jieba's IDF table, read once per process."""
    global _idf
    module = jieba()
    with _lock:
        if _idf is None:
            _idf = IdfTable.of_file(Path(module.__file__).with_name("analyse") / "idf.txt")
    return _idf


def keywords(title: str, text: str) -> list[str]:
    """The KEYWORD_COUNT best of ``jieba.analyse.extract_tags(…)`` over the title (twice: it names
    the story) and the text that are worth a keyword (:func:`keyword_worthy`), from one cut of each."""
    module = jieba()
    cut = [*module.cut(title or "")] * 2 + [*module.cut(text or "")]
    counts = {word: float(n) for word, n in Counter(cut).items()  # in first-seen order, as jieba's
              if len(word.strip()) >= 2 and word.lower() not in STOP_WORDS}
    total = sum(counts.values())
    idf = idf_table().of(list(counts))
    weights = {word: n * (value / total) for (word, n), value in zip(counts.items(), idf)}  # jieba's rounding
    ranked = sorted(weights, key=weights.__getitem__, reverse=True)
    known = module.dt.FREQ
    out: list[str] = []
    for word in ranked:  # the best few are nearly always worthy: stop when there are enough
        if keyword_worthy(word, counts[word], known):
            out.append(word)
            if len(out) == KEYWORD_COUNT:
                break
    return out


def keyword_worthy(word: str, count: float, known: dict | None = None) -> bool:
    """Not school boilerplate (我校, 开展), not a number (2023, 102, 二百余名), and not a
    fragment the segmenter cut out of a phrase it does not know (中获 of 比赛中获得, 以赛 of
    以赛促学, 电大以): a word outside the dictionary counts when it is three characters or more
    and comes back (a name, a new term)."""
    if word in KEYWORD_STOPWORDS or any(char.isdigit() for char in word) or _NUMBER_WORD.match(word):
        return False
    known = jieba().dt.FREQ if known is None else known  # jieba's dictionary
    return bool(known.get(word)) or (len(word) >= 3 and count >= 2)


# A topic is what an article is about, not a word it says once: its title names the topic, or
# the text says it again and again for its length. Measured on 65 articles labelled by hand
# (tests/topic_labels.json): one mention anywhere gave precision 0.43; this rule 0.87 (recall 0.74).
MIN_MENTIONS = 2
MENTIONS_PER_1000_CHARS = 3
TOPICS_RULE = 2  # stored with each article's topics: 1 (NULL) any mention, 2 this rule; the index re-tags older ones


def topics(title: str, text: str, watched: dict[str, list[str]] | None = None) -> list[str]:
    """Watched topics an article is about (see MIN_MENTIONS): a term of the topic in its title, or
    its terms at least MIN_MENTIONS times and MENTIONS_PER_1000_CHARS times per thousand characters
    of its text. A term counts wherever it stands, inside a longer word too (党员 in 共产党员), as a
    search finds it."""
    watched = DEFAULT_TOPICS if watched is None else watched
    title, text = title or "", text or ""
    out = []
    for name, terms in watched.items():
        mentions = sum(text.count(term) for term in terms)
        if any(term in title for term in terms) or (
                mentions >= MIN_MENTIONS and mentions * 1000 >= MENTIONS_PER_1000_CHARS * max(len(text), 1)):
            out.append(name)
    return out
