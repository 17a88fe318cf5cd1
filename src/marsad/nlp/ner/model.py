"""The shipped NER tagger: char-CNN + word features -> BiLSTM -> CRF, run in numpy (no torch).

Weights and vocabularies live in `marsad/resources/ner/model.npz`, exported by
`marsad.nlp.ner.train`. Several models in one file (an ensemble) are averaged at the
emission level and share one CRF transition matrix (averaged too) for Viterbi decoding.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from marsad.nlp.ner.crf import CrfModel, decode_marginals_batch, forward_backward_batch
from marsad.nlp.ner.data import iter_chunks, normalize, strip_clitics
from marsad.nlp.ner.features import (
    MAX_CHARS,
    UNK,
    Featurizer,
    Lexicon,
    char_form,
    group_sentences,
    shape,
    stem_key,
    unpack_freq,
)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "ner" / "model.npz"
CRF_NAME = "crf.npz"  # the feature CRF of the ensemble, beside the BiLSTM weights
_BATCH_TOKENS = 4096  # tokens per padded batch: big enough for matmuls, small enough for cache
_CACHE_MAX = 50_000  # token types whose input vector is cached (about 1 kB each)


class _Net:
    """One member of the ensemble: its weights and the numpy forward pass to emission scores."""

    def __init__(self, w: dict[str, np.ndarray], prefix: str, layers: int) -> None:
        g = {k[len(prefix) :]: v.astype(np.float32) for k, v in w.items() if k.startswith(prefix)}
        self.emb_word, self.emb_stem, self.emb_shape = g["emb_word"], g["emb_stem"], g["emb_shape"]
        self.emb_char = g["emb_char"]
        # conv weight (F, C, K) -> (K*C, F) so a window of K char vectors is one matmul
        cw = g["conv_w"]
        self.conv_k = cw.shape[2]
        self.conv_w = cw.transpose(2, 1, 0).reshape(-1, cw.shape[0])
        self.conv_b = g["conv_b"]
        self.lstm = []
        for layer in range(layers):
            w_in, u, bias = [], [], []
            for d in ("f", "b"):
                p = f"lstm{layer}{d}_"
                # torch gate order (i, f, g, o) -> (i, f, o, g): one sigmoid call covers three gates
                H = g[p + "w_hh"].shape[1]
                order = _gate_order(H)
                # sigmoid(x) = 0.5 * tanh(x / 2) + 0.5: halving the sigmoid gates' weights (exact in
                # floating point) lets one tanh call serve all four gates
                scale = np.ones((4 * H, 1), dtype=np.float32)
                scale[: 3 * H] = 0.5
                w_in.append((g[p + "w_ih"][order] * scale).T)
                u.append((g[p + "w_hh"][order] * scale).T)
                bias.append((g[p + "b_ih"] + g[p + "b_hh"])[order] * scale[:, 0])
            # both directions' input projections in one matmul; recurrences as one batched matmul
            self.lstm.append((np.concatenate(w_in, 1).copy(), np.concatenate(bias), np.stack(u)))
        self.out_w, self.out_b = g["out_w"].T.copy(), g["out_b"]
        self.trans, self.start, self.end = g["crf_trans"], g["crf_start"], g["crf_end"]
        self.cache: dict[str, np.ndarray] = {}

    def token_vectors(self, word, stem, shp, chars, lex) -> np.ndarray:
        """(n, D) input vectors for n token types: embeddings, char-CNN max-pool and lexicon."""
        n = len(word)
        ce = self.emb_char[chars]  # (n, L, C)
        k = self.conv_k
        pad = k // 2
        ce = np.pad(ce, ((0, 0), (pad, pad), (0, 0)))
        L = chars.shape[1]
        win = np.concatenate([ce[:, j : j + L] for j in range(k)], axis=2)  # (n, L, K*C)
        conv = win @ self.conv_w + self.conv_b  # (n, L, F)
        length = np.maximum((chars > 0).sum(1), 1)
        mask = np.arange(L)[None, :] < length[:, None]
        conv = np.where(mask[:, :, None], conv, -np.inf).max(1)
        return np.concatenate(
            [self.emb_word[word], self.emb_stem[stem], self.emb_shape[shp], conv, lex], axis=1
        ).reshape(n, -1)

    def project(self, x: np.ndarray) -> np.ndarray:
        """First-layer input projections (both directions) of token vectors x (n, D) -> (n, 8H).

        They depend on the token type only, so callers compute them once per distinct token.
        """
        w_in, bias, _ = self.lstm[0]
        return x @ w_in + bias

    def emissions(self, proj0: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """proj0 (N, 8H) for the N real tokens of a batch whose (B, T) `mask` is padded at the end."""
        B, T = mask.shape
        fmask = mask.astype(np.float32)
        x = proj0
        for layer, (w_in, bias, u) in enumerate(self.lstm):
            proj = np.zeros((B, T, 2 * u.shape[2]), dtype=np.float32)
            proj[mask] = x if layer == 0 else x @ w_in + bias
            x = self._run(proj, u, fmask)[mask]
        return x @ self.out_w + self.out_b

    @staticmethod
    def _run(proj: np.ndarray, u: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Both LSTM directions at once: state (2, B, H), direction 1 walks the sequence backwards.

        Inputs are laid out time-major first so each step reads contiguous memory, and the step
        works in place to avoid allocations (the per-step Python overhead dominates small batches).
        """
        B, T, _ = proj.shape
        H = u.shape[1]
        xs = np.empty((T, 2, B, 4 * H), dtype=np.float32)
        xs[:, 0] = proj[:, :, : 4 * H].transpose(1, 0, 2)
        xs[:, 1] = proj[:, ::-1, 4 * H :].transpose(1, 0, 2)
        ms = np.empty((T, 2, B, 1), dtype=np.float32)
        ms[:, 0, :, 0] = mask.T
        ms[:, 1, :, 0] = mask[:, ::-1].T
        hs = np.empty((T, 2, B, H), dtype=np.float32)
        h = np.zeros((2, B, H), dtype=np.float32)
        c = np.zeros((2, B, H), dtype=np.float32)
        gates = np.empty((2, B, 4 * H), dtype=np.float32)
        for s in range(T):
            np.matmul(h, u, out=gates)
            gates += xs[s]
            np.tanh(gates, out=gates)
            sig = gates[:, :, : 3 * H]
            sig *= 0.5
            sig += 0.5
            c *= sig[:, :, H : 2 * H]
            c += sig[:, :, :H] * gates[:, :, 3 * H :]
            # Padding sits at the end: zeroing the state there makes the backward pass start fresh
            # at each sentence's own last token, as torch's packed sequences do.
            c *= ms[s]
            h = np.tanh(c)
            h *= sig[:, :, 2 * H :]
            hs[s] = h
        out = np.empty((B, T, 2 * H), dtype=np.float32)
        out[:, :, :H] = hs[:, 0].transpose(1, 0, 2)
        out[:, :, H:] = hs[::-1, 1].transpose(1, 0, 2)
        return out


