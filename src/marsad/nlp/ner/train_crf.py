"""Train the NER CRF (crfsuite) and tune its weight in the ensemble with the BiLSTM-CRF on dev.

Two CRFs are trained, with the same settings: one on the first 90% of the ANERcorp train split,
scored on the last 10% (dev) alone and averaged with the BiLSTM (trained on the same 90%) to
pick the ensemble weight; then the shipped one, on the whole train split. The ANERcorp test
split is never read here.

    python -m marsad.nlp.ner.train_crf --out src/marsad/resources/ner/crf.npz
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from marsad.nlp.ner.crf import CrfModel, CrfResources, decode_marginals, sentence_attrs
from marsad.nlp.ner.data import read_conll
from marsad.nlp.ner.evaluate import score
from marsad.nlp.ner.features import TAGS, TYPES, stem_key
from marsad.nlp.ner.train import (
    ORG_CHOICES,
    SHARED_DATA,
    MentionReplacer,
    gazetteer_names,
    person_names,
    split_folds,
    word_frequencies,
)

FOLDS = 5


CUES_PATH = Path(__file__).resolve().parents[2] / "resources" / "ner" / "cue_words.tsv"


def resources(
    data: Path, use_names: bool, use_gaz: bool, use_freq: bool = False, use_cues: bool = False, orgs: str = "none"
):
    return CrfResources(
        names=person_names() if use_names else (),
        gazetteer=CrfResources.build_gazetteer(gazetteer_names(data, orgs)) if use_gaz else None,
        freq=word_frequencies() if use_freq else None,
        cues=cue_words() if use_cues else None,
    )


def cue_words(path: Path = CUES_PATH) -> dict[str, str]:
    """`cue_words.tsv`: word<TAB>type lines (# comments) -> {stem: type}."""
    out: dict[str, str] = {}
    for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, typ = line.partition("\t")
        if typ.strip() not in TYPES:
            raise ValueError(f"{path}:{k}: type {typ.strip()!r} is not one of {TYPES}; write word<TAB>type")
        out[stem_key(word.strip())] = typ.strip()
    return out


# Domain prefixes for feature augmentation (Daume 2007): with other-domain sentences, every
# attribute is also emitted as "<domain>:<attribute>"; the shipped model keeps the shared weight
# plus the ANERcorp-specific one.
_MAIN, _OTHER = "A:", "W:"


def _augment(attrs: list[list[str]], prefix: str) -> list[list[str]]:
    return [[*a, *(prefix + x for x in a)] for a in attrs]


def train_crf(sents, res: CrfResources, args, use_lex: bool, other=(), replacer=None) -> CrfModel:
    """crfsuite L-BFGS on `sents`; lexicon attributes counted out-of-fold (contiguous folds).

    `other`: labelled sentences of another domain, added with feature augmentation.
    `replacer`: a `MentionReplacer`; each sentence is also added once with its names swapped.
    """
    import pycrfsuite

    rng = random.Random(1)
    folds = split_folds(len(sents), FOLDS)
    trainer = pycrfsuite.Trainer(verbose=False)
    for f in range(FOLDS):
        fold_res = copy.copy(res)
        fold_res.lexicon = (
            CrfResources.build_lexicon(s for s, g in zip(sents, folds, strict=True) if g != f) if use_lex else {}
        )
        for (toks, tags), g in zip(sents, folds, strict=True):
            if g == f:
                attrs = sentence_attrs(toks, fold_res)
                trainer.append(_augment(attrs, _MAIN) if other else attrs, [t if t in TAGS else "O" for t in tags])
                swapped = replacer(toks, tags, rng) if replacer is not None else None
                if swapped is not None:
                    attrs = sentence_attrs(swapped[0], fold_res)
                    trainer.append(
                        _augment(attrs, _MAIN) if other else attrs, [t if t in TAGS else "O" for t in swapped[1]]
                    )
    full = copy.copy(res)
    full.lexicon = CrfResources.build_lexicon(sents) if use_lex else {}
    for toks, tags in other:
        trainer.append(_augment(sentence_attrs(toks, full), _OTHER), [t if t in TAGS else "O" for t in tags])
    trainer.set_params(
        {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations, "feature.possible_transitions": True}
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.crfsuite"
        trainer.train(str(path))
        model = CrfModel.from_crfsuite(path, full)
    return _merge_domain(model) if other else model


def _merge_domain(model: CrfModel) -> CrfModel:
    """Fold "A:x" into "x" (shared + ANERcorp weight) and drop the other domain's attributes."""
    rows: dict[str, np.ndarray] = {}
    for a, i in model.index.items():
        if a.startswith(_OTHER):
            continue
        base = a[len(_MAIN) :] if a.startswith(_MAIN) else a
        rows[base] = rows.get(base, 0.0) + model.weights[i]
    attrs = sorted(a for a, w in rows.items() if np.any(w != 0))
    weights = np.stack([rows[a] for a in attrs]).astype(np.float16).astype(np.float32)
    return CrfModel(attrs, weights, model.trans, model.res)


def lstm_marginals(path: str, sents: list[list[str]]) -> list[np.ndarray]:
    """The BiLSTM-CRF's per-token marginals (no CRF attached, no name propagation)."""
    from marsad.nlp.ner.model import NerTagger

    tagger = NerTagger(path, crf=False)
    return tagger.marginals(sents)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="src/marsad/resources/ner/crf.npz")
    ap.add_argument("--data", default=str(SHARED_DATA), help="shared/data folder (ner/, gazetteer/, ...)")
    ap.add_argument("--lstm", default="src/marsad/resources/ner/model.npz", help="BiLSTM model to ensemble with")
    ap.add_argument("--c1", type=float, default=0.05)
    ap.add_argument("--c2", type=float, default=0.05)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--names", action=argparse.BooleanOptionalAction, default=True, help="person-name list")
    ap.add_argument("--gaz", action=argparse.BooleanOptionalAction, default=True, help="gazetteer spans")
    ap.add_argument("--lex", action=argparse.BooleanOptionalAction, default=True, help="train-derived lexicon")
    ap.add_argument("--freq", action=argparse.BooleanOptionalAction, default=False, help="wordfreq frequencies")
    ap.add_argument("--swap", type=float, default=0.0, help="share of sentences added with names swapped")
    ap.add_argument("--aqmar", action="store_true", help="add AQMAR with feature augmentation")
    ap.add_argument("--cues", action=argparse.BooleanOptionalAction, default=False, help="cue_words.tsv")
    ap.add_argument("--orgs", choices=sorted(ORG_CHOICES), default="none", help="org_names.tsv gazetteer spans")
    ap.add_argument("--weight", type=float, default=None, help="CRF share in the ensemble (default: tune)")
    ap.add_argument("--dev-only", action="store_true", help="stop after the dev run (ablations)")
    ap.add_argument("--dev-cache", default="", help="folder to keep the dev CRF in between runs (same settings!)")
    ap.add_argument("--report", default="", help="write a JSON summary here")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    t0 = time.time()
    data = Path(args.data)
    aner = read_conll(data / "ner" / "anercorp" / "train.txt.gz")
    n_dev = len(aner) // 10
    tr, dev = aner[:-n_dev], aner[-n_dev:]
    res = resources(data, args.names, args.gaz, args.freq, args.cues, args.orgs)
    other = read_conll(data / "ner" / "aqmar" / "aqmar.coarse.txt.gz") if args.aqmar else []
    swap = MentionReplacer(tr, gazetteer_names(data) if args.gaz else [], args.swap) if args.swap else None
    gold = [g for _, g in dev]
    dev_toks = [t for t, _ in dev]

    cached = Path(args.dev_cache) / "dev_crf.npz" if args.dev_cache else None
    if cached is not None and cached.is_file():
        model = CrfModel.load(cached)[0]  # same data and settings: the dev CRF need not be retrained
    else:
        model = train_crf(tr, res, args, args.lex, other, swap)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            model.save(cached, {"ensemble_weight": 0.0})
    crf_m = [model.marginals(t) for t in dev_toks]
    crf_dev = score(gold, [[TAGS[k] for k in decode_marginals(p)] for p in crf_m])
    print(f"CRF dev F1 {crf_dev['f1']:.4f} ({time.time() - t0:.0f}s)", flush=True)
    lstm_m = lstm_marginals(args.lstm, dev_toks)
    sweep = {}
    for w in np.arange(11) / 10 if args.weight is None else [args.weight]:
        pred = [[TAGS[k] for k in decode_marginals(w * c + (1 - w) * m)] for c, m in zip(crf_m, lstm_m, strict=True)]
        sweep[round(float(w), 2)] = score(gold, pred)
    weight = max(sweep, key=lambda w: sweep[w]["f1"])
    best = sweep[weight]
    print(f"ensemble dev F1 {best['f1']:.4f} at CRF weight {weight}", flush=True)
    summary = {
        "args": vars(args),
        "crf_dev": {k: crf_dev[k] for k in ("f1", "precision", "recall")},
        "crf_dev_per_type": {t: v["f1"] for t, v in crf_dev["per_type"].items()},
        "ensemble_dev_by_weight": {str(w): round(r["f1"], 4) for w, r in sweep.items()},
        "ensemble_weight": weight,
        "ensemble_dev": {k: best[k] for k in ("f1", "precision", "recall")},
        "ensemble_dev_per_type": {t: v["f1"] for t, v in best["per_type"].items()},
    }
    if not args.dev_only:
        swap = MentionReplacer(aner, gazetteer_names(data) if args.gaz else [], args.swap) if args.swap else None
        final = train_crf(aner, res, args, args.lex, other, swap)
        final.save(args.out, {"ensemble_weight": weight, "n_attrs": len(final.index)})
        summary["n_attrs"] = len(final.index)
        summary["size_bytes"] = Path(args.out).stat().st_size
    summary["train_seconds"] = round(time.time() - t0, 1)
    print(json.dumps(summary, indent=1), flush=True)
    if args.report:
        Path(args.report).write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
