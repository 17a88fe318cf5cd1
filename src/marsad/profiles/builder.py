"""An actor's profile: what it did, where, how strong it is said to be, whom it joined.

`actor_profile(store, "داعش")` resolves the name through the actor registry (any Arabic or
English alias, or the id), takes the actor and its branches (registry `parent` links: the
Islamic State's profile includes its provinces' events), and reads from the store:

- events over time by type, fatalities and admin-1 area, and a map layer per month;
- movement: per quarter, the admin-1 areas where the actor appears for the first time and
  those where it has had no event for `quiet_months` months;
- strength estimates (`estimate` statements about it with a count of fighters), relations
  (pledges, splits, alliances... from statements and strategic events, plus the registry's
  parent/branch links), spokespeople and claims, each with links to its evidence.

Event figures come from the store's in-memory column copy when it is loaded (milliseconds on a
million events) and from SQL otherwise; both give the same numbers.

Undated events. Many news events have no date the text supports ("قصف مقاتلات التحالف استعراضا
لداعش في الحويجة", no day named): the exchange format rightly leaves their `date` null. An
analyst's timeline still needs them, and "reported in month M" is what the article tells: so the
profile places an undated event in the month its article was published (its own `date` stays null)
and says so: each listed event and map point has `month` and `date_from` ("text" when the event's
own date gives the month, "published" when the article's publication date does, null when neither
exists), and each month of `by_month` counts `undated` (its events placed by publication date).
Counting them nowhere would make a group that is reported often but vaguely look inactive.
"""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import sqlalchemy as sa

from marsad.nlp.actors import ActorEntry, ActorRegistry
from marsad.profiles.relations import DIRECTED, RESOURCE, armed_groups, read_relations
from marsad.profiles.strength import read_strengths
from marsad.resources import load_yaml
from marsad.store.db import Store
from marsad.store.schema import actor_aliases, actors, articles, events, statements
from marsad.text.normalize import normalize, normalize_text
from marsad.text.phrases import PhraseMatcher
from marsad.text.tokens import tokenize

MAX_POINTS = 1500  # up to this many events the map gets each event; beyond, cells per month
CELL_DEGS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)  # map cell sizes tried beyond MAX_POINTS, finest first
MAX_CELLS = 2500
LATEST = 50  # events listed with their evidence
MAX_STATEMENTS = 5000
MAX_RELATION_EVENTS = 200  # strategic events read for relations (newest first)
EVIDENCE_PER_RELATION = 5
_TITLE_GAP = 12  # characters between "المتحدث باسم" and the group
_NAME_GAP = 40  # characters between the title (or the group) and the speaker's name
RELATION_SUBS = ("Change to group/activity", "Agreement", "Headquarters or base established")


class ProfileError(LookupError):
    """No actor by that name: neither the registry nor the database knows it."""


@dataclass
class _Family:
    entry: ActorEntry | None
    names: list[str]  # canonical names: the actor first, then its branches


@dataclass
class _Events:
    """The family's events as arrays (one element per event)."""

    ids: np.ndarray  # int64
    month: np.ndarray  # int64 year*12 + month-1; -1 = no month
    types: np.ndarray  # int32 code into type_names
    type_names: list[str]
    area: np.ndarray  # int32 code into areas; 0 = no admin-1
    areas: list[tuple[str | None, str | None]]  # (country, admin1)
    fatalities: np.ndarray  # int64, -1 = unknown
    lat: np.ndarray
    lon: np.ndarray
    member: np.ndarray  # int32 index into family names
    end_month: int  # the newest month in the whole database (for "quiet since")
    strategic: np.ndarray  # bool: a sub-type that may state a relation (RELATION_SUBS)
    published: np.ndarray | None = None  # bool: `month` is the article's publication month


def actor_profile(
    store: Store,
    name_or_id: str,
    *,
    registry: ActorRegistry | None = None,
    quiet_months: int | None = None,
) -> dict[str, Any]:
    """The profile of the actor `name_or_id` names (alias, canonical name or registry id)."""
    registry = registry or ActorRegistry.load()
    quiet = int(quiet_months if quiet_months is not None else load_yaml(RESOURCE).get("quiet_months", 6))
    family = _family(store, registry, name_or_id)
    names = family.names
    with store.engine.connect() as conn:
        ev = _events(store, conn, names)
        latest = _latest(conn, ev)
        map_layer = _map(ev)
        strategic = _strategic_evidence(conn, ev)
        stmts = _statements(conn, names)
    entry = family.entry
    profile: dict[str, Any] = {
        "query": name_or_id,
        "actor": _describe(registry, entry, names[0]),
        "names": names,
        "summary": _summary(ev),
        "by_type": _by_type(ev),
        "by_month": _by_month(ev),
        "by_admin1": _by_admin1(ev),
        "by_actor": _by_member(ev, names),
        "movement": {"quiet_months": quiet, "quarters": _movement(ev, quiet)},
        "map": map_layer,
        "events": latest,
        "estimates": _estimates(stmts, names),
        "relations": _relations(registry, entry, names, stmts, strategic),
        "spokespeople": _spokespeople(stmts, names),
        "claims": _claims(stmts, names),
        "statements": dict(Counter(s["kind"] for s in stmts if s["about"] in names or s["speaker"] in names)),
    }
    return profile


