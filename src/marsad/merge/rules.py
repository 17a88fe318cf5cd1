"""When two event reports are the same event: hard conditions, then a score (resources/merge/merge.yaml).

Works on plain event rows (dicts with the columns of the `events` table), so the same rules serve
the incremental clusterer, the tests and the benchmark.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from marsad.resources import load_yaml
from marsad.text.normalize import normalize

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class MergeRules:
    family: dict[str, str]
    symmetric: frozenset[str]
    rare: frozenset[str]
    max_days: int
    max_km: float
    precise: frozenset[str]
    unnamed: tuple[str, ...]
    victims: tuple[str, ...]
    victims_act: frozenset[str]
    state: tuple[str, ...]
    region_km: float
    weights: dict[str, float]
    threshold: float
    text_levels: tuple[tuple[float, str], ...]  # (min Jaccard, weight name), highest first
    prefixes: tuple[str, ...]
    stopwords: frozenset[str]
    article_level: float
    copy_level: float
    copy_evidence: float
    far_ratio: float

    @classmethod
    def from_dict(cls, spec: dict[str, Any], where: str = "merge.yaml") -> MergeRules:
        try:
            family = {t: name for name, types in spec["families"].items() for t in types}
            return cls(
                family=family,
                symmetric=frozenset(spec.get("symmetric_types") or ()),
                rare=frozenset(spec.get("rare_sub_event_types") or ()),
                max_days=int(spec["max_days"]),
                max_km=float(spec["max_km"]),
                precise=frozenset(spec["precise"]),
                unnamed=tuple(spec.get("unnamed_prefixes") or ()),
                victims=tuple(spec.get("victim_prefixes") or ()),
                victims_act=frozenset(spec.get("victims_act_in") or ()),
                state=tuple(spec.get("state_prefixes") or ()),
                region_km=float(spec["region_km"]),
                weights={k: float(v) for k, v in spec["weights"].items()},
                threshold=float(spec["threshold"]),
                text_levels=tuple(sorted(((float(v), k) for k, v in spec["text"]["levels"].items()), reverse=True)),
                prefixes=tuple(sorted((normalize(p) for p in spec["text"]["prefixes"]), key=len, reverse=True)),
                stopwords=frozenset(normalize(w) for w in spec["text"]["stopwords"]),
                article_level=float(spec["text"]["article_level"]),
                copy_level=float(spec["text"]["copy_level"]),
                copy_evidence=float(spec["text"]["copy_evidence"]),
                far_ratio=float(spec["far_fatalities_ratio"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: missing or bad field {exc}; see resources/merge/merge.yaml") from None


@cache
def default_rules() -> MergeRules:
    return MergeRules.from_dict(load_yaml("merge/merge.yaml"), "resources/merge/merge.yaml")


@dataclass
class Verdict:
    same: bool
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    why_not: str | None = None
    compatible: bool = True  # False: a hard condition failed (not merely a low score)


def content_words(text: str, rules: MergeRules) -> frozenset[str]:
    """Normalized content words of an evidence sentence: clitic prefixes off, stop words out."""
    return _content_words(text or "", rules.prefixes, rules.stopwords)


@lru_cache(maxsize=100_000)  # a stored event is compared with many new ones: normalize it once
def _content_words(text: str, prefixes: tuple[str, ...], stopwords: frozenset[str]) -> frozenset[str]:
    out = set()
    for w in _WORD.findall(normalize(text)):
        if w in stopwords:
            continue
        for p in prefixes:
            if w.startswith(p) and len(w) - len(p) >= 3:
                w = w[len(p) :]
                break
        if (len(w) >= 3 or w.isdigit()) and w not in stopwords:
            out.add(w)
    return frozenset(out)


def text_similarity(a: str, b: str, rules: MergeRules | None = None) -> float:
    """Jaccard similarity of the content words of two evidence sentences.

    Outlets that report one incident share its names, numbers and verbs; two incidents of one
    day in one province share only the generic words of the war (stop-listed or too few).
    """
    rules = rules or default_rules()
    wa, wb = content_words(a, rules), content_words(b, rules)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Two lines of trigonometry: not worth a geodesy dependency at 25 km tolerance.
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def parse_day(date: str | None) -> dt.date | None:
    if not date or len(date) != 10:
        return None
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        return None


def date_keys(date: str | None, max_days: int = 1) -> list[str]:
    """The `date` values an event may merge with: nearby days, and its own month and year.

    Used to fetch candidates with an indexed `date IN (...)` look-up.
    """
    if not date:
        return []
    day = parse_day(date)
    if day is not None:
        days = [(day + dt.timedelta(days=i)).isoformat() for i in range(-max_days, max_days + 1)]
        return sorted({*days, date[:7], date[:4]})
    return [date[:7], date[:4]] if len(date) == 7 else [date[:4]]


def _dates(a: str | None, b: str | None, rules: MergeRules) -> tuple[bool, str, float]:
    if not a or not b:
        return False, "no date", 0.0
    da, db = parse_day(a), parse_day(b)
    if da and db:
        gap = abs((da - db).days)
        if gap > rules.max_days:
            return False, f"{gap} days apart", 0.0
        return (
            True,
            ("same day" if gap == 0 else f"{gap} day apart"),
            (rules.weights["same_day"] if gap == 0 else rules.weights["next_day"]),
        )
    # At least one is a month or a year: compatible when the coarser contains the finer.
    n = min(len(a), len(b))
    if a[:n] != b[:n]:
        return False, "different month/year", 0.0
    return True, "compatible at coarse precision", rules.weights["coarse_date"]


def _places(a: dict[str, Any], b: dict[str, Any], rules: MergeRules) -> tuple[bool, str, float]:
    if not a.get("country") or a.get("country") != b.get("country"):
        return False, "different or unknown country", 0.0
    w = rules.weights
    pa, pb = a.get("geo_precision") in rules.precise, b.get("geo_precision") in rules.precise
    has = all(x.get(k) is not None for x in (a, b) for k in ("lat", "lon"))
    if pa and pb and has:
        km = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        if km > rules.max_km:
            return False, f"{km:.0f} km apart", 0.0
        same_name = a.get("location") and a.get("location") == b.get("location")
        return True, f"{km:.0f} km apart", w["near_5km"] if km <= 5 or same_name else w["near_25km"]
    # A region ("جنوب شرق تركيا") and a town in it: the region's centre lies within its reach.
    regional = [x for x in (a, b) if x.get("geo_precision") == "region"]
    if len(regional) == 1 and (pa or pb) and has:
        km = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        if km <= rules.region_km:
            return True, "town within the region", w["same_admin1"]
    # One place is imprecise (admin-1, region, country): the same admin-1 when both name one.
    if a.get("admin1") and b.get("admin1"):
        if a["admin1"] != b["admin1"]:
            return False, "different admin-1", 0.0
        return True, "same admin-1", w["same_admin1"]
    return True, "same country (one place imprecise)", w["country_only"]


def _base(name: str) -> str:
    """'Islamic State (Libya)' -> 'Islamic State': a branch is compatible with its parent."""
    return name.split(" (", 1)[0].strip()


def _actor_ok(x: str | None, y: str | None, rules: MergeRules) -> tuple[bool, bool]:
    """(compatible, equal) for one side."""
    if not x or not y:
        return True, False
    if x == y:
        return True, True
    if x.startswith(rules.unnamed) or y.startswith(rules.unnamed):
        return True, False
    if x.startswith(rules.victims) and y.startswith(rules.victims):
        return True, False  # "civilians" and "protesters" for the same crowd hit
    return _base(x) == _base(y), False


Sides = tuple[str | None, str | None]


def _readings(e: dict[str, Any], rules: MergeRules, same_act: bool) -> list[Sides]:
    """The (actor1, actor2) readings an extracted event allows.

    One actor on both sides ("Islamic State" / "Islamic State") means extraction could not tell
    who acted: it is named in one role or the other, which only the other report of the same
    kind of act (`same_act`: same sub-event type) may settle. Civilians or protesters as the side
    that shells or bombs are the victims read in the wrong place: they are the side hit.
    """
    a1, a2 = e.get("actor1"), e.get("actor2")
    if a1 and a2 and _base(a1) == _base(a2) and same_act:
        return [(a1, None), (None, a2)]
    if a1 and a1.startswith(rules.victims) and e.get("event_type") not in rules.victims_act:
        if not a2 or a2.startswith(rules.unnamed + rules.victims):
            return [(None, a1)]
        return [(a2, a1)]
    return [(a1, a2)]


def _actors(a: dict[str, Any], b: dict[str, Any], rules: MergeRules) -> tuple[bool, str, float]:
    w = rules.weights

    def pairing(x: Sides, y: Sides) -> tuple[bool, float]:
        # The side acted upon is where extraction errs most (victims, targets): a conflict there
        # costs points; a conflict between the sides that act is a different event.
        ok1, eq1 = _actor_ok(x[0], y[0], rules)
        ok2, eq2 = _actor_ok(x[1], y[1], rules)
        if eq2:
            pts2 = w["same_actor2"]
        elif not ok2:
            both_named = all(n and not n.startswith(rules.victims) for n in (x[1], y[1]))
            named = both_named and not _one_state(x[1], y[1], rules)
            pts2 = w["named_target_conflict"] if named else w["actor2_conflict"]
        else:
            pts2 = 0.0
        return ok1, (w["same_actor1"] if eq1 else 0.0) + pts2

    symmetric = a.get("event_type") in rules.symmetric and b.get("event_type") in rules.symmetric
    same_act = a.get("sub_event_type") == b.get("sub_event_type")
    best: tuple[bool, float] | None = None
    for x in _readings(a, rules, same_act):
        for y in _readings(b, rules, same_act):
            for yy in (y, (y[1], y[0])) if symmetric else (y,):
                ok_r, pts_r = pairing(x, yy)
                if best is None or (ok_r, pts_r) > best:
                    best = (ok_r, pts_r)
    assert best is not None
    ok, pts = best
    if ok:
        return True, "actors compatible", pts
    # Extraction sometimes codes the target as the attacker ("Police Forces of X" for a bombing
    # of a police post). Reports that still share a named actor, in whatever role, are kept
    # compatible at a cost; reports naming only different actors are different events.
    na, nb = _named(a, rules), _named(b, rules)
    if not na or not nb or na & nb:
        return True, "actors in other roles", w["actor_roles"]
    return False, f"actors differ ({a.get('actor1')}/{a.get('actor2')} vs {b.get('actor1')}/{b.get('actor2')})", 0


def _one_state(x: str | None, y: str | None, rules: MergeRules) -> bool:
    """Two forces of one state ("Police Forces of Turkey", "Military Forces of Turkey"): outlets
    and extraction confuse them ("قوات الأمن", "الجيش"); two named groups hit are two events."""
    states = [n for n in (x, y) if n and n.startswith(rules.state)]
    return len(states) == 2 and len({_base(n).rsplit(" of ", 1)[-1] for n in states}) == 1


def _named(e: dict[str, Any], rules: MergeRules) -> set[str]:
    """The event's actors that name someone (not unnamed, not generic victims), as base names."""
    skip = rules.unnamed + rules.victims
    return {_base(n) for n in (e.get("actor1"), e.get("actor2")) if n and not n.startswith(skip)}


