"""The page parser (C-level element classes) gives trafilatura and htmldate what lxml.html's parser gives."""

from __future__ import annotations

import htmldate
import trafilatura
from lxml import etree
from lxml import html as lxml_html

from marsad.ingest.html import _EXTRACTOR, page_metadata, parse_tree
from tests.ingest.conftest import CNN_HTML, OTHER


def _pages() -> list[str]:
    cnn = CNN_HTML.read_text(encoding="utf-8")
    # The same page with a visible date line (found by htmldate's text search, not by metadata),
    # and with another story and a search form inside the article's frame.
    dated = cnn.replace("<p><b>", '<div class="date">2013/08/03 10:20</div><p><b>', 1)
    other = cnn.replace(
        "<p><b>",
        '<form action="/s"><label>بحث</label><input name="q"><select><option>الكل</option></select></form>'
        + "".join(f"<p>{p}</p>" for p in OTHER)
        + "<p><b>",
        1,
    )
    return [cnn, dated, other]


def _extract(tree: lxml_html.HtmlElement) -> str:
    etree.strip_elements(tree, "script", "style", "noscript", "svg", etree.Comment, with_tail=False)
    doc = trafilatura.bare_extraction(tree, options=_EXTRACTOR)
    return doc.text if doc is not None else ""


def test_same_text_date_and_metadata_as_lxml_html() -> None:
    dates = []
    for html in _pages():
        ours, theirs = parse_tree(html), lxml_html.fromstring(html)
        assert all(isinstance(el, lxml_html.HtmlElement) for el in ours.iter(etree.Element))
        assert page_metadata(ours, None) == page_metadata(theirs, None)
        date = htmldate.find_date(ours, extensive_search=False, original_date=True)
        assert date == htmldate.find_date(theirs, extensive_search=False, original_date=True)
        dates.append(date)
        text = _extract(ours)
        assert text == _extract(theirs) and "بريف دمشق" in text
    assert dates[1] == "2013-08-03"
