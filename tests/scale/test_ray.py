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

ARTICLES = Path(__file__).parent / "articles.jsonl"


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


def test_ray_equals_local_engine(cluster: None, shards: list[Path]) -> None:
    expected = [item for p in shards for item in local_lines(read_articles(str(p)), workers=1)]
    got = list(ray_lines([str(p) for p in shards], workers=2))
    assert got == expected
    rejected = [(Path(r.path).name, r.line) for r in got if isinstance(r, Rejected)]
    assert rejected == [("part-0.jsonl", 2), ("part-0.jsonl", 7), ("part-0.jsonl", 12), ("part-1.jsonl", 5)]
    assert sum(isinstance(x, str) for x in got) == 40
    ids = [json.loads(x)["id"] for x in got if isinstance(x, str)]
    assert ids == [json.loads(line)["id"] for line in ARTICLES.read_text(encoding="utf-8").splitlines()]


def test_cli_ray_engine_same_as_local(cluster: None, shards: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    runs = {}
    for name, extra in {"local": ["--workers", "2"], "ray": ["--engine", "ray", "--workers", "2"]}.items():
        out = tmp_path / f"{name}.jsonl"
        res = runner.invoke(app, ["extract", str(shards[0]), "-o", str(out), *extra])
        runs[name] = (res.exit_code, " ".join(res.stderr.split()), out.read_text(encoding="utf-8"))
    assert runs["ray"] == runs["local"]
    assert runs["ray"][0] == 1
    assert f"{shards[0]}:7: expected a JSON object, got list" in runs["ray"][1]


def test_cli_ray_refuses_stdin() -> None:
    res = CliRunner().invoke(app, ["extract", "-", "--engine", "ray"], input="{}\n")
    assert res.exit_code == 2
    assert "reads files, not stdin" in res.stderr