ArticleSimilarity = Callable[[str, str], float]


def compare(
    a: dict[str, Any],
    b: dict[str, Any],
    rules: MergeRules | None = None,
    article_similarity: ArticleSimilarity | None = None,
) -> Verdict:
    """Whether event rows `a` and `b` report the same event, with the score and the reasons.

    `article_similarity(article_id_a, article_id_b)` (optional) is asked only when the articles'
    likeness could still decide: two outlets telling one story share much of their whole text,
    even when the sentences the events were read from differ.
    """
    rules = rules or default_rules()
    w = rules.weights
    fa, fb = rules.family.get(a.get("event_type") or ""), rules.family.get(b.get("event_type") or "")
    if fa is None or fa != fb:
        return Verdict(False, why_not="different event type family", compatible=False)
    score, reasons = 0.0, []
    if a.get("sub_event_type") == b.get("sub_event_type"):
        score += w["same_sub_event_type"]
        reasons.append("same sub-event type")
        if a.get("sub_event_type") in rules.rare:
            score += w["rare_sub_event_type"]
            reasons.append("rare sub-event type")
    elif a.get("event_type") == b.get("event_type"):
        score += w["same_event_type"]
        reasons.append("same event type")
    for check in (_dates(a.get("date"), b.get("date"), rules), _places(a, b, rules), _actors(a, b, rules)):
        ok, why, pts = check
        if not ok:
            return Verdict(False, why_not=why, compatible=False)
        score += pts
        reasons.append(why)
    sim = text_similarity(a.get("evidence") or "", b.get("evidence") or "", rules)
    for level, name in rules.text_levels:
        if sim >= level:
            score += w[name]
            reasons.append(f"evidence similarity {sim:.2f}")
            break
    fx, fy = a.get("fatalities"), b.get("fatalities")
    if fx is not None and fy is not None:
        if fx == fy:
            score += w["same_fatalities"]
            reasons.append("same fatalities")
        elif min(fx, fy) > 0 and max(fx, fy) <= 2 * min(fx, fy):
            score += w["close_fatalities"]
            reasons.append("close fatalities")
        elif min(fx, fy) > 0 and max(fx, fy) > rules.far_ratio * min(fx, fy):
            # a toll that grows between the first report and the next rarely triples
            score += w["far_fatalities"]
            reasons.append("far fatalities")
    gain = w["same_article_text"]
    ids = (a.get("article_id"), b.get("article_id"))
    if article_similarity and all(ids) and rules.threshold - gain <= score < rules.threshold:
        asim = article_similarity(str(ids[0]), str(ids[1]))
        # Two copies of one wire tell each of its events in the same words: there, another kind
        # of act told in other words is another of its events, and the likeness of the whole
        # says nothing (one copy's headline and the other's lead still tell one act).
        other_act = a.get("sub_event_type") != b.get("sub_event_type")
        copies = asim >= rules.copy_level and sim < rules.copy_evidence and other_act
        # Nor does it join two types of act (an abduction and a clash told in one story).
        one_type = a.get("event_type") == b.get("event_type")
        if asim >= rules.article_level and not copies and one_type:
            score += gain
            reasons.append(f"article similarity {asim:.2f}")
    same = score >= rules.threshold
    return Verdict(same, score, reasons, None if same else f"score {score:g} < {rules.threshold:g}")
