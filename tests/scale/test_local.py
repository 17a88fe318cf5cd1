"""The process-pool engine gives the plain loop's output, line for line, in input order.

articles.jsonl: 40 SaudiNewsNet articles (2015; text cut to 2,500 characters), 24 of them about
conflict (Yemen, Syria, Iraq, attacks in the Kingdom) and 16 on other news.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jsonl import Rejected, dump_line, read_articles
from marsad.model import Article
from marsad.pipeline import Pipeline
from marsad.scale.local import LocalEngine, extract_line, map_articles, peak_rss_mb

HERE = Path(__file__).parent
ARTICLES = HERE / "articles.jsonl"


@pytest.fixture(scope="module")
def with_bad_lines(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture articles with three bad lines among them (lines 3, 10 and 21)."""
    lines = ARTICLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first = json.loads(lines[0])
    lines.insert(2, '{"id": "no-text", "title": "عنوان بلا نص"}\n')
    lines.insert(9, "{not json\n")
    lines.insert(20, json.dumps({"id": first["id"], "text": "نص مكرر"}, ensure_ascii=False) + "\n")
    path = tmp_path_factory.mktemp("scale") / "in.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _plain_loop(path: Path) -> list[str]:
    """What `marsad extract` wrote before it had engines: the pipeline over each article in turn."""
    pipeline = Pipeline.default()
    return [
        dump_line(pipeline(a).output().model_dump(mode="json"))
        for a in read_articles(str(path))
        if isinstance(a, Article)
    ]


def test_pool_output_equals_plain_loop(with_bad_lines: Path) -> None:
    expected = _plain_loop(with_bad_lines)
    assert len(expected) == 40
    # chunksize 1 puts more chunks in flight than the window holds, so the window slides.
    with LocalEngine(2, chunksize=1) as engine:
        got = list(engine.map(extract_line, read_articles(str(with_bad_lines))))
        pids = engine.worker_pids()
    rejected = [g for g in got if isinstance(g, Rejected)]
    assert [r.line for r in rejected] == [3, 10, 21]
    assert [g for g in got if isinstance(g, str)] == expected
    # The rejected items stay in their place in the stream: after 2, 8 and 18 good lines.
    assert [i for i, g in enumerate(got) if isinstance(g, Rejected)] == [2, 9, 20]
    assert len(pids) == 2


def test_cli_workers_same_output_and_messages(with_bad_lines: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    results = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.jsonl"
        res = runner.invoke(app, ["extract", str(with_bad_lines), "-o", str(out), "--workers", str(workers)])
        results[workers] = (res.exit_code, res.stderr, out.read_text(encoding="utf-8"))
    assert results[1] == results[2]
    code, stderr, text = results[2]
    assert code == 1
    stderr = " ".join(stderr.split())  # rich wraps long messages at the console width
    assert f"{with_bad_lines}:3: needs a non-empty 'text' or 'html'" in stderr
    assert f"{with_bad_lines}:10: invalid JSON" in stderr
    assert f"{with_bad_lines}:21: duplicate id" in stderr
    assert text.splitlines(keepends=True) == _plain_loop(with_bad_lines)


def test_map_articles_gives_slim_docs_in_order() -> None:
    articles = [a for a in read_articles(str(ARTICLES)) if isinstance(a, Article)]
    docs = list(map_articles(articles, workers=2))
    assert [d.article.id for d in docs] == [a.id for a in articles]
    pipeline = Pipeline.default()
    for article, doc in zip(articles, docs, strict=True):
        direct = pipeline(article)
        assert doc.output() == direct.output()
        assert doc.raw == direct.raw and doc.sentences == direct.sentences
        assert doc.tokens == [] and doc.mentions == []  # working state stays in the worker
    full = list(map_articles(articles[:3], workers=2, full=True))
    assert [len(d.tokens) for d in full] == [len(pipeline(a).tokens) for a in articles[:3]]


def test_bad_worker_count_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LocalEngine(0)


def test_peak_rss_of_this_process_is_read() -> None:
    import os

    assert peak_rss_mb(os.getpid()) > 10
    assert peak_rss_mb(2**22 + 12345) == 0.0
