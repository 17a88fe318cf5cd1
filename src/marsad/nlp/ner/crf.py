"""A feature-rich linear-chain CRF for Arabic NER, trained with crfsuite, run in numpy.

Features per token: normalised form and clitic-stripped stem of the token and of its neighbours
(window of +-3), affixes, word shape, proclitic string, bigrams, membership in a list of
personal names, gazetteer span matches (places, office holders) and train-derived lexicon
tags. The shipped tagger averages this CRF's per-token marginals with the BiLSTM-CRF's
(the two models err differently) and decodes the average (see `NerTagger`).

Training writes the attribute strings (`sentence_attrs`); inference never builds them: a CRF
emission is a sum of attribute weights, and all attributes except the bigrams and gazetteer
spans depend on one token type and its role (itself, left/right neighbour at distance d), so
their weight sums are cached per (type, role) and a sentence costs a few array lookups.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from marsad.nlp.ner.data import normalize, strip_clitics
from marsad.nlp.ner.features import TAGS, TYPES, pack_freq, shape, stem_key, unpack_freq

WINDOW = 3  # neighbours on each side whose form and stem are features
MAX_GAZ_WORDS = 4
EDGE = "<EDGE>"
# Neighbour roles in the order of the cached vectors after the token's own (role 0).
ROLES = tuple(f"{sgn}{d}" for d in range(1, WINDOW + 1) for sgn in ("-", "+"))


class CrfResources:
    """Lookup data the features read: name list, gazetteer spans, lexicon (stem -> attributes)."""

    def __init__(
        self,
        names: Iterable[str] = (),
        gazetteer: dict[tuple[str, ...], list[str]] | None = None,
        lexicon: dict[str, list[str]] | None = None,
        freq: dict[str, int] | None = None,
        cues: dict[str, str] | None = None,
    ) -> None:
        self.names = frozenset(normalize(w) for n in names for w in n.split())
        self.lexicon = lexicon or {}
        self.gazetteer = gazetteer or {}
        # normalised word -> Zipf frequency x 10 in general Arabic text (empty: no such features)
        self.freq = freq or {}
        # stem of a cue word (وزارة, نادي, مدينة, الرئيس ...) -> the type of the name it introduces
        self.cues = cues or {}

    @property
    def gazetteer(self) -> dict[tuple[str, ...], list[str]]:
        return self._gazetteer

    @gazetteer.setter
    def gazetteer(self, value: dict[tuple[str, ...], list[str]]) -> None:
        self._gazetteer = value
        self.gaz_firsts = frozenset(k[0] for k in value)  # a quick test before the span lookups

    @staticmethod
    def build_gazetteer(names: Iterable[tuple[str, str]]) -> dict[tuple[str, ...], list[str]]:
        """(name, type) pairs -> {stem tuple: sorted types}, names of 1..MAX_GAZ_WORDS words."""
        out: dict[tuple[str, ...], set[str]] = {}
        for name, typ in names:
            words = tuple(w for w in (stem_key(x) for x in name.replace("_", " ").split()) if w)
            if 0 < len(words) <= MAX_GAZ_WORDS:
                out.setdefault(words, set()).add(typ)
        return {k: sorted(v) for k, v in out.items()}

    @staticmethod
    def build_lexicon(sents: Iterable[tuple[Sequence[str], Sequence[str]]]) -> dict[str, list[str]]:
        """Per stem seen tagged as an entity: its majority type, entity share and all its types.

        Built out-of-fold for the training sentences (see the trainer): a lexicon counted on the
        very sentences it describes would be trusted blindly, and unseen names would suffer.
        """
        counts: dict[str, Counter] = {}
        for toks, tags in sents:
            for t, g in zip(toks, tags, strict=True):
                counts.setdefault(stem_key(t), Counter())[g.partition("-")[2] or "O"] += 1
        out = {}
        for key, c in counts.items():
            n = sum(c.values())
            if c["O"] == n:
                continue
            typ = c.most_common(1)[0][0]
            share = round(4 * (n - c["O"]) / (n + 1))
            out[key] = [f"lx={typ}", f"lxe={share}", *sorted(f"lxt={t}" for t in c if t in TYPES)]
        return out


def token_roles(token: str, res: CrfResources) -> list[list[str]]:
    """A token's attributes in each role: [its own, then as the neighbour at each of ROLES]."""
    if token == EDGE:
        return [[], *([f"{role}w={EDGE}"] for role in ROLES)]
    n = normalize(token)
    s = strip_clitics(n)
    sh = shape(token)
    own = ["b", f"w={n}", f"s={s}", f"sh={sh}"]
    for k in (1, 2, 3):
        if len(s) > k:
            own += [f"sp{k}={s[:k]}", f"ss{k}={s[-k:]}"]
    for k in (1, 2, 3, 4):
        if len(n) > k:
            own += [f"p{k}={n[:k]}", f"x{k}={n[-k:]}"]
    pre = n[: len(n) - len(s)] if n.endswith(s) else ""
    own += [f"pre={pre}", f"al={'ال' in pre or n.startswith('ال')}", f"len={min(len(s), 8)}"]
    is_name = n in res.names or s in res.names
    if is_name:
        own.append("NM")
    lex = res.lexicon.get(s, [])
    own += lex
    fq = freq_attrs(n, s, res.freq) if res.freq else []
    own += fq
    cue = res.cues.get(s)
    if cue:
        own.append(f"cue={cue}")
    out = [own]
    for role in ROLES:
        f = [f"{role}w={n}", f"{role}s={s}"]
        d = int(role[1:])
        if d <= 2 and is_name:
            f.append(f"{role}NM")
        if d <= 2 and cue:
            f.append(f"{role}cue={cue}")
        if d == 1:
            f += [f"{role}sh={sh}", f"{role}x2={n[-2:]}"]
            f += [f"{role}{x}" for x in lex]
            f += [f"{role}{x}" for x in fq[:1]]
        out.append(f)
    return out


