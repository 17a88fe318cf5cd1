"""Actor tagger: load time, speed per 5 KB of text, the most frequent matches, gold coverage.

Speed is measured on 500 corpus articles (tokenized beforehand, as in the pipeline, where the
sentence splitter tokenizes), as wall and CPU time; the target is < 2 ms per 5 KB. The false-hit review is a sample of
200 articles: the most frequent matched surfaces, so that a common word matched as an actor
shows at the top (`top_aliases`), and the share of articles with no conflict word that still
get a named (non-generic) actor.

Coverage is measured on the UniversalPetrarch Arabic gold events (645 news sentences, 2006-2008,
with the source and target actor words of each event): the share of gold actor texts that a
tagged mention in the sentence covers, and, where the gold gives a country code and we tag a
named actor with a country, how often the countries agree.
"""

from __future__ import annotations

import csv
import gzip
import random
import time
from collections import Counter
from pathlib import Path

from bench.corpus import CONFLICT_WORDS, iter_corpus
from marsad.nlp.actors import ActorRegistry, ActorTagger, load_seconds
from marsad.text.normalize import normalize, normalize_text
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


# ISO 3166 alpha-3 codes of the gold file → alpha-2, for the countries the registry knows.
_ISO3 = {
    "USA": "US",
    "ISR": "IL",
    "IRQ": "IQ",
    "PAK": "PK",
    "SOM": "SO",
    "PSE": "PS",
    "AFG": "AF",
    "TUR": "TR",
    "LBN": "LB",
    "SYR": "SY",
    "EGY": "EG",
    "SDN": "SD",
    "IRN": "IR",
    "SAU": "SA",
    "YEM": "YE",
    "DZA": "DZ",
    "MAR": "MA",
    "TUN": "TN",
    "LBY": "LY",
    "JOR": "JO",
    "GBR": "GB",
    "FRA": "FR",
    "RUS": "RU",
    "IND": "IN",
    "CHN": "CN",
    "DEU": "DE",
    "ITA": "IT",
    "ESP": "ES",
    "TCD": "TD",
    "NGA": "NG",
    "MLI": "ML",
    "NER": "NE",
    "KEN": "KE",
    "ETH": "ET",
    "ERI": "ER",
    "MRT": "MR",
    "KWT": "KW",
    "BHR": "BH",
    "QAT": "QA",
    "ARE": "AE",
    "OMN": "OM",
    "CAN": "CA",
    "BEL": "BE",
    "NLD": "NL",
    "AUS": "AU",
}


def gold_coverage(tagger: ActorTagger, shared: Path) -> dict[str, object]:
    """Coverage of the gold source/target actor words by tagged mentions (words are unordered)."""
    file = shared / "data" / "lexicons" / "universalpetrarch" / "arabic_gold_events.tsv.gz"
    with gzip.open(file, "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    total = found = compared = agree = 0
    for row in rows:
        text = normalize(row["text"])
        mentions = [(set(text[s:e].split()), entry) for s, e, entry in tagger.find(text)]
        for side, code_field in (("sourcetext", "sourcecode"), ("targettext", "targetcode")):
            words = [w for w in normalize(row[side]).split() if len(w) > 2]
            if not words:
                continue
            total += 1
            hit = next(
                (
                    entry
                    for span, entry in mentions
                    if any(w == x or x.endswith(w) or w.endswith(x) for w in words for x in span if len(x) > 2)
                ),
                None,
            )
            if hit is None:
                continue
            found += 1
            code = (row[code_field] or "None").split()[0]
            if code in _ISO3 and hit.country and not hit.generic:
                compared += 1
                agree += hit.country == _ISO3[code]
    return {
        "gold_actor_texts": total,
        "gold_actor_recall": round(found / total, 3) if total else None,
        "gold_country_compared": compared,
        "gold_country_agree": round(agree / compared, 3) if compared else None,
    }


def run(shared: Path) -> dict[str, object]:
    c0 = time.process_time()
    load_s = load_seconds()
    load_cpu_s = time.process_time() - c0
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
    t0, c0 = time.perf_counter(), time.process_time()
    for text, tokens in prepared:
        mentions += len(tagger.find(text, tokens))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0

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
        "registry_build_cpu_s": round(load_cpu_s, 3),
        "first_load_with_imports_s": round(first_load_s, 3),
        "articles": len(prepared),
        "ms_per_5kb": round(elapsed * 1000 / (chars / 5000), 3),
        "cpu_ms_per_5kb": round(cpu * 1000 / (chars / 5000), 3),  # wall time suffers on a busy host
        "articles_per_s": round(len(prepared) / elapsed, 1),
        "mentions_per_article": round(mentions / len(prepared), 2),
        "review_articles": len(review),
        "review_peaceful_articles": len(peaceful),
        "review_peaceful_with_named_actor": named_in_peaceful,
        "top_aliases": "; ".join(f"{s}→{n} ×{c}" for s, n, c in top),
        **gold_coverage(tagger, shared),
    }
