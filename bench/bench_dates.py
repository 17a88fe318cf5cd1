"""Date tagger speed and quality: dates tagged per second, dev-set date agreement, inference checks.

Figures:
- speed of DateTagger alone on corpus articles cut to about 5 KB (docs built before the clock);
- dev_date_agreement: on the dev gold events that carry a date, the share where resolve_date at
  the gold evidence span agrees with the gold date at the gold precision (the scorer's rule;
  a span naming several days agrees when one of them does, as the builder makes one event each);
- with the corpus crawl date withheld: how often the reference read from the text falls within
  3 days of it, and how often a year-less "19 سبتمبر" gets the same date as with it;
- dateparser_same_date: the share of our explicit date spans that dateparser (languages=["ar"])
  reads to the same date: what the hand-written grammar adds over the library.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from pathlib import Path

from bench.corpus import as_input, iter_corpus
from marsad.model import Article, Doc
from marsad.nlp.dates import DateTagger, resolve_date
from marsad.pipeline import Pipeline


def _docs(shared: Path, pre: Pipeline, n: int) -> list[Doc]:
    docs = []
    for d in iter_corpus(shared):
        t = d["text"]
        if len(t.encode("utf-8")) >= 5000:
            docs.append(pre(Article.model_validate(as_input(d) | {"text": t[:2800]})))
        if len(docs) >= n:
            break
    return docs


def speed(docs: list[Doc], tagger: DateTagger) -> dict[str, object]:
    kb = statistics.mean(len(d.raw.encode("utf-8")) for d in docs) / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for doc in docs:
        n += sum(m.kind == "date" for m in tagger(doc).mentions)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "articles_per_s_one_core": round(len(docs) / secs),
        "ms_per_article": round(secs / len(docs) * 1000, 3),
        # CPU time is steadier than wall time on a machine shared with other jobs
        "cpu_ms_per_article": round(cpu / len(docs) * 1000, 3),
        "mean_article_kb": round(kb, 1),
        "dates_per_s": round(n / secs),
        "dates_per_article": round(n / len(docs), 2),
    }


def dev_agreement(shared: Path, pipe: Pipeline) -> dict[str, object]:
    dev = shared / "eval" / "dev"
    golds = {}
    for line in (dev / "seeds.gold.jsonl").open(encoding="utf-8"):
        g = json.loads(line)
        golds[g["id"]] = g
    agree = total = 0
    for line in (dev / "seeds.jsonl").open(encoding="utf-8"):
        art = Article.model_validate(json.loads(line))
        doc = pipe(art)
        for ev in golds[art.id]["events"]:
            if not ev.get("date"):
                continue
            pos = doc.raw.find(ev["evidence"][:60])
            if pos < 0:
                continue
            start = doc.norm.norm_pos(pos)
            end = doc.norm.norm_pos(pos + len(ev["evidence"]))
            # A clause naming several days gives one event per day (events/builder.py), so
            # the gold date may be any of them; otherwise resolve_date's single answer counts.
            days = [m.value.iso for m in doc.in_span(start, end, "date") if m.value.precision == "day"]
            value = resolve_date(doc, start, end)
            isos = days if len(days) > 1 else [value.iso if value else None]
            total += 1
            agree += any(iso and iso.startswith(ev["date"]) for iso in isos)
    return {"dev_date_agreement": f"{agree / max(total, 1):.2f} ({agree}/{total})"}


def inference(shared: Path, pipe: Pipeline, n: int = 1500) -> dict[str, object]:
    """Withhold the crawl date and compare what the text alone gives."""
    ref_near = ref_year = ref_found = undated = 0
    same_year = partial = 0
    for i, d in enumerate(iter_corpus(shared)):
        if len(d["text"].strip()) < 200 or i % 7:
            continue
        inp = as_input(d)
        if "published" not in inp:
            continue
        crawl = dt.date.fromisoformat(inp["published"])
        with_pub = pipe(Article.model_validate(inp))
        without = pipe(Article.model_validate(inp | {"published": None}))
        undated += 1
        if without.reference_date is not None:
            ref_found += 1
            ref_near += abs((without.reference_date - crawl).days) <= 3
            ref_year += without.reference_date.year == crawl.year
        a = {(m.start, m.end): m.value for m in with_pub.of_kind("date")}
        for m in without.of_kind("date"):
            v = a.get((m.start, m.end))
            if v is None or not m.value.year_inferred or v.relative or not v.iso:
                continue
            partial += 1
            same_year += m.value.iso == v.iso
        if undated >= n:
            break
    return {
        "undated_articles": undated,
        "text_reference_found": f"{ref_found / max(undated, 1):.2f}",
        "text_reference_within_3_days": f"{ref_near / max(ref_found, 1):.2f} ({ref_near}/{ref_found})",
        "text_reference_same_year": f"{ref_year / max(ref_found, 1):.2f} ({ref_year}/{ref_found})",
        "yearless_dates_same_without_published": f"{same_year / max(partial, 1):.2f} ({same_year}/{partial})",
    }


def dateparser_coverage(docs: list[Doc], n: int = 300) -> dict[str, object]:
    import dateparser

    spans = []
    for doc in docs:
        for m in doc.of_kind("date"):
            v = m.value
            if not v.relative and not v.year_inferred and v.precision == "day":
                spans.append((doc.surface(m.start, m.end), v.iso))
    spans = spans[:n]
    same = 0
    t0 = time.perf_counter()
    for surface, iso in spans:
        got = dateparser.parse(surface, languages=["ar"])
        same += bool(got and got.date().isoformat() == iso)
    secs = time.perf_counter() - t0
    return {
        "dateparser_same_date": f"{same / max(len(spans), 1):.2f} ({same}/{len(spans)})",
        "dateparser_ms_per_span": round(secs / max(len(spans), 1) * 1000, 2),
    }


def run(shared: Path) -> dict[str, object]:
    pre = Pipeline.from_names(["marsad.pipeline:SentenceSplitter"])
    pipe = Pipeline.from_names(["marsad.pipeline:SentenceSplitter", "marsad.nlp.dates:DateTagger"])
    tagger = DateTagger()
    docs = _docs(shared, pre, 600)
    out = speed(docs, tagger)
    out |= dev_agreement(shared, pipe)
    out |= inference(shared, pipe)
    out |= dateparser_coverage(docs)
    return out
