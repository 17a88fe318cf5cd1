"""The Ray engine: the pipeline as a Ray Data job, on this machine or on a cluster.

The job has three stages:

1. read: one task per JSONL shard runs `read_articles` on it (the same checks, the same
   `FILE:LINE: reason` for a bad line, duplicate ids caught within the shard);
2. extract: `map_batches` over a pool of actors (`PipelineWorker`), each holding one loaded
   pipeline for its whole life;
3. write: the driver streams the rows back in input order (`preserve_order`) and writes them,
   so the output is the local engine's, line for line.

Shards must be readable at the same path from every node (a shared volume); see docs/scale.md.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import closing
from typing import Any

from marsad.jsonl import Rejected, dump_line, read_articles
from marsad.model import Article
from marsad.pipeline import Pipeline

# Rows per read block and per extract batch: a block is the unit Ray hands to one actor, so
# blocks must be small for two actors to share a single shard, and big enough that the
# per-block overhead (a few ms) is small next to the pipeline (~5-10 ms an article).
BATCH_ROWS = 32
BLOCK_BYTES = 128 * 1024


def _read_shard(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every line of one shard: the article as JSON, or the reason it was rejected."""
    # Messages name the shard as the user gave it, as the local engine does.
    name = row["name"]
    for item in read_articles(row["path"]):
        if isinstance(item, Rejected):
            yield {"article": None, "path": name, "lineno": item.line, "reason": item.reason}
        else:
            yield {"article": item.model_dump_json(), "path": name, "lineno": 0, "reason": None}


class PipelineWorker:
    """A Ray Data actor: loads the pipeline once, then extracts batch after batch.

    With `db`, the actor also saves each document to that database (one connection per actor).
    """

    def __init__(self, db: str | None = None) -> None:
        self.pipeline = Pipeline.default()
        self.store: Any = None
        if db is not None:
            from marsad.store.db import Store

            self.store = Store(db)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        ids: list[str | None] = []
        lines: list[str | None] = []
        for art in batch["article"]:
            if art is None:
                ids.append(None)
                lines.append(None)
                continue
            doc = self.pipeline(Article.model_validate_json(art))
            if self.store is not None:
                self.store.save(doc)
            ids.append(doc.article.id)
            lines.append(dump_line(doc.output().model_dump(mode="json")))
        return {
            "id": ids,
            "line": lines,
            "path": batch["path"],
            "lineno": batch["lineno"],
            "reason": batch["reason"],
        }


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Join the cluster at `address`, or start a local one; True when this call started Ray.

    A Ray already initialised in this process (a test, a notebook) is used as it is.
    """
    import ray

    if ray.is_initialized():
        return False
    # Workers' logs and Ray's INFO lines would bury the FILE:LINE messages on stderr.
    kwargs: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if address is None:
        kwargs |= {"num_cpus": num_cpus, "include_dashboard": False}
    ray.init(address=address, **kwargs)
    return True


def build_dataset(paths: Sequence[str], workers: int | None = None, db: str | None = None) -> Any:
    """The Ray Data dataset of output rows: `id` and `line` (the output line) for an article;
    `path`, `lineno` and `reason` (with `id` and `line` null) for a bad input line.

    With `db` (a SQLite path or postgresql:// URL) the actors also save every document there.
    """
    import ray
    import ray.data

    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # output order = input order
    ctx.target_max_block_size = BLOCK_BYTES
    ctx.enable_progress_bars = False  # stderr is for the user's FILE:LINE messages
    ctx.print_on_execution_start = False
    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    ds = ray.data.from_items([{"path": os.path.abspath(p), "name": p} for p in paths])
    # Reading and checking lines costs little next to the pipeline; asking for no CPU keeps
    # the readers from waiting behind the actors, which take one CPU each.
    ds = ds.flat_map(_read_shard, num_cpus=0)
    return ds.map_batches(
        PipelineWorker,
        batch_size=BATCH_ROWS,
        batch_format="numpy",
        fn_constructor_kwargs={"db": db},
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
    )


def iter_rows(ds: Any) -> Iterator[str | Rejected]:
    """The dataset's rows as output lines and Rejected, in order (this runs the job)."""
    # Closed here: an iterator left for the garbage collector after ray.shutdown() would reach
    # for Ray again, and Ray would start a new local cluster to answer it.
    rows = iter(ds.iter_rows())
    try:
        for row in rows:
            if row["line"] is None:
                yield Rejected(str(row["path"]), int(row["lineno"]), str(row["reason"]))
            else:
                yield str(row["line"])
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def extract_lines(
    paths: Sequence[str], workers: int | None = None, address: str | None = None, db: str | None = None
) -> Iterator[str | Rejected]:
    """Output lines for the articles of the shards, Rejected for a bad line, in input order.

    With `db`, every document is also saved to that database by the actor that processed it
    (use PostgreSQL on a cluster: every node must reach it).
    """
    import ray

    # Ray warns when a short input gives fewer blocks than actors; the output is right anyway,
    # and stderr is for the user's FILE:LINE messages.
    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
    started = connect(address, workers)
    try:
        if db is not None:
            _migrate(db)
        with closing(iter_rows(build_dataset(paths, workers, db))) as lines:
            yield from lines
    finally:
        if started:
            ray.shutdown()


def _migrate(db: str) -> None:
    # Once, here, before the actors open the database: concurrent schema migrations would race.
    from marsad.store.db import Store

    Store(db).close()


def write_parquet(paths: Sequence[str], folder: str, workers: int | None = None, address: str | None = None) -> None:
    """Write the output rows as Parquet files into `folder`, from the workers (no driver round trip).

    Columns: `id`, `line` (the output line, SCHEMA.md JSON), and for a bad input line (null `id`
    and `line`) its `path`, `lineno` and `reason`. Files are named by Ray; read the folder as one
    table (`pyarrow.parquet.read_table(folder)`) and match rows by `id`.
    """
    import ray

    warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
    started = connect(address, workers)
    try:
        build_dataset(paths, workers).write_parquet(folder)
    finally:
        if started:
            ray.shutdown()
