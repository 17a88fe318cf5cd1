"""Pipeline component: trigger words and cue words as mentions."""

from __future__ import annotations

from marsad.events.lexicon import cue_matcher, trigger_matcher
from marsad.model import Doc, Mention


class TriggerTagger:
    """Adds `trigger` mentions (value: TriggerRule) and `cue` mentions (value: Cue)."""

    name = "triggers"

    def __init__(self) -> None:
        self.triggers = trigger_matcher()
        self.cues = cue_matcher()

    def __call__(self, doc: Doc) -> Doc:
        for m in self.triggers.find(doc.tokens):
            doc.mentions.append(Mention("trigger", m.start, m.end, m.payload, self.name))
        for m in self.cues.find(doc.tokens):
            doc.mentions.append(Mention("cue", m.start, m.end, m.payload, self.name))
        return doc