def freq_attrs(n: str, s: str, freq: dict[str, int]) -> list[str]:
    """How ordinary a word is in general Arabic text: Zipf buckets of the form and the stem, and
    how much more often the stem is written with the article (ال) than without.

    An unseen name is usually rare, and a foreign or personal name rarely takes the article,
    while a common noun or adjective does; the train-derived features say nothing about words
    the training data never had.
    """
    zn = freq.get(n, 0)
    zs = freq.get(s, 0) if s != n else zn
    out = [f"fq={zn // 10}", f"fs={zs // 10}"]
    if len(s) > 2:
        za = freq.get("ال" + s, 0)
        out.append(f"fa={max(-3, min(2, round((za - zs) / 10)))}" if za or zs else "fa=none")
    return out


def own_attrs(token: str, res: CrfResources) -> list[str]:
    """Attributes of a token on its own (context-free)."""
    return token_roles(token, res)[0]


def gazetteer_tags(stems: Sequence[str], res: CrfResources) -> list[list[str]]:
    """Per token, the gazetteer spans covering it: g{B|I}{type}{span length capped at 3}."""
    out: list[list[str]] = [[] for _ in stems]
    gaz = res.gazetteer
    if not gaz:
        return out
    n = len(stems)
    firsts = res.gaz_firsts
    for i in range(n):
        if stems[i] not in firsts:
            continue
        for span in range(min(MAX_GAZ_WORDS, n - i), 0, -1):
            for typ in gaz.get(tuple(stems[i : i + span]), ()):
                for j in range(i, i + span):
                    out[j].append(f"g{'B' if j == i else 'I'}{typ}{min(span, 3)}")
    return out


def gazetteer_attrs(gz: Sequence[list[str]], i: int) -> list[str]:
    """A token's gazetteer-span attributes and its neighbours' (prefixed -1 / +1)."""
    f = list(gz[i])
    if i > 0:
        f += [f"-1{g}" for g in gz[i - 1]]
    if i + 1 < len(gz):
        f += [f"+1{g}" for g in gz[i + 1]]
    return f


def context_attrs(norms: Sequence[str], gz: Sequence[list[str]], i: int) -> list[str]:
    """Attributes that depend on a token together with its neighbours: gazetteer and bigrams."""
    f = gazetteer_attrs(gz, i)
    if i > 0:
        f.append(f"bg-={norms[i - 1]}|{norms[i]}")
    if i + 1 < len(norms):
        f.append(f"bg+={norms[i]}|{norms[i + 1]}")
    return f


def sentence_attrs(tokens: Sequence[str], res: CrfResources) -> list[list[str]]:
    """Every attribute of every token (what crfsuite trains on)."""
    n = len(tokens)
    norms = [normalize(t) for t in tokens]
    gz = gazetteer_tags([strip_clitics(x) for x in norms], res)
    roles = [token_roles(t, res) for t in tokens]
    edge = token_roles(EDGE, res)
    out = []
    for i in range(n):
        f = list(roles[i][0])
        for r, role in enumerate(ROLES, 1):
            j = i + int(role)
            f += roles[j][r] if 0 <= j < n else edge[r]
        f += context_attrs(norms, gz, i)
        out.append(f)
    return out


