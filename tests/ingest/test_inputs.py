"""Every input kind and encoding, through the ingest loop into a real SQLite store."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from marsad.ingest.detect import sniff
from marsad.ingest.items import Candidate
from marsad.ingest.runner import Ingester
from marsad.ingest.text import decode, language_problem
from marsad.store.db import Store
from marsad.store.schema import articles, ingest_items
from tests.ingest.conftest import CNN_HTML, ENGLISH, OTHER, PARAS, story


def _ingest(store: Store, *paths: Path | str, fmt: str | None = None) -> Ingester:
    ing = Ingester(store, extract=False)
    ing.run([str(p) for p in paths], fmt)
    return ing


def _texts(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(articles.c.text).order_by(articles.c.id))]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256", "iso8859_6", "utf-16"])
def test_decode_every_encoding(encoding: str) -> None:
    text = story()
    got, _enc = decode(text.encode(encoding))
    assert got == text


def test_decode_short_windows_1256() -> None:
    line = "قتل ثلاثة أشخاص في انفجار عبوة ناسفة شمال بغداد."
    assert decode(line.encode("cp1256"))[0] == line


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1256", "iso8859_6"])
def test_text_file_in_any_encoding(store: Store, tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "story.txt"
    f.write_bytes(story().encode(encoding))
    ing = _ingest(store, f)
    assert ing.summary.counts["new"] == 1
    (text,) = _texts(store)
    assert text == story()
    art = store.get_article(ing.ledger.seen(_only_id(store))[1])
    assert art["title"] == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"


def _only_id(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(articles.c.id)).scalar_one()


def test_html_page_main_text_and_metadata(store: Store) -> None:
    ing = _ingest(store, CNN_HTML)
    assert ing.summary.counts["new"] == 1
    art = store.get_article(_only_id(store))
    assert art["title"] == "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
    assert art["source"] == "CNNArabic"
    assert art["url"] == "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html"
    assert "تمكنت من السيطرة على مستودعات للأسلحة بريف دمشق" in art["text"]
    assert "All Rights Reserved" not in art["text"]  # the copyright footer is furniture
    assert "<html" in art["raw"]


def _rss(items: list[tuple[str, str, str]], full: bool = True) -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>Sat, 03 Aug 2013 10:00:00 GMT</pubDate>"
        + (f"<content:encoded><![CDATA[<p>{d}</p>]]></content:encoded>" if full else f"<description>{d}</description>")
        + "</item>"
        for t, link, d in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>CNN Arabic</title><language>ar</language>{body}</channel></rss>"
    ).encode()


def test_rss_file_full_entries(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "feed.xml"
    stories = ["</p><p>".join(PARAS), "</p><p>".join(OTHER)]
    f.write_bytes(_rss([(f"خبر {i}", f"http://example.invalid/{i}", s) for i, s in enumerate(stories)]))
    ing = _ingest(store, f)
    assert ing.summary.counts["new"] == 2
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(articles.c.source, articles.c.published, articles.c.url)).all()
    assert {r.source for r in rows} == {"CNN Arabic"}
    assert {str(r.published) for r in rows} == {"2013-08-03"}


def test_rss_url_fetches_pages_of_teaser_entries(store: Store, http_server) -> None:
    base, handler = http_server
    html = CNN_HTML.read_bytes()
    handler.routes["/rss"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        _rss([("معارضون يسيطرون", f"{base}/page1", "موجز قصير")], full=False),
    )
    handler.routes["/page1"] = (200, {"Content-Type": "text/html; charset=utf-8"}, html)
    from marsad.ingest.feeds import Fetcher

    ing = Ingester(store, extract=False, fetcher=Fetcher(delay=0))
    ing.run([f"{base}/rss"])
    assert ing.summary.counts["new"] == 1
    assert [p for p, _ in handler.hits] == ["/rss", "/page1"]
    art = store.get_article(_only_id(store))
    assert "مستودعات للأسلحة بريف دمشق" in art["text"]
    assert art["url"] == f"{base}/page1"
    assert str(art["published"]) in ("2013-08-03", "2013-01-01")


def _warc(path: Path, gz: bool) -> None:
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        for url, ctype, body in [
            ("http://arabic.cnn.com/a.html", "text/html; charset=utf-8", CNN_HTML.read_bytes()),
            ("http://arabic.cnn.com/logo.png", "image/png", b"\x89PNG\r\n"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_only(store: Store, tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    _warc(f, gz=name.endswith(".gz"))
    ing = _ingest(store, f)
    assert ing.summary.counts["new"] == 1 and ing.summary.counts["rejected"] == 0
    assert store.get_article(_only_id(store))["url"] == "http://arabic.cnn.com/a.html"


def test_jsonl_keeps_ids_and_reports_bad_lines(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {"id": "a1", "text": story(), "source": "CNN Arabic", "published": "2013-08-03"}, ensure_ascii=False
        ),
        "{not json",
        json.dumps(
            {"id": "a2", "html": CNN_HTML.read_text(encoding="utf-8").replace("دمشق", "حمص")}, ensure_ascii=False
        ),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ing = _ingest(store, f)
    assert ing.summary.counts["new"] == 2
    assert [str(r) for r in ing.summary.rejected] == [
        f"{f}:2: invalid JSON: Expecting property name enclosed in double quotes at column 2"
    ]
    assert store.get_article("a1")["source"] == "CNN Arabic"
    assert "حمص" in store.get_article("a2")["text"]


def test_folder_zip_and_tar(store: Store, tmp_path: Path) -> None:
    d = tmp_path / "in" / "sub"
    d.mkdir(parents=True)
    (d / "one.txt").write_bytes(("الخبر الأول\n\n" + PARAS[0] + "\n\n" + PARAS[1]).encode("cp1256"))
    (d / "page.html").write_bytes(CNN_HTML.read_bytes())
    (tmp_path / "in" / ".hidden.txt").write_text(OTHER[0], encoding="utf-8")
    zpath = tmp_path / "pack.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("a/other.txt", "خبر آخر\n\n" + OTHER[0])
    tpath = tmp_path / "pack.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        data = ("خبر ثالث\n\n" + OTHER[1]).encode("iso8859_6", errors="ignore")
        info = tarfile.TarInfo("b/third.txt")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    ing = _ingest(store, tmp_path / "in", zpath, tpath)
    assert ing.summary.counts["new"] == 4, ing.summary.rejected
    assert ing.summary.counts["rejected"] == 0


def test_format_option_overrides_detection(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "page.dat"
    f.write_bytes(CNN_HTML.read_bytes())
    assert sniff("page.dat", f.read_bytes()) == "html"
    g = tmp_path / "story.html"  # named .html but plain text
    g.write_text(story(), encoding="utf-8")
    ing = _ingest(store, g, fmt="text")
    assert _texts(store) == [story()] and ing.summary.counts["new"] == 1


def test_non_arabic_is_skipped_with_reason(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "en.txt"
    f.write_text(ENGLISH, encoding="utf-8")
    ing = _ingest(store, f)
    assert ing.summary.counts["skipped"] == 1 and ing.summary.counts["new"] == 0
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(ingest_items)).one()
    assert row.status == "skipped" and row.reason.startswith("not Arabic")
    assert _texts(store) == []


def test_persian_is_not_arabic() -> None:
    persian = (
        "گروه‌های مسلح مخالف دولت سوریه کنترل انبارهای تسلیحاتی در حومه دمشق را به دست گرفتند و این خبر را تأیید کردند."
    )
    assert (language_problem(persian) or "").startswith("not Arabic")
    assert language_problem(story()) is None


def test_rejections_named_and_exit_status(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from marsad.cli import app

    good = tmp_path / "good.txt"
    good.write_text(story(), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = CliRunner().invoke(
        app,
        [
            "ingest",
            str(good),
            str(empty),
            str(tmp_path / "missing.txt"),
            "--db",
            str(tmp_path / "c.db"),
            "--no-extract",
        ],
    )
    assert res.exit_code == 1
    out = res.output
    assert "1 new" in out and "2 rejected" in out
    assert f"{empty}: empty file" in out
    assert f"{tmp_path / 'missing.txt'}: no such file or folder" in out


def test_jsonl_gz(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl.gz"
    f.write_bytes(gzip.compress((json.dumps({"id": "z1", "text": story()}, ensure_ascii=False) + "\n").encode()))
    assert _ingest(store, f).summary.counts["new"] == 1
    assert store.has_article("z1")


def test_page_metadata_from_meta_tags_and_json_ld() -> None:
    """The date in schema.org JSON-LD (nested in an @graph, as news CMSs write it), the first of
    repeated meta tags, a meta tag with no content passed over."""
    from marsad.ingest.html import read_html

    head = (
        '<meta property="og:site_name" content="">'
        '<meta name="application-name" content="سي إن إن بالعربية">'
        '<meta property="og:title" content="معارضون يسيطرون على مخازن للصواريخ بريف دمشق">'
        '<meta property="og:title" content="عنوان ثان">'
        '<meta name="author">'
        '<meta name="author" content="CNN">'
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebPage", "name": "x"}, {"@type": "NewsArticle", "datePublished": "2013-08-03T10:20:00+03:00"}]}'
        "</script>"
    )
    html = CNN_HTML.read_text(encoding="utf-8").replace("<head>", "<head>" + head, 1)
    page = read_html(html, "page.html")
    assert isinstance(page, Candidate)
    assert (page.source, page.title, page.author) == (
        "سي إن إن بالعربية",
        "معارضون يسيطرون على مخازن للصواريخ بريف دمشق",
        "CNN",
    )
    assert str(page.published) == "2013-08-03"
    assert "مستودعات للأسلحة بريف دمشق" in page.text and "schema.org" not in page.text
