"""HTML pages: main text, title, publication date, author and language (trafilatura, htmldate)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from html.parser import HTMLParser

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.baseline import _BLOCK_ELEMS, baseline, html2txt
from trafilatura.core import ESCALATION_ACCEPT_RATIO, ESCALATION_MAX_LENGTH, ESCALATION_PAGE_SHARE
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

from marsad.ingest.items import Candidate, Page, Rejected

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class _HtmlElement(lxml_html.HtmlElement):
    """lxml.html's element, with a cheaper `text_content`.

    trafilatura's link-density tests and htmldate call it ~480 times a page. lxml.html runs an
    XPath `string()` for it, whose evaluation costs half as much again as reading the text;
    libxml2's node content, read by the text serializer, is the same string (the same
    `xmlNodeGetContent` rule: text and CDATA of the descendants, no comments, no tail).
    """

    def text_content(self) -> str:  # type: ignore[override]
        return etree.tostring(self, method="text", encoding="unicode", with_tail=False)


# lxml.html's own parser picks each element's Python class in a Python callback (form, input,
# label... get classes of their own), run every time trafilatura or htmldate touches an element:
# ~2,400 calls and a tenth of the time of a page. Nothing here uses those form classes, so every
# element is one class (`_HtmlElement`), chosen in C. Same trees, same texts
# (tests/ingest/test_html_parse.py).
_PARSER = lxml_html.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=_HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
)

# trafilatura's settings, built once: `bare_extraction` otherwise builds them (reading its config)
# for every page.
_EXTRACTOR = Extractor(output_format="python", fast=True, comments=False, tables=False)


def _extractor(url: str | None) -> Extractor:
    if url is None:
        return _EXTRACTOR
    options = copy.copy(_EXTRACTOR)  # as trafilatura copies its own settings to change one
    options.url, options.source = url, url.encode("utf-8", "replace").decode("utf-8")
    return options


def _page_text_bound(tree: lxml_html.HtmlElement) -> int:
    """An upper bound on `len(trafilatura.html2txt(tree))`, without its copy and cleaning XPath.

    html2txt deletes elements (never adding text), puts a space before the text and the tail of
    each block element, then joins the whitespace-separated words: each such space splits at most
    one word, so the page's joined words plus two per block element bound it
    (tests/ingest/test_html_parse.py checks it on real pages).
    """
    body = tree.find(".//body")
    if body is None:
        body = tree
    return len(" ".join(body.text_content().split())) + 2 * sum(1 for _ in body.iter(*_BLOCK_ELEMS))


def _main_text(tree: lxml_html.HtmlElement, options: Extractor, url: str | None) -> str:
    """`trafilatura.bare_extraction(tree, options=options).text` for our settings (fast, no
    comments, balanced focus, no metadata), written out so as to skip three whole-tree costs that
    change nothing here (a fifth of trafilatura's instructions on the bench's page):

    - the copy of the input tree (the tree is ours and is not used afterwards) and the backup copy
      of the cleaned tree, which only the slow mode's external comparison reads;
    - the page text (`html2txt`) measured to decide on the recall retry (stage 4 of
      `trafilatura.core.trafilatura_sequence`) when a cheap upper bound of it already shows that the
      extraction covers enough of the page for no retry. When it does not, the exact measure is
      taken, as trafilatura does.

    The stages and their order are trafilatura's own (2.3.1, pinned in constraints.txt); the
    thread-forum branch is left out because `read_html` drops the scripts that its JSON-LD test
    reads before trafilatura runs. tests/ingest/test_html_parse.py compares the two on real pages.
    """
    try:
        return _sequence(tree, options, url)
    except (TypeError, ValueError):  # what bare_extraction turns into "no document"
        return ""


def _sequence(tree: lxml_html.HtmlElement, options: Extractor, url: str | None) -> str:
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)  # comments off
    body, text = extract_content(convert_tags(tree_cleaning(copy.copy(tree), options), options, url), options)
    # stage 3: baseline on the raw tree (its input is copied by it), kept only if longer
    if len(text) < options.min_extracted_size:
        b_body, b_text, b_len = baseline(tree)
        if b_len > len(text):
            body, text = b_body, b_text
    # stage 4: recall retry of a short extraction that covers little of the page
    if (
        0 < len(text) < ESCALATION_MAX_LENGTH
        and len(text) < ESCALATION_PAGE_SHARE * _page_text_bound(tree)
        and len(text) < ESCALATION_PAGE_SHARE * len(html2txt(tree))
    ):
        recall = copy.copy(options)
        recall.focus = "recall"
        r_text = ""
        try:
            r_body, r_text = extract_content(convert_tags(tree_cleaning(copy.copy(tree), recall), recall, url), recall)
        except Exception:  # trafilatura logs and ignores a failed retry too
            r_text = ""
        if len(r_text) >= options.min_extracted_size and len(r_text) > ESCALATION_ACCEPT_RATIO * len(text):
            body, text = r_body, r_text
    if len(text) < options.min_output_size:  # bare_extraction returns no document then
        return ""
    return xmltotxt(body, options.formatting)


def parse_tree(html: str | bytes) -> lxml_html.HtmlElement:
    """A page's lxml tree (with the parser above); raises what lxml raises on what it cannot parse."""
    return lxml_html.fromstring(html, parser=_PARSER)


