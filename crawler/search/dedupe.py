"""Recognise reposts: one report under other URLs, other schools, other titles.

A repost keeps most of the report's wording, but is retitled (【转载】), loses or
reorders a paragraph, or gains ★ decorations. We compare normalised text (letters and
digits only: decorations, spacing and punctuation gone) as sets of character 5-grams,
find candidates with MinHash LSH, and confirm each on the two texts: a
repost shares half its 5-grams with the original, or (a paragraph dropped) most of the
shorter text is inside the longer. Two schools' reports on the same topic share phrases
and template sentences but few 5-gram runs, so they stay apart, short 简讯 included.

Signatures are MinHashes of the 5-gram sets, computed with numpy over the whole text at once
(no Python loop per 5-gram: MinHash was a seventh of an article's CPU when each gram went through
SHA-1 alone). They are datasketch's "affine32" MinHash of each gram's 32-bit hash (a test holds
them equal to datasketch's ``MinHash(hashfunc=…)``), banded the way its MinHashLSH bands them (its
optimal bands and rows for our threshold); datasketch itself is not loaded by the crawl: it
imports scipy, 42 MB in every extraction process. The bands live in the store (``lsh_bands``,
written by pipelines/index.py), not in a MinHashLSH in memory: that one grows by 11 MB per 1,000
articles and would be rebuilt every night from every signature. A store signed by another
SIGNATURE_SCHEME is signed again when the crawl opens it.
"""
from __future__ import annotations

import functools
import re

import numpy as np

from crawler.extract.text import compact, strip_decorations

NUM_PERM = 128
SEED = 1  # datasketch's default seed: the same permutations as its MinHash(num_perm=128)
SHINGLE = 5
# what a stored signature and its buckets are: change it when signature() or band_keys() change
SIGNATURE_SCHEME = "5gram-fmix64-affine32-v2"
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
READ_PER_GROUP = 3  # texts of one repost group read for a new article, the closest first (and its first publisher)
BANDED_PER_GROUP = 20  # members of a group in the buckets: a later copy meets these, not all 300
CHUNK = 4096  # 5-grams hashed at once: a 100,000-character text costs 2 MB at a time, not 50


def shingles(text: str) -> set[str]:
    norm = compact(text or "")  # letters and digits only: ★, spacing and punctuation gone
    return {norm[i:i + SHINGLE] for i in range(max(1, len(norm) - SHINGLE + 1))} if norm else set()


# MurmurHash3's finalizers (shifts, multipliers): every input bit moves every output bit
_FMIX = {64: (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)),
         32: (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35))}
_GRAM_BASE = np.uint64(0x100000001B3)  # FNV's 64-bit prime: a code point a step


def _fmix(h: np.ndarray, width: int) -> np.ndarray:
    shift, first, second = _FMIX[width]
    middle = np.uint32(13) if width == 32 else shift
    h = (h ^ (h >> shift)) * first
    h = (h ^ (h >> middle)) * second
    return h ^ (h >> shift)


def gram_hashes(text: str) -> np.ndarray:
    """A 32-bit hash of each 5-gram of the text's letters and digits (uint32; the whole text when
    shorter than a gram; none for no letters): the members of :func:`shingles`' set, hashed."""
    norm = compact(text or "")
    if not norm:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    width = min(SHINGLE, len(codes))
    grams = np.lib.stride_tricks.sliding_window_view(codes, width)
    hashed = np.zeros(len(grams), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in range(width):  # a polynomial over the gram's code points, mod 2^64
            hashed = hashed * _GRAM_BASE + grams[:, column]
        return (_fmix(hashed, 64) >> np.uint64(32)).astype(np.uint32)


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a·h + b (mod 2^32) for SEED: odd a, any b."""
    random = np.random.RandomState(SEED)
    a = random.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = random.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def signature(text: str) -> bytes:
    """MinHash signature of a text's 5-gram set, as stored: NUM_PERM uint32 (all 0xFFFFFFFF for
    a text with no letters)."""
    a, b = _permutations()
    values = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    hashes = np.unique(gram_hashes(text))
    with np.errstate(over="ignore"):
        mixed = _fmix(hashes, 32)
        for start in range(0, len(mixed), CHUNK):
            part = mixed[start:start + CHUNK, None] * a + b  # (grams, NUM_PERM), wrapping mod 2^32
            values = np.minimum(values, part.min(axis=0))
    return values.astype("<u4").tobytes()


def _values(signature_blob: bytes) -> np.ndarray:
    return np.frombuffer(signature_blob, dtype="<u4")


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


_BAND_SALT = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)


def band_keys(signature_blob: bytes) -> list[int]:
    """The LSH buckets of a signature, one per band: two texts whose signatures agree on all
    rows of any band share a bucket, which makes them candidates. A band's rows and its number,
    mixed into a signed 64-bit integer (an SQLite INTEGER)."""
    rows = _values(signature_blob)[:BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        key = _BAND_SALT.copy()
        for row in range(ROWS):
            key = _fmix(key ^ rows[:, row], 64)
    return key.view(np.int64).tolist()


def closest_per_group(signature_blob: bytes, candidates: list[tuple[int, bytes, int]]) -> dict[int, list[int]]:
    """The ``(id, signature, group)`` candidates worth reading, by repost group: at most
    READ_PER_GROUP a group, the closest signatures first, then the group's first publisher
    (its id is the group's), candidate or not. A group's members are copies of one story, but
    the text tests are no chain: a copy's numbers may match the original's and not another
    copy's, so the original is always asked."""
    if not candidates:
        return {}
    agree = np.count_nonzero(np.frombuffer(b"".join(blob for _, blob, _ in candidates), dtype="<u4")
                             .reshape(len(candidates), NUM_PERM) == _values(signature_blob), axis=1)
    groups: dict[int, list[int]] = {}  # a group with a close enough candidate: its closest copies
    for index in np.argsort(-agree, kind="stable"):
        candidate, _, group = candidates[index]
        if agree[index] < MIN_ESTIMATE * NUM_PERM:
            break  # sorted: none after it is close enough either
        members = groups.setdefault(group, [])
        if candidate != group and len(members) < READ_PER_GROUP:
            members.append(candidate)
    return {group: [*members, group] for group, members in groups.items()}


def reposts_among(text: str, groups) -> list[int]:
    """For each group of ``(id, text)`` candidates (a repost group's, closest first), the first
    that tells the same story as ``text``.

    LSH gives candidates cheaply; each is confirmed on the texts, because a MinHash estimate
    of a short text's similarity is too noisy to decide on alone.
    """
    found, grams, numbers = [], None, None
    for group in groups:
        for candidate, other in group:
            if grams is None:  # most texts have no candidate: no 5-grams to build
                grams, numbers = shingles(text), facts(text)
            if same_story(grams, shingles(other), numbers, facts(other)):
                found.append(candidate)
                break
    return found
