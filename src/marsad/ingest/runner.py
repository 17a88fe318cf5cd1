"""The ingest loop: read, clean, check the language, identify, de-duplicate, extract, store.

Each article is committed on its own (article, events and statements in one `Store.save`
transaction), then indexed for near-duplicates. A run killed at any point and started again
finds every stored article by its content hash, re-indexes one whose index rows were not yet
written, and carries on: every article ends up stored exactly once.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from marsad.ingest import identity
from marsad.ingest.boilerplate import LineLearner, clean_text
from marsad.ingest.detect import read_input
from marsad.ingest.feeds import Fetcher
from marsad.ingest.items import Candidate, Item, Rejected
from marsad.ingest.ledger import Ledger
from marsad.ingest.text import first_line_title, language_problem
from marsad.model import Article, Doc
from marsad.pipeline import article_text
from marsad.store.db import Store
from marsad.text.normalize import normalize_text

STATUSES = ("new", "duplicate", "near_duplicate", "skipped", "rejected")
_NO_NORM = normalize_text("")


def _sqlite_normal_sync(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _bare_doc(article: Article) -> Doc:
    """The Doc `Pipeline.make_doc` would build, without its normalized text.

    With --no-extract nothing reads the normalization (Store.save stores the article, `raw` and
    meta), and normalizing took more time than all the rest of the ingest of an article.
    """
    return Doc(article=article, raw=article_text(article), norm=_NO_NORM)


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


class Ingester:
    """Ingests candidates into one store; `extract=False` stores articles without running the pipeline."""

    def __init__(self, store: Store, extract: bool = True, fetcher: Fetcher | None = None) -> None:
        self.store = store
        self.ledger = Ledger(store)
        self.extract = extract
        self.fetcher = fetcher
        self.learner = LineLearner()
        for source, keys in self.ledger.learned_lines().items():
            self.learner.merge_known(source, keys)
        from marsad.pipeline import Pipeline

        self.pipeline = Pipeline.default() if extract else None
        if store.dialect == "sqlite":
            # One commit per article: with WAL, synchronous=NORMAL skips the fsync at each commit
            # (5x faster on a bulk ingest). A killed process loses nothing; only a power cut can
            # drop the last commits (never corrupts), and re-running the ingest restores them.
            sa.event.listen(store.engine, "connect", _sqlite_normal_sync)
            store.engine.dispose()  # pooled connections reopen with the setting
        self.summary = Summary()
        self._since_flush = 0

    # ---- one article -----------------------------------------------------------------------------

    def add(self, item: Item) -> Outcome:
        """Ingest one candidate (or count one rejection) and return what happened to it."""
        if isinstance(item, Rejected):
            return self._count(Outcome("rejected", reason=item.reason), item.origin)
        cand = item
        self.learner.observe(cand.source, cand.text)
        body = clean_text(cand.text, cand.source, self.learner.learned(cand.source))
        if not body.strip():
            return self._count(Outcome("rejected", reason="no text left after removing site furniture"), cand.origin)
        title = (cand.title or "").strip() or None
        if title is None and cand.kind == "text":
            title = first_line_title(body)
        if title and clean_text(title, cand.source) != title:
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
        known = self.ledger.seen(item_id, cand.given_id)
        if known is not None:
            status, stored_id = known
            if status == "duplicate" and sig is not None and not self.ledger.has_signature(stored_id):
                self.ledger.add_signature(stored_id, sig)  # a run killed between save and index
            if cand.given_id and stored_id != cand.given_id:
                # The same article under another input id: remember which one it repeats.
                self.ledger.record(cand.given_id, "duplicate", duplicate_of=stored_id, **self._meta(cand, title))
            return self._count(Outcome("duplicate", article_id=stored_id, duplicate_of=stored_id), cand.origin)
        problem = language_problem(full, cand.language)
        if problem is not None:
            self.ledger.record(item_id, "skipped", reason=problem, **self._meta(cand, title))
            return self._count(Outcome("skipped", article_id=item_id, reason=problem), cand.origin)
        if sig is not None:
            t0 = time.perf_counter()
            near = self.ledger.near_duplicate_of(sig, exclude=article.id)
            self.summary.near_dup_seconds += time.perf_counter() - t0
            if near is not None:
                self.ledger.record(
                    item_id,
                    "near_duplicate",
                    duplicate_of=near[0],
                    similarity=near[1],
                    **self._meta(cand, title),
                )
                return self._count(
                    Outcome("near_duplicate", article_id=item_id, duplicate_of=near[0], similarity=near[1]),
                    cand.origin,
                )
        try:
            doc = self.pipeline(article) if self.pipeline is not None else _bare_doc(article)
        except Exception as exc:  # a pipeline bug on one article must not stop a long ingest
            reason = f"extraction failed ({type(exc).__name__}: {str(exc)[:200]}); please report it"
            return self._count(Outcome("rejected", reason=reason), cand.origin)
        doc.meta["content_hash"] = item_id
        self.store.save(doc, raw=cand.raw)
        if sig is not None:
            self.ledger.add_signature(article.id, sig)
        self.summary.events += len(doc.events)
        self._since_flush += 1
        if self._since_flush >= 500:
            self.flush()
        return self._count(Outcome("new", article_id=article.id), cand.origin)

    @staticmethod
    def _meta(cand: Candidate, title: str | None) -> dict:
        return {
            "origin": cand.origin,
            "source": cand.source,
            "url": cand.url,
            "title": title,
            "published": cand.published,
        }

    def _count(self, out: Outcome, origin: str) -> Outcome:
        self.summary.counts[out.status] += 1
        if out.status == "rejected":
            self.summary.rejected.append(Rejected(origin, out.reason or ""))
        elif out.status == "skipped":
            self.summary.skipped.append(Rejected(origin, out.reason or ""))
        return out

    def flush(self) -> None:
        """Save the boilerplate lines learned so far (kept across runs)."""
        self.ledger.save_learned(self.learner.take_new())
        self._since_flush = 0

    # ---- many inputs -----------------------------------------------------------------------------

    def items(self, inputs: Iterable[str], fmt: str | None = None) -> Iterator[Item]:
        for target in inputs:
            yield from read_input(target, fmt, self.fetcher)

    def run(
        self, inputs: Iterable[str], fmt: str | None = None, on_item: Callable[[Outcome], None] | None = None
    ) -> Summary:
        t0 = time.perf_counter()
        try:
            for item in self.items(inputs, fmt):
                out = self.add(item)
                if on_item is not None:
                    on_item(out)
        finally:
            self.flush()
            self.summary.seconds += time.perf_counter() - t0
        return self.summary


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
    ingester.flush()
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
