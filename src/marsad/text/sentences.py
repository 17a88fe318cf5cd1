"""Sentence splitting for real news pages, where sentences are often glued ("ليبيا.بالمقابل")."""

from __future__ import annotations

import re

# A sentence ends at . ! ? ؟ … or a newline. A period glued between two letters
# ("الساحلية.وأضاف") ends a sentence too; a period between digits ("3.500") does not.
_END = re.compile(
    r"""
    (?:[.!?؟…]+["'»”)\]]*)(?=\s|$|["«“(]?[^\W\d_])   # terminal punctuation before space/end/letter
    | \n+                                           # a line break
    """,
    re.VERBOSE,
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, trimmed of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        end = m.end() if m.group(0)[0] != "\n" else m.start()
        _push(text, start, end, spans)
        start = m.end()
    _push(text, start, len(text), spans)
    return spans


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and any(c.isalnum() for c in text[start:end]):
        spans.append((start, end))