# ---- who ---------------------------------------------------------------------------------


def _family(store: Store, registry: ActorRegistry, query: str) -> _Family:
    entry = registry.get(query.strip()) or registry.find(query)
    if entry is not None and not entry.generic:
        children = _descendants(registry, entry.id)
        names = [entry.name, *(c.name for c in children if c.name != entry.name)]
        return _Family(entry, list(dict.fromkeys(names)))
    # Not in the registry (a name the reviewers typed, a derived "Civilians (Chad)"): the database.
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(actors.c.name).where(actors.c.name == query.strip())).first()
        if row is None:
            row = conn.execute(
                sa.select(actors.c.name)
                .join(actor_aliases, actor_aliases.c.actor_id == actors.c.id)
                .where(actor_aliases.c.alias == query.strip())
            ).first()
    if row is None:
        raise ProfileError(
            f"no actor named {query!r}: give a canonical name, an id or an alias from "
            "src/marsad/resources/actors/*.yaml (for example 'داعش', 'ISIS', 'boko_haram')"
        )
    return _Family(None, [str(row[0])])


def _descendants(registry: ActorRegistry, root: str) -> list[ActorEntry]:
    children: dict[str, list[ActorEntry]] = defaultdict(list)
    for e in registry:
        if e.parent:
            children[e.parent].append(e)
    out: list[ActorEntry] = []
    stack = sorted(children[root], key=lambda e: e.name, reverse=True)
    seen = {root}
    while stack:
        e = stack.pop()
        if e.id in seen:
            continue
        seen.add(e.id)
        out.append(e)
        stack.extend(sorted(children[e.id], key=lambda c: c.name, reverse=True))
    return out


def _describe(registry: ActorRegistry, entry: ActorEntry | None, name: str) -> dict[str, Any]:
    if entry is None:
        return {"id": None, "name": name, "aliases_ar": [], "aliases_en": [], "parent": None, "branches": []}
    parent = registry.get(entry.parent) if entry.parent else None
    branches = [e for e in registry if e.parent == entry.id]
    return {
        "id": entry.id,
        "name": entry.name,
        "name_ar": entry.aliases_ar[0] if entry.aliases_ar else None,
        "type": entry.type,
        "inter": entry.inter,
        "country": entry.country,
        "aliases_ar": list(entry.aliases_ar),
        "aliases_en": list(entry.aliases_en),
        "parent": {"id": parent.id, "name": parent.name} if parent else None,
        "branches": [
            {"id": b.id, "name": b.name, "country": b.country} for b in sorted(branches, key=lambda b: b.name)
        ],
    }


# ---- events ------------------------------------------------------------------------------


def _month_of(date: str | None) -> int:
    if not date or len(date) < 7:
        return -1
    try:
        return int(date[:4]) * 12 + int(date[5:7]) - 1
    except ValueError:
        return -1


@lru_cache(maxsize=4096)
def _month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _events(store: Store, conn: sa.Connection, names: list[str]) -> _Events:
    snap = store.columns.get(conn) if store.columns is not None else None
    ev = _events_from_columns(snap, names) if snap is not None else _events_from_sql(conn, names)
    return _published_months(conn, ev)


def _published_months(conn: sa.Connection, ev: _Events) -> _Events:
    """Undated events placed in their article's publication month (see the module docstring).

    Only the undated events' articles are read (by event id, in chunks under SQLite's
    bound-parameter limit): a profile whose events all have dates costs no query.
    """
    ev.published = np.zeros(len(ev.ids), dtype=bool)
    undated = np.flatnonzero(ev.month < 0)
    if not undated.size:
        return ev
    q = (
        sa.select(events.c.id, articles.c.published)
        .join(articles, articles.c.id == events.c.article_id)
        .where(events.c.id.in_(sa.bindparam("ids", expanding=True)), articles.c.published.is_not(None))
    )
    ids = ev.ids[undated]
    found: dict[int, int] = {}
    for i in range(0, len(ids), 900):
        for r in conn.execute(q, {"ids": [int(x) for x in ids[i : i + 900]]}):
            found[int(r.id)] = r.published.year * 12 + r.published.month - 1
    if found:
        months = np.array([found.get(int(x), -1) for x in ids], dtype=np.int64)
        ev.month[undated] = months
        ev.published[undated] = months >= 0
    return ev


