"""Alert rules over the stored events: spikes, new areas, mass casualties, watch lists.

Each rule yields `Alert`s with a stable cause key; `run_alerts` stores the new ones (the unique
`cause_key` makes a second firing a no-op) and posts them to the webhook if one is configured.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from marsad.resources import path as resource_path
from marsad.store.db import Store
from marsad.store.schema import events

LIVE = ("merged", "rejected")  # events no alert is about


class AlertConfigError(ValueError):
    """A mistake in an alerts YAML file; the message names the file and the field."""


@dataclass
class Alert:
    cause_key: str
    rule: str
    kind: str
    title: str
    detail: dict[str, Any] = field(default_factory=dict)
    country: str | None = None
    admin1: str | None = None
    actor: str | None = None
    event_id: int | None = None
    date: str | None = None

    def row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def load_config(config: str | Path | None = None) -> dict[str, Any]:
    """The alert rules: the shipped resources/alerts.yaml, or the file given (`--config`)."""
    where = Path(config) if config else resource_path("alerts.yaml")
    try:
        spec = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise AlertConfigError(f"{where}: cannot read ({exc.strerror}); give an existing YAML file") from None
    except yaml.YAMLError as exc:
        raise AlertConfigError(f"{where}: not valid YAML ({exc})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("rules"), dict):
        raise AlertConfigError(f"{where}: needs a 'rules' mapping (see marsad's resources/alerts.yaml)")
    spec["_file"] = str(where)
    return spec


def _rule(cfg: dict[str, Any], name: str) -> dict[str, Any] | None:
    r = cfg["rules"].get(name)
    if not r or not r.get("enabled", True):
        return None
    return r


def _need(r: dict[str, Any], key: str, cfg: dict[str, Any], rule: str) -> Any:
    if key not in r:
        raise AlertConfigError(f"{cfg.get('_file')}: rules.{rule}.{key} is missing (see resources/alerts.yaml)")
    return r[key]


def poisson_upper_tail(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam), summed in log space.

    Hand-written (a dozen lines) so the package needs no SciPy for one distribution function.
    """
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    # P(X <= k-1) = sum_{i<k} exp(i*log(lam) - lam - lgamma(i+1)); the terms grow then shrink.
    logs = [i * math.log(lam) - lam - math.lgamma(i + 1) for i in range(k)]
    top = max(logs)
    cdf = math.exp(top) * sum(math.exp(x - top) for x in logs)
    return max(0.0, 1.0 - cdf)


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _live() -> sa.ColumnElement[bool]:
    return events.c.status.not_in(LIVE)