class CrfModel:
    """CRF weights in numpy: attribute index, state weights (attributes x tags), transitions."""

    def __init__(self, attrs: list[str], weights: np.ndarray, trans: np.ndarray, res: CrfResources) -> None:
        self.index = {a: i for i, a in enumerate(attrs)}
        self.weights = weights.astype(np.float32)
        self.trans = trans.astype(np.float32)
        self.res = res
        self.zero = np.zeros(weights.shape[1], dtype=np.float32)
        # token type -> (1 + len(ROLES), tags) summed weights per role; role 0 is the token itself
        self._cache: dict[str, np.ndarray] = {}
        self._edge: np.ndarray | None = None
        self._forms: dict[str, tuple[str, str]] = {}  # token -> (normalised, stem)
        # "left|right" -> (row of bg+ for the left token, row of bg- for the right one; -1: none)
        self._bigrams: dict[str, tuple[int, int]] = {}
        for a, i in self.index.items():
            if a.startswith(("bg+=", "bg-=")):
                pair = self._bigrams.get(a[4:], (-1, -1))
                self._bigrams[a[4:]] = (i, pair[1]) if a[2] == "+" else (pair[0], i)

    # -- persistence ----------------------------------------------------------------------
    def save(self, path: str | Path, extra: dict | None = None) -> None:
        attrs = sorted(self.index, key=self.index.__getitem__)
        meta = {
            "tags": list(TAGS),
            "attrs": attrs,
            "names": sorted(self.res.names),
            "gazetteer": [[" ".join(k), v] for k, v in sorted(self.res.gazetteer.items())],
            "lexicon": self.res.lexicon,
            "cues": self.res.cues,
            **(extra or {}),
        }
        blob = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        freq_words, freq_vals = pack_freq(self.res.freq)  # large: kept out of the JSON
        # float16 halves the file; the weights are small L1-regularised values, well within range
        np.savez_compressed(
            path,
            meta=blob,
            weights=self.weights.astype(np.float16),
            trans=self.trans,
            freq_words=freq_words,
            freq_vals=freq_vals,
        )

    @classmethod
    def load(cls, path: str | Path) -> tuple[CrfModel, dict]:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode("utf-8"))
            weights, trans = z["weights"].astype(np.float32), z["trans"]
            freq = unpack_freq(z["freq_words"], z["freq_vals"]) if "freq_words" in z else {}
        if meta["tags"] != list(TAGS):
            raise ValueError(f"{path}: CRF tag set {meta['tags']} differs from {list(TAGS)}; retrain it")
        res = CrfResources()
        res.names = frozenset(meta["names"])
        res.gazetteer = {tuple(k.split(" ")): v for k, v in meta["gazetteer"]}
        res.lexicon = meta["lexicon"]
        res.cues = meta.get("cues", {})
        res.freq = freq
        return cls(meta["attrs"], weights, trans, res), meta

    @classmethod
    def from_crfsuite(cls, model_file: str | Path, res: CrfResources) -> CrfModel:
        """Read a trained crfsuite model (needs python-crfsuite, a training dependency)."""
        import pycrfsuite

        tagger = pycrfsuite.Tagger()
        tagger.open(str(model_file))
        info = tagger.info()
        k = {t: i for i, t in enumerate(TAGS)}
        attrs = sorted({a for a, _ in info.state_features})
        index = {a: i for i, a in enumerate(attrs)}
        w = np.zeros((len(attrs), len(TAGS)), dtype=np.float32)
        for (a, label), v in info.state_features.items():
            w[index[a], k[label]] = v
        trans = np.zeros((len(TAGS), len(TAGS)), dtype=np.float32)
        for (a, b), v in info.transitions.items():
            trans[k[a], k[b]] = v
        tagger.close()
        # rounded as `save` stores them, so a model scores the same before and after a save
        return cls(attrs, w.astype(np.float16).astype(np.float32), trans, res)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._forms.clear()

    # -- scoring --------------------------------------------------------------------------
    def _sum(self, attrs: list[str]) -> np.ndarray:
        ids = [self.index[a] for a in attrs if a in self.index]
        return self.weights[ids].sum(0) if ids else self.zero

    def role_table(self, types: Sequence[str]) -> np.ndarray:
        """(len(types) + 1, 1 + len(ROLES), tags): each type's weight sum in each role; the
        last row is the sentence edge (as a neighbour)."""
        k = self.weights.shape[1]
        new = [t for t in dict.fromkeys(types) if t not in self._cache]
        if new:
            if len(self._cache) + len(new) > 100_000:  # bound memory on endless streams
                self._cache.clear()
                new = list(dict.fromkeys(types))
            # one segmented sum for all new types: per-call numpy overhead would dominate otherwise
            cols: list[int] = []
            starts: list[int] = []  # per (type, role) row, where its attribute ids begin in cols
            index = self.index
            res = self.res
            for t in new:
                for attrs in token_roles(t, res):
                    starts.append(len(cols))
                    cols += [c for c in map(index.get, attrs) if c is not None]
            flat = np.zeros((len(new) * (1 + len(ROLES)), k), dtype=np.float32)
            if cols:
                bounds = np.array(starts)
                # reduceat gives an empty segment the row at its start: a zero sentinel row at the
                # end serves empty segments there, and every empty segment is zeroed afterwards
                empty = np.diff(np.append(bounds, len(cols))) == 0
                rows = np.vstack([self.weights[cols], np.zeros((1, k), dtype=np.float32)])
                flat[:] = np.add.reduceat(rows, bounds, axis=0)
                flat[empty] = 0.0
            block = flat.reshape(len(new), 1 + len(ROLES), k)
            for i, t in enumerate(new):
                self._cache[t] = block[i]
        if self._edge is None:
            self._edge = np.zeros((1 + len(ROLES), k), dtype=np.float32)
            for r, attrs in enumerate(token_roles(EDGE, self.res)):
                self._edge[r] = self._sum(attrs)
        return np.stack([*(self._cache[t] for t in types), self._edge])

    def emissions(
        self, tokens: Sequence[str], table: np.ndarray | None = None, ids: Sequence[int] | None = None
    ) -> np.ndarray:
        """(n, tags) state scores: the sum of the weights of `sentence_attrs(tokens)`.

        `table` (from `role_table`) and `ids` (each token's row in it) let a caller share the
        per-type work across many sentences.
        """
        if table is None or ids is None:
            types = list(dict.fromkeys(tokens))
            table = self.role_table(types)
            pos = {t: i for i, t in enumerate(types)}
            ids = [pos[t] for t in tokens]
        em = self.window_scores(table, np.array([ids], dtype=np.int64), np.array([len(tokens)]))[0]
        self.add_context(em, tokens)
        return em

    @staticmethod
    def window_scores(table: np.ndarray, ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """(B, T, tags) token and window scores for a padded batch of row ids into `table`."""
        B, T = ids.shape
        edge = len(table) - 1
        live = np.arange(T)[None, :] < lengths[:, None]
        padded = np.full((B, T + 2 * WINDOW), edge, dtype=np.int64)
        padded[:, WINDOW : WINDOW + T] = np.where(live, ids, edge)
        em = table[padded[:, WINDOW : WINDOW + T], 0]
        for r, role in enumerate(ROLES, 1):
            d = int(role)
            em += table[padded[:, WINDOW + d : WINDOW + d + T], r]
        return em

    def add_context(self, em: np.ndarray, tokens: Sequence[str]) -> None:
        """Add the bigram and gazetteer-span attribute weights to em (n, tags) in place.

        Same attributes as `context_attrs`, looked up without building them: each adjacent
        pair is one lookup in the bigram table, and gazetteer attributes only where a span starts.
        """
        n = len(tokens)
        forms = self._forms
        for t in tokens:
            if t not in forms:
                if len(forms) > 100_000:
                    forms.clear()
                nrm = normalize(t)
                forms[t] = (nrm, strip_clitics(nrm))
        norms = [forms[t][0] for t in tokens]
        rows, cols = [], []
        bigrams = self._bigrams
        for i in range(n - 1):
            hit = bigrams.get(norms[i] + "|" + norms[i + 1])
            if hit is not None:
                if hit[0] >= 0:  # bg+ of the left token
                    rows.append(i)
                    cols.append(hit[0])
                if hit[1] >= 0:  # bg- of the right token
                    rows.append(i + 1)
                    cols.append(hit[1])
        stems = [forms[t][1] for t in tokens]
        firsts = self.res.gaz_firsts
        if any(x in firsts for x in stems):
            index = self.index
            gz = gazetteer_tags(stems, self.res)
            for i in range(n):
                for a in gazetteer_attrs(gz, i):
                    k = index.get(a)
                    if k is not None:
                        rows.append(i)
                        cols.append(k)
        if rows:
            np.add.at(em, np.array(rows), self.weights[cols])

    def marginals(self, tokens: Sequence[str]) -> np.ndarray:
        """(n, tags) posterior tag probabilities (forward-backward)."""
        return forward_backward(self.emissions(tokens), self.trans)


def forward_backward(
    em: np.ndarray, trans: np.ndarray, start: np.ndarray | None = None, end: np.ndarray | None = None
) -> np.ndarray:
    """Per-token marginals of a linear-chain CRF with emissions em (n, K) and transitions (K, K)."""
    return forward_backward_batch(em[None], np.array([len(em)]), trans, start, end)[0]


def bio_allowed() -> tuple[np.ndarray, np.ndarray]:
    """(K, K) allowed transitions and (K,) allowed first tags under BIO (I-T only after B-T/I-T)."""
    k = len(TAGS)
    allowed = np.ones((k, k), dtype=bool)
    for j, b in enumerate(TAGS):
        if b.startswith("I-"):
            for i, a in enumerate(TAGS):
                allowed[i, j] = a[2:] == b[2:]
    first = np.array([not t.startswith("I-") for t in TAGS])
    return allowed, first


_ALLOWED, _FIRST = bio_allowed()


def decode_marginals(p: np.ndarray) -> list[int]:
    """The valid BIO sequence with the highest product of per-token probabilities."""
    return decode_marginals_batch(p[None], np.array([len(p)]))[0]


def forward_backward_batch(
    em: np.ndarray, lengths: np.ndarray, trans: np.ndarray, start: np.ndarray | None = None, end=None
) -> np.ndarray:
    """`forward_backward` for a padded batch em (B, T, K) of sentences with these lengths.

    Works in probability space with per-step rescaling (alpha_t = alpha_{t-1} @ exp(trans) *
    exp(em_t)), so each step is one small matmul instead of a log-sum-exp over (B, K, K); the
    per-token normalisation of alpha * beta cancels the scale factors.
    """
    B, T, K = em.shape
    e = np.exp(em - em.max(-1, keepdims=True)).astype(np.float64)
    m = np.exp(trans.astype(np.float64) - trans.max())
    st = np.ones(K) if start is None else np.exp(start.astype(np.float64) - start.max())
    en = np.ones(K) if end is None else np.exp(end.astype(np.float64) - end.max())
    alpha = np.empty((B, T, K))
    beta = np.empty((B, T, K))
    a = e[:, 0] * st
    alpha[:, 0] = a / a.sum(1, keepdims=True)
    for t in range(1, T):
        a = (alpha[:, t - 1] @ m) * e[:, t]
        a /= a.sum(1, keepdims=True)
        alpha[:, t] = np.where((t < lengths)[:, None], a, alpha[:, t - 1])
    beta[:, T - 1] = en
    for t in range(T - 2, -1, -1):
        b = (e[:, t + 1] * beta[:, t + 1]) @ m.T
        b /= b.sum(1, keepdims=True)
        beta[:, t] = np.where((t + 1 < lengths)[:, None], b, en)
    p = alpha * beta
    p /= p.sum(2, keepdims=True)
    return p


def decode_marginals_batch(p: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
    """`decode_marginals` for a padded batch p (B, T, K)."""
    B, T, K = p.shape
    lp = np.log(p + 1e-9)
    tr = np.where(_ALLOWED, 0.0, -1e9)[None]
    score = lp[:, 0] + np.where(_FIRST, 0.0, -1e9)
    back = np.zeros((B, T, K), dtype=np.int64)
    cols = np.arange(K)
    for t in range(1, T):
        cand = score[:, :, None] + tr
        best = cand.argmax(1)
        new = cand[np.arange(B)[:, None], best, cols[None, :]] + lp[:, t]
        score = np.where((t < lengths)[:, None], new, score)
        back[:, t] = best
    out = []
    for b in range(B):
        k = int(score[b].argmax())
        path = [k]
        for t in range(int(lengths[b]) - 1, 0, -1):
            k = int(back[b, t, k])
            path.append(k)
        out.append(path[::-1])
    return out
