"""The ingest loop: read, clean, check the language, identify, de-duplicate, extract, store.

Two stages. The CPU work on each item (parsing a page, static furniture removal, identity and
MinHash, the language check, extraction) is pure and runs anywhere: in this process, or with
`workers` > 1 in a process pool (`marsad.scale.local.LocalEngine`, resources loaded once per
worker). One writer, here, takes the results in input order and does what depends on what came
before: learned boilerplate lines, the exact and near-duplicate checks, and the writes. So the
outcome is the same whatever the number of workers.

Writes go in batches: one transaction holds the articles of up to BATCH_ITEMS items or
BATCH_SECONDS, each article with its events, statements and index rows, so an article and its
events are always committed together. A run killed at any point loses at most the open batch;
started again it finds every stored article by its content hash, re-indexes one whose index rows
are missing, and carries on: every article ends up stored exactly once.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import sqlalchemy as sa

from marsad.ingest import identity
from marsad.ingest.boilerplate import LineLearner, furniture_lines, keep_lines, learnable_keys, line_key, rules
from marsad.ingest.detect import read_input
from marsad.ingest.feeds import Fetcher
from marsad.ingest.html import parse_page
from marsad.ingest.items import Candidate, Item, Page, Rejected
from marsad.ingest.ledger import Ledger, best_match
from marsad.ingest.text import first_line_title, language_problem
from marsad.model import Article, Doc
from marsad.pipeline import article_text
from marsad.store.db import Store

STATUSES = ("new", "duplicate", "near_duplicate", "skipped", "rejected")
NO_TEXT_LEFT = "no text left after removing site furniture"
# A batch transaction ends after this many items or seconds, whichever comes first: long enough
# that commits cost little (each one was a third of the time of an article), short enough that
# other writers (reviews, merges) wait little and a killed run redoes little.
BATCH_ITEMS = 500
BATCH_SECONDS = 1.0
# Items per task sent to a worker: a text article takes ~2 ms there, a page ~20 ms.
CHUNKSIZE = 16


def _sqlite_normal_sync(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# ---- the CPU stage (a worker process with --workers) -------------------------------------------


@dataclass(slots=True)
class Built:
    """A candidate cleaned and identified: the article, its content hash, MinHash and band keys."""

    article: Article
    item_id: str
    sig: np.ndarray | None
    keys: list[int] | None
    problem: str | None  # why it is not Arabic, or None


@dataclass(slots=True)
class Prepared:
    """What the CPU stage makes of one candidate, before the writer applies what depends on order.

    `built` assumes that none of the source's learned furniture lines occurs in the text (the
    common case); `line_keys` lets the writer check that, and rebuild when one does.
    """

    cand: Candidate
    drop: dict[int, str]  # furniture found by rule (not learned)
    line_keys: list[tuple[int, str]]  # (index, line_key) of the other non-blank lines
    learnable: set[str]  # the keys the LineLearner counts for this article
    built: Built | None  # None: no text left after removing the furniture


def build(cand: Candidate, lines: list[str], drop: Iterable[int]) -> Built | None:
    """The article left when the `drop` lines are removed, identified; None if no text is left."""
    drop = set(drop)
    body = keep_lines(lines, drop) if drop else cand.text
    if not body.strip():
        return None
    title = (cand.title or "").strip() or None
    if title is None and cand.kind == "text":
        title = first_line_title(body)
    if title and furniture_lines(title.split("\n"), cand.source):
        title = None  # a "title" that is itself furniture (a site name, a breadcrumb)
    article = Article(
        id=cand.given_id or "pending",
        text=body,
        title=title,
        published=cand.published,
        source=cand.source,
        url=cand.url,
    )
    full = article_text(article)
    item_id, sig = identity.identify(full)
    if cand.given_id is None:
        article.id = item_id
    keys = identity.band_keys(sig) if sig is not None else None
    return Built(article, item_id, sig, keys, language_problem(full, cand.language))


def prepare(item: Item) -> Prepared | Rejected:
    """The CPU stage of one item: parse a page, find its furniture by rule, identify the rest."""
    if isinstance(item, Page):
        item = parse_page(item)
    if isinstance(item, Rejected):
        return item
    lines = item.text.split("\n")
    drop = furniture_lines(lines, item.source)
    line_keys = [(i, line_key(s)) for i, ln in enumerate(lines) if i not in drop and (s := ln.strip())]
    learnable = learnable_keys(item.text) if item.source else set()
    return Prepared(item, drop, line_keys, learnable, build(item, lines, drop))


@dataclass(slots=True)
class Job:
    """A new article on its way to extraction (in a worker) and then to the writer."""

    built: Built
    raw: str | None
    origin: str
    doc: Doc | None = None
    failure: str | None = None


def extract_job(job: Job | Outcome) -> Job | Outcome:
    """The extraction stage: run the pipeline on a new article (outcomes pass through)."""
    if isinstance(job, Job):
        from marsad.scale.local import process_doc

        try:
            job.doc = process_doc(job.built.article)
        except Exception as exc:  # a pipeline bug on one article must not stop a long ingest
            job.failure = f"extraction failed ({type(exc).__name__}: {str(exc)[:200]}); please report it"
    return job


def init_worker(extract: bool) -> None:
    """Load once per process what the stages use: furniture rules, MinHash permutations, pipeline."""
    rules()
    identity.lsh_params()
    identity.signature(" ".join(["كلمة"] * identity.MIN_WORDS))
    if extract:
        from marsad.pipeline import Pipeline

        Pipeline.default()


# ---- the writer --------------------------------------------------------------------------------


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejected] = field(default_factory=list)
    skipped: list[Rejected] = field(default_factory=list)
    events: int = 0
    seconds: float = 0.0
    near_dup_seconds: float = 0.0  # time spent in the near-duplicate look-up

    def line(self) -> str:
        return ", ".join(f"{self.counts[s]} {s.replace('_', '-')}" for s in STATUSES)


@dataclass
class Outcome:
    status: str
    article_id: str | None = None
    reason: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    origin: str = ""


class _OnConnection:
    """Stands in for `Store.engine` so that `Store.save` writes inside the open batch transaction.

    `Store.save` opens a transaction of its own (`engine.begin()`); this `begin()` hands it the
    batch's connection instead, so the article with its events and statements joins the batch
    (committed together with it) while what an article row is stays defined in one place, the store.
    """

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        yield self.conn


class _Pending:
    """New articles decided but not yet stored (their extraction runs in a worker).

    The writer's checks look here as well as in the database, so an item decided while an earlier
    new article is still being extracted sees it exactly as if it had been stored.
    """

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}  # article id or content hash -> article id
        self.sigs: dict[str, np.ndarray] = {}
        self.bands: dict[tuple[int, int], set[str]] = {}

    def add(self, b: Built) -> None:
        aid = b.article.id
        self.ids[aid] = self.ids[b.item_id] = aid
        if b.sig is not None and b.keys is not None:
            self.sigs[aid] = b.sig
            for band, key in enumerate(b.keys):
                self.bands.setdefault((band, key), set()).add(aid)

    def remove(self, b: Built) -> None:
        aid = b.article.id
        for k in (aid, b.item_id):
            if self.ids.get(k) == aid:
                del self.ids[k]
        self.sigs.pop(aid, None)
        for band, key in enumerate(b.keys or ()):
            group = self.bands.get((band, key))
            if group is not None:
                group.discard(aid)
                if not group:
                    del self.bands[(band, key)]

    def seen(self, item_id: str, given_id: str | None) -> str | None:
        return self.ids.get(item_id) or (self.ids.get(given_id) if given_id else None)

    def near(self, b: Built) -> tuple[str, float] | None:
        if not self.sigs or b.sig is None or b.keys is None:
            return None
        found = set().union(*(self.bands.get((band, key), ()) for band, key in enumerate(b.keys)))
        found.discard(b.article.id)
        return best_match(b.sig, [(aid, self.sigs[aid]) for aid in sorted(found)])


def _better(a: tuple[str, float] | None, b: tuple[str, float] | None) -> tuple[str, float] | None:
    if a is None or b is None:
        return a or b
    return a if (a[1], b[0]) > (b[1], a[0]) else b


class Ingester:
    """Ingests candidates into one store; `extract=False` stores articles without running the pipeline.

    `workers` > 1 runs the CPU stages in that many processes (see the module's docstring).
    """

    def __init__(self, store: Store, extract: bool = True, fetcher: Fetcher | None = None, workers: int = 1) -> None:
        self.store = store
        self.ledger = Ledger(store)
        self.extract = extract
        self.fetcher = fetcher
        self.workers = workers
        self.learner = LineLearner()
        for source, keys in self.ledger.learned_lines().items():
            self.learner.merge_known(source, keys)
        if store.dialect == "sqlite":
            # With WAL, synchronous=NORMAL skips the fsync at each commit. A killed process loses
            # nothing committed; only a power cut can drop the last commits (never corrupts), and
            # re-running the ingest restores them.
            sa.event.listen(store.engine, "connect", _sqlite_normal_sync)
            store.engine.dispose()  # pooled connections reopen with the setting
        self.summary = Summary()
        self._pending = _Pending()
        # Without extraction, new articles wait here for one multi-row write per batch; `_pending`
        # answers for them meanwhile.
        self._bare: list[tuple[dict[str, Any], np.ndarray | None, list[int] | None]] = []
        self._conn: sa.Connection | None = None
        self._saver: Store | None = None
        self._in_batch = 0
        self._batch_start = 0.0

    # ---- the batch transaction -------------------------------------------------------------------

    def _db(self) -> sa.Connection:
        if self._conn is None:
            self._conn = self.store.engine.connect()
            self._saver = copy.copy(self.store)
            self._saver.engine = _OnConnection(self._conn)  # type: ignore[assignment]
        if self._in_batch == 0:
            self._batch_start = time.monotonic()
        return self._conn

    def _tick(self) -> None:
        """One item done: commit when the batch is full or old enough."""
        self._in_batch += 1
        if self._in_batch >= BATCH_ITEMS or time.monotonic() - self._batch_start >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Commit the open batch, with the boilerplate lines learned so far (kept across runs)."""
        if self._bare:
            self.ledger.add_bare_articles(self._db(), self._bare)
            self._bare = []
            self._pending = _Pending()  # without extraction, what was pending was in `_bare`
        new = self.learner.take_new()
        if new:
            self.ledger.save_learned(new, self._db())
        if self._conn is not None:
            self._conn.commit()
        self._in_batch = 0

    def close(self, ok: bool = True) -> None:
        """End the batch: commit it, or (after an error, the batch may be half-written) roll it back."""
        if self._conn is None:
            if ok:
                self.flush()
            return
        try:
            if ok:
                self.flush()
            else:
                self._conn.rollback()
                self._bare = []
                self._pending = _Pending()
        finally:
            self._conn.close()
            self._conn = self._saver = None
            self._in_batch = 0

    # ---- one article -----------------------------------------------------------------------------

    def add(self, item: Item) -> Outcome:
        """Ingest one item (or count one rejection), commit, and return what happened to it."""
        ok = False
        try:
            decided = self._decide(prepare(item))
            out = self._complete(extract_job(decided) if self.extract else decided)
            ok = True
        finally:
            self.close(ok)
        return out

    def _decide(self, prep: Prepared | Rejected) -> Outcome | Job:
        """The writer's part before extraction, in input order: learned furniture, duplicates, language."""
        if isinstance(prep, Rejected):
            return Outcome("rejected", reason=prep.reason, origin=prep.origin)
        cand = prep.cand
        self.learner.observe_keys(cand.source, prep.learnable)
        b = prep.built
        learned = self.learner.learned(cand.source)
        if learned:
            hits = {i for i, k in prep.line_keys if k in learned}
            if hits:  # lines this source repeats: rebuild without them
                b = build(cand, cand.text.split("\n"), hits.union(prep.drop))
        if b is None:
            return Outcome("rejected", reason=NO_TEXT_LEFT, origin=cand.origin)
        conn = self._db()
        title = b.article.title
        pending = self._pending.seen(b.item_id, cand.given_id)
        known = ("duplicate", pending) if pending else self.ledger.seen(b.item_id, cand.given_id, conn)
        if known is not None:
            status, stored_id = known
            if (
                not pending
                and status == "duplicate"
                and b.sig is not None
                and not self.ledger.has_signature(stored_id, conn)
            ):
                self.ledger.add_signature(stored_id, b.sig, conn, b.keys)  # a run killed between save and index
            if cand.given_id and stored_id != cand.given_id:
                # The same article under another input id: remember which one it repeats.
                self.ledger.record(cand.given_id, "duplicate", conn, duplicate_of=stored_id, **_meta(cand, title))
            return Outcome("duplicate", article_id=stored_id, duplicate_of=stored_id, origin=cand.origin)
        if b.problem is not None:
            self.ledger.record(b.item_id, "skipped", conn, reason=b.problem, **_meta(cand, title))
            return Outcome("skipped", article_id=b.item_id, reason=b.problem, origin=cand.origin)
        if b.sig is not None:
            t0 = time.perf_counter()
            near = self.ledger.near_duplicate_of(b.sig, exclude=b.article.id, conn=conn, keys=b.keys)
            near = _better(near, self._pending.near(b))
            self.summary.near_dup_seconds += time.perf_counter() - t0
            if near is not None:
                self.ledger.record(
                    b.item_id,
                    "near_duplicate",
                    conn,
                    duplicate_of=near[0],
                    similarity=near[1],
                    **_meta(cand, title),
                )
                return Outcome(
                    "near_duplicate",
                    article_id=b.item_id,
                    duplicate_of=near[0],
                    similarity=near[1],
                    origin=cand.origin,
                )
        self._pending.add(b)
        return Job(b, cand.raw, cand.origin)

    def _complete(self, done: Outcome | Job) -> Outcome:
        """The writer's part after extraction: store a new article with its events, and count."""
        if isinstance(done, Job):
            b = done.built
            if not self.extract:
                art = b.article
                row = {
                    "id": art.id,
                    "content_hash": b.item_id,
                    "source": art.source,
                    "url": art.url,
                    "title": art.title,
                    "published": art.published,
                    "text": article_text(art),
                    "raw": done.raw if done.raw is not None else art.text,
                }
                self._bare.append((row, b.sig, b.keys))
                done = Outcome("new", article_id=art.id, origin=done.origin)
            elif done.doc is None:
                self._pending.remove(b)
                done = Outcome("rejected", reason=done.failure or "not extracted", origin=done.origin)
            else:
                self._pending.remove(b)
                conn = self._db()
                done.doc.meta["content_hash"] = b.item_id
                self._saver.save(done.doc, raw=done.raw)  # type: ignore[union-attr]
                if b.sig is not None:
                    self.ledger.add_signature(b.article.id, b.sig, conn, b.keys)
                self.summary.events += len(done.doc.events)
                done = Outcome("new", article_id=b.article.id, origin=done.origin)
        self.summary.counts[done.status] += 1
        if done.status == "rejected":
            self.summary.rejected.append(Rejected(done.origin, done.reason or ""))
        elif done.status == "skipped":
            self.summary.skipped.append(Rejected(done.origin, done.reason or ""))
        return done

    # ---- many inputs -----------------------------------------------------------------------------

    def items(self, inputs: Iterable[str], fmt: str | None = None) -> Iterator[Item]:
        for target in inputs:
            yield from read_input(target, fmt, self.fetcher)

    def run(
        self, inputs: Iterable[str], fmt: str | None = None, on_item: Callable[[Outcome], None] | None = None
    ) -> Summary:
        """Ingest every item of the inputs, in order, committing in batches."""
        from marsad.scale.local import LocalEngine

        t0 = time.perf_counter()
        ok = False
        try:
            with LocalEngine(self.workers, CHUNKSIZE, partial(init_worker, self.extract)) as engine:
                decided = (self._decide(p) for p in engine.map(prepare, self.items(inputs, fmt)))  # type: ignore[arg-type]
                done: Iterable[Outcome | Job] = engine.map(extract_job, decided) if self.extract else decided  # type: ignore[arg-type]
                for d in done:
                    out = self._complete(d)
                    self._tick()
                    if on_item is not None:
                        on_item(out)
            ok = True
        finally:
            self.close(ok)
            self.summary.seconds += time.perf_counter() - t0
        return self.summary


def _meta(cand: Candidate, title: str | None) -> dict:
    return {
        "origin": cand.origin,
        "source": cand.source,
        "url": cand.url,
        "title": title,
        "published": cand.published,
    }


def parse_every(value: str) -> float:
    """Seconds in "90", "90s", "15m", "2h" or "1d"."""
    v = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        seconds = float(v[:-1]) * units[v[-1]] if v and v[-1] in units else float(v)
    except ValueError:
        raise ValueError(f"--every {value!r}: give a duration such as 90s, 15m, 2h or 1d") from None
    if seconds <= 0:
        raise ValueError(f"--every {value!r}: the interval must be positive")
    return seconds


MAX_BACKOFF = 6 * 3600.0


def poll_feed(ingester: Ingester, url: str, every: float, now: float | None = None) -> tuple[str, list[Outcome]]:
    """Poll one feed once, politely: conditional GET, back-off after errors (doubling, capped).

    Returns a short status ("304", "200: 3 entries", "error: ...") and what happened to each entry.
    """
    import httpx

    from marsad.ingest.feeds import read_feed

    now = time.time() if now is None else now
    ledger = ingester.ledger
    state = ledger.feed_state(url)
    outcomes: list[Outcome] = []
    try:
        resp = ingester.fetcher.get(url, state.get("etag"), state.get("last_modified"))
        if resp.status_code == 304:
            status = "304 not modified"
        else:
            resp.raise_for_status()
            for item in read_feed(resp.content, url, ingester.fetcher.get):
                outcomes.append(ingester.add(item))
            state["etag"] = resp.headers.get("etag")
            state["last_modified"] = resp.headers.get("last-modified")
            status = f"{resp.status_code}: {len(outcomes)} entries"
        state["failures"] = 0
        state["next_poll"] = now + every
    except httpx.HTTPError as exc:
        state["failures"] = int(state.get("failures") or 0) + 1
        wait = min(every * 2 ** state["failures"], MAX_BACKOFF)
        retry_after = getattr(getattr(exc, "response", None), "headers", {}).get("retry-after")
        if retry_after and retry_after.isdigit():
            wait = max(wait, float(retry_after))
        state["next_poll"] = now + wait
        status = f"error: {exc}"
    ingester.close()
    state["last_status"] = status
    ledger.save_feed_state(state)
    return status, outcomes


def watch(
    ingester: Ingester,
    urls: list[str],
    every: float,
    max_rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[str, str, list[Outcome]], None] | None = None,
) -> None:
    """Poll the feeds until stopped (or `max_rounds` polls of each feed): each one when it is due."""
    rounds: Counter[str] = Counter()
    while True:
        now = time.time()
        due = [
            u
            for u in urls
            if (max_rounds is None or rounds[u] < max_rounds)
            and (ingester.ledger.feed_state(u).get("next_poll") or 0) <= now
        ]
        for url in due:
            status, outcomes = poll_feed(ingester, url, every, now)
            rounds[url] += 1
            if report is not None:
                report(url, status, outcomes)
        if max_rounds is not None and all(rounds[u] >= max_rounds for u in urls):
            return
        nxt = min((ingester.ledger.feed_state(u).get("next_poll") or now) for u in urls)
        sleep(max(1.0, nxt - time.time()))
