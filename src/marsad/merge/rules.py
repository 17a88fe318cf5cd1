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
    rare_max_days: int
    undated_days: int
    undated_text: float
    signature_min: int
    signature_km: float
    max_km: float
    precise: frozenset[str]
    unnamed: tuple[str, ...]
    victims: tuple[str, ...]
    victims_act: frozenset[str]
    state: tuple[str, ...]
    state_rarely_act: frozenset[str]
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
                rare_max_days=int(spec["rare_max_days"]),
                undated_days=int(spec["undated_days"]),
                undated_text=float(spec["undated_text"]),
                signature_min=int(spec["signature_min_fatalities"]),
                signature_km=float(spec["signature_km"]),
                max_km=float(spec["max_km"]),
                precise=frozenset(spec["precise"]),
                unnamed=tuple(spec.get("unnamed_prefixes") or ()),
                victims=tuple(spec.get("victim_prefixes") or ()),
                victims_act=frozenset(spec.get("victims_act_in") or ()),
                state=tuple(spec.get("state_prefixes") or ()),
                state_rarely_act=frozenset(spec.get("state_rarely_act_in") or ()),
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
    return jaccard(content_words(a, rules), content_words(b, rules))


def jaccard(wa: frozenset[str], wb: frozenset[str]) -> float:
    """Shared words over all words of two word sets (0.0 when either is empty)."""
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


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


def _as_day(value: Any) -> dt.date | None:
    """A publication day as stored (a date) or as exchanged (an ISO string, maybe with a time)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_day(str(value)[:10]) if value else None


def undated_window(e: dict[str, Any], rules: MergeRules) -> tuple[dt.date, dt.date] | None:
    """The days an event with no date of its own may have happened on: the `undated_days` before
    its article's publication day (a report tells what happened lately), or None."""
    if e.get("date"):
        return None
    pub = _as_day(e.get("published"))
    return None if pub is None else (pub - dt.timedelta(days=rules.undated_days), pub)


UNDATED = "~"  # key prefix of an undated event: "~" + its article's publication day


def own_key(e: dict[str, Any]) -> str | None:
    """The key an event is found under: its date, or for an undated one "~" + publication day."""
    if e.get("date"):
        return str(e["date"])
    pub = _as_day(e.get("published"))
    return None if pub is None else UNDATED + pub.isoformat()


