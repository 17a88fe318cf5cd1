"""Content hashes, near-duplicate links, re-ingest idempotence, extraction on ingest."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from marsad.ingest import identity
from marsad.ingest.runner import Ingester
from marsad.store.db import Store
from marsad.store.schema import articles, events, ingest_items, ingest_lsh, ingest_minhash
from tests.ingest.conftest import OTHER, PARAS, story


def test_hash_ignores_spelling_variants() -> None:
    a = "قُتل ثلاثة أشخاص في انفجار عبوة ناسفة شمال بغداد، وأصيب ١٢ آخرون."
    b = "قتل ثلاثة اشخاص في انفجار عبوة ناسفه شمال بغداد ، واصيب 12 آخرون"
    assert identity.content_hash(a) == identity.content_hash(b)
    assert identity.content_hash(a) != identity.content_hash(a.replace("ثلاثة", "أربعة"))


def test_signature_similarity() -> None:
    base = identity.signature(story())
    retitled = identity.signature(story("سيطرة المعارضة على مستودعات أسلحة في القلمون"))
    other = identity.signature("\n\n".join(OTHER))
    assert base is not None and retitled is not None and other is not None
    assert identity.similarity(base, retitled) >= identity.THRESHOLD
    assert identity.similarity(base, other) < 0.1
    assert identity.signature("خبر قصير جدا") is None
    assert len(identity.band_keys(base)) == identity.lsh_params().bands


def _count(store: Store, table: sa.Table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_reingest_adds_nothing(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate([story(), "\n\n".join(OTHER)]):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    first = Ingester(store, extract=False)
    first.run([str(folder)])
    assert first.summary.counts["new"] == 2
    again = Ingester(store, extract=False)
    again.run([str(folder), str(folder)])
    assert again.summary.counts["new"] == 0 and again.summary.counts["duplicate"] == 4
    assert _count(store, articles) == 2 and _count(store, ingest_minhash) == 2
    assert _count(store, ingest_lsh) == 2 * identity.lsh_params().bands


def test_near_duplicate_is_linked_not_stored(store: Store, tmp_path: Path) -> None:
    """The same wire story under a new headline, with a paragraph dropped, in another outlet."""
    (tmp_path / "a.txt").write_text(story(), encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "سيطرة المعارضة على مستودعات أسلحة في القلمون\n\n" + "\n\n".join(PARAS[:3]), encoding="utf-8"
    )
    ing = Ingester(store, extract=False)
    ing.run([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")])
    assert ing.summary.counts["new"] == 1 and ing.summary.counts["near_duplicate"] == 1
    assert _count(store, articles) == 1
    (link,) = ing.ledger.near_duplicates()
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(articles.c.id)).scalar_one()
    assert link["duplicate_of"] == stored
    assert link["similarity"] >= identity.THRESHOLD
    assert link["title"] == "سيطرة المعارضة على مستودعات أسلحة في القلمون"
    assert link["origin"] == str(tmp_path / "b.txt")
    # Seen again, the near-duplicate is a plain duplicate: nothing new is recorded.
    again = Ingester(store, extract=False)
    again.run([str(tmp_path / "b.txt")])
    assert again.summary.counts["duplicate"] == 1 and _count(store, ingest_items) == 1


def test_extraction_on_ingest_stores_events(store: Store, tmp_path: Path) -> None:
    text = (
        "مقتل 19 عنصرا من داعش في غارتين جويتين أمريكيتين جنوب ليبيا\n\n"
        "أعلنت القيادة الأمريكية في أفريقيا (أفريكوم) أن 19 عنصرا من تنظيم داعش قتلوا في غارتين جويتين "
        "بمحيط مدينة مرزق جنوب غرب ليبيا، وأن 17 آخرين قتلوا جراء غارة جوية في جنوب غرب البلاد."
    )
    (tmp_path / "s.txt").write_text(text, encoding="utf-8")
    ing = Ingester(store, extract=True)
    ing.run([str(tmp_path / "s.txt")])
    assert ing.summary.counts["new"] == 1
    n_events = _count(store, events)
    assert n_events >= 1 and ing.summary.events == n_events
    with store.engine.connect() as conn:
        evidence = [r[0] for r in conn.execute(sa.select(events.c.evidence))]
    assert all(e in text for e in evidence)


def test_both_backends_dedup_and_links(db_url: str, tmp_path: Path) -> None:
    """Exact and near-duplicates on SQLite and PostgreSQL alike (the LSH index is SQL)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(story(), encoding="utf-8")
    (folder / "b.txt").write_text(
        "سيطرة المعارضة على مستودعات أسلحة في القلمون\n\n" + "\n\n".join(PARAS[:3]), encoding="utf-8"
    )
    (folder / "c.txt").write_text("\n\n".join(OTHER), encoding="utf-8")
    store = Store(db_url)
    try:
        first = Ingester(store, extract=False)
        first.run([str(folder)])
        assert (first.summary.counts["new"], first.summary.counts["near_duplicate"]) == (2, 1)
        again = Ingester(store, extract=False)
        again.run([str(folder)])
        assert again.summary.counts["duplicate"] == 3 and again.summary.counts["new"] == 0
        assert _count(store, articles) == 2
    finally:
        store.close()


