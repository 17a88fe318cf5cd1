"""Pipeline component: named entities from the statistical tagger, on the sentences that matter.

The tagger costs far more per token than the lexicon matchers, so it reads only the sentences
where a statement cue fired: there the speaker must be named even when no list knows them.
"""

from __future__ import annotations

import bisect

from marsad.events.relevance import is_conflict_doc
from marsad.model import Doc, Mention
from marsad.nlp.ner.data import iter_chunks


class EntityTagger:
    """Adds `ner` mentions (value: "PERS", "ORG", "LOC" or "MISC") in candidate sentences."""

    name = "ner"

    def __init__(self) -> None:
        from marsad.nlp.ner import NerTagger, tokenize_for_ner

        self.tagger = NerTagger.load()
        self.tokenize = tokenize_for_ner

    def __call__(self, doc: Doc) -> Doc:
        if not is_conflict_doc(doc):
            return doc
        starts = sorted(m.start for m in doc.mentions if m.kind == "cue" and m.value.kind.startswith("stmt:"))
        spans: list[tuple[int, list[tuple[str, int, int]]]] = []
        for s, e in doc.sentences:
            if _any_in(starts, s, e):
                raw_s, raw_e = doc.norm.raw_span(s, e)
                toks = self.tokenize(doc.raw[raw_s:raw_e])
                if toks:
                    spans.append((raw_s, toks))
        if not spans:
            return doc
        # One batched call for the whole article: the tagger is much faster on batches.
        tagged = self.tagger.tag_many([[t for t, _, _ in toks] for _, toks in spans])
        for (raw_s, toks), tags in zip(spans, tagged, strict=True):
            for a, b, label in iter_chunks(tags):
                start = doc.norm.norm_pos(raw_s + toks[a][1])
                end = doc.norm.norm_pos(raw_s + toks[b - 1][2])
                if end > start:
                    doc.mentions.append(Mention("ner", start, end, label, self.name))
        return doc


def _any_in(sorted_starts: list[int], s: int, e: int) -> bool:
    i = bisect.bisect_left(sorted_starts, s)
    return i < len(sorted_starts) and sorted_starts[i] < e