def spike_alerts(store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date) -> Iterator[Alert]:
    """Weeks (Monday to Sunday) from `since`'s week to `until`'s, per admin-1 area and measure."""
    r = _rule(cfg, "spike")
    if r is None:
        return
    weeks = int(_need(r, "baseline_weeks", cfg, "spike"))
    alpha = float(_need(r, "p_value", cfg, "spike"))
    floor = float(r.get("min_baseline", 0.0))
    measures = _need(r, "measures", cfg, "spike")
    first = _monday(since)
    start = first - dt.timedelta(weeks=weeks)
    c = events.c
    q = (
        sa.select(c.country, c.admin1, c.date, sa.func.count(), sa.func.coalesce(sa.func.sum(c.fatalities), 0))
        .where(_live(), c.admin1.is_not(None), c.date >= start.isoformat(), c.date <= until.isoformat())
        .group_by(c.country, c.admin1, c.date)
    )
    weekly: dict[tuple[str, str], dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    with store.engine.connect() as conn:
        for country, admin1, day, n, dead in conn.execute(q):
            if not day or len(day) != 10:
                continue  # a month- or year-precision event belongs to no week
            w = weekly[(country, admin1)][_monday(dt.date.fromisoformat(day))]
            w[0] += n
            w[1] += int(dead)
    for (country, admin1), series in sorted(weekly.items()):
        week = first
        while week <= until:
            for idx, measure in enumerate(("events", "fatalities")):
                spec = measures.get(measure)
                if not spec:
                    continue
                k = series.get(week, [0, 0])[idx]
                if k < int(spec.get("min_count", 1)):
                    continue
                past = [series.get(week - dt.timedelta(weeks=i), [0, 0])[idx] for i in range(1, weeks + 1)]
                lam = max(sum(past) / weeks, floor)
                p = poisson_upper_tail(k, lam)
                if p < alpha:
                    yield Alert(
                        cause_key=f"spike:{measure}:{country}:{admin1}:{week.isoformat()}",
                        rule="spike",
                        kind=f"spike_{measure}",
                        title=f"{admin1} ({country}): {k} {measure} in the week of {week.isoformat()}, "
                        f"against a weekly mean of {sum(past) / weeks:.1f} over {weeks} weeks (p={p:.2g})",
                        detail={
                            "measure": measure,
                            "week": week.isoformat(),
                            "count": k,
                            "baseline_mean": round(sum(past) / weeks, 3),
                            "baseline_weeks": weeks,
                            "p_value": p,
                            "test": "Poisson upper tail P(X>=k), mean = trailing weekly mean",
                        },
                        country=country,
                        admin1=admin1,
                        date=week.isoformat(),
                    )
            week += dt.timedelta(weeks=1)


def new_area_alerts(store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date) -> Iterator[Alert]:
    r = _rule(cfg, "new_area")
    if r is None:
        return
    levels = r.get("levels") or ["admin1", "country"]
    min_history = int(r.get("min_history", 1))
    ignore = tuple(r.get("ignore_prefixes") or ())
    c = events.c
    with store.engine.connect() as conn:
        recent = conn.execute(
            sa.select(c.actor1)
            .where(_live(), c.actor1.is_not(None), c.date >= since.isoformat(), c.date <= until.isoformat() + "-99")
            .distinct()
        ).scalars()
        actors = sorted(a for a in recent if not a.startswith(ignore))
        for actor in actors:
            rows = conn.execute(
                sa.select(c.id, c.date, c.country, c.admin1)
                .where(_live(), c.actor1 == actor, c.date.is_not(None))
                .order_by(c.date, c.id)
            ).all()
            for level in levels:
                seen: set[Any] = set()
                count = 0
                for eid, day, country, admin1 in rows:
                    key = (country, admin1) if level == "admin1" else country
                    if (level == "admin1" and not admin1) or not country:
                        continue
                    in_window = day >= since.isoformat() and day[:10] <= until.isoformat()
                    if key not in seen and in_window and count >= min_history:
                        where = f"{admin1} ({country})" if level == "admin1" else country
                        yield Alert(
                            cause_key=f"new_area:{level}:{actor}:{country}"
                            + (f":{admin1}" if level == "admin1" else ""),
                            rule="new_area",
                            kind=f"new_{level}",
                            title=f"{actor}: first event in {where} ({day})",
                            detail={"level": level, "previous_events": count},
                            country=country,
                            admin1=admin1 if level == "admin1" else None,
                            actor=actor,
                            event_id=eid,
                            date=day,
                        )
                    seen.add(key)
                    count += 1


def mass_casualty_alerts(store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date) -> Iterator[Alert]:
    r = _rule(cfg, "mass_casualty")
    if r is None:
        return
    n = int(_need(r, "min_fatalities", cfg, "mass_casualty"))
    c = events.c
    q = sa.select(c.id, c.date, c.country, c.admin1, c.location, c.sub_event_type, c.fatalities, c.actor1).where(
        _live(), c.fatalities >= n, c.date >= since.isoformat(), c.date <= until.isoformat() + "-99"
    )
    with store.engine.connect() as conn:
        for e in conn.execute(q.order_by(c.date, c.id)):
            yield Alert(
                cause_key=f"mass_casualty:{e.id}",
                rule="mass_casualty",
                kind="mass_casualty",
                title=f"{e.fatalities} killed: {e.sub_event_type} in {e.location or e.admin1 or e.country} ({e.date})",
                detail={"fatalities": e.fatalities, "threshold": n},
                country=e.country,
                admin1=e.admin1,
                actor=e.actor1,
                event_id=e.id,
                date=e.date,
            )


def watchlist_alerts(store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date) -> Iterator[Alert]:
    r = _rule(cfg, "watchlist")
    if r is None:
        return
    actors = [str(a) for a in r.get("actors") or []]
    places = [str(p) for p in r.get("places") or []]
    if not actors and not places:
        return
    c = events.c
    conds = []
    if actors:
        conds += [c.actor1.in_(actors), c.actor2.in_(actors)]
    if places:
        conds += [c.country.in_(places), c.admin1.in_(places), c.location.in_(places)]
    q = sa.select(c.id, c.date, c.country, c.admin1, c.location, c.sub_event_type, c.actor1, c.actor2).where(
        _live(), sa.or_(*conds), c.date >= since.isoformat(), c.date <= until.isoformat() + "-99"
    )
    with store.engine.connect() as conn:
        for e in conn.execute(q.order_by(c.date, c.id)):
            hits = [a for a in (e.actor1, e.actor2) if a in actors] + [
                p for p in (e.country, e.admin1, e.location) if p in places
            ]
            what = hits[0]
            yield Alert(
                cause_key=f"watch:{what}:{e.id}",
                rule="watchlist",
                kind="watch_actor" if what in actors else "watch_place",
                title=f"watch list ({what}): {e.sub_event_type} in {e.location or e.admin1 or e.country} ({e.date})",
                detail={"matched": hits},
                country=e.country,
                admin1=e.admin1,
                actor=e.actor1,
                event_id=e.id,
                date=e.date,
            )


RULES = (spike_alerts, new_area_alerts, mass_casualty_alerts, watchlist_alerts)


def evaluate(store: Store, cfg: dict[str, Any], since: dt.date, until: dt.date | None = None) -> list[Alert]:
    """Every alert the rules find for events dated from `since` to `until` (default: the newest)."""
    if until is None:
        with store.engine.connect() as conn:
            newest = conn.execute(sa.select(sa.func.max(events.c.date)).where(_live())).scalar()
        until = dt.date.fromisoformat(newest[:10]) if newest and len(newest) >= 10 else dt.date.today()
    out: list[Alert] = []
    for rule in RULES:
        out.extend(rule(store, cfg, since, until))
    return out
