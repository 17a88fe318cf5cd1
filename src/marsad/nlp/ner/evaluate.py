"""Span-level NER scoring as conlleval computes it (exact match, micro-averaged)."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from marsad.nlp.ner.data import iter_chunks, read_conll


def _prf(correct: int, guessed: int, gold: int) -> dict[str, float]:
    p = correct / guessed if guessed else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def score(gold: list[list[str]], pred: list[list[str]]) -> dict:
    """Micro P/R/F1 over exact-match chunks, plus the same per type (conlleval semantics)."""
    correct: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if len(g) != len(p):
            raise ValueError("gold and predicted sentences differ in length")
        gs = set(iter_chunks(g))
        ps = set(iter_chunks(p))
        n_gold.update(t for _, _, t in gs)
        n_pred.update(t for _, _, t in ps)
        correct.update(t for _, _, t in gs & ps)
    out = _prf(sum(correct.values()), sum(n_pred.values()), sum(n_gold.values()))
    out["per_type"] = {
        t: {**_prf(correct[t], n_pred[t], n_gold[t]), "support": n_gold[t]} for t in sorted(n_gold | n_pred)
    }
    return out


def eval_ner(path: str | Path, tagger=None) -> dict:
    """Tag a CoNLL file (`token<TAB>tag`) with the shipped model and score it against its tags.

    Returns {"f1", "precision", "recall", "per_type": {type: {...}}, "tokens_per_s"}; the speed
    covers tagging only (not file reading), in one process.
    """
    if tagger is None:
        from marsad.nlp.ner.model import NerTagger

        tagger = NerTagger.load()
    sents = read_conll(path)
    tokens = [t for t, _ in sents]
    t0 = time.perf_counter()
    pred = tagger.tag_many(tokens)
    dt = time.perf_counter() - t0
    out = score([g for _, g in sents], pred)
    n = sum(len(t) for t in tokens)
    out["tokens_per_s"] = n / dt if dt > 0 else float("inf")
    out["tokens"] = n
    out["sentences"] = len(sents)
    return out
