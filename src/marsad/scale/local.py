"""The local engine: the pipeline over a pool of worker processes, results in input order.

Each worker loads the pipeline (registry, gazetteer, model) once, in its initializer, through the
per-process cache of `Pipeline.default()`. Articles travel to the workers in small chunks and the
results come back in the order the articles went in; a bounded window of chunks in flight keeps
memory flat however long the input is. With one worker nothing is forked: the pipeline runs in
this process, exactly as without `--workers`.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from marsad.jsonl import Rejected, dump_line
from marsad.model import Article, Doc
from marsad.pipeline import Pipeline

R = TypeVar("R")
Item = Article | Rejected

# Articles per task: large enough that pickling and queueing cost little next to the pipeline
# (~5-10 ms an article), small enough that both workers stay busy to the end of a short input.
DEFAULT_CHUNKSIZE = 8
# Chunks in flight per worker: enough to hide the round trip, few enough to bound memory.
CHUNKS_AHEAD = 4


def init_worker() -> None:
    """Load the pipeline and its resources once, when the worker process starts."""
    Pipeline.default()


def extract_line(article: Article) -> str:
    """One article's output line (SCHEMA.md), as `marsad extract` writes it."""
    return dump_line(Pipeline.default()(article).output().model_dump(mode="json"))


def slim_doc(doc: Doc) -> Doc:
    """The Doc without its working state (tokens, mentions, private meta).

    What remains (article, raw and normalized text, sentences, dates, events, statements, meta) is
    what the store saves; the dropped parts are most of the pickling cost (~2 ms and ~25 KB an
    article).
    """
    meta = {k: v for k, v in doc.meta.items() if not k.startswith("_")}
    return dataclasses.replace(doc, tokens=[], mentions=[], meta=meta)


def process_doc(article: Article) -> Doc:
    """One article through the pipeline, returned slim (see `slim_doc`)."""
    return slim_doc(Pipeline.default()(article))


def process_full_doc(article: Article) -> Doc:
    """One article through the pipeline, with every mention and token."""
    return Pipeline.default()(article)


def _run_chunk(fn: Callable[[Article], R], chunk: list[Item]) -> list[R | Rejected]:
    # Rejected lines ride along in their place so that the caller sees them in input order.
    return [item if isinstance(item, Rejected) else fn(item) for item in chunk]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class LocalEngine:
    """A pool of `workers` processes, each with its own loaded pipeline.

    Use it as a context manager; `map` may be called several times on the same pool.
    """

    def __init__(
        self, workers: int, chunksize: int = DEFAULT_CHUNKSIZE, initializer: Callable[[], object] = init_worker
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.chunksize = chunksize
        # What each worker loads once (module-level or a functools.partial of one: it is pickled).
        self.initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalEngine:
        if self.workers > 1:
            # forkserver, not fork: the parent may run threads (the progress bar, a web server)
            # and forking a threaded process can deadlock; not spawn, so no re-import of __main__.
            ctx = mp.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=self.initializer)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=exc is not None)
            self._pool = None

    def map(self, fn: Callable[[Article], R], items: Iterable[Item]) -> Iterator[R | Rejected]:
        """`fn` over each Article, Rejected items passed through, all in input order.

        `fn` must be a module-level function (it is pickled by name to the workers).
        """
        if self._pool is None:
            if self.workers > 1:
                raise RuntimeError("LocalEngine.map outside its `with` block")
            self.initializer()
            for item in items:
                yield item if isinstance(item, Rejected) else fn(item)
            return
        # Executor.map and Pool.imap read the whole input ahead before the first result comes
        # back; this window keeps at most workers * CHUNKS_AHEAD chunks in memory.
        window: deque[Future[list[R | Rejected]]] = deque()
        limit = self.workers * CHUNKS_AHEAD
        for chunk in _chunks(items, self.chunksize):
            window.append(self._pool.submit(_run_chunk, fn, chunk))
            if len(window) >= limit:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes (empty with one worker, which runs in this process)."""
        if self._pool is None:
            return []
        # No public accessor exists; `_processes` (pid -> Process) has been stable since 3.2.
        return sorted(self._pool._processes or {})


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory of a process (VmHWM), in MB; 0 when the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def extract_lines(items: Iterable[Item], workers: int = 1) -> Iterator[str | Rejected]:
    """Output lines for the articles, Rejected items in their place, in input order."""
    with LocalEngine(workers) as engine:
        yield from engine.map(extract_line, items)


def map_articles(articles: Iterable[Item], workers: int = 1, *, full: bool = False) -> Iterator[Doc | Rejected]:
    """The processed Doc of each article, in input order (for `marsad ingest` and the store).

    Docs come back slim (see `slim_doc`: what `Store.save` needs) unless `full` is true. Rejected
    items, if the input has any, are passed through in their place.
    """
    with LocalEngine(workers) as engine:
        yield from engine.map(process_full_doc if full else process_doc, articles)
