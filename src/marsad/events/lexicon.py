"""The event lexicons (triggers and cue words), loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from marsad.model import SUB_TO_TYPE
from marsad.resources import load_yaml
from marsad.text.phrases import PhraseMatcher


@dataclass(frozen=True, slots=True)
class TriggerRule:
    """What a trigger word means: its ACLED sub-type and how much support it needs."""

    sub_event_type: str
    event_type: str
    priority: int
    weak: bool  # ambiguous word: needs an armed actor or a casualty count in its clause
    territory: bool = False
    civilian: bool = False
    needs_protest: bool = False
    lost: bool = False  # the actor named with the word is the side that lost ground
    needs_cue: str | None = None  # a cue family (cues.yaml) that must be in the clause group
    unless_after: str | None = None  # a cue family (cues.yaml) that vetoes the word right after it
    killer: bool = False  # a killing verb: an event only with its doer, an armed side, named by it


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # hypothetical, negation, reporting, killed, ... or "stmt:<kind>"


@cache
def trigger_matcher() -> PhraseMatcher[TriggerRule]:
    entries: list[tuple[str, TriggerRule]] = []
    for item in load_yaml("events/triggers.yaml"):
        sub = item["sub_event_type"]
        if sub not in SUB_TO_TYPE:
            raise ValueError(f"resources/events/triggers.yaml: unknown sub_event_type {sub!r}")
        for key in ("needs_cue", "unless_after"):
            family = item.get(key)
            if family is not None and family not in load_yaml("events/cues.yaml"):
                raise ValueError(
                    f"resources/events/triggers.yaml: {sub!r} {key} {family!r} is not a family of events/cues.yaml"
                )
        for weak, key in ((False, "patterns"), (True, "weak")):
            rule = TriggerRule(
                sub,
                SUB_TO_TYPE[sub],
                int(item.get("priority", 50)),
                weak,
                bool(item.get("territory")),
                bool(item.get("civilian")),
                bool(item.get("needs_protest")),
                bool(item.get("lost")),
                item.get("needs_cue"),
                item.get("unless_after"),
                bool(item.get("killer")),
            )
            entries.extend((p, rule) for p in item.get(key) or ())
    return PhraseMatcher(entries)


@cache
def cue_matcher() -> PhraseMatcher[Cue]:
    """All cue families in one matcher; each family matches on its own (a word may be in several)."""
    data = load_yaml("events/cues.yaml")
    entries: list[tuple[str, Cue]] = []
    for kind, words in data.items():
        if kind == "statements":
            entries.extend((w, Cue(f"stmt:{k}")) for k, ws in words.items() for w in ws or ())
        else:
            entries.extend((w, Cue(kind)) for w in words)
    return PhraseMatcher(entries, group=lambda cue: cue.kind)
