"""Ingest bookkeeping in the database: seen content, the near-duplicate index, links, feeds.

The tables are the `ingest_*` block at the end of `marsad.store.schema`; articles themselves go
through `Store.save`, which owns the article tables. Each method runs on the connection it is
given (the ingest's open batch transaction, which sees its own uncommitted writes), or else on a
connection of its own, committed at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from marsad.ingest import identity
from marsad.store.db import Store
from marsad.store.schema import (
    articles,
    ingest_boilerplate,
    ingest_feeds,
    ingest_items,
    ingest_lsh,
    ingest_minhash,
    sources,
)


class Ledger:
    """Reads and writes the ingest tables of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        self._insert = sqlite_dialect.insert if store.dialect == "sqlite" else pg_dialect.insert
        # The per-article statements are compiled once: building SQLAlchemy expressions for each
        # article cost more than running them.
        bands = identity.lsh_params().bands
        # One round trip: a stored article first, else an earlier near-duplicate/skipped record.
        self._q_seen = sa.union_all(
            sa.select(sa.literal("duplicate").label("status"), articles.c.id.label("ref"), sa.literal(0).label("o"))
            .where(
                sa.or_(
                    articles.c.id == sa.bindparam("h"),
                    articles.c.content_hash == sa.bindparam("h"),
                    articles.c.id == sa.bindparam("g"),
                )
            )
            .limit(1)
            .subquery()
            .select(),
            sa.select(ingest_items.c.status, ingest_items.c.duplicate_of, sa.literal(1))
            .where(ingest_items.c.item_id.in_([sa.bindparam("h"), sa.bindparam("g")]))
            .limit(1)
            .subquery()
            .select(),
        ).order_by("o")
        self._q_has_sig = sa.select(ingest_minhash.c.article_id).where(ingest_minhash.c.article_id == sa.bindparam("a"))
        # Candidates and their signatures in one round trip: the articles sharing a band key. One
        # indexed look-up per band in an IN subquery (which drops repeats): a third faster than the
        # bands OR-ed in a join with DISTINCT (SQLite and PostgreSQL plan `bands` index searches).
        shared_key = sa.union_all(
            *[
                sa.select(ingest_lsh.c.article_id).where(
                    ingest_lsh.c.band == sa.bindparam(f"b{b}"), ingest_lsh.c.key == sa.bindparam(f"k{b}")
                )
                for b in range(bands)
            ]
        )
        # No join with `articles` here (a quarter of the query's time): only the chosen article is
        # checked to exist (`_q_exists`), in case an article was deleted with its index rows left.
        self._q_near = sa.select(ingest_minhash.c.article_id, ingest_minhash.c.signature).where(
            ingest_minhash.c.article_id.in_(shared_key.scalar_subquery())
        )
        self._q_exists = sa.select(articles.c.id).where(articles.c.id == sa.bindparam("a"))
        # Compiled once to the driver's SQL and run on the driver's own cursor: per article, with 28
        # parameters, SQLAlchemy's execution (cache key, parameter processing, its result object)
        # took more than half of the look-up at 100,000 stored articles (0.25 of 0.30 ms).
        self._near_sql, self._near_order = _driver_sql(self._q_near, store.engine.dialect)
        self._exists_sql, self._exists_order = _driver_sql(self._q_exists, store.engine.dialect)
        # Idempotent inserts: a repeated call (a resumed run re-indexing an article) changes nothing.
        self._ins_sig = self._insert(ingest_minhash).on_conflict_do_nothing(index_elements=["article_id"])
        self._ins_lsh = self._insert(ingest_lsh).on_conflict_do_nothing(index_elements=["band", "key", "article_id"])
        self._ins_item = self._insert(ingest_items).on_conflict_do_nothing(index_elements=["item_id"])
        self._ins_source = self._insert(sources).on_conflict_do_nothing(index_elements=["name"])
        self._ins_article = articles.insert()

    @contextmanager
    def _conn(self, conn: sa.Connection | None) -> Iterator[sa.Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.begin() as own:
                yield own

    # ---- what is known ---------------------------------------------------------------------------

    def seen(
        self, item_id: str, given_id: str | None = None, conn: sa.Connection | None = None
    ) -> tuple[str, str] | None:
        """(status, article id) if this content was ingested before: "duplicate" or the earlier
        "near_duplicate"/"skipped" record; None if it is new."""
        params = {"h": item_id, "g": given_id or item_id}
        with self._conn(conn) as c:
            row = c.execute(self._q_seen, params).first()
        if row is None:
            return None
        return row[0], row[1] or item_id

    def has_signature(self, article_id: str, conn: sa.Connection | None = None) -> bool:
        with self._conn(conn) as c:
            return c.execute(self._q_has_sig, {"a": article_id}).first() is not None

    # ---- near-duplicates -------------------------------------------------------------------------

    def near_duplicate_of(
        self,
        sig: np.ndarray,
        exclude: str | None = None,
        conn: sa.Connection | None = None,
        keys: list[int] | None = None,
    ) -> tuple[str, float] | None:
        """The stored article most similar to this signature, if at least identity.THRESHOLD.

        `keys` are the signature's `identity.band_keys` when already computed.
        """
        params: dict[str, object] = {}
        for b, k in enumerate(keys if keys is not None else identity.band_keys(sig)):
            params[f"b{b}"], params[f"k{b}"] = b, k
        with self._conn(conn) as c:
            # The connection's own transaction: the batch's uncommitted articles are seen.
            cur = c.connection.driver_connection.cursor()
            try:
                cur.execute(self._near_sql, _args(self._near_order, params))
                rows = [(aid, bytes(blob)) for aid, blob in cur.fetchall() if aid != exclude]
                if not rows:
                    return None
                # All candidates' signatures compared in one array operation.
                sigs = np.frombuffer(b"".join(blob for _, blob in rows), dtype="<u8").reshape(len(rows), -1)
                same = np.count_nonzero(sigs == sig, axis=1)
                counts = [(aid, int(n)) for (aid, _), n in zip(rows, same, strict=True)]
                while (best := _best(counts, len(sig))) is not None:
                    cur.execute(self._exists_sql, _args(self._exists_order, {"a": best[0]}))
                    if cur.fetchone() is not None:
                        return best
                    counts = [x for x in counts if x[0] != best[0]]
            finally:
                cur.close()
        return None

    def add_signature(
        self, article_id: str, sig: np.ndarray, conn: sa.Connection | None = None, keys: list[int] | None = None
    ) -> None:
        """Index a stored article (idempotent)."""
        keys = keys if keys is not None else identity.band_keys(sig)
        rows = [{"band": b, "key": k, "article_id": article_id} for b, k in enumerate(keys)]
        with self._conn(conn) as c:
            c.execute(self._ins_sig, {"article_id": article_id, "signature": identity.to_bytes(sig)})
            c.execute(self._ins_lsh, rows)

    def add_bare_articles(
        self, conn: sa.Connection, rows: list[tuple[dict[str, Any], np.ndarray | None, list[int] | None]]
    ) -> None:
        """Store new articles without events, with their index rows, in a few statements.

        Each row is (article row, signature, band keys). The article row is what `Store.save`
        writes for an article with no events (tests/ingest checks that both store the same);
        `Store.save` first deletes any older version, but these are new articles (no stored article
        has their id or content hash), so the deletes would find nothing. One executemany for all of
        a batch costs a small part of one `Store.save` per article.
        """
        if not rows:
            return
        names = sorted({r["source"] for r, _, _ in rows if r["source"]})
        if names:
            conn.execute(self._ins_source, [{"name": n} for n in names])
        conn.execute(self._ins_article, [r for r, _, _ in rows])
        sigs = [(r["id"], sig, keys) for r, sig, keys in rows if sig is not None]
        if sigs:
            conn.execute(self._ins_sig, [{"article_id": a, "signature": identity.to_bytes(sig)} for a, sig, _ in sigs])
            conn.execute(
                self._ins_lsh,
                [
                    {"band": b, "key": k, "article_id": a}
                    for a, sig, keys in sigs
                    for b, k in enumerate(keys if keys is not None else identity.band_keys(sig))
                ],
            )

    # ---- items not stored as articles ------------------------------------------------------------

    def record(self, item_id: str, status: str, conn: sa.Connection | None = None, **fields: Any) -> None:
        """Remember a near-duplicate link or a skipped article (first record wins)."""
        values = {"item_id": item_id, "status": status, **fields}
        with self._conn(conn) as c:
            c.execute(self._ins_item, values)

    def near_duplicates(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            q = (
                sa.select(ingest_items)
                .where(ingest_items.c.status == "near_duplicate")
                .order_by(ingest_items.c.item_id)
            )
            return [dict(r._mapping) for r in conn.execute(q)]

    # ---- learned boilerplate ---------------------------------------------------------------------

    def learned_lines(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        with self.engine.connect() as conn:
            for source, key in conn.execute(sa.select(ingest_boilerplate.c.source, ingest_boilerplate.c.line_key)):
                out.setdefault(source, set()).add(key)
        return out

    def save_learned(self, new: dict[str, set[str]], conn: sa.Connection | None = None) -> None:
        rows = [{"source": s, "line_key": k} for s, keys in new.items() for k in sorted(keys)]
        if not rows:
            return
        with self._conn(conn) as c:
            c.execute(self._insert(ingest_boilerplate).values(rows).on_conflict_do_nothing())

    # ---- feeds -----------------------------------------------------------------------------------

    def feed_state(self, url: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(ingest_feeds).where(ingest_feeds.c.url == url)).first()
        return (
            dict(row._mapping)
            if row
            else {"url": url, "etag": None, "last_modified": None, "failures": 0, "next_poll": None}
        )

    def save_feed_state(self, state: dict[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(ingest_feeds).where(ingest_feeds.c.url == state["url"]))
            conn.execute(ingest_feeds.insert().values(**{c.name: state.get(c.name) for c in ingest_feeds.c}))


def _driver_sql(query: sa.Select, dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None]:
    """A query compiled to the driver's SQL, with its parameter names in order (None: named parameters)."""
    compiled = query.compile(dialect=dialect)
    return str(compiled), compiled.positiontup


def _args(order: tuple[str, ...] | None, params: dict[str, object]) -> tuple[object, ...] | dict[str, object]:
    return tuple(params[n] for n in order) if order else params


def best_match(sig: np.ndarray, candidates: list[tuple[str, np.ndarray]]) -> tuple[str, float] | None:
    """The most similar candidate at or above identity.THRESHOLD; ties go to the smallest id."""
    return _best([(aid, int(np.count_nonzero(sig == other))) for aid, other in candidates], len(sig))


def _best(counts: list[tuple[str, int]], n: int) -> tuple[str, float] | None:
    """`best_match` from the number of agreeing MinHash values of each candidate (out of `n`)."""
    best: tuple[str, float] | None = None
    for aid, same in counts:
        sim = float(same) / n  # as identity.similarity computes it
        if sim >= identity.THRESHOLD and (best is None or sim > best[1] or (sim == best[1] and aid < best[0])):
            best = (aid, sim)
    return best


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
