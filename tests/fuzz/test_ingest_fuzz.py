"""Property-based fuzzing of HTML and feed parsing: no crash, no hang, the article text survives the markup.

Hypothesis's `deadline` bounds each example (a generous 5 s: a hang, not a slow machine, fails it).
"""

from __future__ import annotations

from datetime import timedelta
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from marsad.ingest.detect import FORMATS, read_bytes
from marsad.ingest.feeds import read_feed
from marsad.ingest.html import decode_html, flat_text, html_to_text, read_html
from marsad.ingest.items import Candidate, Page, Rejected
from tests.ingest.conftest import OTHER, PARAS

BOUNDED = settings(
    max_examples=60,
    deadline=timedelta(seconds=5),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Markup pieces real pages are made of, broken ones included.
TAGS = ["div", "section", "span", "b", "i", "em", "strong", "center", "blockquote", "font", "a"]
PIECES = st.one_of(
    st.sampled_from(
        [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<br>",
            "<br/>",
            "<script>var a = '<p>x</p>';",
            "</script>",
            "<style>p{}</style>",
            "<!-- تعليق -->",
            "<!--",
            "<![CDATA[ x ]]>",
            "<!DOCTYPE html>",
            "<?xml version='1.0'?>",
            '<meta charset="windows-1256">',
            '<a href="javascript:alert(1)">',
            "<img src=x onerror=alert(1)>",
            "&amp;",
            "&#1575;",
            "&#x0;",
            "&nbsp;",
            "&bogus;",
            "<",
            ">",
            '"',
            "<div class='a\"b'>",
            "</html>",
            "<table><tr><td>",
            "\x00",
            "\ufeff",
        ]
    ),
    st.sampled_from([*PARAS, *OTHER]),
    st.text(max_size=40),
)
HTML = st.lists(PIECES, max_size=40).map("".join)


def _nested(tags: list[str], depth: int, body: str) -> str:
    opening = "".join(f"<{tags[i % len(tags)]}>" for i in range(depth))
    closing = "".join(f"</{tags[i % len(tags)]}>" for i in reversed(range(depth)))
    return f"<html><head><title>خبر</title></head><body>{opening}<p>{body}</p>{closing}</body></html>"


@BOUNDED
@given(HTML)
# Found by this test: lxml refused these ("Document is empty", control characters) and the error escaped.
@example("<!-- only a comment -->")
@example("<div>a<script>x</script>\x0c tail</div>")
@example('<p>نص</p><!--<a href="javascript:alert(1)">')  # an unclosed comment hides the rest
def test_any_markup_gives_a_candidate_or_a_reason(html: str) -> None:
    got = read_html(html, "page.html")
    assert isinstance(got, Candidate | Rejected)
    if isinstance(got, Candidate):
        assert got.text.strip() and got.origin == "page.html"
    else:
        assert got.reason
    assert isinstance(html_to_text(html), str)
    assert "alert(1)" not in flat_text(html)  # script bodies are not text


@BOUNDED
@given(st.binary(max_size=3000), st.one_of(st.none(), st.sampled_from(["utf-8", "cp1256", "latin-1", "bogus"])))
def test_any_bytes_decode_as_a_page(data: bytes, charset: str | None) -> None:
    assert isinstance(decode_html(data, charset), str)


@BOUNDED
@given(
    st.lists(st.sampled_from(TAGS), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=400),
    st.sampled_from(PARAS),
    st.booleans(),
)
def test_the_text_survives_any_nesting(tags: list[str], depth: int, para: str, cut: bool) -> None:
    """However deep (past libxml2's 256 levels too) and whether or not the page is cut off."""
    page = _nested(tags, depth, para)
    if cut:
        page = page[: page.index("</p>")]
    words = " ".join(para.split()[:8])
    got = read_html(page, "deep.html")
    assert isinstance(got, Candidate), got
    assert words in " ".join(got.text.split())
    assert words in " ".join(html_to_text(page).split())


ENTRY_TEXT = st.one_of(st.sampled_from([*PARAS, *OTHER]), st.text(max_size=80))


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """An RSS or Atom document, maybe cut off, maybe with stray bytes."""
    texts = draw(st.lists(ENTRY_TEXT, max_size=5))
    atom = draw(st.booleans())
    escaped = draw(st.booleans())  # feeds in the wild often forget to escape
    enc = draw(st.sampled_from(["utf-8", "utf-16", "windows-1256"]))

    def esc(s: str) -> str:
        return escape(s) if escaped else s

    if atom:
        items = "".join(
            f"<entry><title>{esc(t[:30])}</title><content type='html'>{esc(t)}</content>"
            f"<updated>2024-0{i % 9 + 1}-01T00:00:00Z</updated></entry>"
            for i, t in enumerate(texts)
        )
        doc = f"<?xml version='1.0' encoding='{enc}'?><feed xmlns='http://www.w3.org/2005/Atom'><title>x</title>{items}</feed>"
    else:
        items = "".join(
            f"<item><title>{esc(t[:30])}</title><description>{esc(t)}</description>"
            f"<pubDate>Mon, 0{i % 9 + 1} Jan 2024 10:00:00 GMT</pubDate></item>"
            for i, t in enumerate(texts)
        )
        doc = (
            f"<?xml version='1.0' encoding='{enc}'?><rss version='2.0'><channel><title>x</title>{items}</channel></rss>"
        )
    data = doc.encode(enc, errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    if draw(st.booleans()):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at:]
    return data


@BOUNDED
@given(feeds())
# Found by this test: feedparser raised on these encoding declarations and the error escaped.
@example(b'<?xml version="1.0" encoding="\x80"?><rss/>')
@example(b'<?xml version="1.0" encoding="utf-8\x00"?><rss/>')
def test_any_feed_gives_entries_or_reasons(data: bytes) -> None:
    items = list(read_feed(data, "feed.xml"))  # offline: no page fetches
    for item in items:
        assert isinstance(item, Candidate | Rejected)
        assert item.origin.startswith("feed.xml")
        if isinstance(item, Candidate):
            assert item.text.strip()
        else:
            assert item.reason


@BOUNDED
@given(st.lists(st.sampled_from(PARAS + OTHER), min_size=1, max_size=4), st.booleans())
def test_a_well_formed_feed_keeps_every_entry_text(texts: list[str], atom: bool) -> None:
    if atom:
        body = "".join(f"<entry><title>t{i}</title><content>{escape(t)}</content></entry>" for i, t in enumerate(texts))
        data = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title>{body}</feed>"
    else:
        body = "".join(
            f"<item><title>t{i}</title><description>{escape(t)}</description></item>" for i, t in enumerate(texts)
        )
        data = f"<rss version='2.0'><channel><title>x</title>{body}</channel></rss>"
    items = list(read_feed(data.encode(), "feed.xml"))
    assert [i.origin for i in items] == [f"feed.xml#{n}" for n in range(1, len(texts) + 1)]
    assert all(
        isinstance(i, Candidate) and " ".join(i.text.split()) == " ".join(t.split())
        for i, t in zip(items, texts, strict=True)
    )


@BOUNDED
@example(b"\x1f\x8b\x08", "x.jsonl.gz")  # found by this test: a cut gzip JSONL escaped as EOFError ("Aborted.")
@given(
    st.binary(max_size=4000), st.sampled_from(["x.html", "x.xml", "x.txt", "x.warc", "x.zip", "x.tar", "x.jsonl", "x"])
)
def test_any_bytes_under_any_name_or_format(data: bytes, name: str) -> None:
    for fmt in (None, *FORMATS):
        for item in read_bytes(name, data, fmt):
            assert isinstance(item, Candidate | Rejected | Page)
            if isinstance(item, Page):  # parsed later, in the worker: it must parse too
                from marsad.ingest.html import parse_page

                assert isinstance(parse_page(item), Candidate | Rejected)