def test_no_extract_stores_the_text_make_doc_would(store: Store, tmp_path: Path) -> None:
    """--no-extract skips normalization, but stores exactly the text `Pipeline.make_doc` builds."""
    from marsad.model import Article
    from marsad.pipeline import Pipeline

    f = tmp_path / "s.txt"
    f.write_text("الرئيسية / دولي / خبر\n" + story(), encoding="utf-8")
    ing = Ingester(store, extract=False)
    ing.run([str(f)])
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(articles)).one()
    made = Pipeline([]).make_doc(Article(id=row.id, text=story(), title=row.title))
    assert row.text == made.raw
    assert row.content_hash == row.id == identity.content_hash(made.raw)


def test_bare_articles_stored_as_store_save_stores_them(tmp_path: Path) -> None:
    """--no-extract writes a batch's articles in multi-row statements; the rows (article, source)
    must be the ones `Store.save` writes for the same article with no events."""
    from marsad.model import Article
    from marsad.pipeline import Pipeline
    from marsad.store.schema import sources

    f = tmp_path / "s.jsonl"
    line = {
        "id": "cnn-1",
        "text": story(),
        "source": "CNN Arabic",
        "url": "http://a.invalid/1",
        "published": "2013-08-03",
    }
    f.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    fast, slow = Store(str(tmp_path / "fast.db")), Store(str(tmp_path / "slow.db"))
    try:
        Ingester(fast, extract=False).run([str(f)])
        with fast.engine.connect() as conn:
            got = conn.execute(sa.select(articles)).one()._asdict()
            got_sources = conn.execute(sa.select(sources)).all()
        art = Article(id="cnn-1", text=story(), published="2013-08-03", source="CNN Arabic", url=line["url"])
        doc = Pipeline([]).make_doc(art)
        doc.meta["content_hash"] = got["content_hash"]
        slow.save(doc, raw=story())
        with slow.engine.connect() as conn:
            want = conn.execute(sa.select(articles)).one()._asdict()
            want_sources = conn.execute(sa.select(sources)).all()
    finally:
        fast.close()
        slow.close()
    got.pop("ingested_at"), want.pop("ingested_at")
    assert got == want and got["content_hash"] == identity.content_hash(story())
    assert got_sources == want_sources


def test_no_link_to_an_article_deleted_from_the_store(store: Store, tmp_path: Path) -> None:
    """Index rows left behind by an article deleted from the store do not make a near-duplicate."""
    (tmp_path / "a.txt").write_text(story(), encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "سيطرة المعارضة على مستودعات أسلحة في القلمون\n\n" + "\n\n".join(PARAS[:3]), encoding="utf-8"
    )
    Ingester(store, extract=False).run([str(tmp_path / "a.txt")])
    with store.engine.begin() as conn:
        conn.execute(sa.delete(articles))
    ing = Ingester(store, extract=False)
    ing.run([str(tmp_path / "b.txt")])
    assert ing.summary.counts["new"] == 1 and ing.summary.counts["near_duplicate"] == 0
