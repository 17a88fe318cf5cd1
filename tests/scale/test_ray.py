"""The Ray engine gives the local engine's output, document for document, on a real local cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jsonl import Rejected
from marsad.scale.ray_engine import extract_lines as ray_lines
from marsad.scale.ray_engine import write_parquet
from marsad.store.db import Store
from marsad.store.schema import articles, events
from tests.scale.conftest import ARTICLES


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The fixture articles in two shards, with bad lines in each: an empty text, a JSON array
    and a repeated id in the first (lines 2, 7, 12), a truncated line in the second (line 5)."""
    lines = ARTICLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = lines[:22], lines[22:]
    first.insert(1, json.dumps({"id": "empty", "text": "   "}) + "\n")
    first.insert(6, '["snn-2015-07-23-0070", "نص"]\n')
    first.insert(11, first[0])
    second.insert(4, second[0][:100] + "\n")
    folder = tmp_path_factory.mktemp("shards")
    out = []
    for n, part in enumerate((first, second)):
        path = folder / f"part-{n}.jsonl"
        path.write_text("".join(part), encoding="utf-8")
        out.append(path)
    return out


def test_ray_equals_plain_loop_and_fills_the_store(
    cluster: None, shards: list[Path], expected: dict[str, str], tmp_path: Path
) -> None:
    db = str(tmp_path / "ray.db")
    got = list(ray_lines([str(p) for p in shards], workers=2, db=db))
    # Document for document, in input order, each bad line in its place.
    assert [g for g in got if isinstance(g, str)] == list(expected.values())
    where = [(i, Path(g.path).name, g.line) for i, g in enumerate(got) if isinstance(g, Rejected)]
    assert where == [(1, "part-0.jsonl", 2), (6, "part-0.jsonl", 7), (11, "part-0.jsonl", 12), (29, "part-1.jsonl", 5)]
    assert "expected a JSON object, got list" in str(got[6])
    assert "duplicate id" in str(got[11])
    # Each actor saved its documents: every article, with the events of its output line.
    store = Store(db)
    try:
        assert store.count(articles) == 40
        n_events = sum(len(json.loads(line)["events"]) for line in expected.values())
        assert store.count(events) == n_events
    finally:
        store.close()


def test_cli_ray_engine_same_as_plain_loop(
    cluster: None, shards: list[Path], expected: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "ray.jsonl"
    res = CliRunner().invoke(app, ["extract", str(shards[0]), "-o", str(out), "--engine", "ray", "-w", "2"])
    assert res.exit_code == 1
    stderr = " ".join(res.stderr.split())
    assert f"{shards[0]}:2: needs a non-empty 'text' or 'html'" in stderr
    assert f"{shards[0]}:7: expected a JSON object, got list" in stderr
    assert "3 line(s) rejected; every other line was written." in stderr
    assert out.read_text(encoding="utf-8") == "".join(list(expected.values())[:22])


def test_cli_ray_refuses_stdin() -> None:
    res = CliRunner().invoke(app, ["extract", "-", "--engine", "ray"], input="{}\n")
    assert res.exit_code == 2
    assert "reads files, not stdin" in res.stderr


def test_parquet_written_by_the_workers(
    cluster: None, shards: list[Path], expected: dict[str, str], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "parquet"
    write_parquet([str(shards[1])], str(folder), workers=2)
    rows = pq.read_table(folder).to_pylist()
    assert {r["id"]: r["line"] for r in rows if r["id"] is not None} == dict(list(expected.items())[22:])
    bad = [(r["path"], r["lineno"], r["reason"]) for r in rows if r["id"] is None]
    assert len(bad) == 1
    assert bad[0][:2] == (str(shards[1]), 5) and bad[0][2].startswith("invalid JSON")