def _gate_order(H: int) -> np.ndarray:
    """Row order that turns torch's (i, f, g, o) gate blocks into (i, f, o, g)."""
    return np.concatenate([np.arange(0, 2 * H), np.arange(3 * H, 4 * H), np.arange(2 * H, 3 * H)])


class NerTagger:
    """Arabic NER (PERS, LOC, ORG, MISC) in BIO. `NerTagger.load()` is cached per process."""

    _lock = threading.Lock()
    _loaded: dict[str, NerTagger] = {}

    def __init__(self, path: str | Path = DEFAULT_PATH, crf: bool | str | Path = True) -> None:
        """Load the BiLSTM-CRF at `path` and, with `crf` (True: `crf.npz` beside it, if there; or
        a path), the feature CRF whose marginals are averaged with the BiLSTM's."""
        self.crf: CrfModel | None = None
        self.crf_weight = 0.0
        crf_path = Path(path).with_name(CRF_NAME) if crf is True else Path(crf) if crf else None
        if crf_path is not None and (crf is not True or crf_path.is_file()):
            self.crf, crf_meta = CrfModel.load(crf_path)
            self.crf_weight = float(crf_meta["ensemble_weight"])
        with np.load(path, allow_pickle=False) as z:
            w = {k: z[k] for k in z.files}
        meta = json.loads(bytes(w.pop("meta")).decode("utf-8"))
        self.meta = meta
        self.tags: list[str] = meta["tags"]
        word_lex = Lexicon(dict(zip(meta["lex_word_keys"], w.pop("lex_word"), strict=True)))
        stem_lex = Lexicon(dict(zip(meta["lex_stem_keys"], w.pop("lex_stem"), strict=True)))
        gaz = None
        if "lex_gaz_keys" in meta:
            gaz = Lexicon(dict(zip(meta["lex_gaz_keys"], w.pop("lex_gaz"), strict=True)))
        freq = unpack_freq(w.pop("freq_words"), w.pop("freq_vals")) if "freq_words" in w else None
        self.featurizer = Featurizer(
            meta["words"], meta["stems"], meta["shapes"], meta["chars"], word_lex, stem_lex, gaz, freq
        )
        self.nets = [_Net(w, f"m{i}_", meta["layers"]) for i in range(meta["n_models"])]
        self.trans = np.mean([n.trans for n in self.nets], axis=0)
        self.start = np.mean([n.start for n in self.nets], axis=0)
        self.end = np.mean([n.end for n in self.nets], axis=0)
        self._cache: dict[str, int] = {}
        self._store: np.ndarray | None = None
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls, path: str | Path | None = None) -> NerTagger:
        """The packaged model (or the one at `path`), loaded once per process."""
        key = str(path or DEFAULT_PATH)
        with cls._lock:
            if key not in cls._loaded:
                cls._loaded[key] = cls(key)
            return cls._loaded[key]

    def clear_caches(self) -> None:
        """Forget both models' per-token-type features (to time a cold start, or free memory)."""
        with self._cache_lock:
            self._cache.clear()
            if self.crf is not None:
                self.crf.clear_cache()

    # -- features ---------------------------------------------------------------------------
    def _vectors(self, tokens: list[str]) -> np.ndarray:
        """(n, models, D) input vectors for these tokens, computed once per token type."""
        with self._cache_lock:  # the cache is shared by threads that share the tagger
            return self._vectors_locked(tokens)

    def _vectors_locked(self, tokens: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(tokens) if t not in self._cache]
        if new:
            if len(self._cache) + len(new) > _CACHE_MAX:
                # a simple reset keeps memory bounded; news vocabularies rarely get here
                self._cache.clear()
                new = list(dict.fromkeys(tokens))
            enc = self.featurizer
            norms = [normalize(t) for t in new]  # word_key, once per type
            keys = [(n, strip_clitics(n)) for n in norms]
            word = np.array([enc.word_index.get(w, UNK) for w, _ in keys])
            stem = np.array([enc.stem_index.get(s, UNK) for _, s in keys])
            shp = np.array([enc.shape_index.get(shape(t), UNK) for t in new])
            chars = np.zeros((len(new), MAX_CHARS), dtype=np.int64)
            ci = enc.char_index
            for i, (t, n) in enumerate(zip(new, norms, strict=True)):
                for j, ch in enumerate(char_form(t, n)):
                    chars[i, j] = ci.get(ch, UNK)
            lex = enc.lex_features(new, keys)
            vec = np.stack([n.token_vectors(word, stem, shp, chars, lex) for n in self.nets], axis=1)
            base = len(self._cache)
            need = base + len(new)
            if self._store is None or need > len(self._store):
                cap = max(need, 2 * (0 if self._store is None else len(self._store)), 4096)
                grown = np.zeros((cap, *vec.shape[1:]), dtype=np.float32)
                if self._store is not None and base:
                    grown[:base] = self._store[:base]
                self._store = grown
            self._store[base:need] = vec
            for i, t in enumerate(new):
                self._cache[t] = base + i
        return self._store[np.fromiter((self._cache[t] for t in tokens), dtype=np.int64, count=len(tokens))]

    # -- decoding ---------------------------------------------------------------------------
    def _viterbi(self, em: np.ndarray, lengths: np.ndarray) -> list[list[int]]:
        B, T, K = em.shape
        score = self.start[None, :] + em[:, 0]
        back = np.zeros((B, T, K), dtype=np.int64)
        for t in range(1, T):
            cand = score[:, :, None] + self.trans[None, :, :]  # (B, from, to)
            best = cand.argmax(1)
            new = np.take_along_axis(cand, best[:, None, :], 1)[:, 0] + em[:, t]
            live = (t < lengths)[:, None]
            score = np.where(live, new, score)
            back[:, t] = best
        score = score + self.end[None, :]
        out = []
        for b in range(B):
            n = int(lengths[b])
            k = int(score[b].argmax())
            path = [k]
            for t in range(n - 1, 0, -1):
                k = int(back[b, t, k])
                path.append(k)
            out.append(path[::-1])
        return out

    def tag_many(self, sentences: Sequence[Sequence[str]], propagate: bool | None = None) -> list[list[str]]:
        """BIO tags for many token lists at once (batched: much faster than one by one).

        Pass the sentences of one article (or a run of articles) together: with `propagate`
        (default: the model's setting), a name tagged in one sentence is also tagged where the
        model missed it in another, as writers repeat names (first in full, then alone).
        """
        block = int(self.meta.get("config", {}).get("block", 0))
        if block > 0:
            # the model was trained on runs of consecutive sentences: tag the input the same way
            keep = [i for i, s in enumerate(sentences) if len(s)]
            groups = [[keep[j] for j in g] for g in group_sentences([len(sentences[i]) for i in keep], block)]
            units = [[t for i in g for t in sentences[i]] for g in groups]
            tagged = self._tag_units(units)
            result: list[list[str]] = [[] for _ in sentences]
            for g, tg in zip(groups, tagged, strict=True):
                pos = 0
                for i in g:
                    result[i] = tg[pos : pos + len(sentences[i])]
                    pos += len(sentences[i])
        else:
            result = self._tag_units(sentences)
        min_count = self.meta.get("propagate_min", 0)
        if (propagate is None and min_count) or propagate:
            result = propagate_mentions(sentences, result, max(min_count, 1))
        return result

    def _tag_units(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """Tags for each token sequence: BiLSTM-CRF Viterbi, or with a CRF attached, the best
        BIO path through the weighted average of both models' marginals."""
        ensemble = self.crf is not None and self.crf_weight > 0
        return self._run_units(sentences, "ensemble" if ensemble else "viterbi")

    def marginals(self, sentences: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """The BiLSTM-CRF's (n, tags) posterior tag probabilities per sentence (no CRF, no blocks)."""
        return self._run_units(sentences, "marginals")

    def _run_units(self, sentences: Sequence[Sequence[str]], mode: str) -> list:
        """Per token sequence, batched by length: Viterbi tags ("viterbi"), the BiLSTM's
        marginals ("marginals"), or tags decoded from the averaged marginals ("ensemble")."""
        result: list = [[] for _ in sentences]
        order = sorted((i for i, s in enumerate(sentences) if len(s)), key=lambda i: len(sentences[i]))
        # distinct tokens of the whole call: vectors and first-layer projections once per type
        flat_all = [str(t) for s in sentences for t in s]
        types = list(dict.fromkeys(flat_all))
        type_id = {t: i for i, t in enumerate(types)}
        vecs = self._vectors(types) if types else None
        projs = [net.project(vecs[:, m]) for m, net in enumerate(self.nets)] if types else []
        crf_table = self.crf.role_table(types) if mode == "ensemble" and types else None
        pos = 0
        while pos < len(order):
            # fill a batch up to a token budget; sentences are sorted so padding is small
            T = len(sentences[order[pos]])
            end = pos
            while end < len(order) and (end - pos + 1) * max(T, len(sentences[order[end]])) <= _BATCH_TOKENS:
                T = max(T, len(sentences[order[end]]))
                end += 1
            end = max(end, pos + 1)
            batch = order[pos:end]
            T = max(len(sentences[i]) for i in batch)
            lengths = np.array([len(sentences[i]) for i in batch])
            mask = np.arange(T)[None, :] < lengths[:, None]
            ids = np.array([type_id[str(t)] for i in batch for t in sentences[i]], dtype=np.int64)
            em = None
            for net, proj in zip(self.nets, projs, strict=True):
                e = np.zeros((len(batch), T, len(self.tags)), dtype=np.float32)
                e[mask] = net.emissions(proj[ids], mask)
                em = e if em is None else em + e
            em = em / len(self.nets)
            if mode == "viterbi":
                for i, path in zip(batch, self._viterbi(em, lengths), strict=True):
                    result[i] = [self.tags[k] for k in path]
            else:
                p = forward_backward_batch(em, lengths, self.trans, self.start, self.end)
                if mode == "marginals":
                    for b, i in enumerate(batch):
                        result[i] = p[b, : lengths[b]]
                else:
                    rows = np.zeros((len(batch), T), dtype=np.int64)
                    rows[mask] = ids
                    crf_em = self.crf.window_scores(crf_table, rows, lengths)
                    for b, i in enumerate(batch):
                        self.crf.add_context(crf_em[b], [str(t) for t in sentences[i]])
                    q = forward_backward_batch(crf_em, lengths, self.crf.trans)
                    w = self.crf_weight
                    for i, path in zip(batch, decode_marginals_batch(w * q + (1 - w) * p, lengths), strict=True):
                        result[i] = [self.tags[k] for k in path]
            pos = end
        return result

    def tag(self, tokens: Sequence[str]) -> list[str]:
        """BIO tags (O, B-PERS, I-LOC, ...) for one tokenised sentence."""
        return self.tag_many([tokens])[0]

    def entities(self, tokens: Sequence[str]) -> list[tuple[int, int, str]]:
        """Entity spans as (start token, end token exclusive, type)."""
        return list(iter_chunks(self.tag(tokens)))


# propagation runs on every call: stems of repeated tokens come from a cache
_stem = functools.lru_cache(maxsize=200_000)(stem_key)


def propagate_mentions(
    sentences: Sequence[Sequence[str]], tags: list[list[str]], min_count: int = 1, max_len: int = 4
) -> list[list[str]]:
    """Document-level consistency: tag untagged repeats of names tagged elsewhere in the call.

    A token sequence (compared by clitic-stripped stems) qualifies if it was tagged as one type
    at least `min_count` times and as an entity in at least half of its occurrences; then its
    untagged (all O) occurrences get that type. Longest names are applied first.
    """
    keyed = [[_stem(t) for t in s] for s in sentences]
    found: dict[tuple[str, ...], Counter] = {}
    for ks, tg in zip(keyed, tags, strict=True):
        for s, e, typ in iter_chunks(tg):
            if e - s <= max_len:
                found.setdefault(tuple(ks[s:e]), Counter())[typ] += 1
    if not found:
        return tags
    seen: Counter = Counter()
    firsts = {k[0] for k in found}  # only n-grams starting with a found name's first stem can match
    for ks in keyed:
        for i, first in enumerate(ks):
            if first not in firsts:
                continue
            for n in range(1, min(max_len, len(ks) - i) + 1):
                key = tuple(ks[i : i + n])
                if key in found:
                    seen[key] += 1
    good = {}
    for key, c in found.items():
        typ, k = c.most_common(1)[0]
        if k >= min_count and 2 * sum(c.values()) >= seen[key]:
            good[key] = typ
    firsts = {k[0] for k in good}
    out = [list(tg) for tg in tags]
    for ks, tg in zip(keyed, out, strict=True):
        i = 0
        while i < len(ks):
            if ks[i] not in firsts:
                i += 1
                continue
            for n in range(min(max_len, len(ks) - i), 0, -1):
                key = tuple(ks[i : i + n])
                if key in good and all(t == "O" for t in tg[i : i + n]):
                    typ = good[key]
                    tg[i : i + n] = [f"B-{typ}"] + [f"I-{typ}"] * (n - 1)
                    i += n - 1
                    break
            i += 1
    return out


__all__ = ["NerTagger"]
