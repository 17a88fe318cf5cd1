"""The Ray engine gives the local engine's output, document for document, on a real local cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jsonl import Rejected, read_articles
from marsad.scale.local import extract_lines as local_lines
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


def _local(paths: list[Path]) -> list[str | Rejected]:
    """The local engine's output for the shards, one after the other.

    Computed right before the Ray run it is compared with: both load the pipeline fresh, so the
    comparison holds even while the code on disk changes (a shared working tree).
    """
    return [item for p in paths for item in local_lines(read_articles(str(p)), workers=2)]


def test_ray_equals_local_engine_and_fills_the_store(cluster: None, shards: list[Path], tmp_path: Path) -> None:
    db = str(tmp_path / "ray.db")
    expected = _local(shards)
    got = list(ray_lines([str(p) for p in shards], workers=2, db=db))
    # Document for document, in input order, each bad line in its place.
    assert got == expected
    assert sum(isinstance(g, str) for g in got) == 40
    where = [(i, Path(g.path).name, g.line) for i, g in enumerate(got) if isinstance(g, Rejected)]
    assert where == [(1, "part-0.jsonl", 2), (6, "part-0.jsonl", 7), (11, "part-0.jsonl", 12), (29, "part-1.jsonl", 5)]
    assert "expected a JSON object, got list" in str(got[6])
    assert "duplicate id" in str(got[11])
    ids = [json.loads(g)["id"] for g in got if isinstance(g, str)]
    assert ids == [json.loads(line)["id"] for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    # Each actor saved its documents: every article, with the events of its output line.
    store = Store(db)
    try:
        assert store.count(articles) == 40
        assert store.count(events) == sum(len(json.loads(g)["events"]) for g in got if isinstance(g, str))
    finally:
        store.close()


def test_cli_ray_engine_same_as_local(cluster: None, shards: list[Path], tmp_path: Path) -> None:
    runs = {}
    for name, extra in {"local": ["-w", "2"], "ray": ["--engine", "ray", "-w", "2"]}.items():
        out = tmp_path / f"{name}.jsonl"
        res = CliRunner().invoke(app, ["extract", str(shards[0]), "-o", str(out), *extra])
        runs[name] = (res.exit_code, " ".join(res.stderr.split()), out.read_text(encoding="utf-8"))
    assert runs["ray"] == runs["local"]
    code, stderr, text = runs["ray"]
    assert code == 1
    assert f"{shards[0]}:2: needs a non-empty 'text' or 'html'" in stderr
    assert f"{shards[0]}:7: expected a JSON object, got list" in stderr
    assert "3 line(s) rejected; every other line was written." in stderr
    assert len(text.splitlines()) == 22


def test_cli_ray_refuses_stdin() -> None:
    res = CliRunner().invoke(app, ["extract", "-", "--engine", "ray"], input="{}\n")
    assert res.exit_code == 2
    assert "reads files, not stdin" in res.stderr


def test_parquet_written_by_the_workers(cluster: None, shards: list[Path], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    folder = tmp_path / "parquet"
    expected = _local(shards[1:])
    write_parquet([str(shards[1])], str(folder), workers=2)
    rows = pq.read_table(folder).to_pylist()
    lines = [e for e in expected if isinstance(e, str)]
    assert {r["id"]: r["line"] for r in rows if r["id"] is not None} == {json.loads(x)["id"]: x for x in lines}
    bad = [(r["path"], r["lineno"], r["reason"]) for r in rows if r["id"] is None]
    assert len(bad) == 1
    assert bad[0][:2] == (str(shards[1]), 5) and bad[0][2].startswith("invalid JSON")
