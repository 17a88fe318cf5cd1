"""Token features shared by training (torch) and inference (numpy).

Everything here is plain Python/numpy so the shipped tagger never needs torch. A `Featurizer`
holds the vocabularies and the token lexicon; `encode()` turns a token list into index arrays.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from marsad.nlp.ner.data import iter_chunks, normalize, strip_clitics

PAD, UNK = 0, 1
TYPES = ("PERS", "LOC", "ORG", "MISC")
TAGS = ("O", *(f"{p}-{t}" for t in TYPES for p in ("B", "I")))
# Lexicon columns per looked-up form: P(B-T), P(I-T) for each type, P(O), and a frequency score.
LEX_COLS = 2 * len(TYPES) + 2
# External gazetteer columns per token type (stem form): for LOC and PERS names, whether the
# stem is a whole one-word name, the first word of a longer name, or a later word of one.
GAZ_TYPES = ("LOC", "PERS")
GAZ_COLS = 3 * len(GAZ_TYPES)
MAX_CHARS = 20  # longer tokens are cut (keeping both ends) for the char CNN
# Word-frequency columns (with a frequency table): Zipf frequency of the form and of the stem in
# general Arabic text, and how much likelier the stem is with the article ال than without.
FREQ_COLS = 3

_LATIN = re.compile(r"[A-Za-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_DIGIT = re.compile(r"[0-9٠-٩]")


def shape(token: str) -> str:
    """A coarse word shape: script, digits, punctuation and a length bucket."""
    parts = []
    if _ARABIC.search(token):
        parts.append("a")
    if _LATIN.search(token):
        parts.append("L" if token[:1].isupper() else "l")
    if _DIGIT.search(token):
        parts.append("d")
    if not parts:
        return "p:" + (token if len(token) == 1 else "*")
    n = len(token)
    parts.append("1" if n <= 1 else "2" if n <= 2 else "3" if n <= 4 else "4" if n <= 7 else "5")
    return "".join(parts)


def char_form(token: str, norm: str | None = None) -> str:
    """The characters the char CNN sees: normalised spelling, cut to MAX_CHARS keeping the ends."""
    w = normalize(token) if norm is None else norm
    if len(w) > MAX_CHARS:
        half = MAX_CHARS // 2
        w = w[:half] + w[-half:]
    return w


class Lexicon:
    """Per-form tag distribution counted from labelled sentences (the "gazetteer" features)."""

    def __init__(self, table: dict[str, np.ndarray] | None = None) -> None:
        self.table: dict[str, np.ndarray] = table or {}

    @staticmethod
    def count(sents: Iterable[tuple[Sequence[str], Sequence[str]]], key) -> dict[str, Counter]:
        counts: dict[str, Counter] = {}
        for toks, tags in sents:
            for tok, tag in zip(toks, tags, strict=True):
                counts.setdefault(key(tok), Counter())[_bio_col(tag)] += 1
        return counts

    @classmethod
    def build(cls, sents, key, min_count: int = 1) -> Lexicon:
        """Turn counts into smoothed distributions; forms seen only as O are left out (they add nothing)."""
        table = {}
        for form, c in cls.count(sents, key).items():
            n = sum(c.values())
            if n < min_count or c[0] == n:
                continue
            row = np.zeros(LEX_COLS, dtype=np.float32)
            for col, k in c.items():
                row[col] = k
            row[: LEX_COLS - 1] /= n + 1.0  # add-one smoothing toward "unknown"
            row[-1] = np.log1p(n) / 5.0
            table[form] = row
        return cls(table)

    def lookup(self, form: str) -> np.ndarray | None:
        return self.table.get(form)


def _bio_col(tag: str) -> int:
    """Lexicon column of a tag: B-T and I-T per type, O last but one."""
    prefix, _, typ = tag.partition("-")
    if typ in TYPES and prefix in ("B", "I"):
        return 2 * TYPES.index(typ) + (prefix == "I")
    return 2 * len(TYPES)


def word_key(tok: str) -> str:
    return normalize(tok)


def stem_key(tok: str) -> str:
    return strip_clitics(normalize(tok))


class Featurizer:
    """Vocabularies + lexicons; `encode(tokens)` gives the model's inputs for one sentence."""

    def __init__(
        self,
        words: list[str],
        stems: list[str],
        shapes: list[str],
        chars: list[str],
        word_lex: Lexicon | None = None,
        stem_lex: Lexicon | None = None,
        gazetteer: Lexicon | None = None,
        freq: dict[str, int] | None = None,
    ) -> None:
        self.words, self.stems, self.shapes, self.chars = words, stems, shapes, chars
        self.word_index = {w: i for i, w in enumerate(words)}
        self.stem_index = {w: i for i, w in enumerate(stems)}
        self.shape_index = {w: i for i, w in enumerate(shapes)}
        self.char_index = {w: i for i, w in enumerate(chars)}
        self.word_lex = word_lex or Lexicon()
        self.stem_lex = stem_lex or Lexicon()
        self.gazetteer = gazetteer  # None: the model was trained without gazetteer columns
        self.freq = freq  # None: trained without word-frequency columns
        # 3 columns per gazetteer type: GAZ_COLS, or more with organisations (`train --orgs`)
        self.gaz_cols = (len(next(iter(gazetteer.table.values()), ())) or GAZ_COLS) if gazetteer is not None else 0
        self.lex_dim = 2 * LEX_COLS + self.gaz_cols + (FREQ_COLS if freq else 0)

    @classmethod
    def fit(cls, sents: list[tuple[list[str], list[str]]], min_count: int = 2) -> Featurizer:
        """Vocabularies from training sentences: forms seen at least `min_count` times."""
        wc = Counter(word_key(t) for toks, _ in sents for t in toks)
        sc = Counter(stem_key(t) for toks, _ in sents for t in toks)
        hc = Counter(shape(t) for toks, _ in sents for t in toks)
        cc = Counter(c for toks, _ in sents for t in toks for c in char_form(t))
        head = ["<pad>", "<unk>"]
        return cls(
            head + sorted(w for w, n in wc.items() if n >= min_count),
            head + sorted(w for w, n in sc.items() if n >= min_count),
            head + sorted(w for w, n in hc.items() if n >= 2),
            head + sorted(c for c, n in cc.items() if n >= 3),
        )

    def with_lexicons(self, word_lex: Lexicon, stem_lex: Lexicon) -> Featurizer:
        return Featurizer(
            self.words, self.stems, self.shapes, self.chars, word_lex, stem_lex, self.gazetteer, self.freq
        )

    def lex_features(self, tokens: Sequence[str], keys: Sequence[tuple[str, str]] | None = None) -> np.ndarray:
        """(n, lex_dim): lexicon rows of the full form and of the stem, then gazetteer columns.

        `keys` optionally gives each token's (word_key, stem_key), already computed.
        """
        out = np.zeros((len(tokens), self.lex_dim), dtype=np.float32)
        gaz = self.gazetteer
        freq = self.freq
        g0 = 2 * LEX_COLS + self.gaz_cols  # first frequency column
        if keys is None:
            keys = [(word_key(t), stem_key(t)) for t in tokens]
        for i, (wk, stem) in enumerate(keys):
            w = self.word_lex.lookup(wk)
            if w is not None:
                out[i, :LEX_COLS] = w
            s = self.stem_lex.lookup(stem)
            if s is not None:
                out[i, LEX_COLS : 2 * LEX_COLS] = s
            if gaz is not None:
                g = gaz.lookup(stem)
                if g is not None:
                    out[i, 2 * LEX_COLS : g0] = g
            if freq:
                out[i, g0 : g0 + FREQ_COLS] = freq_columns(wk, stem, freq)
        return out

    def encode(self, tokens: Sequence[str]) -> dict[str, np.ndarray]:
        """Index arrays for one sentence: word, stem, shape ids (n,), chars (n, MAX_CHARS), lex (n, k)."""
        n = len(tokens)
        chars = np.zeros((n, MAX_CHARS), dtype=np.int64)
        wi, si, hi = self.word_index, self.stem_index, self.shape_index
        ci = self.char_index
        for i, tok in enumerate(tokens):
            for j, c in enumerate(char_form(tok)):
                chars[i, j] = ci.get(c, UNK)
        return {
            "word": np.array([wi.get(word_key(t), UNK) for t in tokens], dtype=np.int64),
            "stem": np.array([si.get(stem_key(t), UNK) for t in tokens], dtype=np.int64),
            "shape": np.array([hi.get(shape(t), UNK) for t in tokens], dtype=np.int64),
            "chars": chars,
            "lex": self.lex_features(tokens),
        }

    def to_meta(self) -> dict:
        """JSON-serialisable vocabularies (the lexicon tables are saved as arrays next to it)."""
        return {"words": self.words, "stems": self.stems, "shapes": self.shapes, "chars": self.chars}


