"""Incremental cross-source clustering: one event, all the articles that report it.

A new event is compared with the events already stored in the same country on compatible dates
(one indexed `country = ? AND date IN (...)` look-up per batch of dates), never with the whole
table. An event with no date of its own is compared on the days before its article's publication
day (rules.undated_window), with the undated events of articles published around then.
A new event joins the best-scoring compatible cluster, whose head (its oldest event) then lists
the new article with its evidence in `event_articles`; the merged row keeps its own figures
(status "merged", `merged_into` = head). A reviewer can undo any merge (`unmerge`); the pair is
then blocked from being merged again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from marsad.merge.rules import (
    MergeRules,
    candidate_keys,
    compare,
    content_words,
    default_rules,
    jaccard,
    own_key,
    parse_day,
    signature,
    undated_window,
)
from marsad.merge.sources import cluster_summaries
from marsad.store.db import Store, StoreError
from marsad.store.schema import (
    articles,
    audit_log,
    event_articles,
    event_clusters,
    events,
    merge_blocks,
    merge_links,
    merge_state,
    reviews,
)

CLOSED = ("merged", "rejected")  # events that are no merge target
COLUMNS = (
    "id",
    "article_id",
    "event_type",
    "sub_event_type",
    "date",
    "actor1",
    "actor2",
    "location",
    "country",
    "admin1",
    "lat",
    "lon",
    "geo_precision",
    "fatalities",
    "injuries",
    "modality",
    "status",
    "merged_into",
    "source",
    "evidence",
)
WATERMARK = "last_event_id"
REVIEW_MARK = "last_review_id"
CHUNK = 400  # values per IN (...) list: well under SQLite's parameter limit


@dataclass
class MergeReport:
    examined: int = 0
    merged: int = 0
    heads_updated: int = 0
    links: list[tuple[int, int, float]] = field(default_factory=list)  # (event, head, score)


class ArticleWords:
    """Content words of whole articles, read from the store on first use (few pairs need them)."""

    def __init__(self, conn: sa.Connection, rules: MergeRules) -> None:
        self.conn, self.rules = conn, rules
        self.cache: dict[str, frozenset[str]] = {}

    def words(self, article_id: str) -> frozenset[str]:
        if article_id not in self.cache:
            row = self.conn.execute(
                sa.select(articles.c.title, articles.c.text).where(articles.c.id == article_id)
            ).first()
            text = f"{row.title or ''} {row.text or ''}" if row is not None else ""
            self.cache[article_id] = content_words(text, self.rules)
        return self.cache[article_id]

    def similarity(self, a: str, b: str) -> float:
        return jaccard(self.words(a), self.words(b))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _rows(conn: sa.Connection, where: Any) -> list[dict[str, Any]]:
    cols = [events.c[c] for c in COLUMNS]
    # zip over plain tuples: building rows through `_mapping` costs more than the query itself.
    return [dict(zip(COLUMNS, r, strict=True)) for r in conn.execute(sa.select(*cols).where(where))]


def _chunks(items: Sequence[Any], n: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def merge_events(
    store: Store,
    event_ids: Iterable[int] | None = None,
    since: int | str | None = None,
    rules: MergeRules | None = None,
) -> MergeReport:
    """Merge the given events (or every event with id > `since`, or dated from `since` when it is
    a "YYYY-MM-DD" string) into the clusters they belong to.

    Each event is only merged into an older event (smaller id), so running it again, or on the
    events in another order of batches, gives the same clusters.
    """
    rules = rules or default_rules()
    report = MergeReport()
    with store.engine.begin() as conn:
        if event_ids is not None:
            ids = sorted(set(event_ids))
            new = [r for chunk in _chunks(ids) for r in _rows(conn, events.c.id.in_(list(chunk)))]
        elif isinstance(since, str):
            new = _rows(conn, events.c.date >= since)
        else:
            new = _rows(conn, events.c.id > (since or 0))
        _add_published(conn, new)
        new = [r for r in new if r["status"] not in CLOSED and r["country"] and own_key(r)]
        new.sort(key=lambda r: r["id"])
        report.examined = len(new)
        if not new:
            return report
        pool = _candidates(conn, new, rules)
        blocked = _blocked(conn, [r["id"] for r in new])
        clusters = _cluster_articles(conn, pool)
        by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for row in sorted(pool.values(), key=lambda r: r["id"]):
            key = own_key(row)
            if key is not None:
                by_key[(row["country"], key)].append(row)
        members_of: dict[int, list[int]] = defaultdict(list)
        for row in pool.values():
            if row["status"] == "merged" and row["merged_into"] is not None:
                members_of[row["merged_into"]].append(row["id"])
        touched: set[int] = set()
        texts = ArticleWords(conn, rules)
        links: list[tuple[dict[str, Any], int, float, list[str]]] = []
        for ev in new:
            best: tuple[float, int, list[str]] | None = None
            seen_heads: set[int] = set()
            for key in candidate_keys(ev, rules):
                for cand in by_key.get((ev["country"], key), ()):
                    if cand["id"] >= ev["id"]:
                        continue
                    head = cand["merged_into"] if cand["status"] == "merged" else cand["id"]
                    if head is None or head in seen_heads or head not in pool:
                        continue
                    seen_heads.add(head)
                    verdict = _against_cluster(ev, head, pool, members_of, rules, texts)
                    if verdict is None or (ev["id"], head) in blocked:
                        continue
                    if ev["article_id"] in clusters[head]:
                        continue  # two events of one article are two events
                    if best is None or verdict[0] > best[0] or (verdict[0] == best[0] and head < best[1]):
                        best = (verdict[0], head, verdict[1])
            if best is None:
                continue
            score, head, reasons = best
            links.append((ev, head, score, reasons))
            pool[ev["id"]] = {**ev, "status": "merged", "merged_into": head}
            clusters[head].add(ev["article_id"])
            members_of[head].append(ev["id"])
            touched.add(head)
            report.merged += 1
            report.links.append((ev["id"], head, score))
        _link_all(conn, links, "auto")
        refresh_clusters(conn, sorted(touched))
        report.heads_updated = len(touched)
    return report


KEYS_PER_QUERY = 8  # date values per candidate statement: a day-dated event's 5 days, month and year fit one
_CANDIDATES = sa.text(
    f"SELECT {', '.join(COLUMNS)} FROM events WHERE country = :c "
    f"AND date IN ({', '.join(f':d{j}' for j in range(KEYS_PER_QUERY))}) "
    "AND status != 'rejected' AND (lat IS NULL OR lon IS NULL OR geo_precision IS NULL "
    "OR geo_precision NOT IN ('point', 'city') OR (lat BETWEEN :s AND :n AND lon BETWEEN :w AND :e))"
)


def _candidates(conn: sa.Connection, new: list[dict[str, Any]], rules: MergeRules) -> dict[int, dict[str, Any]]:
    """The stored events a new event could merge with, plus the heads of merged ones.

    One indexed look-up per new event (ix_events_country_date: country, then the few compatible
    date values), with a bounding box around precise places so that far-away events of the same
    country and day never leave the database.
    """
    pool: dict[int, dict[str, Any]] = {}
    for ev in new:
        keys = [k for k in candidate_keys(ev, rules) if not k.startswith("~")]
        box = {"s": -90.0, "n": 90.0, "w": -180.0, "e": 180.0}
        if ev["geo_precision"] in rules.precise and ev["lat"] is not None and ev["lon"] is not None:
            # a rare act with a notable toll may join one placed farther off (rules.signature)
            dlat = (rules.signature_km if signature(ev, rules) else rules.max_km) / 111.0
            dlon = dlat / max(0.1, math.cos(math.radians(ev["lat"])))
            box = {"s": ev["lat"] - dlat, "n": ev["lat"] + dlat, "w": ev["lon"] - dlon, "e": ev["lon"] + dlon}
        for i in range(0, len(keys), KEYS_PER_QUERY):
            group = keys[i : i + KEYS_PER_QUERY]
            group += [group[0]] * (KEYS_PER_QUERY - len(group))
            params = {"c": ev["country"], **{f"d{j}": k for j, k in enumerate(group)}, **box}
            for r in conn.execute(_CANDIDATES, params):
                pool.setdefault(r[0], dict(zip(COLUMNS, r, strict=True)))
    for r in _undated_candidates(conn, new, rules):
        pool.setdefault(r["id"], r)
    heads = {r["merged_into"] for r in pool.values() if r["status"] == "merged" and r["merged_into"]} - set(pool)
    for chunk in _chunks(sorted(heads)):
        for r in _rows(conn, events.c.id.in_(list(chunk))):
            pool[r["id"]] = r
    _add_published(conn, list(pool.values()))
    return pool


def _add_published(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Give undated events their article's publication day (`published`): they are compared on
    the days before it (rules.undated_window)."""
    undated = {r["article_id"] for r in rows if not r["date"] and r.get("article_id") and "published" not in r}
    published: dict[str, Any] = {}
    for chunk in _chunks(sorted(undated)):
        q = sa.select(articles.c.id, articles.c.published).where(articles.c.id.in_(list(chunk)))
        published |= {aid: pub for aid, pub in conn.execute(q)}
    for r in rows:
        if not r["date"] and "published" not in r:
            r["published"] = published.get(r["article_id"])


