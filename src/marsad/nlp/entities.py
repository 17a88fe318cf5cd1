"""Pipeline component: named entities from the statistical tagger, on the sentences that matter.

The tagger costs far more per token than the lexicon matchers, so it reads only the sentences
where a trigger or a statement cue fired: that is where speakers, actors and places are needed.
"""

from __future__ import annotations

import bisect

from marsad.model import Doc, Mention


class EntityTagger:
    """Adds `ner` mentions (value: "PERS", "ORG", "LOC" or "MISC") in candidate sentences."""

    name = "ner"

    def __init__(self) -> None:
        from marsad.nlp.ner import NerTagger, tokenize_for_ner

        self.tagger = NerTagger.load()
        self.tokenize = tokenize_for_ner

    def __call__(self, doc: Doc) -> Doc:
        starts = sorted(
            m.start
            for m in doc.mentions
            if m.kind == "trigger" or (m.kind == "cue" and m.value.kind.startswith("stmt:"))
        )
        for s, e in doc.sentences:
            if not _any_in(starts, s, e):
                continue
            raw_s, raw_e = doc.norm.raw_span(s, e)
            sentence = doc.raw[raw_s:raw_e]
            toks = self.tokenize(sentence)
            if not toks:
                continue
            for a, b, label in self.tagger.entities([t for t, _, _ in toks]):
                start = doc.norm.norm_pos(raw_s + toks[a][1])
                end = doc.norm.norm_pos(raw_s + toks[b - 1][2])
                if end > start:
                    doc.mentions.append(Mention("ner", start, end, label, self.name))
        return doc


def _any_in(sorted_starts: list[int], s: int, e: int) -> bool:
    i = bisect.bisect_left(sorted_starts, s)
    return i < len(sorted_starts) and sorted_starts[i] < e
