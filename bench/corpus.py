"""Shared helpers for benchmarks that read ../shared/data (never shipped in the package)."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

# Words that mark conflict content; an article with none of them is a false-alarm probe.
CONFLICT_WORDS = (
    "قتل",
    "مقتل",
    "قتلى",
    "هجوم",
    "هجمات",
    "انفجار",
    "تفجير",
    "غارة",
    "غارات",
    "قصف",
    "اشتباك",
    "مسلح",
    "ارهاب",
    "إرهاب",
    "داعش",
    "القاعدة",
    "الحوثي",
    "اعتقال",
    "القبض",
    "مظاهر",
    "احتجاج",
    "متظاهر",
    "جيش",
    "عسكري",
    "حرب",
    "معارك",
    "صاروخ",
    "قذيف",
    "اختطاف",
    "خطف",
    "اغتيال",
    "شرطة",
    "أمن",
    "الأمن",
    "جرحى",
    "انتحاري",
    "ميليشيا",
    "مليشيا",
    "عبوة",
    "لغم",
    "رصاص",
    "سلاح",
    "أسلحة",
    "معتقل",
    "سجن",
    "طائرة",
    "قوات",
)


def corpus_path(shared: Path) -> Path:
    return shared / "data" / "corpus" / "saudinewsnet.jsonl.gz"


def iter_corpus(shared: Path) -> Iterator[dict]:
    with gzip.open(corpus_path(shared), "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def as_input(doc: dict) -> dict:
    """A corpus article in the SCHEMA.md input format."""
    out = {"id": doc["id"], "text": doc["text"]}
    for key in ("title", "source", "url"):
        if doc.get(key):
            out[key] = doc[key]
    date = doc.get("published") or doc.get("date_extracted")
    if isinstance(date, str) and len(date) >= 10:
        out["published"] = date[:10]
    return out


def peaceful_sample(shared: Path, n: int = 100, seed: int = 7) -> list[dict]:
    """n articles with no conflict word at all: any event found in them is a false alarm."""
    pool = [d for d in iter_corpus(shared) if not any(w in d["text"] for w in CONFLICT_WORDS)]
    random.Random(seed).shuffle(pool)
    return pool[:n]


def conflict_sample(shared: Path, n: int = 100, seed: int = 7) -> list[dict]:
    """n articles with several conflict words: where events are expected."""
    pool = [d for d in iter_corpus(shared) if sum(w in d["text"] for w in CONFLICT_WORDS) >= 6]
    random.Random(seed).shuffle(pool)
    return pool[:n]
