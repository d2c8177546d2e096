"""Recognise reposts: one report under other URLs, other schools, other titles.

A repost keeps most of the report's wording, but is retitled (【转载】), loses or
reorders a paragraph, or gains ★ decorations. We compare normalised text (letters and
digits only: decorations, spacing and punctuation gone) as sets of character 5-grams,
find candidates with MinHash LSH (datasketch), and confirm each on the two texts: a
repost shares half its 5-grams with the original, or (a paragraph dropped) most of the
shorter text is inside the longer. Two schools' reports on the same topic share phrases
and template sentences but few 5-gram runs, so they stay apart, short 简讯 included.

Signatures are stored (``minhashes`` table) so a night only hashes its new articles.
"""
from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawler.text import compact, strip_decorations

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's default; stored signatures must say which they are
SHINGLE = 5
LSH_THRESHOLD = 0.3  # finds candidates; each is then checked on the two texts themselves
SAME_STORY = 0.5  # Jaccard of 5-gram sets: a repost, whatever was added around it
CONTAINED = 0.8  # or: this share of the shorter text's 5-grams is in the longer one (a paragraph dropped)
CONTAINED_MIN_JACCARD = 0.3  # … as long as the two still overlap this much
SAME_FACTS = 0.6  # share of the numbers (dates, counts) of the shorter text found in the other


def shingles(text: str) -> set[str]:
    norm = compact(text or "")  # letters and digits only: ★, spacing and punctuation gone
    return {norm[i:i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))} if norm else set()


def signature(grams: set[str]) -> MinHash:
    """MinHash of a text's 5-gram set (from :func:`shingles`)."""
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash


def to_blob(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint32).tobytes()


def from_blob(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=np.frombuffer(blob, dtype=np.uint32))


_NUMBER = re.compile(r"\d+")


def facts(text: str) -> set[str]:
    """The numbers a report states (dates, counts, places): a repost keeps them."""
    return set(_NUMBER.findall(strip_decorations(text or "")))  # a ★ inside a number is no new number


def same_story(a: set[str], b: set[str], facts_a: set[str] = frozenset(), facts_b: set[str] = frozenset()) -> bool:
    """Exact test on two texts' 5-gram sets: mostly the same, or one mostly inside the other;
    and, when both state numbers, mostly the same numbers (two schools' reports written
    from one template differ in their dates and counts, a repost does not)."""
    if not a or not b:
        return False
    common = len(a & b)
    jaccard = common / len(a | b)
    contained = common / min(len(a), len(b))
    if not (jaccard >= SAME_STORY or (contained >= CONTAINED and jaccard >= CONTAINED_MIN_JACCARD)):
        return False
    if len(facts_a) >= 2 and len(facts_b) >= 2:
        return len(facts_a & facts_b) / min(len(facts_a), len(facts_b)) >= SAME_FACTS
    return True


class RepostIndex:
    """Every stored article's signature in an LSH index: ``matches`` finds a text's reposts.

    LSH gives candidates cheaply; each is confirmed on the texts (``text_of(id)``), because
    a MinHash estimate of a short text's similarity is too noisy to decide on alone.
    """

    def __init__(self, text_of):
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.ids: set[int] = set()
        self.text_of = text_of

    def add(self, article_id: int, minhash: MinHash) -> None:
        if article_id in self.ids:
            self.lsh.remove(article_id)
        self.lsh.insert(article_id, minhash)
        self.ids.add(article_id)

    def matches(self, text: str, grams: set[str], minhash: MinHash, exclude: int | None = None) -> list[int]:
        numbers = facts(text)
        found = []
        for candidate in self.lsh.query(minhash):
            if candidate == exclude:
                continue
            other = self.text_of(candidate)
            if same_story(grams, shingles(other), numbers, facts(other)):
                found.append(candidate)
        return found
