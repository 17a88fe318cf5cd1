"""Running the pipeline past one process: a local process pool, or Ray Data on a cluster.

Both engines give the same output as the plain loop, line for line and in input order:
`extract_lines` is what `marsad extract --workers N [--engine ray]` runs, `map_articles` (in
`marsad.scale.local`) is the same pool for callers that want the processed `Doc`s (the store).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module for `Engine`; keep its start fast
    from marsad.jsonl import Rejected


class Engine(StrEnum):
    local = "local"
    ray = "ray"


def extract_lines(
    path: str, workers: int | None = None, engine: Engine | str = Engine.local, address: str | None = None
) -> Iterator[str | Rejected]:
    """The output line of each article of a JSONL file (Rejected for a bad line), in input order.

    `workers` is the number of pipeline processes: 1 (the default) for the local engine runs in
    this process; for Ray the default is one per CPU of the cluster. `address` picks the Ray
    cluster (`auto`, `ray://host:10001`); without it a local one is started.
    """
    if Engine(engine) is Engine.ray:
        from marsad.scale.ray_engine import extract_lines as ray_lines

        return ray_lines([path], workers=workers, address=address)
    from marsad.jsonl import read_articles
    from marsad.scale.local import extract_lines as local_lines

    return local_lines(read_articles(path), workers or 1)
