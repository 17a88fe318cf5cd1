"""Strength estimates: how many fighters a statement says a group has.

An `estimate` statement's evidence is read again with `marsad.text.numbers.read_numbers`; a count
is a strength figure when a fighter noun (`strength.fighters` in resources/profiles/profiles.yaml)
follows it within two words, and it is not a count of people killed, arrested or trained (the
`not_strength` words before it, the lexicon's death and injury words near it). The phrase before
the count says how to read it: "أقل من 150 عنصرا" is at most 150, "بين 4500 و5 آلاف مقاتل" a
range. The figure belongs to the named armed group nearest to it in the sentence (`group`), not
necessarily to the statement's `about`: "28 عنصرا من الجيش العراقي و18 مقاتلا من تنظيم الدولة".
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any

from marsad.events.lexicon import Cue, cue_matcher
from marsad.profiles.relations import RESOURCE, _tagger, armed_groups
from marsad.resources import load_yaml
from marsad.text.normalize import normalize_text
from marsad.text.numbers import Number, read_numbers
from marsad.text.phrases import PhraseMatcher
from marsad.text.tokens import Token, token_index, tokenize

_NOUN_WINDOW = 2  # words between the count and the fighter noun ("5 آلاف من المقاتلين")
_CONTEXT_WINDOW = 3  # words before the count that may qualify it or say it is no strength
_RANGE_JOINERS = frozenset({"و", "الي", "او", "حتي"})
_GROUP_REACH = 90  # characters between a figure and the group it counts
_OF_REACH = 22  # "5 آلاف مقاتل من تنظيم": the noun and من between the figure and its group
_DEATH = (Cue("killed"), Cue("injured"))


@dataclass(frozen=True, slots=True)
class Strength:
    """One strength figure read from a sentence."""

    value: int  # the figure to plot: the midpoint of a range, else the count
    low: int
    high: int
    qualifier: str  # exact, below, above, about, range
    group: str | None  # canonical name of the named armed group nearest to the figure
    text: str  # the words of the figure, as the article writes them
    start: int  # raw offsets of `text` in the evidence
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "qualifier": self.qualifier,
            "group": self.group,
            "text": self.text,
        }


@cache
def _qualifiers() -> PhraseMatcher[str]:
    data = load_yaml(RESOURCE)["strength"]
    return PhraseMatcher((w, kind) for kind, words in data.items() for w in words)


def read_strengths(evidence: str) -> list[Strength]:
    """Every strength figure in a sentence, in text order."""
    norm = normalize_text(evidence)
    text = norm.text
    tokens = tokenize(text)
    starts = [t.start for t in tokens]
    quals = _qualifiers().find(tokens)
    fighters = {q.first for q in quals if q.payload == "fighters"}
    deaths = [m.first for m in cue_matcher().find(tokens) if m.payload in _DEATH]
    groups = armed_groups(text, tokens)
    anaphors = [(s, e) for s, e, a in _tagger().find(text, tokens) if a.anaphor]
    numbers = [
        m for n in read_numbers(text) if not n.vague for m in _split_shared_scale(text, n) if m.value is not None
    ]
    out: list[Strength] = []
    used: set[int] = set()
    for i, num in enumerate(numbers):
        if i in used:
            continue
        first = token_index(starts, num.start)
        last = token_index(starts, num.end - 1)
        low = high = num
        # "بين 4500 و5 آلاف مقاتل": the second count closes a range
        if i + 1 < len(numbers) and _joined(text, tokens, starts, num, numbers[i + 1]):
            nxt = numbers[i + 1]
            if nxt.value is not None and nxt.value > num.value:  # type: ignore[operator]
                high = nxt
                used.add(i + 1)
                last = token_index(starts, nxt.end - 1)
        after = tokens[last + 1 : last + 1 + _NOUN_WINDOW + 1]
        counted = _counted_before(tokens, fighters, first)  # "عدد مقاتلي التنظيم ... بين الف والفين"
        if counted is None and not any(last + 1 + k in fighters and _only_filler(after[:k]) for k in range(len(after))):
            continue
        before = [q for q in quals if first - _CONTEXT_WINDOW <= q.first and q.last <= first]
        if any(q.payload == "not_strength" for q in before):
            continue
        if any(first - _CONTEXT_WINDOW - 2 <= d <= last + _NOUN_WINDOW + 4 for d in deaths):
            continue  # "قتل 27 عنصرا", "و18 مقاتلا من تنظيم الدولة قتلوا"
        kinds = [q.payload for q in before if q.payload in ("below", "above", "about")]
        lo_v, hi_v = int(low.value), int(high.value)  # type: ignore[arg-type]
        if high is not low:
            qualifier = "range"
        elif kinds:
            qualifier = kinds[-1]
        else:
            qualifier = "exact"
        a, b = norm.raw_span(low.start, high.end)
        out.append(
            Strength(
                value=(lo_v + hi_v) // 2,
                low=lo_v,
                high=hi_v,
                qualifier=qualifier,
                group=_counted_group(groups, anaphors, tokens[counted])
                if counted is not None and _counted_group(groups, anaphors, tokens[counted]) != _NEAREST
                else _nearest(_unattributed(text, groups), low.start, high.end),
                text=evidence[a:b],
                start=a,
                end=b,
            )
        )
    return out


_SCALES = (1_000_000, 1000, 100)


def _split_shared_scale(text: str, num: Number) -> list[Number]:
    """Two counts read_numbers takes for one phrase, split so the range reads as one:
    "بين خمسة وستة آلاف مقاتل" (the first shares the scale word of the second: 5000 and 6000;
    read as one phrase it has no value) and "بين ألف وألفين" (read as 2000). A compound number is
    left whole: its larger part comes first ("ألف وخمسمائة") or its units are not round tens
    ("خمسة وعشرون"). Any other number is returned as it is."""
    phrase = text[num.start : num.end]
    cut = phrase.find(" و")
    if cut < 0:
        return [num]
    first = read_numbers(phrase[:cut])
    second = read_numbers(phrase[cut + 2 :])
    if len(first) != 1 or len(second) != 1 or first[0].value is None or second[0].value is None:
        return [num]
    a, b = first[0].value, second[0].value
    if b == a and phrase.endswith(("ين", "ان")):
        b = 2 * a  # the dual of a scale word: "الفين" read alone as الف
    scale = next((s for s in _SCALES if b >= s and b % s == 0 and a * s <= b < a * s * 10), None)
    if scale is None and a % 10 == 0 and a < b < a * 10:
        scale = 1  # "الف والفين": both counts written in full
    if num.value is not None and scale != 1:
        return [num]  # a phrase with a value splits only into two full counts
    if scale is None:
        return [num]
    low = dataclasses.replace(num, end=num.start + cut, value=a * scale, low=a * scale, high=a * scale)
    high = dataclasses.replace(num, start=num.start + cut + 2, value=b, low=b, high=b)
    return [low, high]


_COUNT_WORDS = frozenset({"عدد", "اعداد", "بعدد", "وعدد"})
_COUNTED_REACH = 12  # words from "عدد مقاتلي" to its figure
_ATTRIBUTION = ("بحسب", "حسب", "وفق", "وفقا ل", "نقلا عن")  # "... بحسب المتحدث باسم الأفريكوم"


def _counted_before(tokens: list[Token], fighters: set[int], first: int) -> int | None:
    """Index of the fighter noun of "عدد مقاتلي ..." a few words before a figure, if any."""
    for j in sorted(fighters, reverse=True):
        if 0 < first - j <= _COUNTED_REACH and j > 0 and tokens[j - 1].text in _COUNT_WORDS:
            return j
    return None


_NEAREST = "<nearest>"  # _counted_group: no group right after the noun, take the nearest


def _counted_group(groups: list[tuple[int, int, str]], anaphors: list[tuple[int, int]], noun: Token) -> str | None:
    """The group right after "عدد مقاتلي" ("عدد مقاتلي داعش", tagged with or without the noun);
    None when it is "التنظيم" (an anaphor: the statement's own group stands for it); _NEAREST
    when no group follows ("عدد العناصر الإرهابية التابعة لـ«داعش ليبيا»")."""
    for s, _e, name in groups:
        if noun.start <= s <= noun.end + 2:
            return name
    for s, e in anaphors:
        if noun.start <= s <= noun.end + 2:
            # "عدد العناصر الإرهابية التابعة لـ«داعش ليبيا»": the group the anaphor belongs to
            owner = [name for gs, _ge, name in groups if 0 <= gs - e <= _OF_REACH]
            return owner[0] if owner else None
    return _NEAREST


def _unattributed(text: str, groups: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Groups that are not the source of the figure: "بحسب المتحدث باسم الأفريكوم" says who
    counted, not whom."""
    out = []
    for g in groups:
        before = text[max(0, g[0] - 30) : g[0]]
        if not any(w in before for w in _ATTRIBUTION):
            out.append(g)
    return out


def _nearest(groups: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The group a figure counts: one right after it ("28 عنصرا من الجيش العراقي"), else the
    nearest within `_GROUP_REACH` characters ("عدد مقاتلي داعش ... 5 آلاف")."""
    right_after = [g for g in groups if 0 <= g[0] - end <= _OF_REACH]
    if right_after:
        return right_after[0][2]
    best: tuple[int, str] | None = None
    for s, e, name in groups:
        gap = s - end if s >= end else start - e if e <= start else 0
        if gap <= _GROUP_REACH and (best is None or gap < best[0]):
            best = (gap, name)
    return best[1] if best else None


def _only_filler(tokens: list[Token]) -> bool:
    """Words allowed between a count and its noun: "من" (آلاف من المقاتلين)."""
    return all(t.text in ("من",) for t in tokens)


def _joined(text: str, tokens: list[Token], starts: list[int], a: Number, b: Number) -> bool:
    """Two counts joined as a range: "4500 و5 آلاف", "3 الى 5 آلاف"."""
    between = tokens[token_index(starts, a.end - 1) + 1 : token_index(starts, b.start)]
    if not between:  # the joiner is a clitic on the second count ("و5")
        return text[a.end : b.start].strip() == "و"
    return len(between) == 1 and between[0].text in _RANGE_JOINERS


def strength_of(evidence: str) -> Strength | None:
    """The sentence's strength figure: the first one it gives."""
    found = read_strengths(evidence)
    return found[0] if found else None