@lru_cache(maxsize=8)
def _months_of_dates(dates: tuple[str, ...]) -> np.ndarray:
    return np.array([_month_of(d) for d in dates], dtype=np.int64)


class _ActorIndex:
    """Positions of each actor's events in a column snapshot (actor1 or actor2), like the
    database's indexes on those columns: a profile then reads its own events, not a million.

    Built once per snapshot (an argsort of both actor columns) and kept while it is current.
    """

    def __init__(self, snap: Any) -> None:
        both = np.concatenate([snap.cols["actor1"], snap.cols["actor2"]])
        self.order = np.argsort(both, kind="stable")
        self.codes = both[self.order]
        self.n = len(snap.cols["actor1"])
        self.version = snap.version  # a review edits the arrays in place and bumps the version

    def positions(self, codes: list[int]) -> np.ndarray:
        parts = []
        for c in codes:
            # the bounds in the codes' own dtype: Python ints would make numpy cast 2M codes each time
            lo, hi = np.searchsorted(self.codes, np.array([c, c + 1], dtype=self.codes.dtype))
            parts.append(self.order[lo:hi] % self.n)
        if not parts:
            return np.zeros(0, dtype=np.int64)
        if sum(len(p) for p in parts) < MASK_DEDUPE_FROM:
            return np.unique(np.concatenate(parts))
        # an event can name the actor on both sides, or two members: count it once, in order
        hit = np.zeros(self.n, dtype=bool)
        for part in parts:
            hit[part] = True
        return np.flatnonzero(hit)


