"""Pipeline component: trigger words and cue words as mentions."""

from __future__ import annotations

from marsad.events.lexicon import cue_matcher, trigger_matcher
from marsad.model import Doc, Mention

# Particles that make a forecast only before an imperfect verb.
_MODAL = frozenset({"قد"})


class TriggerTagger:
    """Adds `trigger` mentions (value: TriggerRule) and `cue` mentions (value: Cue)."""

    name = "triggers"

    def __init__(self) -> None:
        self.triggers = trigger_matcher()
        self.cues = cue_matcher()

    def __call__(self, doc: Doc) -> Doc:
        cues = self.cues.find(doc.tokens)
        # "التي يسيطر عليها": the words of a standing state name no act (cues.yaml: standing_state)
        states = [(m.start, m.end) for m in cues if m.payload.kind == "standing_state"]
        for m in self.triggers.find(doc.tokens):
            if not any(s <= m.start and m.end <= e for s, e in states):
                doc.mentions.append(Mention("trigger", m.start, m.end, m.payload, self.name))
        for m in cues:
            if (
                m.payload.kind in ("hypothetical", "forecast")
                and m.pattern in _MODAL
                and not _imperfect_after(doc, m.last)
            ):
                continue  # "قد قتلت" (has been killed) is a fact; "قد يتوجهون" (may go) is not
            doc.mentions.append(Mention("cue", m.start, m.end, m.payload, self.name))
        return doc


def _imperfect_after(doc: Doc, k: int) -> bool:
    """Whether token k looks like an imperfect (present/future) verb: يفعل، تفعل، نفعل."""
    if k >= len(doc.tokens):
        return False
    word = doc.tokens[k].text
    if word[:1] in "وف" and len(word) > 3:
        word = word[1:]
    if word[:1] in "ين":
        return True
    return word[:1] == "ت" and not word.endswith(("ت", "وا", "تم", "تا"))
