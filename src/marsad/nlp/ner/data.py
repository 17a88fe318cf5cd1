"""Reading CoNLL-style NER files, Arabic normalisation and the tokenizer the NER model expects."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

Sentence = tuple[list[str], list[str]]

# Diacritics (harakat, tanwin, shadda, sukun, dagger alef) and tatweel carry no entity signal
# and are used inconsistently in news text, so they are dropped before any lookup.
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ﻷ": "لا", "ﻹ": "لا"})
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def read_conll(path: str | Path) -> list[Sentence]:
    """Read `token<TAB>tag` lines (gzip or plain), blank line between sentences."""
    opener = gzip.open if str(path).endswith(".gz") else open
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if toks:
                    sents.append((toks, tags))
                    toks, tags = [], []
                continue
            # Files use a TAB; accept the last whitespace as separator so space-separated files work too.
            tok, _, tag = line.rpartition("\t") if "\t" in line else line.rpartition(" ")
            toks.append(tok)
            tags.append(tag.strip() or "O")
    if toks:
        sents.append((toks, tags))
    return sents


def normalize(token: str) -> str:
    """Fold the spelling variants that ANERcorp and news text mix freely (alef, ya, ta marbuta)."""
    return _DIACRITICS.sub("", token).translate(_FOLD).translate(_ARABIC_DIGITS).lower()


# Proclitics, outermost first: conjunction, then preposition, then the article.
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")


def strip_clitics(norm: str) -> str:
    """Strip the common proclitics (و ف ب ل ك ال) from a normalised token, keeping >= 2 letters.

    A light stemmer in the spirit of Larkey's: it will over-strip some names (e.g. بلال),
    which is fine for a feature that sits next to the full word form.
    """
    w = norm
    if len(w) > 3 and w[0] in _CONJ:
        w = w[1:]
    if len(w) > 3 and w[0] in _PREP:
        if w.startswith("لل") and len(w) > 4:
            return w[2:]
        w = w[1:]
    if len(w) > 3 and w.startswith("ال"):
        w = w[2:]
    return w


# Punctuation that the training data writes as separate tokens. Dots inside numbers (3.5) stay.
_TOKEN_RE = re.compile(
    r"\d+(?:[.,٫]\d+)*%?"  # numbers, with decimals and an optional percent sign
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*"  # words (letters, marks), with inner apostrophes
    r"|\.{2,}|…"  # ellipses as one token
    r"|[^\w\s]"  # any other symbol on its own
    r"|_+",
    re.UNICODE,
)


def tokenize_for_ner(text: str) -> list[tuple[str, int, int]]:
    """Split raw text into (token, start, end) with punctuation as separate tokens, as in ANERcorp.

    Letters and combining marks stay together (so diacritics stay inside their word), numbers keep
    their decimal point, and every other symbol (، ؛ ؟ « » ( ) . etc.) is its own token.
    """
    out = []
    for m in _TOKEN_RE.finditer(text):
        tok = m.group()
        # \w does not include combining marks in every case; glue stray marks to the previous word.
        if out and _DIACRITICS.fullmatch(tok) and out[-1][2] == m.start():
            prev, s, _ = out[-1]
            out[-1] = (prev + tok, s, m.end())
            continue
        out.append((tok, m.start(), m.end()))
    return out


def iter_chunks(tags: list[str]) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end exclusive, type) chunks as conlleval reads BIO (a stray I- opens a chunk)."""
    start, cur = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        if prefix not in ("B", "I") or not typ:
            prefix, typ = "O", ""
        # A chunk ends before O, before any B-, and before an I- of another type.
        if cur and (prefix != "I" or typ != cur):
            yield (start, i, cur)
            cur = ""
        if prefix == "B" or (prefix == "I" and not cur):
            start, cur = i, typ
