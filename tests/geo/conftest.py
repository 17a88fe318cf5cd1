"""Helpers for the geo tests: run the sentence splitter and the places tagger on real text."""

from __future__ import annotations

import pytest

from marsad.geo.gazetteer import load
from marsad.geo.tagger import PlaceTagger
from marsad.model import Article, Doc
from marsad.pipeline import Pipeline, SentenceSplitter


@pytest.fixture(scope="session")
def tag():
    pipeline = Pipeline([SentenceSplitter(), PlaceTagger(load())])

    def run(text: str) -> Doc:
        return pipeline(Article(id="t", text=text))

    return run