def _undated_candidates(conn: sa.Connection, new: list[dict[str, Any]], rules: MergeRules) -> list[dict[str, Any]]:
    """Stored undated events of the new events' countries whose articles appeared on the days
    whose windows could hold the new events (indexed `country = ? AND date IS NULL` look-ups)."""
    days: dict[str, set[dt.date]] = defaultdict(set)
    for ev in new:
        window = undated_window(ev, rules)
        if window is not None:  # undated events whose windows overlap this one
            first, n = window[1] - dt.timedelta(days=rules.undated_days), 2 * rules.undated_days
        elif (day := parse_day(ev["date"])) is not None:  # published on the day or the few after
            first, n = day, rules.undated_days
        else:
            continue
        days[ev["country"]].update(first + dt.timedelta(days=i) for i in range(n + 1))
    out: list[dict[str, Any]] = []
    cols = [events.c[c] for c in COLUMNS]
    for country, wanted in days.items():
        for chunk in _chunks(sorted(wanted)):
            q = (
                sa.select(*cols, articles.c.published)
                .join(articles, articles.c.id == events.c.article_id)
                .where(
                    events.c.country == country,
                    events.c.date.is_(None),
                    events.c.status != "rejected",
                    articles.c.published.in_(list(chunk)),
                )
            )
            out += [dict(zip((*COLUMNS, "published"), r, strict=True)) for r in conn.execute(q)]
    return out


