"""Fatality and injury counts next to death and injury words, never strength estimates."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.model import Doc, Mention
from marsad.text.numbers import Number

_BEFORE = 4  # tokens between a death word and its count: "اسفر عن مقتل ما لا يقل عن 15"
_AFTER = 7  # tokens between a count and its death word: "خمسة افراد من قوات الامن المصرية قتلوا"
# Duals that are a count of two on their own ("مقتل جنديين").
_DUALS = frozenset(
    {
        "جنديين",
        "جنديان",
        "شخصين",
        "شخصان",
        "طفلين",
        "شرطيين",
        "عنصرين",
        "مدنيين اثنين",
        "ضابطين",
        "مسلحين اثنين",
    }
)


@dataclass(frozen=True, slots=True)
class Casualties:
    fatalities: int | None
    injuries: int | None
    used: tuple[int, ...]  # start offsets of the numbers used (so they are not read again)


def read_casualties(doc: Doc, start: int, end: int, exclude: set[int] | None = None) -> Casualties:
    """Counts of killed and injured in normalized [start, end)."""
    exclude = exclude or set()
    tokens = doc.tokens_in(start, end)
    index = {t.start: i for i, t in enumerate(tokens)}
    cues = [m for m in doc.in_span(start, end, "cue") if m.value.kind in ("killed", "injured", "strength")]
    dates = [m for m in doc.in_span(start, end, "date")]
    fatalities: int | None = None
    injuries: int | None = None
    used: list[int] = []
    for m in doc.in_span(start, end, "number"):
        num: Number = m.value
        if num.count is None or m.start in exclude or _inside(m, dates):
            continue
        i = _token_at(index, tokens, m.start)
        j = _token_at(index, tokens, m.end - 1, end=True)
        if i is None or j is None:
            continue
        kind = _nearest_cue(cues, tokens, i, j)
        if kind == "killed" and fatalities is None:
            fatalities = num.count
            used.append(m.start)
        elif kind == "injured" and injuries is None:
            injuries = num.count
            used.append(m.start)
    if fatalities is None:
        for i, tok in enumerate(tokens):
            if tok.text in _DUALS and _nearest_cue(cues, tokens, i, i) == "killed":
                fatalities = 2
                break
    return Casualties(fatalities, injuries, tuple(used))


def _inside(m: Mention, spans: list[Mention]) -> bool:
    return any(s.start <= m.start and m.end <= s.end for s in spans)


def _token_at(index: dict[int, int], tokens: list, offset: int, end: bool = False) -> int | None:
    if not end:
        return index.get(offset)
    for k, t in enumerate(tokens):
        if t.start <= offset < t.end:
            return k
    return None


def _nearest_cue(cues: list[Mention], tokens: list, i: int, j: int) -> str | None:
    """The death/injury word closest to the count (before within _BEFORE, after within _AFTER).

    A strength word right before the count ("اكثر من", "نحو") does not block: "مقتل اكثر من 20".
    """
    lo = tokens[max(0, i - _BEFORE)].start
    hi = tokens[min(len(tokens) - 1, j + _AFTER)].end
    best: tuple[int, str] | None = None
    for c in cues:
        if c.value.kind == "strength":
            continue
        if lo <= c.start < tokens[i].start:
            dist = tokens[i].start - c.end
        elif tokens[j].end <= c.start < hi:
            # the counted noun itself ("ثلاثة قتلى") binds tighter than a word before the count
            dist = -1 if j + 1 < len(tokens) and c.start == tokens[j + 1].start else c.start - tokens[j].end
        else:
            continue
        if best is None or dist < best[0]:
            best = (dist, c.value.kind)
    return best[1] if best else None