def freq_columns(norm: str, stem: str, freq: dict[str, int]) -> tuple[float, float, float]:
    """The BiLSTM's frequency columns (scaled to about [-1, 1]); `freq` maps a normalised word to
    its Zipf frequency x 10. The CRF reads the same table as bucketed attributes."""
    zn = freq.get(norm, 0)
    zs = freq.get(stem, 0) if stem != norm else zn
    za = freq.get("ال" + stem, 0) if len(stem) > 2 else 0
    return zn / 70.0, zs / 70.0, max(-30, min(20, za - zs)) / 30.0


def pack_freq(freq: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """A frequency table as two arrays for an npz: newline-joined words (utf-8 bytes), values."""
    words = sorted(freq)
    return (
        np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        np.array([freq[w] for w in words], dtype=np.uint8),
    )


def unpack_freq(words: np.ndarray, vals: np.ndarray) -> dict[str, int]:
    text = bytes(words).decode("utf-8")
    return dict(zip(text.split("\n"), vals.tolist(), strict=True)) if text else {}


def chunks_of(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    return list(iter_chunks(list(tags)))


def build_gazetteer(names: Iterable[tuple[str, str]], max_words: int = 3, types: Sequence[str] = GAZ_TYPES) -> Lexicon:
    """Token-level gazetteer from (name, type) pairs: per stem, its position in names of each type.

    Type-level (not span matching) on purpose: the tagger caches features per token type, and
    the BiLSTM sees the neighbouring words anyway. `types`: the name types given columns, 3 each.
    """
    table: dict[str, np.ndarray] = {}
    cols = 3 * len(types)
    for name, typ in names:
        if typ not in types:
            continue
        words = [stem_key(w) for w in name.replace("_", " ").split()]
        words = [w for w in words if w]
        if not words or len(words) > max_words:
            continue
        base = 3 * types.index(typ)
        for j, w in enumerate(words):
            col = base + (0 if len(words) == 1 else 1 if j == 0 else 2)
            table.setdefault(w, np.zeros(cols, dtype=np.float32))[col] = 1.0
    return Lexicon(table)


def group_sentences(lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """Greedy runs of consecutive sentences with at most `max_tokens` tokens in all.

    The tagger reads such a run as one sequence, so a sentence sees its neighbours (a name in
    full in one sentence, alone in the next). A longer sentence forms a run of its own.
    """
    groups: list[list[int]] = []
    cur: list[int] = []
    n = 0
    for i, k in enumerate(lengths):
        if cur and n + k > max_tokens:
            groups.append(cur)
            cur, n = [], 0
        cur.append(i)
        n += k
    if cur:
        groups.append(cur)
    return groups
