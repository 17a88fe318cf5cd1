"""Clauses of a sentence: where one event's arguments are looked for first."""

from __future__ import annotations

import re

# Clause breaks inside a sentence: ";" always; "," and " - " when followed by a new
# conjunct. Arabic news chains events with "؛" and "، و…", and sets a second act beside the
# first with "فيما" ("... أسفر عن مقتل 11 شخصا فيما لقي 42 مصرعهم في تفجيرين في غومبي"), except
# in "فيما يتعلق/يخص" (as for), "فيما بعد" (later), "فيما بين" (among) and "فيما يلي/اذا".
_BREAK = re.compile(r";|,|\s[-–—]\s|:|(?<![^\W_])و?فيما\s(?!(?:يتعلق|يخص|بعد|بين|بينهم|بينها|يلي|اذا|لو)(?![^\W_]))")


def split_clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of the sentence text[start:end], in normalized offsets."""
    pieces: list[tuple[int, int]] = []
    pos = start
    for m in _BREAK.finditer(text, start, end):
        if m.start() > pos:
            pieces.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        pieces.append((pos, end))
    pieces = [(s, e) for s, e in pieces if text[s:e].strip()]
    # "بين A ... ، وB": the comma does not part "between" from its second member
    merged: list[tuple[int, int]] = []
    for s, e in pieces:
        if merged and text[s:e].lstrip().startswith("و") and _open_between(text[merged[-1][0] : merged[-1][1]]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


_BETWEEN = re.compile(r"(?:^|\s)(?:و|ف)?بين\s")
_AND = re.compile(r"\sو")


def _open_between(clause: str) -> bool:
    """The clause has "بين" (between) and no "و" (and) after it yet: its second member follows."""
    found = list(_BETWEEN.finditer(clause))
    return bool(found) and _AND.search(clause, found[-1].end()) is None