class _FlatText(HTMLParser):
    """Visible text from a flat scan of the tags: no tree, so no nesting limit.

    libxml2 (under lxml and trafilatura) stops building the tree 256 levels deep, so the text of a
    page nested deeper (100,000 `<div>`s) is lost to them; this stdlib tokenizer keeps no stack.
    """

    HIDDEN = frozenset({"script", "style", "noscript", "template", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data.strip())

    def close(self) -> None:
        if self.rawdata.startswith("<"):  # an unfinished tag or comment at the end: browsers show none of it
            self.rawdata = ""
        super().close()


def flat_text(html: str) -> str:
    """A page's visible text, one line per text run, whatever the depth of its markup."""
    parser = _FlatText()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.parts)


_DEEPEST = "boolean(" + "/*" * 256 + ")"


def truncated(tree: lxml_html.HtmlElement) -> bool:
    """Whether libxml2 stopped building the tree at its depth limit (256), dropping what was deeper."""
    return bool(tree.getroottree().xpath(_DEEPEST))  # ~0.1 ms on a news page (~3% of its parse)


def html_to_text(html: str) -> str:
    """The article's main text (trafilatura), or the page's visible text when that fails."""
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if text and text.strip():
        return text
    try:
        tree = parse_tree(html)
        if truncated(tree):
            return flat_text(html)
        for bad in tree.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        return "\n".join(t.strip() for t in tree.itertext() if t.strip()) or flat_text(html)
    except (ValueError, TypeError, etree.ParserError):  # "Document is empty" (a lone comment); control characters
        return flat_text(html)


def decode_html(data: bytes, declared: str | None = None) -> str:
    """An HTML page's text: the HTTP or <meta> charset when it works, else detection."""
    from marsad.ingest.text import DecodeError, decode

    names = [declared] if declared else []
    m = _META_CHARSET.search(data[:4096])
    if m:
        names.append(m.group(1).decode("ascii"))
    for name in names:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return decode(data)[0]
    except DecodeError:
        return data.decode("utf-8", errors="replace")


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


_META_ATTRS = ("property", "name", "itemprop")


def _metas(tree: lxml_html.HtmlElement) -> dict[tuple[str, str], str]:
    """(attribute, key) -> content of the page's first <meta> of each kind (one pass over the tags:
    an XPath query per key and attribute took a quarter of the metadata time)."""
    out: dict[tuple[str, str], str] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in _META_ATTRS:
            key = el.get(attr)
            if key is not None:
                out.setdefault((attr, key), content)
    return out


def _meta(metas: dict[tuple[str, str], str], *keys: str) -> str | None:
    for key in keys:
        for attr in _META_ATTRS:
            found = metas.get((attr, key))
            if found is not None and found.strip():
                return str(found).strip()
    return None


def _json_ld_date(tree: lxml_html.HtmlElement) -> dt.date | None:
    """datePublished from the page's schema.org JSON-LD (most news sites publish it there)."""
    import json

    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                value = node.get("datePublished")
                if isinstance(value, str) and (date := _date(value)) is not None:
                    return date
                stack.extend(v for v in reversed(node.values()) if isinstance(v, dict | list))
    return None


