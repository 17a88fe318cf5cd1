"""Extraction quality and speed: dev-set F1, UniversalPetrarch detection, false alarms, throughput."""

from __future__ import annotations

import gzip
import importlib.util
import json
import resource
import statistics
import sys
import time
from pathlib import Path

from bench.corpus import as_input, iter_corpus, peaceful_sample
from marsad.model import Article
from marsad.pipeline import Pipeline

_ASSAULT = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
_PROTEST = {"Protests", "Riots"}


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("marsad_eval_score", shared / "eval" / "score.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def dev_scores(shared: Path, pipeline: Pipeline) -> dict[str, object]:
    score = _scorer(shared)
    dev = shared / "eval" / "dev"
    gold = score.load_docs(str(dev / "seeds.gold.jsonl"))
    pred = {}
    for line in (dev / "seeds.jsonl").open(encoding="utf-8"):
        art = Article.model_validate(json.loads(line))
        pred[art.id] = pipeline(art).output().model_dump(mode="json")
    rep = score.score(gold, pred)
    out: dict[str, object] = {
        "dev_event_f1": round(rep["events"]["f1"], 3),
        "dev_event_p": round(rep["events"]["precision"], 3),
        "dev_event_r": round(rep["events"]["recall"], 3),
        "dev_statement_f1": round(rep["statements"]["f1"], 3),
    }
    for name, a in rep["attributes"].items():
        out[f"dev_{name}_acc"] = f"{a['acc']:.2f} (n={a['n']})"
    return out


def petrarch_detection(shared: Path, pipeline: Pipeline) -> dict[str, object]:
    """Share of the UniversalPetrarch gold sentences (assault, protest) where marsad finds the event family."""
    path = shared / "data" / "lexicons" / "universalpetrarch" / "arabic_gold_events.tsv.gz"
    hits = {"assault": [0, 0], "protest": [0, 0]}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        for n, line in enumerate(fh):
            row = dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
            fam = row["file"]
            if fam not in hits or not row.get("text"):
                continue
            doc = pipeline(Article(id=f"up-{n}", text=row["text"]))
            types = {e.event_type for e in doc.events}
            want = _ASSAULT if fam == "assault" else _PROTEST
            hits[fam][0] += bool(types & want)
            hits[fam][1] += 1
    return {f"petrarch_{k}_recall": f"{a / b:.3f} ({a}/{b})" for k, (a, b) in hits.items()}


def false_alarms(shared: Path, pipeline: Pipeline) -> dict[str, object]:
    sample = peaceful_sample(shared, 100)
    with_events = 0
    n_events = 0
    for d in sample:
        doc = pipeline(Article.model_validate(as_input(d)))
        n_events += len(doc.events)
        with_events += bool(doc.events)
    return {"false_alarm_articles_of_100": with_events, "false_alarm_events": n_events}


def throughput(shared: Path, pipeline: Pipeline, n: int = 600) -> dict[str, object]:
    """Articles per second on corpus articles cut or padded to about 5 KB, end to end."""
    texts = []
    for d in iter_corpus(shared):
        t = d["text"]
        if len(t.encode("utf-8")) >= 5000:
            texts.append(as_input(d) | {"text": t[:2800]})
        if len(texts) >= n:
            break
    arts = [Article.model_validate(x) for x in texts]
    kb = statistics.mean(len(a.text.encode("utf-8")) for a in arts) / 1024
    pipeline(arts[0])  # resources loaded once, before the clock starts
    t0, c0 = time.perf_counter(), time.process_time()
    for a in arts:
        pipeline(a)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        # CPU seconds are what one core gives; wall seconds include the other load on this machine
        "articles_per_s_one_core_cpu": round(len(arts) / cpu, 1),
        "articles_per_s_wall": round(len(arts) / dt, 1),
        "load_average_1min": round(__import__("os").getloadavg()[0], 1),
        "mean_article_kb": round(kb, 1),
        "peak_rss_mb": round(peak_mb),
    }


def run(shared: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    pipeline = Pipeline.default()
    out: dict[str, object] = {"pipeline_load_s": round(time.perf_counter() - t0, 2)}
    out |= dev_scores(shared, pipeline)
    out |= petrarch_detection(shared, pipeline)
    out |= false_alarms(shared, pipeline)
    out |= throughput(shared, pipeline)
    return out
