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
    return [(s, e) for s, e in pieces if text[s:e].strip()]
