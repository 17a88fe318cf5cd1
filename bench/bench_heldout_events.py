"""Held-out proxy for event dates and places: corpus conflict articles annotated by hand.

The articles and their gold events are in bench/data/heldout_events/ (README there: how they
were chosen and annotated): part A (34 articles, annotated before any fix and then used to find
the causes of misses), part B (11 more, annotated after those fixes, later read for misses too)
and part C (annotated blind after them, never read to fix anything). None holds a dev article.
Each article goes through the default pipeline, as `marsad extract` runs it, and
../shared/eval/score.py scores the output.

Figures (unprefixed: part A; b_: part B; c_: part C; all_: all three): event precision, recall
and F1; on matched pairs, date agreement (at the gold's precision) and location within 25 km, each with its
n (pairs whose gold has a date, or coordinates).
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


def _figures(score, gold: dict, pred: dict, prefix: str) -> dict[str, object]:
    rep = score.score(gold, pred)
    ev, attrs = rep["events"], rep["attributes"]
    return {
        f"{prefix}docs": rep["docs"],
        f"{prefix}event_f1": round(ev["f1"], 3),
        f"{prefix}event_p": round(ev["precision"], 3),
        f"{prefix}event_r": round(ev["recall"], 3),
        f"{prefix}date_agreement": round(attrs["date"]["acc"], 3),
        f"{prefix}date_n": attrs["date"]["n"],
        f"{prefix}location_25km": round(attrs["location_25km"]["acc"], 3),
        f"{prefix}location_n": attrs["location_25km"]["n"],
        f"{prefix}sub_event_type_acc": round(attrs["sub_event_type"]["acc"], 3),
        f"{prefix}fatalities_acc": round(attrs["fatalities"]["acc"], 3),
    }


def run(shared: Path) -> dict[str, object]:
    """Part A (34 articles, the misses of which the fixes were read from), part B (11 articles
    annotated after those fixes), part C (annotated blind, the fresh figure), and all together."""
    score = _scorer(shared)
    pipeline = Pipeline.default()
    gold_a, gold_b, gold_c = (
        score.load_docs(str(DATA / name)) for name in ("gold.jsonl", "gold_b.jsonl", "gold_c.jsonl")
    )
    pred_a, pred_b = predictions(pipeline), predictions(pipeline, DATA / "input_b.jsonl")
    pred_c = predictions(pipeline, DATA / "input_c.jsonl")
    return (
        _figures(score, gold_a, pred_a, "")
        | _figures(score, gold_b, pred_b, "b_")
        | _figures(score, gold_c, pred_c, "c_")
        | _figures(score, gold_a | gold_b | gold_c, pred_a | pred_b | pred_c, "all_")
    )
