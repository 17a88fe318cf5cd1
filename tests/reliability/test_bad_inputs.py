"""Bad files through `marsad ingest` and `marsad extract`: each one named with its reason, the good ones kept."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.cli import app
from marsad.store.db import Store
from marsad.store.schema import articles
from tests.ingest.conftest import OTHER, PARAS, story


def _warc_with_broken_second_record(text: str) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    html = f"<html><body><article><p>{text}</p></article></body></html>".encode()
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record("https://example.org/a", "response", payload=io.BytesIO(html), http_headers=headers)
    )
    # A second record cut short, without its target URI (a crawler killed mid-write).
    return buf.getvalue() + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\n<html>trunc"


def _bad_folder(folder: Path) -> dict[str, str]:
    """Writes the inputs; returns file name -> the reason its rejection must give."""
    folder.mkdir()
    (folder / "good.txt").write_text(story().split(PARAS[2])[0], encoding="utf-8")  # first two paragraphs
    (folder / "random.bin").write_bytes(os.urandom(4096))
    (folder / "bytes.txt").write_bytes(bytes(range(256)) * 20)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "empty.html").write_bytes(b"")
    (folder / "invalid_utf8.txt").write_bytes(b"\xff\xfe\xfa\xc0\xc1" * 300)
    (folder / "mixed.txt").write_bytes(OTHER[0].encode("utf-8") + b"\n\n" + PARAS[1].encode("cp1256"))
    # Cut off mid-paragraph: the text that arrived is still an article.
    (folder / "truncated.html").write_text(
        "<html><head><title>تنظيم الدولة في ليبيا</title></head><body><article><p>" + OTHER[1], encoding="utf-8"
    )
    (folder / "bad_feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>خبر</title>'
        "<description>نص &amp غير <صالح",
        encoding="utf-8",
    )
    (folder / "crawl.warc.gz").write_bytes(_warc_with_broken_second_record(PARAS[2] + " " + PARAS[3]))
    lines = [
        json.dumps({"id": "j1", "text": OTHER[0]}, ensure_ascii=False),
        json.dumps({"id": 5, "text": ["a"]}),
        "[1, 2]",
        '{"id": "j3", "text": null}',
        "not json",
        json.dumps({"id": "j4", "text": 123}),
        '{"id": "j5", "text": "نص مقطوع',  # cut mid-string
    ]
    (folder / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "random.bin": "cannot tell the text encoding",
        "bytes.txt": "cannot tell the text encoding",
        "empty.txt": "empty file",
        "empty.html": "empty",
        "invalid_utf8.txt": "not Arabic",
        "mixed.txt": "cannot tell the text encoding",
        "bad_feed.xml#1": "no text",
        "crawl.warc.gz": "WARC record 2 is broken",
        "items.jsonl:2": "field 'text' must be a string, got list",
        "items.jsonl:3": "expected a JSON object",
        "items.jsonl:4": "needs a non-empty 'text' or 'html'",
        "items.jsonl:5": "invalid JSON",
        "items.jsonl:6": "field 'text' must be a string, got int",
        "items.jsonl:7": "invalid JSON",
    }


def test_ingest_names_every_bad_file_and_keeps_the_good(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    expected = _bad_folder(folder)
    db = tmp_path / "m.db"
    res = CliRunner().invoke(app, ["ingest", str(folder), "--db", str(db), "--no-extract", "--offline"])
    assert res.exit_code == 1, res.output  # something was rejected
    lines = res.output.splitlines()
    for name, reason in expected.items():
        found = [ln for ln in lines if f"{folder / name}:" in ln or f"{folder / name} " in ln]
        assert found and reason in found[0], (name, reason, found, res.output)
    # good.txt, the truncated page, the WARC's first record and the JSONL's good line are all stored.
    # (no duplicates among them)
    assert "4 new" in res.output, res.output
    store = Store(str(db))
    try:
        assert store.has_article("j1")
        with store.engine.connect() as conn:
            joined = "\n".join(r[0] for r in conn.execute(sa.select(articles.c.text)))
    finally:
        store.close()
    assert PARAS[0] in joined and OTHER[0] in joined and OTHER[1][:80] in joined and PARAS[2][:80] in joined


def test_extract_names_bad_lines_and_writes_the_rest(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    good = [{"id": "a1", "text": PARAS[0]}, {"id": "a2", "html": "<html><body><p>" + PARAS[2]}]
    with src.open("wb") as fh:
        fh.write(json.dumps(good[0], ensure_ascii=False).encode() + b"\n")
        fh.write(os.urandom(300).replace(b"\n", b" ") + b"\n")  # binary garbage
        fh.write(b'{"id": "a3", "text": "\xff\xfe broken utf-8"}\n')  # invalid UTF-8 inside a string
        fh.write(b'{"id": "a4", "text": ' + json.dumps(PARAS[1], ensure_ascii=False).encode()[:60] + b"\n")  # cut
        fh.write(json.dumps({"id": ["x"], "text": PARAS[3]}, ensure_ascii=False).encode() + b"\n")
        fh.write(json.dumps(good[1], ensure_ascii=False).encode() + b"\n")  # HTML cut short: still read
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["extract", str(src), "-o", str(out)])
    assert res.exit_code == 1, res.output
    for line_no in (2, 3, 4, 5):
        assert f"{src}:{line_no}:" in res.output, (line_no, res.output)
    assert "4 line(s) rejected" in res.output
    written = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [w["id"] for w in written] == ["a1", "a2"]
