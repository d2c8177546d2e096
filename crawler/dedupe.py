"""Recognise reposts: one report under other URLs, other schools, other titles.

A repost keeps most of the report's wording, but is retitled (【转载】), loses or
reorders a paragraph, or gains ★ decorations. We compare normalised text (letters and
digits only: decorations, spacing and punctuation gone) as sets of character 5-grams,
estimate their Jaccard similarity with MinHash, and find candidates with LSH
(datasketch). Two schools' reports on the same topic share phrases but few 5-gram runs,
so they stay apart; short 简讯 need a higher bar, because a template sentence is a large
share of a short text.

Signatures are stored (``minhashes`` table) so a night only hashes its new articles.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawler.text import compact

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's default; stored signatures must say which they are
SHINGLE = 5
LSH_THRESHOLD = 0.4  # candidates; the decision is below
SAME_STORY = 0.55  # estimated Jaccard of 5-grams for a repost
SAME_SHORT_STORY = 0.7  # the bar for texts under SHORT_TEXT characters
SHORT_TEXT = 200


def normalise(text: str) -> str:
    return compact(text or "")


def signature(text: str) -> MinHash:
    norm = normalise(text)
    grams = {norm[i:i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))} if norm else set()
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash


def to_blob(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint32).tobytes()


def from_blob(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashvalues=np.frombuffer(blob, dtype=np.uint32))


def same_story(a: MinHash, b: MinHash, length_a: int, length_b: int) -> bool:
    bar = SAME_SHORT_STORY if min(length_a, length_b) < SHORT_TEXT else SAME_STORY
    return a.jaccard(b) >= bar


@dataclass
class Entry:
    minhash: MinHash
    length: int


class RepostIndex:
    """Every stored article's signature, in an LSH index: ``matches`` finds a text's reposts."""

    def __init__(self):
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.entries: dict[int, Entry] = {}

    def add(self, article_id: int, minhash: MinHash, length: int) -> None:
        if article_id in self.entries:
            self.lsh.remove(article_id)
        self.lsh.insert(article_id, minhash)
        self.entries[article_id] = Entry(minhash, length)

    def matches(self, minhash: MinHash, length: int, exclude: int | None = None) -> list[int]:
        found = []
        for candidate in self.lsh.query(minhash):
            if candidate == exclude:
                continue
            entry = self.entries[candidate]
            if same_story(minhash, entry.minhash, length, entry.length):
                found.append(candidate)
        return found
