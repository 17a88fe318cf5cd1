"""Shared fixtures: the articles, and what the plain loop makes of them (computed once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.jsonl import dump_line, read_articles
from marsad.model import Article
from marsad.pipeline import Pipeline

ARTICLES = Path(__file__).parent / "articles.jsonl"


@pytest.fixture(scope="session")
def expected() -> dict[str, str]:
    """Article id -> the output line of the plain loop (what `marsad extract` wrote before engines)."""
    pipeline = Pipeline.default()
    return {
        a.id: dump_line(pipeline(a).output().model_dump(mode="json"))
        for a in read_articles(str(ARTICLES))
        if isinstance(a, Article)
    }
