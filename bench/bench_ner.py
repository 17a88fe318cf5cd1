"""NER benchmark: ANERcorp test scores and tagging speed on one core.

Figures: span-level micro P/R/F1 and per-type F1 on the ANERcorp test split (evaluation only),
tokens/s batched and sentence-by-sentence, and tokens/s on real news text (SaudiNewsNet,
non-commercial: read here for measurement only, never shipped).

    python -m bench --only ner
"""

from __future__ import annotations

import os

# One core: BLAS must not spread the matmuls over other cores (set before numpy loads).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import re
import time
from pathlib import Path

from marsad.nlp.ner import NerTagger, tokenize_for_ner
from marsad.nlp.ner.evaluate import eval_ner
from marsad.nlp.ner.model import CRF_NAME, DEFAULT_PATH

_SENT_END = re.compile(r"(?<=[.!؟?])\s+|\n+")


def news_sentences(shared: Path, n_articles: int = 300) -> list[list[str]]:
    """Tokenised sentences of the first n corpus articles."""
    from bench.corpus import iter_corpus

    out = []
    for i, doc in enumerate(iter_corpus(shared)):
        if i >= n_articles:
            break
        for sent in _SENT_END.split(doc["text"]):
            toks = [t for t, _, _ in tokenize_for_ner(sent)]
            if toks:
                out.append(toks)
    return out


def ablation(test: Path, tagger: NerTagger) -> dict[str, float]:
    """Test F1 of the ensemble's parts: BiLSTM-CRF alone, feature CRF alone, without propagation."""
    from marsad.nlp.ner.data import read_conll
    from marsad.nlp.ner.evaluate import score

    sents = read_conll(test)
    toks, gold = [t for t, _ in sents], [g for _, g in sents]
    out = {}
    weight = tagger.crf_weight
    try:
        for name, w, prop in (("bilstm_only", 0.0, None), ("crf_only", 1.0, None), ("no_propagation", weight, False)):
            if tagger.crf is None and w > 0:
                continue
            tagger.crf_weight = w
            out[f"ablation_test_f1_{name}"] = round(score(gold, tagger.tag_many(toks, propagate=prop))["f1"], 4)
    finally:
        tagger.crf_weight = weight
    return out


def run(shared: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    tagger = NerTagger.load()
    out: dict[str, object] = {"ner_load_s": round(time.perf_counter() - t0, 2)}
    test = shared / "data" / "ner" / "anercorp" / "test.txt.gz"
    res = eval_ner(test, tagger)
    out |= {f"anercorp_test_{k}": round(res[k], 4) for k in ("f1", "precision", "recall")}
    out |= {f"anercorp_test_f1_{t}": round(v["f1"], 4) for t, v in res["per_type"].items()}
    out["anercorp_test_tokens_per_s"] = round(res["tokens_per_s"])
    out |= ablation(test, tagger)
    files = (DEFAULT_PATH, DEFAULT_PATH.with_name(CRF_NAME))
    out["model_mb"] = round(sum(p.stat().st_size for p in files if p.is_file()) / 2**20, 2)
    from marsad.nlp.ner.data import read_conll

    # CPU seconds of this (single-threaded) process: the one-core speed even on a busy machine
    test_sents = [t for t, _ in read_conll(test)]
    n = sum(map(len, test_sents))
    tagger.clear_caches()
    c0 = time.process_time()
    tagger.tag_many(test_sents)
    out["anercorp_test_tokens_per_cpu_s_cold"] = round(n / (time.process_time() - c0))
    c0 = time.process_time()
    tagger.tag_many(test_sents)
    out["anercorp_test_tokens_per_cpu_s_warm"] = round(n / (time.process_time() - c0))
    sents = test_sents[:300]
    c0 = time.process_time()
    for s in sents:
        tagger.tag(s)
    out["one_by_one_tokens_per_cpu_s"] = round(sum(map(len, sents)) / (time.process_time() - c0))
    news = news_sentences(shared)
    tagger.clear_caches()  # cold cache: count feature extraction too
    t0, c0 = time.perf_counter(), time.process_time()
    tagged = tagger.tag_many(news)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    n = sum(map(len, news))
    out["news_tokens"] = n
    out["news_tokens_per_s"] = round(n / dt)
    out["news_tokens_per_cpu_s"] = round(n / dc)
    out["news_entities_per_1k_tokens"] = round(
        1000 * sum(tag.startswith("B-") for s in tagged for tag in s) / max(n, 1), 1
    )
    return out


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared")), indent=1))
