"""Held-out proxy for event dates and places: 34 corpus conflict articles annotated by hand.

The articles and their gold events are in bench/data/heldout_events/ (README there: how they
were chosen and annotated). They are not the dev articles and no rule was written from them
before they were annotated. Each article goes through the default pipeline, as `marsad extract`
runs it, and ../shared/eval/score.py scores the output.

Figures: event precision, recall and F1; on matched pairs, date agreement (at the gold's
precision) and location within 25 km, each with its n (pairs whose gold has a date, or
coordinates).
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.bench_extract import _scorer
from marsad.model import Article
from marsad.pipeline import Pipeline

DATA = Path(__file__).parent / "data" / "heldout_events"


def predictions(pipeline: Pipeline, path: Path = DATA / "input.jsonl") -> dict[str, dict]:
    """Each input article's output in the SCHEMA format, keyed by id."""
    pred = {}
    for line in path.open(encoding="utf-8"):
        art = Article.model_validate(json.loads(line))
        pred[art.id] = pipeline(art).output().model_dump(mode="json")
    return pred


def run(shared: Path) -> dict[str, object]:
    score = _scorer(shared)
    gold = score.load_docs(str(DATA / "gold.jsonl"))
    rep = score.score(gold, predictions(Pipeline.default()))
    ev, attrs = rep["events"], rep["attributes"]
    return {
        "docs": rep["docs"],
        "event_f1": round(ev["f1"], 3),
        "event_p": round(ev["precision"], 3),
        "event_r": round(ev["recall"], 3),
        "matched_events": ev["tp"],
        "date_agreement": round(attrs["date"]["acc"], 3),
        "date_n": attrs["date"]["n"],
        "location_25km": round(attrs["location_25km"]["acc"], 3),
        "location_n": attrs["location_25km"]["n"],
        "sub_event_type_acc": round(attrs["sub_event_type"]["acc"], 3),
        "fatalities_acc": round(attrs["fatalities"]["acc"], 3),
    }
