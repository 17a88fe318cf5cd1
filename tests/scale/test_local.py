"""The process-pool engine gives the plain loop's output, line for line, in input order.

articles.jsonl: 40 SaudiNewsNet articles (2015; text cut to 2,500 characters), 24 of them about
conflict (Yemen, Syria, Iraq, attacks in the Kingdom) and 16 on other news.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jsonl import Rejected, dump_line, read_articles
from marsad.model import Article, Doc
from marsad.pipeline import Pipeline
from marsad.scale.local import LocalEngine, extract_line, map_articles, peak_rss_mb
from tests.scale.conftest import ARTICLES


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


def test_pool_output_equals_plain_loop(with_bad_lines: Path, expected: dict[str, str]) -> None:
    # chunksize 1 puts more chunks in flight than the window holds, so the window slides.
    with LocalEngine(2, chunksize=1) as engine:
        got = list(engine.map(extract_line, read_articles(str(with_bad_lines))))
        pids = engine.worker_pids()
        peaks = [peak_rss_mb(p) for p in pids]
    assert [g for g in got if isinstance(g, str)] == list(expected.values())
    rejected = [g for g in got if isinstance(g, Rejected)]
    assert [r.line for r in rejected] == [3, 10, 21]
    # The rejected items stay in their place in the stream.
    assert [i for i, g in enumerate(got) if isinstance(g, Rejected)] == [2, 9, 20]
    assert len(pids) == 2
    assert all(mb > 10 for mb in peaks)


def test_cli_workers_same_output_and_messages(with_bad_lines: Path, tmp_path: Path, expected: dict[str, str]) -> None:
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["extract", str(with_bad_lines), "-o", str(out), "--workers", "2"])
    assert res.exit_code == 1
    stderr = " ".join(res.stderr.split())  # rich wraps long messages at the console width
    assert f"{with_bad_lines}:3: needs a non-empty 'text' or 'html'" in stderr
    assert f"{with_bad_lines}:10: invalid JSON: Expecting property name enclosed in double quotes" in stderr
    assert f"{with_bad_lines}:21: duplicate id 'snn-2015-07-23-0070'" in stderr
    assert "3 line(s) rejected; every other line was written." in stderr
    assert out.read_text(encoding="utf-8") == "".join(expected.values())


def test_map_articles_gives_slim_docs_in_order(expected: dict[str, str]) -> None:
    articles = [a for a in read_articles(str(ARTICLES)) if isinstance(a, Article)][:12]
    docs = list(map_articles(articles, workers=2))
    assert [d.article.id for d in docs] == [a.id for a in articles]
    for doc in docs:
        assert isinstance(doc, Doc)
        assert dump_line(doc.output().model_dump(mode="json")) == expected[doc.article.id]
        assert doc.tokens == [] and doc.mentions == []  # working state stays in the worker
    direct = Pipeline.default()(articles[0])
    assert docs[0].raw == direct.raw and docs[0].sentences == direct.sentences
    full = next(iter(map_articles(articles[:1], workers=2, full=True)))
    assert isinstance(full, Doc)
    assert len(full.tokens) == len(direct.tokens) and len(full.mentions) == len(direct.mentions)


def test_bad_worker_count_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LocalEngine(0)


def test_peak_rss_reads_proc() -> None:
    assert peak_rss_mb(os.getpid()) > 10
    assert peak_rss_mb(2**22 + 12345) == 0.0
