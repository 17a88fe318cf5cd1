"""Site furniture removal for scraped text: breadcrumbs, share counters, related links, site names.

Cleaning only DROPS whole lines (never rewrites a kept line), so every evidence string the
extractor quotes still occurs verbatim in the input. The patterns live in
`resources/boilerplate.yaml`; lines that repeat across many articles of one source are learned
by `LineLearner` and dropped from that source's articles too.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache

from marsad.resources import load_yaml


@dataclass(frozen=True)
class Rules:
    drop: tuple[tuple[str, re.Pattern[str]], ...]
    counter: re.Pattern[str]
    markers: tuple[re.Pattern[str], ...]
    sentence_end: re.Pattern[str]
    headline_max_words: int
    max_headlines: int
    learn_min_articles: int
    learn_min_share: float
    learn_max_chars: int
    learn_max_words: int
    learn_keep: tuple[re.Pattern[str], ...]


@cache
def rules() -> Rules:
    data = load_yaml("boilerplate.yaml")
    drop = tuple((kind, re.compile(p, re.IGNORECASE)) for kind, pats in data["drop_line"].items() for p in pats)
    rel = data["related_block"]
    learn = data["learn"]
    return Rules(
        drop=drop,
        counter=re.compile(data["counter_line"]),
        markers=tuple(re.compile(p, re.IGNORECASE) for p in rel["markers"]),
        sentence_end=re.compile(data["sentence_end"]),
        headline_max_words=int(rel["headline_max_words"]),
        max_headlines=int(rel["max_headlines"]),
        learn_min_articles=int(learn["min_articles"]),
        learn_min_share=float(learn["min_share"]),
        learn_max_chars=int(learn["max_line_chars"]),
        learn_max_words=int(learn["max_words"]),
        learn_keep=tuple(re.compile(p) for p in learn["keep"]),
    )


def line_key(line: str) -> str:
    """A short key for a line, whitespace-insensitive (learned lines are stored by key)."""
    return hashlib.blake2b(" ".join(line.split()).encode("utf-8"), digest_size=8).hexdigest()


def drop_reason(line: str, source: str | None = None) -> str | None:
    """Why one stripped line is furniture ("breadcrumb", "share", ...), or None to keep it."""
    if not line:
        return None
    if source:
        src = source.strip().casefold()
        low = line.casefold()
        # The site's own name alone, or as a dateline prefix ("أخبار الآن | ليبيا – (وكالات)").
        own = low == src or (low.startswith(src) and re.match(r"^\s*[|:\-–—]", low[len(src) :]))
        if own and len(line.split()) <= 10:
            return "site_name"
    for kind, pat in rules().drop:
        if pat.search(line):
            return kind
    return None


def _is_headline(line: str, r: Rules) -> bool:
    return len(line.split()) <= r.headline_max_words and not r.sentence_end.search(line)


def furniture_lines(lines: list[str], source: str | None = None, learned: Collection[str] = ()) -> dict[int, str]:
    """The indexes of the furniture lines of a text, each with the reason it is dropped."""
    r = rules()
    out: dict[int, str] = {}
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        if any(m.search(line) for m in r.markers):
            out[i] = "related"
            # The related headlines after the marker: short lines that do not end a sentence.
            j, taken = i + 1, 0
            while j < n and taken < r.max_headlines:
                nxt = lines[j].strip()
                if not nxt:
                    j += 1
                    continue
                if not _is_headline(nxt, r):
                    break
                out[j] = "related"
                taken += 1
                j += 1
            i = j
            continue
        reason = drop_reason(line, source)
        if reason is None and learned and line_key(line) in learned:
            reason = "learned"
        if reason is not None:
            out[i] = reason
        i += 1
    # Share counters: bare numbers next to a dropped share line ("Total" / "0" / "مشاركة").
    nonblank = [k for k, ln in enumerate(lines) if ln.strip()]
    for pos, k in enumerate(nonblank):
        if k in out or not r.counter.match(lines[k].strip()):
            continue
        near = nonblank[max(0, pos - 1) : pos] + nonblank[pos + 1 : pos + 2]
        if any(out.get(j) == "share" for j in near):
            out[k] = "share"
    return out


def clean_text(text: str, source: str | None = None, learned: Collection[str] = ()) -> str:
    """The text without its furniture lines; kept lines are returned unchanged, in order.

    `learned` holds `line_key`s learned for this source (see `LineLearner`). Runs of blank lines
    left by dropped lines are collapsed to one blank line.
    """
    lines = text.split("\n")
    drop = furniture_lines(lines, source, learned)
    return keep_lines(lines, drop) if drop else text


def keep_lines(lines: list[str], drop: Collection[int]) -> str:
    """The lines not in `drop`, in order, without leading, trailing or doubled blank lines."""
    kept: list[str] = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        if not line.strip() and (not kept or not kept[-1].strip()):
            continue  # no leading blank lines, no double blank lines
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def learnable_keys(text: str) -> set[str]:
    """The keys of the lines of one article that may be learned as furniture (short, not kept by rule)."""
    r = rules()
    return {
        line_key(s)
        for s in (ln.strip() for ln in text.split("\n"))
        if s
        and len(s) <= r.learn_max_chars
        and len(s.split()) <= r.learn_max_words
        and not any(p.search(s) for p in r.learn_keep)
    }


@dataclass
class LineLearner:
    """Learns, per source, the lines repeated across many of its articles (site furniture).

    A line counts once per article. It becomes boilerplate for a source when it was seen in at
    least `min_articles` articles and in at least `min_share` of the articles seen for it; once
    learned it stays learned (checking only the lines just seen keeps `observe` O(lines)).
    """

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    articles: Counter[str] = field(default_factory=Counter)
    found: dict[str, set[str]] = field(default_factory=dict)
    new: dict[str, set[str]] = field(default_factory=dict)  # learned since `take_new`

    def observe(self, source: str | None, text: str) -> None:
        if source:
            self.observe_keys(source, learnable_keys(text))

    def observe_keys(self, source: str | None, keys: Collection[str]) -> None:
        """`observe` with the article's `learnable_keys` already computed (by a worker process)."""
        if not source:
            return
        r = rules()
        counts = self.counts.setdefault(source, Counter())
        counts.update(keys)
        self.articles[source] += 1
        need = max(r.learn_min_articles, r.learn_min_share * self.articles[source])
        found = self.found.setdefault(source, set())
        for k in keys:
            if k not in found and counts[k] >= need:
                found.add(k)
                self.new.setdefault(source, set()).add(k)

    def learned(self, source: str | None) -> set[str]:
        return self.found.get(source, set()) if source else set()

    def merge_known(self, source: str, keys: Iterable[str]) -> None:
        """Lines learned in earlier runs (kept in the database)."""
        self.found.setdefault(source, set()).update(keys)

    def take_new(self) -> dict[str, set[str]]:
        """The lines learned since the last call (to be saved), and forget that they were new."""
        out, self.new = self.new, {}
        return out
