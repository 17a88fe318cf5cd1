"""Pipeline component: every count in the text as a `number` mention."""

from __future__ import annotations

from marsad.model import Doc, Mention
from marsad.text.numbers import read_numbers


class NumberTagger:
    name = "numbers"

    def __call__(self, doc: Doc) -> Doc:
        for n in read_numbers(doc.norm.text):
            doc.mentions.append(Mention("number", n.start, n.end, n, self.name))
        return doc
