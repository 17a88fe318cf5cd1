"""kill -9 during `marsad extract`, then the same command again: every article once, no half-written line."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from marsad.cli import app

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"
N = 240
BAD_AT = 200  # a line that is not JSON, to be reported by each run


def _input(path: Path, n: int, skip: int = 0) -> list[str]:
    """Writes n corpus articles (a bad line among them); returns their ids in order."""
    ids = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh, path.open("w", encoding="utf-8") as out:
        for i, line in enumerate(itertools.islice(fh, skip, skip + n)):
            if i == BAD_AT:
                out.write('{"id": "cut", "text": "نص مقطوع\n')
            ids.append(json.loads(line)["id"])
            out.write(line)
    return ids


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _check_output(out: Path, ids: list[str]) -> list[dict]:
    data = out.read_bytes()
    assert data.endswith(b"\n")
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines()]  # no half-written line
    assert [r["id"] for r in rows] == ids  # every article once, in input order
    return rows


def test_kill_9_during_extract_then_resume(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    ids = _input(src, N)
    out = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    cmd = [sys.executable, "-m", "marsad", "extract", str(src), "-o", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and _lines(partial) < 40 and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = _lines(partial)
    assert 0 < before < N, "the kill must land in the middle of the run"
    assert not out.exists()  # the output appears only when complete

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # the bad line, reported again
    assert f"{src}:{BAD_AT + 1}: invalid JSON" in done.stderr
    assert "resuming an interrupted run" in done.stderr, done.stderr
    kept = int(done.stderr.split("resuming an interrupted run; ")[1].split(" ")[0])
    assert kept in (before, before - 1)  # a half-written last line is dropped and redone
    assert not partial.exists()
    _check_output(out, ids)


def test_half_written_line_other_input_and_no_resume(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    ids = _input(src, 4, skip=500)
    out = tmp_path / "out.jsonl"
    partial = tmp_path / "out.jsonl.partial"
    runner = CliRunner()
    assert runner.invoke(app, ["extract", str(src), "-o", str(out)]).exit_code == 0
    whole = out.read_bytes()
    _check_output(out, ids)
    first, second = whole.splitlines(keepends=True)[:2]

    # Killed in the middle of the second line: that line is cut off and written again, once.
    out.unlink()
    partial.write_bytes(first + second[: len(second) // 2])
    res = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "1 article(s) already done are kept" in res.output
    assert out.read_bytes() == whole and not partial.exists()

    # A partial from another input is not mixed in.
    other = tmp_path / "other.jsonl"
    _input(other, 1, skip=900)
    assert runner.invoke(app, ["extract", str(other), "-o", str(tmp_path / "o.jsonl")]).exit_code == 0
    out.unlink()
    os.replace(tmp_path / "o.jsonl", partial)
    res = runner.invoke(app, ["extract", str(src), "-o", str(out)])
    assert res.exit_code == 0 and "written from another input, not resumed" in res.output, res.output
    assert out.read_bytes() == whole

    # --no-resume starts again even from a partial of the same input.
    out.unlink()
    partial.write_bytes(b'{"id":"' + ids[0].encode() + b'","events":[],"statements":[]}\n')
    res = runner.invoke(app, ["extract", str(src), "-o", str(out), "--no-resume"])
    assert res.exit_code == 0 and "resuming" not in res.output
    assert out.read_bytes() == whole
