"""`--workers N`: the CPU stages in a process pool, one ordered writer; the store ends up identical."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from marsad.ingest.runner import Ingester
from marsad.store.db import Store
from tests.ingest.conftest import CNN_HTML, ENGLISH, OTHER, story

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "corpus" / "saudinewsnet.jsonl.gz"

TABLES = {
    "articles": "SELECT id, content_hash, source, url, title, published, text, raw FROM articles ORDER BY id",
    "items": "SELECT item_id, status, duplicate_of, similarity, origin, title, reason FROM ingest_items ORDER BY item_id",
    "minhash": "SELECT article_id, signature FROM ingest_minhash ORDER BY article_id",
    "lsh": "SELECT band, key, article_id FROM ingest_lsh ORDER BY band, key, article_id",
    "learned": "SELECT source, line_key FROM ingest_boilerplate ORDER BY source, line_key",
    "events": "SELECT id, article_id, event_type, sub_event_type, actor1, actor2, location, fatalities, evidence, "
    "evidence_start FROM events ORDER BY id",
    "statements": "SELECT article_id, count(*) FROM statements GROUP BY article_id ORDER BY article_id",
}


def _dump(db: Path) -> dict[str, list[tuple]]:
    store = Store(str(db))
    try:
        with store.engine.connect() as conn:
            return {name: [tuple(r) for r in conn.execute(sa.text(q))] for name, q in TABLES.items()}
    finally:
        store.close()


def _ingest(db: Path, inputs: list[str], workers: int, extract: bool) -> tuple[dict, list[str]]:
    store = Store(str(db))
    try:
        ing = Ingester(store, extract=extract, workers=workers)
        s = ing.run(inputs)
        return dict(s.counts), [str(r) for r in s.rejected + s.skipped]
    finally:
        store.close()


def _retitled(text: str, n: int) -> str:
    """A re-publication: a new headline and the last paragraph dropped."""
    paras = [p for p in text.split("\n") if p.strip()]
    return "\n".join([f"عاجل {n}: " + paras[0], *paras[1:-1]] if len(paras) > 2 else [f"عاجل {n}", *paras])


def test_workers_give_the_same_store_with_extraction(tmp_path: Path) -> None:
    """Real corpus stories, each followed closely by its re-publication and an exact copy under
    another id: with 2 workers the near-duplicate is decided while its original is still being
    extracted, and must be linked to it exactly as with 1."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        rows = [o for o in (json.loads(line) for line in islice(fh, 400)) if len(o["text"].split()) > 120][:8]
    lines: list[dict] = []
    for n, o in enumerate(rows):
        lines.append({"id": o["id"], "text": o["text"], "source": o["source"]})
        lines.append({"id": f"{o['id']}-copy", "text": _retitled(o["text"], n), "source": "وكالة أخرى"})
        lines.append({"id": f"{o['id']}-same", "text": o["text"], "source": o["source"]})
    lines.append({"id": "en-1", "text": ENGLISH * 3})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in lines) + "{not json\n", encoding="utf-8")

    one = _ingest(tmp_path / "one.db", [str(src)], workers=1, extract=True)
    two = _ingest(tmp_path / "two.db", [str(src)], workers=2, extract=True)
    assert one == two
    counts = one[0]
    assert counts["near_duplicate"] >= len(rows) - 2 and counts["new"] + counts["near_duplicate"] == 2 * len(rows)
    assert counts["skipped"] == 1 and counts["rejected"] == 1
    a, b = _dump(tmp_path / "one.db"), _dump(tmp_path / "two.db")
    assert a["events"], "the stories must give events for the comparison to mean something"
    for name in TABLES:
        assert a[name] == b[name], name


def test_workers_give_the_same_store_for_pages_and_texts(tmp_path: Path) -> None:
    """HTML pages (parsed in the workers), text files and a folder, without extraction."""
    folder = tmp_path / "in"
    folder.mkdir()
    page = CNN_HTML.read_text(encoding="utf-8")
    (folder / "a.html").write_text(page, encoding="utf-8")
    retitled = page.replace("معارضون يسيطرون على مخازن للصواريخ بريف دمشق", "المعارضة تسيطر على مستودعات في القلمون")
    (folder / "b.html").write_text(retitled, encoding="utf-8")  # the same story under a new headline
    (folder / "c.txt").write_text("\n\n".join(OTHER), encoding="utf-8")
    (folder / "d.txt").write_text(story(), encoding="utf-8")
    (folder / "e.txt").write_text(ENGLISH, encoding="utf-8")
    one = _ingest(tmp_path / "one.db", [str(folder)], workers=1, extract=False)
    two = _ingest(tmp_path / "two.db", [str(folder)], workers=2, extract=False)
    assert one == two
    assert (one[0]["new"], one[0]["near_duplicate"], one[0]["skipped"]) == (3, 1, 1)
    assert _dump(tmp_path / "one.db") == _dump(tmp_path / "two.db")
