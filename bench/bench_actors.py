"""Actor tagger: load time, speed per 5 KB of text, and the most frequent matches.

Speed is measured on 500 corpus articles (tokenized beforehand, as in the pipeline, where the
sentence splitter tokenizes); the target is < 2 ms per 5 KB. The false-hit review is a sample of
200 articles: the most frequent matched surfaces, so that a common word matched as an actor
shows at the top (`top_aliases`), and the share of articles with no conflict word that still
get a named (non-generic) actor.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

from bench.corpus import CONFLICT_WORDS, iter_corpus
from marsad.nlp.actors import ActorRegistry, ActorTagger, load_seconds
from marsad.text.normalize import normalize_text
from marsad.text.tokens import tokenize


def _sample(shared: Path, n: int, seed: int) -> list[dict]:
    docs = list(iter_corpus(shared))
    random.Random(seed).shuffle(docs)
    return docs[:n]


def top_matches(tagger: ActorTagger, docs: list[dict], k: int = 40) -> list[tuple[str, str, int]]:
    """(normalized surface, entry name, count) of the k most frequent matches."""
    counts: Counter[tuple[str, str]] = Counter()
    for d in docs:
        text = normalize_text(d["text"]).text
        for s, e, entry in tagger.find(text):
            counts[(text[s:e], entry.name)] += 1
    return [(surface, name, n) for (surface, name), n in counts.most_common(k)]


def run(shared: Path) -> dict[str, object]:
    load_s = load_seconds()
    t0 = time.perf_counter()
    ActorRegistry.load()
    tagger = ActorTagger()
    first_load_s = time.perf_counter() - t0
    registry = tagger.registry
    entries = list(registry)

    docs = _sample(shared, 500, seed=11)
    prepared = []
    for d in docs:
        norm = normalize_text(d["text"]).text
        prepared.append((norm, tokenize(norm)))
    chars = sum(len(t) for t, _ in prepared)
    mentions = 0
    t0 = time.perf_counter()
    for text, tokens in prepared:
        mentions += len(tagger.find(text, tokens))
    elapsed = time.perf_counter() - t0

    review = docs[:200]
    top = top_matches(tagger, review, 25)
    peaceful = [d for d in review if not any(w in d["text"] for w in CONFLICT_WORDS)]
    named_in_peaceful = sum(
        any(not e.generic for _, _, e in tagger.find(normalize_text(d["text"]).text)) for d in peaceful
    )
    return {
        "actors": len(entries),
        "actors_named": sum(not e.generic for e in entries),
        "arabic_aliases": len(registry.alias_ar),
        "registry_build_s": round(load_s, 3),
        "first_load_with_imports_s": round(first_load_s, 3),
        "articles": len(prepared),
        "ms_per_5kb": round(elapsed * 1000 / (chars / 5000), 3),
        "articles_per_s": round(len(prepared) / elapsed, 1),
        "mentions_per_article": round(mentions / len(prepared), 2),
        "review_articles": len(review),
        "review_peaceful_articles": len(peaceful),
        "review_peaceful_with_named_actor": named_in_peaceful,
        "top_aliases": "; ".join(f"{s}→{n} ×{c}" for s, n, c in top),
    }
