"""Tokens over normalized text, and the clitic-stripped forms used for lexicon lookup."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Proclitic sequences in the order a lookup should try them. Longest first, so that
# "وبالقوات" yields "القوات" and "قوات" before a shorter, wrong cut.
_CONJ = ("و", "ف")
_PREP = ("ب", "ل", "ك")


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # the normalized surface form
    start: int  # offsets into the normalized text
    end: int


def tokenize(text: str) -> list[Token]:
    """Word tokens (letters and digits) of already-normalized text."""
    return [Token(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def token_index(starts: list[int], offset: int) -> int:
    """Index of the token that contains `offset` (or the last one starting before it), given the
    tokens' start offsets in order."""
    return max(0, bisect.bisect_right(starts, offset) - 1)


def lookup_forms(word: str, min_len: int = 2) -> list[str]:
    """Forms of a normalized word with its proclitics (و ف ب ل ك ال) removed, surface first.

    "وبالقوات" → ["وبالقوات", "بالقوات", "القوات", "قوات"]; "للجيش" → ["للجيش", "الجيش", "جيش"].
    Written by hand: pyarabic and Snowball stem the word itself, and lexicon lookup needs the
    whole word with only the attached particles gone.
    """
    forms = [word]
    rest = word
    if len(rest) > min_len + 1 and rest[0] in _CONJ:
        rest = rest[1:]
        forms.append(rest)
    if len(rest) > min_len + 2 and rest.startswith("لل"):
        # لل = ل + ال with the alef dropped in writing
        forms.append("ال" + rest[2:])
        forms.append(rest[2:])
        return _dedup(forms, min_len)
    if len(rest) > min_len + 1 and rest[0] in _PREP:
        rest = rest[1:]
        forms.append(rest)
    if len(rest) > min_len + 2 and rest.startswith("ال"):
        forms.append(rest[2:])
    return _dedup(forms, min_len)


def _dedup(forms: list[str], min_len: int) -> list[str]:
    """The word itself first, always; then each shorter form once, if long enough to look up."""
    seen: list[str] = forms[:1]
    for f in forms[1:]:
        if len(f) >= min_len and f not in seen:
            seen.append(f)
    return seen