def candidate_keys(e: dict[str, Any], rules: MergeRules) -> list[str]:
    """The `own_key`s of the events `e` may merge with: nearby days (wide enough for a rare act),
    their month and year, and the publication days of undated events whose window holds them."""
    window = undated_window(e, rules)
    if window is None:
        # Only a rare act may join one dated further off than max_days (`_dates`): other kinds
        # of act need not fetch those days.
        rare = e.get("sub_event_type") in rules.rare
        keys = date_keys(e.get("date"), rules.rare_max_days if rare else rules.max_days)
        day = parse_day(e.get("date"))
        if day is not None:  # undated events published on the day or in the `undated_days` after it
            keys += [UNDATED + (day + dt.timedelta(days=i)).isoformat() for i in range(rules.undated_days + 1)]
        return keys
    lo, hi = window
    days = [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
    keys = {d.isoformat() for d in days} | {d.isoformat()[:7] for d in days} | {d.isoformat()[:4] for d in days}
    # undated events whose windows overlap this one
    keys |= {
        UNDATED + (hi + dt.timedelta(days=i)).isoformat() for i in range(-rules.undated_days, rules.undated_days + 1)
    }
    return sorted(keys)


DateCheck = tuple[bool, str, float, int | None]  # ok, why, points, gap in days (None: not both day-dated)


def _dates(a: dict[str, Any], b: dict[str, Any], rules: MergeRules, rare: bool) -> DateCheck:
    """Whether the two events' dates allow one incident; `rare`: the same rare act in both."""
    da_s, db_s = a.get("date"), b.get("date")
    w = rules.weights
    if not da_s or not db_s:
        return _undated(a, b, rules)
    da, db = parse_day(da_s), parse_day(db_s)
    if da and db:
        gap = abs((da - db).days)
        if gap <= rules.max_days:
            return (
                True,
                ("same day" if gap == 0 else f"{gap} day apart"),
                w["same_day" if gap == 0 else "next_day"],
                gap,
            )
        if rare and gap <= rules.rare_max_days:
            return True, f"{gap} days apart (rare act)", w["rare_two_days"], gap
        return False, f"{gap} days apart", 0.0, gap
    # At least one is a month or a year: compatible when the coarser contains the finer.
    n = min(len(da_s), len(db_s))
    if da_s[:n] != db_s[:n]:
        return False, "different month/year", 0.0, None
    return True, "compatible at coarse precision", w["coarse_date"], None


def _undated(a: dict[str, Any], b: dict[str, Any], rules: MergeRules) -> DateCheck:
    """One or both events undated: compared on the days before their articles' publication."""
    wa, wb = undated_window(a, rules), undated_window(b, rules)
    if (wa is None and not a.get("date")) or (wb is None and not b.get("date")):
        return False, "no date", 0.0, None
    w = rules.weights
    if wa is not None and wb is not None:
        ok = wa[0] <= wb[1] and wb[0] <= wa[1]
        return ok, ("both undated, published close" if ok else "both undated, published far apart"), w["undated"], None
    window, dated = (wa, b["date"]) if wa is not None else (wb, a["date"])
    assert window is not None
    day = parse_day(dated)
    if day is not None:
        if window[0] <= day <= window[1]:
            return True, "undated, within days before publication", w["undated"], None
        return False, "undated, published far from the other's date", 0.0, None
    n = len(dated)  # a month or a year: one of the window's days must fall in it
    if dated in (window[0].isoformat()[:n], window[1].isoformat()[:n]):
        return True, "undated, compatible at coarse precision", w["undated"] + w["coarse_date"], None
    return False, "undated, different month/year", 0.0, None


PlaceCheck = tuple[bool, str, float, str]  # ok, why, points, level: same / near / area / country / none


def signature(e: dict[str, Any], rules: MergeRules) -> bool:
    """Whether an event may carry a signature: a rare act with a toll of at least `signature_min`."""
    return e.get("sub_event_type") in rules.rare and (e.get("fatalities") or 0) >= rules.signature_min


def _places(a: dict[str, Any], b: dict[str, Any], rules: MergeRules, signed: bool = False) -> PlaceCheck:
    """Whether the places allow one incident. `signed`: the same rare act with the same toll, whose
    places may be read farther apart (a province's capital for a town in it: `signature_km`)."""
    if not a.get("country") or a.get("country") != b.get("country"):
        return False, "different or unknown country", 0.0, "none"
    w = rules.weights
    pa, pb = a.get("geo_precision") in rules.precise, b.get("geo_precision") in rules.precise
    has = all(x.get(k) is not None for x in (a, b) for k in ("lat", "lon"))
    if pa and pb and has:
        km = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        if km > rules.max_km:
            if signed and km <= rules.signature_km:
                return True, f"{km:.0f} km apart (same rare act and toll)", w["signature_far"], "near"
            return False, f"{km:.0f} km apart", 0.0, "none"
        if km <= 5 or (a.get("location") and a.get("location") == b.get("location")):
            return True, f"{km:.0f} km apart", w["near_5km"], "same"
        return True, f"{km:.0f} km apart", w["near_25km"], "near"
    # A region ("جنوب شرق تركيا") and a town in it: the region's centre lies within its reach.
    regional = [x for x in (a, b) if x.get("geo_precision") == "region"]
    if len(regional) == 1 and (pa or pb) and has:
        km = haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
        if km <= rules.region_km:
            return True, "town within the region", w["same_admin1"], "area"
    # One place is imprecise (admin-1, region, country): the same admin-1 when both name one.
    if a.get("admin1") and b.get("admin1"):
        if a["admin1"] != b["admin1"]:
            return False, "different admin-1", 0.0, "none"
        return True, "same admin-1", w["same_admin1"], "area"
    return True, "same country (one place imprecise)", w["country_only"], "country"


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


def _readings(e: dict[str, Any], rules: MergeRules, same_act: bool) -> list[tuple[Sides, float]]:
    """The (actor1, actor2) readings an extracted event allows, each with its cost in points.

    One actor on both sides ("Islamic State" / "Islamic State") means extraction could not tell
    who acted: it is named in one role or the other, which only the other report of the same
    kind of act (`same_act`: same sub-event type) may settle. Civilians or protesters as the side
    that shells or bombs are the victims read in the wrong place: they are the side hit. A state's
    forces as the side that set off a bomb (`state_rarely_act`) are most often its target or its
    investigators: the event is also read with that side unknown, at a cost.
    """
    a1, a2 = e.get("actor1"), e.get("actor2")
    if a1 and a2 and _base(a1) == _base(a2) and same_act:
        return [((a1, None), 0.0), ((None, a2), 0.0)]
    if a1 and a1.startswith(rules.victims) and e.get("event_type") not in rules.victims_act:
        if not a2 or a2.startswith(rules.unnamed + rules.victims):
            return [((None, a1), 0.0)]
        return [((a2, a1), 0.0)]
    if a1 and a1.startswith(rules.state) and e.get("sub_event_type") in rules.state_rarely_act:
        return [((a1, a2), 0.0), ((None, a2 or a1), rules.weights["state_misread"])]
    return [((a1, a2), 0.0)]


def _actors(a: dict[str, Any], b: dict[str, Any], rules: MergeRules, soft: bool = False) -> tuple[bool, str, float]:
    """Whether the sides are compatible, and their points. `soft`: the same rare act at one place
    on one day, where two readings of who did it are likelier than two attacks (claims and
    accusations differ between outlets in the first days): a conflict costs points instead."""
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
    # The best pairing of the readings as read, and of those where a side was taken as misread.
    best: dict[bool, tuple[bool, float]] = {}
    for x, cost_x in _readings(a, rules, same_act):
        for y, cost_y in _readings(b, rules, same_act):
            for yy in (y, (y[1], y[0])) if symmetric else (y,):
                ok_r, pts_r = pairing(x, yy)
                misread, got = bool(cost_x or cost_y), (ok_r, pts_r + cost_x + cost_y)
                if misread not in best or got > best[misread]:
                    best[misread] = got
    ok, pts = best[False]
    if ok:
        return True, "actors compatible", pts
    # Extraction sometimes codes the target as the attacker ("Police Forces of X" for a bombing
    # of a police post). Reports that still share a named actor, in whatever role, are kept
    # compatible at a cost; reports naming only different actors are different events.
    options = []
    if best.get(True, (False, 0.0))[0]:
        options.append((best[True][1], "actors compatible (a state's forces read as the bomber)"))
    na, nb = _named(a, rules), _named(b, rules)
    if not na or not nb or na & nb:
        options.append((w["actor_roles"], "actors in other roles"))
    if options:
        pts, why = max(options)
        return True, why, pts
    if soft:
        return True, "sides read differently (same rare act, place and day)", w["rare_actor_conflict"]
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
    same_sub = a.get("sub_event_type") == b.get("sub_event_type")
    rare = same_sub and a.get("sub_event_type") in rules.rare
    if same_sub:
        score += w["same_sub_event_type"]
        reasons.append("same sub-event type")
        if rare:
            score += w["rare_sub_event_type"]
            reasons.append("rare sub-event type")
    elif a.get("event_type") == b.get("event_type"):
        score += w["same_event_type"]
        reasons.append("same event type")
    d_ok, d_why, d_pts, gap = _dates(a, b, rules, rare)
    if not d_ok:
        return Verdict(False, why_not=d_why, compatible=False)
    fx, fy = a.get("fatalities"), b.get("fatalities")
    signed = rare and fx == fy and signature(a, rules)
    p_ok, p_why, p_pts, level = _places(a, b, rules, signed)
    if not p_ok:
        return Verdict(False, why_not=p_why, compatible=False)
    # One rare act on one day in one area: seldom two incidents (see merge.yaml `rare_text_none`).
    rare_here = rare and gap == 0 and level != "country"
    ok, a_why, a_pts = _actors(a, b, rules, soft=rare_here and level == "same")
    if not ok:
        return Verdict(False, why_not=a_why, compatible=False)
    score += d_pts + p_pts + a_pts
    reasons += [d_why, p_why, a_why]
    sim = text_similarity(a.get("evidence") or "", b.get("evidence") or "", rules)
    for level_sim, name in rules.text_levels:
        if sim >= level_sim:
            if name == "text_none" and rare_here:
                name = "rare_text_none"
            score += w[name]
            reasons.append(f"evidence similarity {sim:.2f}")
            break
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
        if signed:
            score += w["rare_same_toll"]
            reasons.append("same rare act, same toll")
    gain = w["same_article_text"]
    ids = (a.get("article_id"), b.get("article_id"))
    asim: float | None = None
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
    # An undated mention is often background ("منذ تحرير مدينة عدن", "تتواصل المواجهات"): only
    # close wording, or the same rare act with the same toll, ties it to one incident.
    undated = not (a.get("date") and b.get("date"))  # `_dates` let them through on `_undated`
    if same and undated and sim < rules.undated_text and not signed:
        return Verdict(False, score, reasons, f"undated, evidence similarity {sim:.2f} < {rules.undated_text:g}")
    # Two days apart (a rare act only) the two may be two attacks of one group's campaign: close
    # wording, alike articles, or the same notable toll must tie them.
    if same and gap is not None and gap > rules.max_days and sim < rules.undated_text and not signed:
        if asim is None and article_similarity and all(ids):
            asim = article_similarity(str(ids[0]), str(ids[1]))
        if asim is None or asim < rules.article_level:
            return Verdict(False, score, reasons, f"{gap} days apart without close wording, alike articles or one toll")
    return Verdict(same, score, reasons, None if same else f"score {score:g} < {rules.threshold:g}")
