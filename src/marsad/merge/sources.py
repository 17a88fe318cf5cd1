"""Who reports a merged event: each source's figures, the conservative toll, and corroboration.

Corroboration counts independent sources: outlets, with wire copies counted once. A copy is an
article the ingester linked as a near-duplicate (`ingest_items`, never stored as an article), or a
stored article whose MinHash signature is within the ingester's near-duplicate threshold of
another one in the cluster (e.g. loaded with `Store.save` directly, without de-duplication).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from marsad.ingest import identity
from marsad.store.schema import articles, ingest_items, ingest_minhash


def conservative(figures: list[int | None]) -> int | None:
    """ACLED's rule: when reports differ, the most conservative (lowest) credible figure.

    A report without a figure is no claim of zero; it is left out.
    """
    known = [f for f in figures if f is not None]
    return min(known) if known else None


class _Groups:
    """Union-find over article ids: components are the independent sources."""

    def __init__(self, items: list[str]) -> None:
        self.parent = {i: i for i in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def count(self) -> int:
        return len({self.find(x) for x in self.parent})


CHUNK = 400


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def independent_sources(conn: sa.Connection, article_ids: list[str]) -> tuple[int, int]:
    """(distinct outlets incl. wire copies, independent sources) of the stored articles given."""
    return _counts(conn, {0: article_ids})[0]


def _counts(conn: sa.Connection, groups: dict[int, list[str]]) -> dict[int, tuple[int, int]]:
    """`independent_sources` for many clusters at once: three batched look-ups in all."""
    ids = sorted({a for arts in groups.values() for a in arts})
    outlet: dict[str, str] = {}
    copies: dict[str, set[str]] = {}
    sigs: dict[str, Any] = {}
    mh = ingest_minhash.c
    for chunk in _chunks(ids):
        for r in conn.execute(sa.select(articles.c.id, articles.c.source).where(articles.c.id.in_(chunk))):
            outlet[r.id] = r.source or r.id
        q = sa.select(ingest_items.c.source, ingest_items.c.duplicate_of).where(
            ingest_items.c.status == "near_duplicate", ingest_items.c.duplicate_of.in_(chunk)
        )
        for src, dup in conn.execute(q):
            if src:
                copies.setdefault(dup, set()).add(src)
        for r in conn.execute(sa.select(mh.article_id, mh.signature).where(mh.article_id.in_(chunk))):
            sigs[r.article_id] = identity.from_bytes(r.signature)
    out: dict[int, tuple[int, int]] = {}
    for key, arts in groups.items():
        members = sorted(set(arts))
        names = {a: outlet.get(a, a) for a in members}
        outlets = set(names.values()).union(*(copies.get(a, set()) for a in members))
        found = _Groups(members)
        by_outlet: dict[str, str] = {}
        for aid in members:  # one outlet reporting twice is one source
            found.join(by_outlet.setdefault(names[aid], aid), aid)
        signed = [a for a in members if a in sigs]
        for i, a in enumerate(signed):
            for b in signed[i + 1 :]:
                if identity.similarity(sigs[a], sigs[b]) >= identity.THRESHOLD:
                    found.join(a, b)
        out[key] = (len(outlets), found.count())
    return out


def cluster_summary(conn: sa.Connection, head: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    """The event_clusters row (without head_id/own_fatalities/updated_at) of a head and its members."""
    return cluster_summaries(conn, {0: (head, members)})[0]


def cluster_summaries(
    conn: sa.Connection, clusters: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]]
) -> dict[int, dict[str, Any]]:
    """`cluster_summary` for many clusters (keyed by head id), sources counted in one batch."""
    counts = _counts(conn, {k: [r["article_id"] for r in (h, *m) if r["article_id"]] for k, (h, m) in clusters.items()})
    out = {}
    for key, (head, members) in clusters.items():
        rows = [head, *members]
        figures = [
            {
                "event_id": r["id"],
                "article_id": r["article_id"],
                "source": r.get("source"),
                "fatalities": r.get("fatalities"),
                "injuries": r.get("injuries"),
            }
            for r in rows
        ]
        credible = [r.get("fatalities") for r in rows if r.get("modality") != "hypothetical"]
        known = [f for f in credible if f is not None]
        n_outlets, n_independent = counts[key]
        out[key] = {
            "fatalities_low": conservative(credible),
            "fatalities_high": max(known) if known else None,
            "disputed": len(set(known)) > 1,
            "figures": figures,
            "articles": len({r["article_id"] for r in rows}),
            "sources": n_outlets,
            "independent_sources": n_independent,
        }
    return out