def page_metadata(tree: lxml_html.HtmlElement, url: str | None) -> dict[str, object]:
    """Title, date, site name, author, URL and language from a page's standard tags.

    trafilatura's own metadata pass took two thirds of the time per page (htmldate's extensive
    search among it), so the usual tags (meta, JSON-LD, <time>) are read here, and htmldate, in
    its fast mode, only looks further when they give no date.
    """
    import htmldate

    metas = _metas(tree)
    title = _meta(metas, "og:title", "twitter:title")
    if not title:
        found = tree.xpath("//title/text()") or tree.xpath("//h1//text()")
        title = str(found[0]).strip() if found else None
    date = _date(_meta(metas, "article:published_time", "datePublished", "og:published_time", "pubdate", "date"))
    if date is None:
        date = _json_ld_date(tree)
    if date is None:
        times = tree.xpath("//time/@datetime")
        date = _date(str(times[0])) if times else None
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    page_url = url or (str(canonical[0]) if canonical else None) or _meta(metas, "og:url")
    if date is None:
        try:
            date = _date(htmldate.find_date(tree, url=page_url, extensive_search=False, original_date=True))
        except Exception:  # htmldate raises on some malformed dates; no date is the answer then
            date = None
    return {
        "title": title or None,
        "published": date,
        "source": _meta(metas, "og:site_name", "application-name"),
        "author": _meta(metas, "author", "article:author", "byl"),
        "url": page_url,
        "language": (tree.get("lang") or "").strip() or _meta(metas, "og:locale", "language"),
    }


def read_html(html: str, origin: str, url: str | None = None, source: str | None = None) -> Candidate | Rejected:
    """A page as a candidate article: trafilatura's main text and the page's metadata.

    `fast=True` skips trafilatura's second and third extractors (readability, jusText): on
    Arabic news pages they seldom add text, and they triple the time per page.
    """
    from marsad.jsonl import MAX_HTML_CHARS, MAX_TEXT_CHARS, too_long

    if reason := too_long("a page", len(html), MAX_HTML_CHARS):
        return Rejected(origin, reason)
    try:
        tree = parse_tree(html.encode("utf-8") if html.lstrip().startswith("<?xml") else html)
        meta = page_metadata(tree, url)
        cut = truncated(tree)
        # trafilatura drops these itself, but only after copying the tree and running its first
        # XPath passes over them: dropped first (their tails kept, as it does), 10% of its time goes.
        # <head> too, once the metadata is read: only its own cleaning reads it, to delete it.
        etree.strip_elements(tree, "script", "style", "noscript", "svg", "head", etree.Comment, with_tail=False)
        text = "" if cut else _main_text(tree, _extractor(url), url)
    except Exception as exc:  # lxml raises many kinds on broken markup; the page is what failed
        return Rejected(origin, f"cannot parse the HTML: {type(exc).__name__}: {exc}")
    if cut:  # nested deeper than libxml2 builds: the text is in what it dropped
        text = flat_text(html)
    elif not text.strip():
        text = html_to_text(html)
    if not text.strip():
        return Rejected(origin, "no article text found in the page")
    if reason := too_long("the page's text", len(text), MAX_TEXT_CHARS):
        return Rejected(origin, reason)
    return Candidate(
        origin=origin,
        text=text,
        raw=html,
        title=meta["title"],  # type: ignore[arg-type]
        published=meta["published"],  # type: ignore[arg-type]
        source=source or meta["source"],  # type: ignore[arg-type]
        url=meta["url"],  # type: ignore[arg-type]
        author=meta["author"],  # type: ignore[arg-type]
        language=meta["language"],  # type: ignore[arg-type]
        kind="html",
    )


def parse_page(page: Page) -> Candidate | Rejected:
    """A page read by a reader, parsed: decoded, then `read_html`, with the reader's overrides."""
    html = page.data if isinstance(page.data, str) else decode_html(page.data, page.charset)
    cand = read_html(html, page.origin, url=page.url, source=page.source)
    if isinstance(cand, Candidate):
        cand.given_id = page.given_id
        cand.title = page.title or cand.title
        cand.published = page.published or cand.published
        cand.kind = page.kind
    return cand
