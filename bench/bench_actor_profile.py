"""Actor profiles: GET /api/actors/{id} latency at 1M events, and what the profiles find on real news.

1. Speed: the storage benchmark's 1,000,000-event SQLite database (bench_api's generator and
   cache under bench/results/tmp/), served by the real app over HTTP once its column copy is
   loaded; p50/p95 of GET /api/actors/{id} for a parent with branches (the Islamic State, its
   provinces included) and groups with one entry (Boko Haram, Hezbollah, Ansaru),
   20 requests each, every profile built anew (`Cache-Control: no-cache`, past the response cache).
2. Content: the five bundled sample articles plus the SaudiNewsNet articles that name the
   Islamic State with Libya, or Boko Haram (at most MAX_CORPUS of them, in corpus order), run
   through the pipeline into a SQLite file; the figures are what the profiles of the Islamic
   State, its Libyan and West African provinces and Boko Haram contain.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_api import N_EVENTS, TMP, Server, _cached_sqlite
from marsad.jsonl import read_articles
from marsad.model import Article
from marsad.pipeline import Pipeline
from marsad.profiles import actor_profile
from marsad.resources import path as resource_path
from marsad.store.db import Store

MAX_CORPUS = int(os.environ.get("MARSAD_BENCH_PROFILE_ARTICLES", "400"))
CORPUS_VERSION = "2"  # bump when extraction changes: the corpus store is rebuilt
SPEED_ACTORS = {"is": "داعش", "boko_haram": "Boko Haram", "hezbollah": "حزب الله", "ansaru": "Ansaru"}
CONTENT_ACTORS = {"is": "ISIS", "is_libya": "ولاية سرت", "iswap": "ولاية غرب إفريقيا", "boko_haram": "بوكو حرام"}
_IS = re.compile("داعش|تنظيم الدولة")
_LIBYA = re.compile("ليبيا|سرت|درنة|بنغازي")
_BH = re.compile("بوكو حرام")


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def speed(db: Path, repeats: int = 20) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # "no-cache": each profile built anew, past the server's response cache (which answers a
    # repeat in a few ms until the next write)
    headers = {"Cache-Control": "no-cache"}
    with Server(str(db)) as srv, httpx.Client(base_url=srv.url, timeout=60, headers=headers) as client:
        out["columns_load_s"] = round(srv.columns_load_s, 1)
        for label, name in SPEED_ACTORS.items():
            t0 = time.perf_counter()
            client.get(f"/api/actors/{name}").raise_for_status()  # the first also builds the actor index
            out[f"{label}_first_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                r = client.get(f"/api/actors/{name}")
                times.append((time.perf_counter() - t0) * 1000)
                r.raise_for_status()
            body = r.json()
            out[f"{label}_events"] = body["summary"]["events"]
            out[f"{label}_p50_ms"] = round(statistics.median(times), 1)
            out[f"{label}_p95_ms"] = round(_pct(times, 0.95), 1)
            out[f"{label}_kb"] = round(len(r.content) / 1024)
    return out


def corpus_articles(shared: Path) -> list[Article]:
    """The sample articles and the corpus articles about the IS in Libya or Boko Haram."""
    arts = [a for a in read_articles(str(resource_path("samples/articles.jsonl"))) if isinstance(a, Article)]
    with gzip.open(shared / "data" / "corpus" / "saudinewsnet.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(arts) >= 5 + MAX_CORPUS:
                break
            a = json.loads(line)
            text = a.get("text") or ""
            if not (_BH.search(text) or (_IS.search(text) and _LIBYA.search(text))):
                continue
            day = (a.get("published") or a.get("date_extracted") or "")[:10] or None
            arts.append(
                Article(
                    id=a["id"], text=text, title=a.get("title"), published=day, source=a.get("source"), url=a.get("url")
                )
            )
    return arts


def content(shared: Path) -> dict[str, Any]:
    db = TMP / f"actor_corpus_{MAX_CORPUS}_v{CORPUS_VERSION}.sqlite"
    out: dict[str, Any] = {}
    if not db.exists():
        arts = corpus_articles(shared)
        building = db.with_suffix(".building")
        building.unlink(missing_ok=True)
        store = Store(str(building), columns=False)
        pipe = Pipeline.default()
        t0 = time.perf_counter()
        for a in arts:
            store.save(pipe(a))
        out["corpus_build_s"] = round(time.perf_counter() - t0, 1)
        store.close()
        building.rename(db)
    store = Store(str(db), columns=False)
    try:
        out["corpus_articles"] = store.count(__import__("marsad.store.schema", fromlist=["articles"]).articles)
        for label, name in CONTENT_ACTORS.items():
            t0 = time.perf_counter()
            p = actor_profile(store, name)
            out[f"corpus_{label}_profile_ms"] = round((time.perf_counter() - t0) * 1000, 1)
            out[f"corpus_{label}_events"] = p["summary"]["events"]
            out[f"corpus_{label}_fatalities"] = p["summary"]["fatalities"]
            out[f"corpus_{label}_admin1_areas"] = p["summary"]["admin1_areas"]
            out[f"corpus_{label}_estimates"] = len(p["estimates"])
            out[f"corpus_{label}_text_relations"] = sum(1 for r in p["relations"] if r["source"] == "text")
            out[f"corpus_{label}_spokespeople"] = len(p["spokespeople"])
            out[f"corpus_{label}_claims"] = len(p["claims"])
        same = {
            json.dumps(actor_profile(store, n)["summary"], sort_keys=True) for n in ("داعش", "تنظيم الدولة", "ISIS")
        }
        out["aliases_same_profile"] = len(same) == 1
    finally:
        store.close()
    return out


def run(shared: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    figures.update(content(shared))
    db, built = _cached_sqlite(N_EVENTS)
    if built is not None:
        figures["sqlite_build_s"] = round(built, 1)
    figures["speed_db_events"] = N_EVENTS
    figures.update(speed(db))
    return figures
