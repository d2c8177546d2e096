"""Recognise reposts: one report under other URLs, other schools, other titles.

A repost keeps most of the report's wording, but is retitled (【转载】), loses or
reorders a paragraph, or gains ★ decorations. We compare normalised text (letters and
digits only: decorations, spacing and punctuation gone) as sets of character 5-grams,
find candidates with MinHash LSH, and confirm each on the two texts: a
repost shares half its 5-grams with the original, or (a paragraph dropped) most of the
shorter text is inside the longer. Two schools' reports on the same topic share phrases
and template sentences but few 5-gram runs, so they stay apart, short 简讯 included.

Signatures are MinHashes from datasketch, banded the way its MinHashLSH bands them (its
optimal bands and rows for our threshold). The bands live in the store (``lsh_bands``, written by pipelines/index.py),
not in a MinHashLSH in memory: that one grows by 11 MB per 1,000 articles and would be
rebuilt every night from every signature.
"""
from __future__ import annotations

import functools
import hashlib
import re

import numpy as np

from crawler.extract.text import compact, strip_decorations

NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's default; stored signatures must say which they are
SHINGLE = 5
LSH_THRESHOLD = 0.3  # finds candidates; each is then checked on the two texts themselves
# datasketch's MinHashLSH(threshold=0.3, num_perm=128) picks these (a test holds them equal)
BANDS, ROWS = 37, 3
# A candidate whose signatures agree on fewer rows than this is not read: every repost test
# needs a Jaccard of 0.3, and the 128-row estimate of 0.3 falls below 0.15 once in ~10,000.
MIN_ESTIMATE = 0.15
SAME_STORY = 0.5  # Jaccard of 5-gram sets: a repost, whatever was added around it
CONTAINED = 0.8  # or: this share of the shorter text's 5-grams is in the longer one (a paragraph dropped)
CONTAINED_MIN_JACCARD = 0.3  # … as long as the two still overlap this much
SAME_FACTS = 0.6  # share of the numbers (dates, counts) of the shorter text found in the other


def shingles(text: str) -> set[str]:
    norm = compact(text or "")  # letters and digits only: ★, spacing and punctuation gone
    return {norm[i:i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))} if norm else set()


@functools.cache
def _template():
    """A MinHash whose (seeded, so always the same) permutations every signature reuses.

    datasketch is imported here, not at the top: it pulls in scipy (53 MB), which only the
    process that hashes texts needs, not the one that compares stored signatures.
    """
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, scheme=SCHEME)


def signature(grams: set[str]) -> bytes:
    """MinHash signature of a text's 5-gram set (from :func:`shingles`), as stored: 128 uint32."""
    minhash = _template().copy()
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return minhash.hashvalues.astype(np.uint32).tobytes()


def _values(signature_blob: bytes) -> np.ndarray:
    return np.frombuffer(signature_blob, dtype=np.uint32)


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


def band_keys(signature_blob: bytes) -> list[int]:
    """The LSH buckets of a signature, one per band: two texts whose signatures agree on all
    rows of any band share a bucket, which makes them candidates."""
    values = _values(signature_blob).astype("<u4")
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 salt=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))  # fits an SQLite INTEGER
    return keys


def may_be_same(signature_blob: bytes, other_blob: bytes) -> bool:
    """Whether a stored signature is close enough to this one to be worth reading its text."""
    return np.count_nonzero(_values(signature_blob) == _values(other_blob)) >= MIN_ESTIMATE * NUM_PERM


def reposts_among(text: str, candidates) -> list[int]:
    """Ids of the ``(id, text)`` candidates that tell the same story as ``text``.

    LSH gives candidates cheaply; each is confirmed on the texts, because a MinHash estimate
    of a short text's similarity is too noisy to decide on alone.
    """
    found, grams, numbers = [], None, None
    for candidate, other in candidates:
        if grams is None:  # most texts have no candidate: no 5-grams to build
            grams, numbers = shingles(text), facts(text)
        if same_story(grams, shingles(other), numbers, facts(other)):
            found.append(candidate)
    return found
