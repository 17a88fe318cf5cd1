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


def independent_sources(conn: sa.Connection, article_ids: list[str]) -> tuple[int, int]:
    """(distinct outlets incl. wire copies, independent sources) of the stored articles given."""
    ids = sorted(set(article_ids))
    outlet = {
        r.id: r.source or r.id
        for r in conn.execute(sa.select(articles.c.id, articles.c.source).where(articles.c.id.in_(ids)))
    }
    for aid in ids:
        outlet.setdefault(aid, aid)
    copies = conn.execute(
        sa.select(ingest_items.c.source, ingest_items.c.duplicate_of).where(
            ingest_items.c.status == "near_duplicate", ingest_items.c.duplicate_of.in_(ids)
        )
    ).all()
    outlets = set(outlet.values()) | {src for src, _ in copies if src}
    groups = _Groups(ids)
    by_outlet: dict[str, str] = {}
    for aid in ids:  # one outlet reporting twice is one source
        first = by_outlet.setdefault(outlet[aid], aid)
        groups.join(first, aid)
    mh = ingest_minhash.c
    sigs = {
        r.article_id: identity.from_bytes(r.signature)
        for r in conn.execute(sa.select(mh.article_id, mh.signature).where(mh.article_id.in_(ids)))
    }
    keys = sorted(sigs)
    for i, a in enumerate(keys):
        for b in keys[i + 1 :]:
            if identity.similarity(sigs[a], sigs[b]) >= identity.THRESHOLD:
                groups.join(a, b)
    return len(outlets), groups.count()


def cluster_summary(conn: sa.Connection, head: dict[str, Any], members: list[dict[str, Any]]) -> dict[str, Any]:
    """The event_clusters row (without head_id/own_fatalities/updated_at) of a head and its members."""
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
    n_outlets, n_independent = independent_sources(conn, [r["article_id"] for r in rows if r["article_id"]])
    return {
        "fatalities_low": conservative(credible),
        "fatalities_high": max(known) if known else None,
        "disputed": len(set(known)) > 1,
        "figures": figures,
        "articles": len({r["article_id"] for r in rows}),
        "sources": n_outlets,
        "independent_sources": n_independent,
    }