def _dense_unique(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(keys, return_inverse=True) for keys known to lie in [0, size).

    Codes and months are small integers: counting them is linear, where np.unique sorts (it
    was the largest cost of a profile with 75,000 events).
    """
    present = np.bincount(keys, minlength=size) > 0
    remap = np.cumsum(present) - 1
    return np.flatnonzero(present), remap[keys]


MASK_DEDUPE_FROM = 4096  # positions from which a boolean mask over all events beats sorting them

_INDEX_LOCK = threading.Lock()
_INDEXES: dict[int, tuple[weakref.ref[Any], _ActorIndex]] = {}


def _actor_index(snap: Any) -> _ActorIndex:
    with _INDEX_LOCK:
        found = _INDEXES.get(id(snap))
        if found is not None and found[0]() is snap and found[1].version == snap.version:
            return found[1]
        index = _ActorIndex(snap)
        for key in [k for k, (ref, _) in _INDEXES.items() if ref() is None]:
            del _INDEXES[key]  # snapshots replaced since
        _INDEXES[id(snap)] = (weakref.ref(snap), index)
        return index


def _events_from_columns(snap: Any, names: list[str]) -> _Events:
    actor_codes = snap.codes["actor"]
    wanted = np.full(len(actor_codes.values), -1, dtype=np.int32)
    codes = []
    for i, n in enumerate(names):
        code = actor_codes.index.get(n)
        if code is not None:
            wanted[code] = i
            codes.append(code)
    cand = _actor_index(snap).positions(codes)
    merged = snap.codes["status"].index.get("merged", -1)
    pos = cand[snap.cols["status"][cand] != merged]
    a1 = wanted[snap.cols["actor1"][pos]]
    a2 = wanted[snap.cols["actor2"][pos]]
    months_by_rank = np.append(_months_of_dates(tuple(snap.dates)), -1)  # rank -1 → last slot → -1
    ranks = snap.date_rank[pos]
    month = months_by_rank[ranks]
    types_all = snap.codes["event_type"].values
    tcodes = snap.cols["event_type"][pos]
    uniq_t, tinv = _dense_unique(tcodes, len(types_all))
    country = snap.cols["country"][pos].astype(np.int64)
    admin = snap.cols["admin1"][pos].astype(np.int64)
    na = len(snap.codes["admin1"].values)
    key = np.where(admin > 0, country * na + admin, 0)
    uniq_a, ainv = _dense_unique(key, len(snap.codes["country"].values) * na)
    areas: list[tuple[str | None, str | None]] = []
    for k in uniq_a.tolist():
        areas.append(
            (None, None) if k == 0 else (snap.codes["country"].values[k // na], snap.codes["admin1"].values[k % na])
        )
    if not uniq_a.size or uniq_a[0] != 0:  # keep code 0 for "no area"
        areas.insert(0, (None, None))
        ainv = ainv + 1
    member = np.where(a1 >= 0, a1, a2)
    end = _month_of(snap.dates[-1]) if snap.dates else -1
    sub_codes = snap.codes["sub_event_type"].lookup(list(RELATION_SUBS))
    strategic = np.isin(snap.cols["sub_event_type"][pos], sub_codes)
    return _Events(
        ids=snap.ids[pos],
        month=month,
        types=tinv.astype(np.int32),
        type_names=[types_all[t] for t in uniq_t.tolist()],
        area=ainv.astype(np.int32),
        areas=areas,
        fatalities=snap.fatalities[pos],
        lat=snap.lat[pos],
        lon=snap.lon[pos],
        member=member.astype(np.int32),
        end_month=end,
        strategic=strategic,
    )


def _events_from_sql(conn: sa.Connection, names: list[str]) -> _Events:
    c = events.c
    rows = conn.execute(
        sa.select(
            c.id,
            c.date,
            c.event_type,
            c.sub_event_type,
            c.country,
            c.admin1,
            c.fatalities,
            c.lat,
            c.lon,
            c.actor1,
            c.actor2,
        )
        .where(sa.or_(c.actor1.in_(names), c.actor2.in_(names)), c.status != "merged")
        .order_by(c.date, c.id)
    ).all()
    index = {n: i for i, n in enumerate(names)}
    type_names = sorted({r.event_type for r in rows})
    tindex = {t: i for i, t in enumerate(type_names)}
    areas: list[tuple[str | None, str | None]] = [(None, None)]
    aindex: dict[tuple[str | None, str | None], int] = {}
    area = []
    for r in rows:
        if r.admin1 is None:
            area.append(0)
            continue
        k = (r.country, r.admin1)
        if k not in aindex:
            aindex[k] = len(areas)
            areas.append(k)
        area.append(aindex[k])
    end = conn.execute(sa.select(sa.func.max(c.date))).scalar_one_or_none()
    return _Events(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        month=np.array([_month_of(r.date) for r in rows], dtype=np.int64),
        types=np.array([tindex[r.event_type] for r in rows], dtype=np.int32),
        type_names=type_names,
        area=np.array(area, dtype=np.int32),
        areas=areas,
        fatalities=np.array([-1 if r.fatalities is None else r.fatalities for r in rows], dtype=np.int64),
        lat=np.array([np.nan if r.lat is None else r.lat for r in rows], dtype=np.float64),
        lon=np.array([np.nan if r.lon is None else r.lon for r in rows], dtype=np.float64),
        member=np.array([index.get(r.actor1, index.get(r.actor2, 0)) for r in rows], dtype=np.int32),
        end_month=_month_of(end),
        strategic=np.array([r.sub_event_type in RELATION_SUBS for r in rows], dtype=bool),
    )


def _dead(ev: _Events, mask: np.ndarray | None = None) -> int:
    f = ev.fatalities if mask is None else ev.fatalities[mask]
    return int(np.maximum(f, 0).sum())


def _summary(ev: _Events) -> dict[str, Any]:
    dated = ev.month[ev.month >= 0]
    return {
        "events": len(ev.ids),
        "fatalities": _dead(ev),
        "first_month": _month_label(int(dated.min())) if dated.size else None,
        "last_month": _month_label(int(dated.max())) if dated.size else None,
        "admin1_areas": int(np.unique(ev.area[ev.area > 0]).size),
        "countries": sorted({c for i in np.unique(ev.area).tolist() if (c := ev.areas[i][0])}),
    }


def _by_type(ev: _Events) -> list[dict[str, Any]]:
    n = np.bincount(ev.types, minlength=len(ev.type_names))
    dead = np.bincount(ev.types, weights=np.maximum(ev.fatalities, 0), minlength=len(ev.type_names))
    out = [
        {"event_type": t, "events": int(n[i]), "fatalities": int(dead[i])} for i, t in enumerate(ev.type_names) if n[i]
    ]
    return sorted(out, key=lambda r: (-r["events"], r["event_type"]))


def _by_month(ev: _Events) -> list[dict[str, Any]]:
    """Every month from the first to the last (no gaps), with counts per event type."""
    dated = ev.month >= 0
    if not dated.any():
        return []
    m = ev.month[dated]
    lo, hi = int(m.min()), int(m.max())
    span = hi - lo + 1
    nt = max(1, len(ev.type_names))
    key = (m - lo) * nt + ev.types[dated]
    counts = np.bincount(key, minlength=span * nt).reshape(span, nt)
    dead = np.bincount(m - lo, weights=np.maximum(ev.fatalities[dated], 0), minlength=span)
    by_pub = ev.published[dated] if ev.published is not None else np.zeros(m.size, dtype=bool)
    undated = np.bincount(m[by_pub] - lo, minlength=span)
    out = []
    for i in range(span):
        row = counts[i]
        out.append(
            {
                "month": _month_label(lo + i),
                "events": int(row.sum()),
                "fatalities": int(dead[i]),
                "undated": int(undated[i]),  # of `events`, placed here by their article's publication date
                "by_type": {ev.type_names[t]: int(row[t]) for t in np.flatnonzero(row)},
            }
        )
    return out


def _by_admin1(ev: _Events, limit: int = 200) -> list[dict[str, Any]]:
    has = ev.area > 0
    if not has.any():
        return []
    a = ev.area[has]
    n = np.bincount(a, minlength=len(ev.areas))
    dead = np.bincount(a, weights=np.maximum(ev.fatalities[has], 0), minlength=len(ev.areas))
    # first and last dated month per area: the distinct (area, month) pairs come sorted, so each
    # area's run starts at its first month and ends at its last
    dated = ev.month[has] >= 0
    da, dm = a[dated], ev.month[has][dated]
    first = np.full(len(ev.areas), np.iinfo(np.int64).max)
    last = np.full(len(ev.areas), -1)
    if da.size:
        lo = int(dm.min())
        span = int(dm.max()) - lo + 1
        pairs, _ = _dense_unique(da.astype(np.int64) * span + (dm - lo), len(ev.areas) * span)
        pa, pm = pairs // span, pairs % span + lo
        starts = np.flatnonzero(np.insert(pa[1:] != pa[:-1], 0, True))
        ends = np.append(starts[1:], pa.size) - 1
        first[pa[starts]] = pm[starts]
        last[pa[starts]] = pm[ends]
    out = []
    for i in np.flatnonzero(n):
        country, admin1 = ev.areas[i]
        out.append(
            {
                "country": country,
                "admin1": admin1,
                "events": int(n[i]),
                "fatalities": int(dead[i]),
                "first_month": _month_label(int(first[i])) if first[i] != np.iinfo(np.int64).max else None,
                "last_month": _month_label(int(last[i])) if last[i] >= 0 else None,
            }
        )
    out.sort(key=lambda r: (-r["events"], r["country"] or "", r["admin1"] or ""))
    return out[:limit]


def _by_member(ev: _Events, names: list[str]) -> list[dict[str, Any]]:
    n = np.bincount(ev.member, minlength=len(names))
    dead = np.bincount(ev.member, weights=np.maximum(ev.fatalities, 0), minlength=len(names))
    return [{"name": names[i], "events": int(n[i]), "fatalities": int(dead[i])} for i in range(len(names)) if n[i]]


@lru_cache(maxsize=4096)
def _quarter(m: int) -> str:
    return f"{m // 12:04d}-Q{m % 12 // 3 + 1}"


def _movement(ev: _Events, quiet: int) -> list[dict[str, Any]]:
    """Per quarter: areas entered for the first time, areas quiet for `quiet` months, areas back."""
    ok = (ev.area > 0) & (ev.month >= 0)
    if not ok.any():
        return []
    first_month = int(ev.month[ok].min())
    span = int(ev.month[ok].max()) - first_month + 1
    pairs, _ = _dense_unique(ev.area[ok].astype(np.int64) * span + (ev.month[ok] - first_month), len(ev.areas) * span)
    area, month = pairs // span, pairs % span + first_month  # sorted: area, then month
    same_next = np.append(area[1:] == area[:-1], False)
    first = np.insert(area[1:] != area[:-1], 0, True)
    gap_end = np.where(same_next, np.append(month[1:], 0), ev.end_month + 1)
    silent = gap_end - month > quiet  # no event in the `quiet` months after this one
    quarters: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"new": [], "quiet": [], "back": []})

    areas, months, nexts = area.tolist(), month.tolist(), same_next.tolist()  # Python ints: fast to index

    def place(i: int) -> dict[str, Any]:
        country, admin1 = ev.areas[areas[i]]
        return {"country": country, "admin1": admin1}

    for i in np.flatnonzero(first).tolist():
        quarters[_quarter(months[i])]["new"].append({**place(i), "month": _month_label(months[i])})
    for i in np.flatnonzero(silent).tolist():
        since = months[i] + quiet  # the month the area counts as quiet
        if since <= ev.end_month:
            quarters[_quarter(since)]["quiet"].append({**place(i), "last_month": _month_label(months[i])})
        if nexts[i]:
            quarters[_quarter(months[i + 1])]["back"].append({**place(i), "month": _month_label(months[i + 1])})
    out = []
    for q in sorted(quarters):
        item = quarters[q]
        for k in item:
            item[k].sort(key=lambda p: (p["country"] or "", p["admin1"] or ""))
        out.append({"quarter": q, **item})
    return out


_EVENT_COLS = (
    "id",
    "date",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "location",
    "country",
    "admin1",
    "lat",
    "lon",
    "fatalities",
    "evidence",
    "article_id",
    "source",
)


def _rows(conn: sa.Connection, ids: list[int], cols: tuple[str, ...]) -> list[dict[str, Any]]:
    if not ids:
        return []
    found: dict[int, dict[str, Any]] = {}
    # one expanding parameter: building a bound parameter per id costs more than the query
    q = sa.select(*(events.c[k] for k in cols)).where(events.c.id.in_(sa.bindparam("ids", expanding=True)))
    for i in range(0, len(ids), 900):  # SQLite's bound-parameter limit
        for r in conn.execute(q, {"ids": ids[i : i + 900]}):
            found[r.id] = dict(r._mapping)
    return [found[i] for i in ids if i in found]


def _latest(conn: sa.Connection, ev: _Events) -> list[dict[str, Any]]:
    order = np.lexsort((ev.ids, ev.month))[::-1][:LATEST]
    rows = _rows(conn, [int(i) for i in ev.ids[order]], _EVENT_COLS)
    at = {int(ev.ids[i]): i for i in order.tolist()}
    for r in rows:
        i = at[r["id"]]
        r["month"] = _month_label(int(ev.month[i])) if ev.month[i] >= 0 else None
        r["date_from"] = _date_from(ev, i)
        r["links"] = {"event": f"/api/events/{r['id']}", "article": f"/api/articles/{r['article_id']}"}
    rows.sort(key=lambda r: (r["date"] or r["month"] or "", r["id"]), reverse=True)
    return rows


def _date_from(ev: _Events, i: int) -> str | None:
    """What gave event i its month: its own date ("text"), its article's ("published"), or nothing."""
    if ev.month[i] < 0:
        return None
    return "published" if ev.published is not None and ev.published[i] else "text"


def _map(ev: _Events) -> dict[str, Any]:
    """The map layer: each event with a month when few, else counts on a grid per month."""
    placed = ~np.isnan(ev.lat) & ~np.isnan(ev.lon)
    if int(placed.sum()) <= MAX_POINTS:  # from the arrays: no row is read for the map
        idx = np.flatnonzero(placed).tolist()
        points = [
            {
                "id": int(ev.ids[i]),
                "month": _month_label(int(ev.month[i])) if ev.month[i] >= 0 else None,
                "date_from": _date_from(ev, i),
                "event_type": ev.type_names[ev.types[i]],
                "admin1": ev.areas[ev.area[i]][1],
                "fatalities": int(ev.fatalities[i]) if ev.fatalities[i] >= 0 else None,
                "lat": round(float(ev.lat[i]), 4),
                "lon": round(float(ev.lon[i]), 4),
            }
            for i in idx
        ]
        return {"kind": "points", "points": points}
    lat, lon, month = ev.lat[placed], ev.lon[placed], ev.month[placed]
    mkey = np.where(month >= 0, month, 0)
    # the finest grid that keeps the layer under MAX_CELLS cells (a page draws it at once); the
    # next size is guessed from how far over the count is (cells shrink about with the area)
    deg = CELL_DEGS[0]
    while True:
        gx = np.floor((lon + 180.0) / deg).astype(np.int64)
        gy = np.floor((lat + 90.0) / deg).astype(np.int64)
        uniq, inv = np.unique((mkey * 2048 + gx) * 2048 + gy, return_inverse=True)
        if len(uniq) <= MAX_CELLS or deg >= CELL_DEGS[-1]:
            break
        deg = min(CELL_DEGS[-1], deg * 2 ** max(1, int(np.ceil(np.log2(len(uniq) / MAX_CELLS) / 2))))
    n = np.bincount(inv)
    dead = np.bincount(inv, weights=np.maximum(ev.fatalities[placed], 0)).astype(np.int64)
    mlat = np.round(np.bincount(inv, weights=lat) / n, 3)
    mlon = np.round(np.bincount(inv, weights=lon) / n, 3)
    months = uniq // (2048 * 2048)
    labels = {int(m): (_month_label(int(m)) if m > 0 else None) for m in np.unique(months)}
    cells = [
        {"month": labels[m], "lat": la, "lon": lo, "n": k, "fatalities": d}
        for m, la, lo, k, d in zip(
            months.tolist(), mlat.tolist(), mlon.tolist(), n.tolist(), dead.tolist(), strict=True
        )
    ]
    return {"kind": "cells", "cell_deg": deg, "cells": cells}


# ---- statements --------------------------------------------------------------------------


def _statements(conn: sa.Connection, names: list[str]) -> list[dict[str, Any]]:
    """Statements about or by the family, and every pledge or agreement (relations may name the
    family in a sentence whose speaker/about fields point elsewhere), newest first.

    Filtered without a join, then the few articles looked up: joined, SQLite walks the articles
    by date and probes the statements of each, which costs seconds on a large database.
    """
    s, a = statements.c, articles.c
    cols = (s.id, s.kind, s.speaker, s.speaker_mention, s.about, s.about_mention, s.evidence, s.evidence_start,
            s.evidence_end, s.article_id)  # fmt: skip
    q = (
        sa.select(*cols)
        .where(sa.or_(s.about.in_(names), s.speaker.in_(names), s.kind.in_(("pledge", "agreement"))))
        .order_by(s.id.desc())
        .limit(MAX_STATEMENTS)
    )
    rows = [dict(r._mapping) for r in conn.execute(q)]
    arts: dict[str, dict[str, Any]] = {}
    wanted = sorted({r["article_id"] for r in rows})
    by_ids = sa.select(a.id, a.published, a.source, a.url, a.title).where(a.id.in_(sa.bindparam("ids", expanding=True)))
    for i in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
        for r in conn.execute(by_ids, {"ids": wanted[i : i + 900]}):
            arts[r.id] = dict(r._mapping)
    for d in rows:
        art = arts.get(d["article_id"], {})
        published = art.get("published")
        d["date"] = published.isoformat() if published else None
        d.update({k: art.get(k) for k in ("source", "url", "title")})
        d["links"] = {"article": f"/api/articles/{d['article_id']}"}
    rows.sort(key=lambda d: (d["date"] or "", d["id"]), reverse=True)
    return rows


def _evidence(st: dict[str, Any]) -> dict[str, Any]:
    return {
        k: st.get(k)
        for k in ("date", "source", "url", "title", "article_id", "evidence", "evidence_start", "evidence_end", "links")
    }


@lru_cache(maxsize=20_000)
def _strengths(evidence: str) -> tuple[Any, ...]:
    return tuple(read_strengths(evidence))


@lru_cache(maxsize=20_000)
def _relations_in(evidence: str, about: str | None = None) -> tuple[Any, ...]:
    return tuple(read_relations(evidence, about))


def _estimates(stmts: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """Strength figures of the family's groups: the group nearest each figure must be one of them."""
    wanted = set(names)
    out = []
    for st in stmts:
        if st["kind"] != "estimate" or (st["about"] not in wanted and st["speaker"] not in wanted):
            continue
        for s in _strengths(st["evidence"]):
            # no armed group near the figure ("عدد عناصره ... بين خمسة وستة آلاف مقاتل"): the
            # group the statement is about, when it is one of the family
            group = s.group if s.group is not None else st["about"]
            if group not in wanted:
                continue
            out.append(
                {
                    **s.as_dict(),
                    "group": group,
                    "about": st["about"],
                    "about_mention": st["about_mention"],
                    "speaker": st["speaker"],
                    "speaker_mention": st["speaker_mention"],
                    **_evidence(st),
                }
            )
    out.sort(key=lambda e: (e["date"] or "", e["value"]))
    return out


def _strategic_evidence(conn: sa.Connection, ev: _Events) -> list[dict[str, Any]]:
    """The newest strategic events (pledges, splits, agreements are coded there) with evidence."""
    picked = np.flatnonzero(ev.strategic)
    order = picked[np.lexsort((ev.ids[picked], ev.month[picked]))[::-1][:MAX_RELATION_EVENTS]]
    ids = [int(i) for i in ev.ids[order]]
    if not ids:
        return []
    c, a = events.c, articles.c
    q = sa.select(
        c.id, c.evidence, c.evidence_start, c.evidence_end, c.article_id, c.date, c.sub_event_type, a.source,
        a.url, a.title,
    ).join(articles, a.id == c.article_id)  # fmt: skip
    out = []
    q = q.where(c.id.in_(sa.bindparam("ids", expanding=True)))
    for i in range(0, len(ids), 900):
        for r in conn.execute(q, {"ids": ids[i : i + 900]}):
            d = dict(r._mapping)
            d["links"] = {"event": f"/api/events/{d['id']}", "article": f"/api/articles/{d['article_id']}"}
            out.append(d)
    out.sort(key=lambda d: (d["date"] or "", d["id"]), reverse=True)
    return out


def _relations(
    registry: ActorRegistry,
    entry: ActorEntry | None,
    names: list[str],
    stmts: list[dict[str, Any]],
    strategic: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Relations with other groups, most reported first; registry links (no evidence) last.

    A pledge to a group that has a branch in the pledging group's country also gives `joined_as`
    with that branch: Boko Haram (NG) pledged to the Islamic State → Boko Haram joined as the
    Islamic State (West Africa). Each article counts once per relation however many statements
    and events were built from it: `reports` counts articles.
    """
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    seen: set[tuple[str, str, str, str | None]] = set()
    wanted = set(names)
    sources = [st for st in stmts if st["kind"] in ("pledge", "agreement", "claim", "estimate", "warning")]
    for item in [*sources, *strategic]:
        for rel in _relations_in(item["evidence"], item.get("about")):
            for kind, subj, obj in [(rel.kind, rel.subject, rel.object), *_joined_as(registry, rel)]:
                if subj not in wanted and obj not in wanted:
                    continue
                if kind not in DIRECTED and kind != "joined_as" and subj > obj:  # either way round
                    subj, obj = obj, subj
                report = (kind, subj, obj, item.get("article_id"))
                if report in seen:
                    continue
                seen.add(report)
                r = found.setdefault(
                    (kind, subj, obj),
                    {
                        "kind": kind,
                        "subject": subj,
                        "object": obj,
                        "directed": kind in DIRECTED or kind == "joined_as",
                        "reports": 0,
                        "first_date": None,
                        "last_date": None,
                        "evidence": [],
                        "source": "text" if kind != "joined_as" else "text+registry",
                    },
                )
                r["reports"] += 1
                date = item.get("date")
                if date:
                    r["first_date"] = min(filter(None, (r["first_date"], date)))
                    r["last_date"] = max(filter(None, (r["last_date"], date)))
                if len(r["evidence"]) < EVIDENCE_PER_RELATION:
                    r["evidence"].append({**_evidence(item), "cue": rel.cue})
    out = sorted(found.values(), key=lambda r: (-r["reports"], r["kind"], r["subject"], r["object"]))
    if entry is not None:
        parent = registry.get(entry.parent) if entry.parent else None
        if parent is not None:
            out.append(_registry_relation(entry.name, parent.name))
        for b in registry:
            if b.parent == entry.id:
                out.append(_registry_relation(b.name, entry.name))
    return out


def _joined_as(registry: ActorRegistry, rel: Any) -> list[tuple[str, str, str]]:
    if rel.kind != "pledge":
        return []
    subj, obj = registry.find(rel.subject), registry.find(rel.object)
    if subj is None or obj is None or not subj.country:
        return []
    branch = registry.resolve(obj, subj.country)
    if branch.id in (obj.id, subj.id):
        return []
    return [("joined_as", rel.subject, branch.name)]


def _registry_relation(child: str, parent: str) -> dict[str, Any]:
    return {
        "kind": "branch_of",
        "subject": child,
        "object": parent,
        "directed": True,
        "reports": 0,
        "first_date": None,
        "last_date": None,
        "evidence": [],
        "source": "registry",
    }


@cache
def _spokes_matcher() -> PhraseMatcher[str]:
    return PhraseMatcher((w, "spokesperson") for w in load_yaml(RESOURCE)["spokesperson"])


def _spokespeople(stmts: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """People who speak for the group: the named speaker of a statement about it whose sentence
    calls them its spokesman or leader ("المتحدث باسم داعش أبو محمد العدناني"). Statements of the
    group itself ("أعلن تنظيم داعش") are counted in `statements`, not here."""
    wanted = set(names)
    people: dict[str, dict[str, Any]] = {}
    registry = ActorRegistry.load()
    for st in stmts:
        speaker = st["speaker"]
        if not speaker or (st["about"] not in wanted and speaker not in wanted):
            continue
        if speaker not in wanted and registry.find(speaker) is not None:
            continue  # another group or force speaking about this one
        if not _speaks_for(st["evidence"], st["speaker_mention"] or speaker, wanted):
            continue
        key = st["speaker_mention"] or speaker
        p = people.setdefault(normalize(key), {"name": key, "statements": 0, "kinds": Counter(), "evidence": []})
        p["statements"] += 1
        p["kinds"][st["kind"]] += 1
        if len(p["evidence"]) < EVIDENCE_PER_RELATION:
            p["evidence"].append({**_evidence(st), "kind": st["kind"]})
    out = sorted(people.values(), key=lambda p: (-p["statements"], p["name"]))
    for p in out:
        p["kinds"] = dict(p["kinds"])
    return out


def _speaks_for(evidence: str, mention: str, wanted: set[str]) -> bool:
    """The sentence calls the speaker the group's spokesman or leader: "المتحدث باسم داعش أبو
    محمد العدناني" (the group right after the title, the speaker within a few words of it)."""
    text = normalize_text(evidence).text
    tokens = tokenize(text)
    where = text.find(normalize(mention))
    if where < 0:
        return False
    groups = armed_groups(text, tokens)
    for m in _spokes_matcher().find(tokens):
        of = [g for g in groups if 0 <= g[0] - m.end <= _TITLE_GAP]
        if not of or of[0][2] not in wanted:
            continue
        end = of[0][1]
        apart = where >= end or where + len(normalize(mention)) <= m.start  # the person, not the group
        if apart and (0 <= where - end <= _NAME_GAP or 0 <= m.start - where <= _NAME_GAP + len(mention)):
            return True
    return False


def _claims(stmts: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    wanted = set(names)
    return [
        {
            "speaker": st["speaker"],
            "speaker_mention": st["speaker_mention"],
            "about": st["about"],
            "about_mention": st["about_mention"],
            **_evidence(st),
        }
        for st in stmts
        if st["kind"] == "claim" and (st["speaker"] in wanted or st["about"] in wanted)
    ]
