"""The real report pairs of tests/data/merge_pairs.jsonl and a way to load them into a store.

Each pair holds two events as the pipeline extracted them from two corpus articles (saudinewsnet,
July-August 2015), the judgement (same incident or not) made by reading both articles, and a note.
The articles' texts are in merge_articles.jsonl.gz (test data only: the corpus is non-commercial).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from marsad.store.db import Store
from marsad.store.schema import articles, event_articles, events

DATA = Path(__file__).parent.parent / "data"


@cache
def pairs() -> list[dict[str, Any]]:
    with (DATA / "merge_pairs.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@cache
def article_texts() -> dict[str, dict[str, Any]]:
    with gzip.open(DATA / "merge_articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        return {a["id"]: a for a in map(json.loads, fh)}


def pair(name: str) -> dict[str, Any]:
    return next(p for p in pairs() if p["pair"] == name)


def add_events(store: Store, rows: list[dict[str, Any]]) -> list[int]:
    """Store the articles and the events (each with its own event_articles link); returns event ids."""
    texts = article_texts()
    ids = []
    with store.engine.begin() as conn:
        for row in rows:
            aid = row["article_id"]
            if conn.execute(sa.select(articles.c.id).where(articles.c.id == aid)).first() is None:
                art = texts[aid]
                conn.execute(
                    articles.insert().values(
                        id=aid,
                        source=art["source"],
                        title=art.get("title"),
                        text=art["text"],
                        published=dt.date.fromisoformat((art.get("published") or row["published"])[:10]),
                    )
                )
            values = {k: v for k, v in row.items() if k != "published"}
            eid = conn.execute(events.insert().values(**values).returning(events.c.id)).scalar_one()
            conn.execute(
                event_articles.insert().values(
                    event_id=eid,
                    article_id=aid,
                    evidence=row["evidence"],
                    evidence_start=row.get("evidence_start"),
                    evidence_end=row.get("evidence_end"),
                )
            )
            ids.append(eid)
    return ids
