"""Article identity: a content hash of the normalized text, and MinHash signatures for near-duplicates.

Two texts that differ only in spelling variants (alef forms, taa marbuta, diacritics, tatweel,
digits, punctuation, spacing) get the same hash. Near-duplicates (one wire story in two outlets,
a re-publication with a new headline) share most word 5-grams; their MinHash signatures
(datasketch) agree in at least one LSH band, and the band keys are stored in the database so the
index persists and answers with a few indexed look-ups at any corpus size.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

from marsad.text.normalize import LETTER_FOLDS

# Letter folding for identity (a superset of the matcher's table in marsad.text.normalize: here
# case and all punctuation go too, since only the words decide whether two texts are the same).
_FOLD = str.maketrans(
    {
        **LETTER_FOLDS,
        "\u0640": None,  # tatweel
        **{chr(c): None for c in range(0x064B, 0x0653)},  # harakat
        "\u0670": None,  # superscript alef
    }
)
_WORD = re.compile(r"\w+")

NUM_PERM = 64
SHINGLE = 5  # words per shingle
THRESHOLD = 0.5  # estimated Jaccard of 5-gram sets above which two articles are near-duplicates
MIN_WORDS = 20  # shorter texts have too few shingles for a meaningful estimate


_MARKS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, superscript alef, tatweel
_folded: dict[str, tuple[str, int]] = {}  # word -> (folded word, its 32-bit hash); bounded below


def _fold(word: str) -> tuple[str, int]:
    hit = _folded.get(word)
    if hit is None:
        if len(_folded) > 500_000:  # a bounded memo: news vocabularies are large but repetitive
            _folded.clear()
        f = word.translate(_FOLD).lower()
        hit = _folded[word] = (f, zlib.crc32(f.encode("utf-8")))
    return hit


def _folded_words(text: str) -> list[tuple[str, int]]:
    # Marks go first: `\w` does not match combining marks, so they would split words.
    get = _folded.get
    return [get(w) or _fold(w) for w in _WORD.findall(_MARKS.sub("", text))]


def words(text: str) -> list[str]:
    """The folded, lower-cased words of a text."""
    return [w for w, _ in _folded_words(text)]


def content_hash(text: str) -> str:
    """The article id: 32 hex digits of SHA-256 over the normalized words."""
    return _hash_of(_folded_words(text))


def _hash_of(fw: list[tuple[str, int]]) -> str:
    return hashlib.sha256(" ".join(w for w, _ in fw).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class LshParams:
    bands: int
    rows: int


@cache
def lsh_params() -> LshParams:
    """Bands and rows per band that datasketch picks for THRESHOLD and NUM_PERM."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return LshParams(bands=lsh.b, rows=lsh.r)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutations (a, b) for NUM_PERM and seed 1.

    Drawn once: drawing them per article would cost more than the hashing.
    """
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, scheme="affine32")
    a, b = m.permutations
    return a.astype(np.uint32), b.astype(np.uint32)


# MurmurHash3's 32-bit finalizer, as datasketch mixes each value before its permutations.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


def _minhash(values: np.ndarray) -> np.ndarray:
    """The MinHash values of a set of 32-bit values, exactly as datasketch's MinHash (affine32) gives them.

    Written out with numpy because datasketch's per-object work (building a MinHash, converting the
    values to a list and back) took two thirds of the signature's time; tests/ingest/test_near_duplicates.py
    checks the values are datasketch's, so stored signatures stay comparable.
    """
    s1, m1, s2, m2, s3 = _FMIX32
    hv = values.reshape(-1, 1)
    hv = hv ^ (hv >> s1)
    hv = hv * m1
    hv = hv ^ (hv >> s2)
    hv = hv * m2
    hv = hv ^ (hv >> s3)
    a, b = _permutations()
    return (hv * a + b).min(axis=0)


# Odd multipliers that mix the SHINGLE word hashes of a 5-gram into one value (a polynomial
# rolling hash, vectorized: hashing each joined 5-gram string was most of the ingest time).
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5],
    dtype=np.uint64,
)


def shingle_hashes(fw: list[tuple[str, int]]) -> np.ndarray:
    """The distinct 32-bit hashes of the word SHINGLE-grams of folded words."""
    ids = np.array([h for _, h in fw], dtype=np.uint64)
    n = len(ids) - SHINGLE + 1
    acc = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            acc = acc + ids[k : k + n] * _MIX[k]
    return np.unique((acc >> np.uint64(32)).astype(np.uint32))


def _signature(fw: list[tuple[str, int]]) -> np.ndarray | None:
    if len(fw) < MIN_WORDS:
        return None
    return _minhash(shingle_hashes(fw)).astype(np.uint64)


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature (uint64[NUM_PERM]) of the text's word 5-grams, or None if too short."""
    return _signature(_folded_words(text))


def identify(text: str) -> tuple[str, np.ndarray | None]:
    """Both the content hash and the MinHash signature, reading the text once."""
    fw = _folded_words(text)
    return _hash_of(fw), _signature(fw)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 63-bit key per LSH band (fits a BIGINT column on every back-end)."""
    p = lsh_params()
    keys = []
    for b in range(p.bands):
        chunk = sig[b * p.rows : (b + 1) * p.rows].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=b.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True) >> 1)
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u8").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)
