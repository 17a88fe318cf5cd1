"""Inputs test_bad_inputs.py does not cover: a 50 MB text, 100,000 nested <div>s, a folder of mixed encodings.

Each through `marsad ingest` and, where it reads them, `marsad extract`; the 50 MB ones in a child
process whose peak memory it reports itself (VmHWM) and whose time is bounded by a timeout.
"""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from marsad.cli import app
from marsad.jsonl import MAX_TEXT_CHARS
from marsad.store.db import Store
from marsad.store.schema import articles

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"
BIG = 50_000_000


def _corpus(n: int, skip: int = 0) -> list[dict]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in itertools.islice(fh, skip, skip + n)]


# The child writes its own peak (VmHWM: the high-water mark of its memory since exec) at exit. The
# kernel's rusage (os.wait4, getrusage) would not do: its maxrss keeps the high-water mark of the
# image before exec, which is this test process, hundreds of MB late in a full run.
_CHILD = (
    "import atexit, runpy, sys\n"
    "out = sys.argv[1]\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            open(out, 'w').write(line.split()[1])\n"
    "atexit.register(peak)\n"
    "sys.argv = ['marsad', *sys.argv[2:]]\n"
    "runpy.run_module('marsad', run_name='__main__', alter_sys=True)\n"
)


def _run(args: list[str], timeout: float = 60) -> tuple[int, str, float]:
    """Runs `marsad ARGS` (at most `timeout` s); returns exit status, stderr and the child's peak RSS in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        err_file = Path(tmp) / "err"
        with err_file.open("wb") as err:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, str(peak_file), *args],
                stdout=subprocess.DEVNULL,
                stderr=err,
                timeout=timeout,
            )
        text = err_file.read_text(encoding="utf-8", errors="replace")
        peak_kb = int(peak_file.read_text()) if peak_file.exists() else 0
    assert peak_kb, f"marsad {' '.join(args)} wrote no peak memory: {text[-2000:]}"
    return proc.returncode, text, peak_kb / 1024


def _stored_texts(db: Path) -> list[str]:
    store = Store(str(db))
    try:
        with store.engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.select(articles.c.text))]
    finally:
        store.close()


def test_a_50_mb_text_is_refused_with_the_limit_in_bounded_memory(tmp_path: Path) -> None:
    arts = _corpus(300)
    chunk = "\n\n".join(a["text"] for a in arts).encode("utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    big = folder / "big.txt"
    with big.open("wb") as fh:
        while fh.tell() < BIG:
            fh.write(chunk)
    size = big.stat().st_size
    (folder / "good.txt").write_text(arts[0]["text"], encoding="utf-8")
    db = tmp_path / "m.db"
    code, err, rss = _run(["ingest", str(folder), "--db", str(db), "--no-extract", "--offline"])
    assert code == 1, err  # something was rejected
    assert f"{big}: a text file of {size:,} bytes is over the limit for one article ({MAX_TEXT_CHARS:,}" in err, err
    assert "1 new" in err, err
    assert rss < 500, f"peak RSS {rss:.0f} MB"  # the 50 MB file is read once, never decoded
    assert len(_stored_texts(db)) == 1

    # The same text as one JSONL line through `marsad extract`: that line is refused, the next one written.
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        text = chunk.decode("utf-8") * (BIG // len(chunk) + 1)
        fh.write(json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "ok", "text": arts[1]["text"]}, ensure_ascii=False) + "\n")
    del text
    out = tmp_path / "out.jsonl"
    code, err, rss = _run(["extract", str(src), "-o", str(out)])
    assert code == 1, err
    assert f"{src}:1: field 'text' of " in err and f"over the limit of {MAX_TEXT_CHARS:,} for one article" in err, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["ok"]
    assert rss < 900, f"peak RSS {rss:.0f} MB"  # the line, its decoded text and its JSON value, once each


def test_100000_nested_divs_keep_their_text(tmp_path: Path) -> None:
    art = _corpus(1, skip=40)[0]
    text = art["text"]
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    deep = "<html><head><title>خبر</title></head><body>" + "<div>" * 100_000 + paras + "</div>" * 100_000
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.html").write_text(deep + "</body></html>", encoding="utf-8")
    other = _corpus(1, skip=41)[0]["text"]
    # Deep and cut off: never closed, the last paragraph cut mid-way.
    (folder / "deep_cut.html").write_text(
        "<html><body>" + "<div>" * 100_000 + f"<p>{other[: len(other) * 2 // 3]}", encoding="utf-8"
    )
    db = tmp_path / "m.db"
    res = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db), "--no-extract", "--offline"])
    assert res.exit_code == 0 and "2 new" in res.output, res.output
    stored = _stored_texts(db)
    first = text.split("\n")[0].strip()[:80]
    assert any(first in s for s in stored), stored
    assert any(other[:80] in s for s in stored), stored

    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "deep", "html": deep}, ensure_ascii=False) + "\n")
        fh.write(json.dumps({"id": "flat", "html": f"<html><body>{paras}</body></html>"}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["extract", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    deep_out, flat_out = (json.loads(x) for x in out.read_text(encoding="utf-8").splitlines())
    # The page's text is read whatever the nesting: the same findings as the flat page.
    assert deep_out["statements"] or deep_out["events"]
    assert (deep_out["events"], deep_out["statements"]) == (flat_out["events"], flat_out["statements"])


def test_a_folder_of_mixed_encodings(tmp_path: Path) -> None:
    """Each file in its own encoding (as archives of Arabic sites come): every one read right."""
    encodings = ["utf-8", "utf-8-sig", "cp1256", "iso8859_6", "utf-16", "cp1256-html"]
    folder = tmp_path / "in"
    folder.mkdir()
    texts: dict[str, str] = {}
    pool = iter(_corpus(400, skip=100))
    for enc in encodings:
        codec = enc.removesuffix("-html")
        for art in pool:  # the next article this encoding can hold (ISO 8859-6 has no Arabic-Indic digits)
            body = art["text"].strip()
            if len(body) < 400:
                continue
            try:
                if enc.endswith("-html"):
                    page = (
                        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
                        f"</head><body><article><p>{body}</p></article></body></html>"
                    )
                    data = page.encode(codec)
                else:
                    data = body.encode(codec)
            except UnicodeEncodeError:
                continue
            break
        name = f"{enc}.html" if enc.endswith("-html") else f"{enc}.txt"
        (folder / name).write_bytes(data)
        texts[name] = body
    db = tmp_path / "m.db"
    res = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db), "--no-extract", "--offline"])
    assert res.exit_code == 0 and f"{len(encodings)} new" in res.output, res.output
    stored = _stored_texts(db)
    for name, body in texts.items():
        words = " ".join(body.split()[:12])
        assert any(words in " ".join(s.split()) for s in stored), (name, words)