def _blocked(conn: sa.Connection, ids: list[int]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        for a, b in conn.execute(
            sa.select(merge_blocks.c.event_id, merge_blocks.c.other_id).where(
                sa.or_(merge_blocks.c.event_id.in_(list(chunk)), merge_blocks.c.other_id.in_(list(chunk)))
            )
        ):
            out.update({(a, b), (b, a)})
    return out


def _cluster_articles(conn: sa.Connection, pool: dict[int, dict[str, Any]]) -> dict[int, set[str]]:
    """The articles already in each candidate cluster (from the heads' `event_articles`)."""
    out: dict[int, set[str]] = defaultdict(set)
    heads = [i for i, r in pool.items() if r["status"] != "merged"]
    for chunk in _chunks(heads):
        q = sa.select(event_articles.c.event_id, event_articles.c.article_id).where(
            event_articles.c.event_id.in_(list(chunk))
        )
        for eid, aid in conn.execute(q):
            out[eid].add(aid)
    for i, r in pool.items():
        head = r["merged_into"] if r["status"] == "merged" else i
        if head is not None:
            out[head].add(r["article_id"])
    return out


def _against_cluster(
    ev: dict[str, Any],
    head: int,
    pool: dict[int, dict[str, Any]],
    members_of: dict[int, list[int]],
    rules: MergeRules,
    texts: ArticleWords | None = None,
) -> tuple[float, list[str]] | None:
    """Complete linkage: the new event must be compatible with every member seen (so a cluster
    cannot drift from one strike to the next); the score is the best member's."""
    members = [pool[head]] + [pool[i] for i in members_of.get(head, ())]
    best: tuple[float, list[str]] | None = None
    for m in members:
        v = compare(ev, m, rules, texts.similarity if texts else None)
        if not v.compatible:
            return None  # a hard condition failed with one member
        if v.same and (best is None or v.score > best[0]):
            best = (v.score, v.reasons)
    return best


def _link_all(conn: sa.Connection, links: list[tuple[dict[str, Any], int, float, list[str]]], by: str) -> None:
    """Record merges in a few batched statements (a statement costs ~1 ms through SQLAlchemy:
    per-row statements would dominate an incremental batch)."""
    if not links:
        return
    now = _now()
    ids = [ev["id"] for ev, *_ in links]
    head_of = {ev["id"]: head for ev, head, *_ in links}
    conn.execute(
        events.update()
        .where(events.c.id == sa.bindparam("eid"))
        .values(status="merged", merged_into=sa.bindparam("h")),
        [{"eid": e, "h": h} for e, h in head_of.items()],
    )
    ea = event_articles.c
    have: set[tuple[int, str]] = set()
    heads = sorted(set(head_of.values()))
    for chunk in _chunks(heads):
        have |= {
            (r[0], r[1]) for r in conn.execute(sa.select(ea.event_id, ea.article_id).where(ea.event_id.in_(chunk)))
        }
    rows = []
    for chunk in _chunks(ids):
        q = sa.select(ea.event_id, ea.article_id, ea.evidence, ea.evidence_start, ea.evidence_end).where(
            ea.event_id.in_(chunk)
        )
        for r in conn.execute(q):
            key = (head_of[r.event_id], r.article_id)
            if key not in have:
                have.add(key)
                rows.append({**dict(r._mapping), "event_id": key[0]})
    if rows:
        conn.execute(event_articles.insert(), rows)
    for chunk in _chunks(ids):
        conn.execute(sa.delete(merge_links).where(merge_links.c.event_id.in_(chunk)))
    conn.execute(
        merge_links.insert(),
        [
            {
                "event_id": ev["id"],
                "head_id": head,
                "score": score,
                "reasons": reasons,
                "prev_status": ev["status"],
                "by": by,
                "at": now,
            }
            for ev, head, score, reasons in links
        ],
    )


def refresh_cluster(conn: sa.Connection, head: int) -> dict[str, Any] | None:
    """Recompute a head's sources, figures and conservative fatalities after its cluster changed."""
    return refresh_clusters(conn, [head]).get(head)


def refresh_clusters(conn: sa.Connection, heads: list[int]) -> dict[int, dict[str, Any]]:
    """`refresh_cluster` for many heads in batched queries; returns the summaries of real clusters."""
    head_rows: dict[int, dict[str, Any]] = {}
    old: dict[int, Any] = {}
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(sorted(set(heads))):
        head_rows |= {r["id"]: r for r in _rows(conn, events.c.id.in_(chunk))}
        old |= {
            r.head_id: r for r in conn.execute(sa.select(event_clusters).where(event_clusters.c.head_id.in_(chunk)))
        }
        member_ids = list(
            conn.execute(sa.select(merge_links.c.event_id).where(merge_links.c.head_id.in_(chunk))).scalars()
        )
        # Merges a reviewer made (Store.review "merge") have no link row: find them through the
        # articles the head lists (both look-ups indexed).
        listed = sa.select(event_articles.c.article_id).where(event_articles.c.event_id.in_(chunk))
        member_ids += conn.execute(
            sa.select(events.c.id).where(
                events.c.article_id.in_(listed), events.c.merged_into.in_(chunk), events.c.status == "merged"
            )
        ).scalars()
        member_ids = sorted(set(member_ids))
        for sub in _chunks(member_ids):
            for r in _rows(conn, events.c.id.in_(sub)):
                if r["status"] == "merged" and r["merged_into"] in head_rows:
                    members[r["merged_into"]].append(r)
    own = {h: (old[h].own_fatalities if h in old else r["fatalities"]) for h, r in head_rows.items()}
    summaries = cluster_summaries(
        conn, {h: ({**r, "fatalities": own[h]}, members[h]) for h, r in head_rows.items() if members[h]}
    )
    for chunk in _chunks(list(head_rows)):
        conn.execute(sa.delete(event_clusters).where(event_clusters.c.head_id.in_(chunk)))
    now = _now()
    if summaries:
        conn.execute(
            event_clusters.insert(),
            [{"head_id": h, "own_fatalities": own[h], "updated_at": now, **sm} for h, sm in summaries.items()],
        )
    # A reviewer's corrected figure wins over the rule; a head left alone gets its own figure back.
    fixes = [
        {"eid": h, "f": summaries[h]["fatalities_low"] if h in summaries else own[h]}
        for h, r in head_rows.items()
        if r["status"] != "corrected" and (h in summaries or h in old)
    ]
    if fixes:
        conn.execute(
            events.update().where(events.c.id == sa.bindparam("eid")).values(fatalities=sa.bindparam("f")), fixes
        )
    return summaries


def merge_new(store: Store, rules: MergeRules | None = None) -> MergeReport:
    """Merge every event stored since the last call (a watermark in `merge_state`).

    The ingest runner calls it after each batch; it also repairs members left behind when their
    head's article was re-saved (the head row is gone: they become events of their own again).
    """
    with store.engine.begin() as conn:
        mark = conn.execute(sa.select(merge_state.c.value).where(merge_state.c.key == WATERMARK)).scalar()
        top = conn.execute(sa.select(sa.func.max(events.c.id))).scalar() or 0
        orphans = conn.execute(
            sa.select(merge_links.c.event_id, merge_links.c.prev_status)
            .join(events, events.c.id == merge_links.c.event_id)
            .where(events.c.merged_into.is_(None), events.c.status == "merged")
        ).all()
        for eid, prev in orphans:
            conn.execute(events.update().where(events.c.id == eid).values(status=prev or "new"))
            conn.execute(sa.delete(merge_links).where(merge_links.c.event_id == eid))
        # Clusters a reviewer changed by hand since the last call: their figures are refreshed.
        seen = conn.execute(sa.select(merge_state.c.value).where(merge_state.c.key == REVIEW_MARK)).scalar()
        last_review = conn.execute(sa.select(sa.func.max(reviews.c.id))).scalar() or 0
        hand = conn.execute(
            sa.select(reviews.c.fields).where(reviews.c.id > int(seen or 0), reviews.c.action == "merge")
        ).scalars()
        heads = sorted({int(f["into"]) for f in hand if isinstance(f, dict) and f.get("into")})
        if heads:
            refresh_clusters(conn, heads)
        conn.execute(sa.delete(merge_state).where(merge_state.c.key == REVIEW_MARK))
        conn.execute(merge_state.insert().values(key=REVIEW_MARK, value=str(last_review)))
    since = int(mark) if mark else 0
    ids = [o[0] for o in orphans]
    report = merge_events(store, since=since, rules=rules)
    if ids:
        extra = merge_events(store, event_ids=ids, rules=rules)
        report.examined += extra.examined
        report.merged += extra.merged
        report.links += extra.links
    with store.engine.begin() as conn:
        conn.execute(sa.delete(merge_state).where(merge_state.c.key == WATERMARK))
        conn.execute(merge_state.insert().values(key=WATERMARK, value=str(max(top, since))))
    return report


def unmerge(store: Store, event_id: int, user: str = "reviewer", note: str | None = None) -> list[int]:
    """Undo merges: a merged event leaves its cluster; a head lets all its members go.

    The pairs are blocked from automatic merging afterwards; each change is reviewed and audited.
    Returns the ids of the events set free.
    """
    now = _now()
    with store.engine.begin() as conn:
        row = conn.execute(sa.select(events.c.status, events.c.merged_into).where(events.c.id == event_id)).first()
        if row is None:
            raise StoreError(f"no event {event_id}")
        if row.status == "merged" and row.merged_into is not None:
            pairs = [(event_id, row.merged_into)]
        else:
            members = conn.execute(sa.select(events.c.id).where(events.c.merged_into == event_id)).scalars().all()
            if not members:
                raise StoreError(f"event {event_id} is not merged and has no merged events")
            pairs = [(m, event_id) for m in members]
        for member, head in pairs:
            prev = conn.execute(sa.select(merge_links.c.prev_status).where(merge_links.c.event_id == member)).scalar()
            before = {"status": "merged", "merged_into": head}
            after = {"status": prev or "new", "merged_into": None}
            conn.execute(events.update().where(events.c.id == member).values(**after, updated_at=now))
            art = conn.execute(sa.select(events.c.article_id).where(events.c.id == member)).scalar()
            head_art = conn.execute(sa.select(events.c.article_id).where(events.c.id == head)).scalar()
            if art != head_art:
                ea = event_articles.c
                conn.execute(sa.delete(event_articles).where(ea.event_id == head, ea.article_id == art))
            conn.execute(sa.delete(merge_links).where(merge_links.c.event_id == member))
            conn.execute(
                merge_blocks.insert().values(event_id=min(member, head), other_id=max(member, head), by=user, at=now)
            )
            conn.execute(
                reviews.insert().values(
                    event_id=member, user=user, action="unmerge", fields={"from": head}, note=note, at=now
                )
            )
            conn.execute(
                audit_log.insert().values(
                    at=now,
                    user=user,
                    action="review:unmerge",
                    table_name="events",
                    row_id=str(member),
                    before=before,
                    after=after,
                )
            )
        refresh_clusters(conn, sorted({h for _, h in pairs}))
    return [m for m, _ in pairs]


def sources_of(store: Store, event_id: int) -> dict[str, Any]:
    """The cluster an event belongs to: its head, each source's figures, the corroboration counts."""
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(events.c.status, events.c.merged_into).where(events.c.id == event_id)).first()
        if row is None:
            raise StoreError(f"no event {event_id}")
        head = row.merged_into if row.status == "merged" and row.merged_into else event_id
        c = conn.execute(sa.select(event_clusters).where(event_clusters.c.head_id == head)).first()
        if c is None:
            ev = conn.execute(sa.select(*[events.c[k] for k in COLUMNS]).where(events.c.id == head)).first()
            if ev is None:
                raise StoreError(f"no event {head}")
            e = dict(ev._mapping)
            figure = {k: e[k] for k in ("article_id", "source", "fatalities", "injuries")} | {"event_id": head}
            return {
                "head_id": head,
                "fatalities": e["fatalities"],
                "fatalities_low": e["fatalities"],
                "fatalities_high": e["fatalities"],
                "disputed": False,
                "figures": [figure],
                "articles": 1,
                "sources": 1,
                "independent_sources": 1,
            }
        out = dict(c._mapping)
        out["fatalities"] = conn.execute(sa.select(events.c.fatalities).where(events.c.id == head)).scalar()
        out.pop("updated_at", None)
        return out
