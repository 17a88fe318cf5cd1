"""The page parser (C-level element classes) gives trafilatura and htmldate what lxml.html's parser gives;
our written-out trafilatura sequence gives what `bare_extraction` gives."""

from __future__ import annotations

import htmldate
import pytest
import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.baseline import html2txt

from marsad.ingest.html import _EXTRACTOR, _main_text, _page_text_bound, page_metadata, parse_tree
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


def _framed(story: str) -> str:
    """The CNN page's markup with its story replaced."""
    cnn = CNN_HTML.read_text(encoding="utf-8")
    start, end = cnn.index("<p><b>"), cnn.index("</div>", cnn.index("بشكل مستقل.</p>"))
    return cnn[:start] + story + cnn[end:]


# Stories in the real page's frame that take trafilatura's other paths: a one-line story (wild-text
# recovery, no recall retry), and a story as bare text in a <div> (the extraction covers under a
# fifth of the page: the page text is measured and the recall retry is taken).
VARIANTS = [_framed(f"<p>{OTHER[0][:100]}</p>"), _framed(f"<div>{OTHER[0]}<br>{OTHER[1]}</div>")]


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


@pytest.mark.parametrize("html", _pages() + VARIANTS)
def test_main_text_is_bare_extraction_text(html: str) -> None:
    tree = parse_tree(html)
    etree.strip_elements(tree, "script", "style", "noscript", "svg", etree.Comment, with_tail=False)
    assert _page_text_bound(tree) >= len(html2txt(tree))
    expected = _extract(parse_tree(html))  # with its <head>, which read_html drops first
    etree.strip_elements(tree, "head", with_tail=False)
    assert _main_text(tree, _EXTRACTOR, None) == expected
    assert OTHER[0][:60] in expected or "بريف دمشق" in expected


def test_page_text_bound_holds_on_spacing_edge_cases() -> None:
    """Block elements that split words, empty blocks, blank runs, no <body>: still an upper bound."""
    cases = [
        "<html><body><div>ab<p>cd</p>ef</div><ul><li>x</li><li></li></ul>g<br>h</body></html>",
        "<html><body>  <div> </div>\n<section><p>كلمة</p>أخرى<aside>جانب</aside></section></body></html>",
        "<div><p>a</p><p>b</p>c<hr>d</div>",
    ]
    for html in cases:
        tree = parse_tree(html)
        assert _page_text_bound(tree) >= len(html2txt(tree))


def test_text_content_is_lxml_htmls() -> None:
    """Every element's text: ours (the text serializer) and lxml.html's (XPath string()) agree."""
    odd = "<html><body><div>a<!-- c -->b<?pi x?><p>ج&amp;د<br>هـ</p>tail<![CDATA[z]]></div></body></html>"
    for html in [*_pages(), *VARIANTS, odd]:
        ours, theirs = parse_tree(html), lxml_html.fromstring(html)
        for a, b in zip(ours.iter(etree.Element), theirs.iter(etree.Element), strict=True):
            assert a.text_content() == b.text_content()
