"""The extraction pipeline: a list of named components run in order over one `Doc`.

Each component is a plain object with a `name` and `__call__(doc) -> doc`; it loads its data
once, when it is built. `Pipeline.default()` builds the standard list once per process, so the
same code runs in one process, in a process pool (one pipeline per worker) or in Ray actors.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Protocol

from marsad.model import Article, Doc
from marsad.text.normalize import normalize_text
from marsad.text.sentences import split_sentences
from marsad.text.tokens import tokenize


class Component(Protocol):
    name: str

    def __call__(self, doc: Doc) -> Doc: ...


# The standard components, in order, as "module:Class". Adding a stage is one line here.
DEFAULT_COMPONENTS: tuple[str, ...] = (
    "marsad.pipeline:SentenceSplitter",
    "marsad.nlp.numbers:NumberTagger",
    "marsad.nlp.dates:DateTagger",
    "marsad.geo.tagger:PlaceTagger",
    "marsad.nlp.actors:ActorTagger",
    "marsad.events.triggers:TriggerTagger",
    "marsad.nlp.entities:EntityTagger",
    "marsad.events.builder:EventBuilder",
    "marsad.events.statements:StatementBuilder",
)


def article_text(article: Article) -> str:
    """The text the pipeline reads: the title, a blank line, then the body.

    HTML is reduced to its main text first. The title is left out when the body already
    starts with it (scraped pages often repeat it).
    """
    body = article.text
    if not (body and body.strip()) and article.html:
        from marsad.ingest.html import html_to_text

        body = html_to_text(article.html)
    body = body or ""
    title = (article.title or "").strip()
    if title and title not in body[: len(title) + 200]:
        return f"{title}\n\n{body}"
    return body


class SentenceSplitter:
    """Finds sentence boundaries and word tokens on the normalized text."""

    name = "sentences"

    def __call__(self, doc: Doc) -> Doc:
        doc.sentences = split_sentences(doc.norm.text)
        doc.tokens = tokenize(doc.norm.text)
        return doc


class Pipeline:
    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Pipeline:
        comps: list[Component] = []
        for spec in names:
            module, _, attr = spec.partition(":")
            comps.append(getattr(importlib.import_module(module), attr)())
        return cls(comps)

    @staticmethod
    @cache
    def default() -> Pipeline:
        """The standard pipeline, built once per process."""
        return Pipeline.from_names(DEFAULT_COMPONENTS)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def make_doc(self, article: Article) -> Doc:
        raw = article_text(article)
        doc = Doc(article=article, raw=raw, norm=normalize_text(raw))
        if article.published:
            doc.reference_date = article.published
            doc.reference_precision = "day"
        return doc

    def __call__(self, article: Article) -> Doc:
        doc = self.make_doc(article)
        for component in self.components:
            doc = component(doc)
        return doc

    def run(self, articles: Iterable[Article]) -> Iterator[Doc]:
        for article in articles:
            yield self(article)
