"""The `marsad extract` contract: one output line per valid input line, bad lines named, exit 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from marsad.cli import app
from marsad.resources import path as resource_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
runner = CliRunner()


def _assert_valid(out: Path, src: Path) -> None:
    """The evaluation's own format checker accepts the output for this input."""
    check = subprocess.run(
        [sys.executable, str(SHARED / "eval" / "validate.py"), str(out), "--input", str(src)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]


def test_extract_on_the_bundled_sample_passes_the_format_checker(tmp_path: Path) -> None:
    sample = resource_path("samples/articles.jsonl")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(sample), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ids_in = [json.loads(x)["id"] for x in sample.read_text(encoding="utf-8").splitlines() if x.strip()]
    got = _lines(out)
    assert [d["id"] for d in got] == ids_in
    assert sum(len(d["events"]) for d in got) > 0
    _assert_valid(out, sample)


def test_bad_lines_are_named_and_the_rest_is_written(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "قتل 3 جنود في هجوم مسلح على ثكنة في شمال مالي"}, ensure_ascii=False),
                "{not json",
                json.dumps({"text": "بلا معرف"}, ensure_ascii=False),
                json.dumps({"id": "b"}),
                json.dumps({"id": "c", "text": 5}),
                json.dumps({"id": "d", "text": "نص", "published": "yesterday"}),
                json.dumps({"id": "a", "text": "مكرر"}, ensure_ascii=False),
                json.dumps({"id": 7, "text": "معرف رقمي"}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert result.exit_code == 1
    err = result.stderr
    for line, word in (
        (2, "invalid JSON"),
        (3, "missing 'id'"),
        (4, "text"),
        (5, "'text'"),
        (6, "published"),
    ):
        assert f"{src}:{line}:" in err and word in err, err
    assert f"{src}:7: duplicate id" in err
    assert [d["id"] for d in _lines(out)] == ["a", "7"]


def test_stdin_to_stdout() -> None:
    line = json.dumps({"id": "x", "text": "تظاهر آلاف العراقيين أمس في بغداد احتجاجا على الفساد"}, ensure_ascii=False)
    result = runner.invoke(app, ["extract", "-", "-o", "-"], input=line + "\n")
    assert result.exit_code == 0
    (doc,) = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert doc["id"] == "x"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_help_teaches_with_an_example() -> None:
    result = runner.invoke(app, ["extract", "--help"])
    assert result.exit_code == 0 and "Example" in result.stdout


def test_html_input_gives_events_whose_evidence_is_in_the_page(tmp_path: Path) -> None:
    # A page with site furniture, inline markup and an entity; the date comes from its metadata.
    html = (
        '<html><head><title>مقتل 5 جنود في هجوم</title><meta property="article:published_time" content="2019-03-02">'
        '</head><body><nav><a href="/">الرئيسية</a> / <a>دولي</a></nav><article><h1>مقتل 5 جنود في هجوم لبوكو حرام</h1>'
        "<p>قتل <b>خمسة</b> جنود نيجيريين على الأقل في هجوم شنته جماعة بوكو حرام على قاعدة عسكرية في ولاية بورنو "
        "شمال شرق نيجيريا، الخميس الماضي، بحسب مصادر عسكرية.</p>"
        "<p>وقال مصدر عسكري إن المسلحين وصلوا في شاحنات &amp; دراجات نارية وأحرقوا عددا من المباني.</p>"
        "</article><footer>جميع الحقوق محفوظة</footer></body></html>"
    )
    src = tmp_path / "page.jsonl"
    src.write_text(json.dumps({"id": "h1", "html": html}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["extract", str(src), "-o", str(out)]).exit_code == 0
    (doc,) = _lines(out)
    ev = doc["events"][0]
    assert (ev["event_type"], ev["fatalities"], ev["date"]) == ("Battles", 5, "2019-02-28")
    assert "Boko Haram" in ev["actor1"]["name"] and "Nigeria" in ev["actor2"]["name"]
    _assert_valid(out, src)


def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    # Worker processes (pool, Ray) each get their own string-hash seed: results must not change.
    sample = resource_path("samples/articles.jsonl")
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}.jsonl"
        env = {**__import__("os").environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "marsad", "extract", str(sample), "-o", str(out)], env=env, capture_output=True
        )
        assert done.returncode == 0, done.stderr
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
