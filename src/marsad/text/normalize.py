"""Arabic normalization for matching, with a map from normalized offsets back to the raw text.

The letter table is the one the evaluation scorer uses, so that a name we match is a name it
matches. Unlike the scorer we keep punctuation (sentence splitting needs it) and keep every
normalized character tied to the raw character it came from.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹"  # Arabic-Indic and Persian (Extended Arabic-Indic)
# The letter and digit folds every matcher shares (the scorer's table): one spelling per letter.
LETTER_FOLDS: dict[str, str] = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ی": "ي",
    "ئ": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ک": "ك",
    **{d: str(i % 10) for i, d in enumerate(_DIGITS)},
}
_TABLE: dict[str, str] = {
    **LETTER_FOLDS,
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
    "٫": ".",  # Arabic decimal separator
    "٬": ",",  # Arabic thousands separator
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u3000": " ",
    "\t": " ",
    "\r": " ",
}
_DROP = {"\u0640"}  # tatweel


@dataclass(frozen=True, slots=True)
class NormText:
    """Normalized text plus, for each normalized character, the raw offset it came from."""

    raw: str
    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last is len(raw)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw (start, end) of the normalized span [start, end)."""
        if start >= end:
            pos = self.offsets[start]
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1

    def norm_pos(self, raw_offset: int) -> int:
        """The normalized offset of the first character at or after `raw_offset` in the raw text."""
        return bisect.bisect_left(self.offsets, raw_offset, 0, len(self.offsets) - 1)

    def raw_slice(self, start: int, end: int) -> str:
        a, b = self.raw_span(start, end)
        return self.raw[a:b]


@lru_cache(maxsize=65536)
def _map_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _TABLE:
        return _TABLE[ch]
    cat = unicodedata.category(ch)
    if cat == "Mn" or cat == "Cf":  # harakat, shadda, Quranic marks; ZWJ/ZWNJ/RLM
        return ""
    code = ord(ch)
    # Presentation forms (ligatures such as ﻻ) expand to their letters; NFKC does that.
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF or 0xFF00 <= code <= 0xFFEF:
        expanded = unicodedata.normalize("NFKC", ch)
        if expanded != ch:  # ornate parentheses (U+FD3E/F) have no decomposition: keep them
            return "".join(_map_char(c) for c in expanded)
    if "A" <= ch <= "Z":
        return ch.lower()
    return ch


def normalize_text(raw: str) -> NormText:
    """Normalize `raw` for matching and keep the offset map back to it."""
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(raw):
        mapped = _map_char(ch)
        if mapped:
            out.append(mapped)
            offsets.extend([i] * len(mapped))
    offsets.append(len(raw))
    return NormText(raw, "".join(out), tuple(offsets))


def normalize(text: str) -> str:
    """The normalized string alone (for lexicon keys and lookups); whitespace runs collapse."""
    return " ".join(normalize_text(text).text.split())
