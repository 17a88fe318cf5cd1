"""HTML pages: main text, title, publication date, author and language (trafilatura, htmldate)."""

from __future__ import annotations

import datetime as dt
import re

import trafilatura
from lxml import html as lxml_html

from marsad.ingest.items import Candidate, Rejected

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """The article's main text (trafilatura), or the page's visible text when that fails."""
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if text and text.strip():
        return text
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())


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


def _meta(tree: lxml_html.HtmlElement, *keys: str) -> str | None:
    for key in keys:
        for attr in ("property", "name", "itemprop"):
            found = tree.xpath(f'//meta[@{attr}="{key}"]/@content')
            if found and found[0].strip():
                return str(found[0]).strip()
    return None


def page_metadata(tree: lxml_html.HtmlElement, url: str | None) -> dict[str, object]:
    """Title, date, site name, author, URL and language from a page's standard tags.

    trafilatura's own metadata pass took two thirds of the time per page (htmldate's extensive
    search among it), so the usual tags are read here and htmldate runs in its fast mode.
    """
    import htmldate

    title = _meta(tree, "og:title", "twitter:title")
    if not title:
        found = tree.xpath("//title/text()") or tree.xpath("//h1//text()")
        title = str(found[0]).strip() if found else None
    date = _date(_meta(tree, "article:published_time", "datePublished", "og:published_time", "pubdate", "date"))
    if date is None:
        times = tree.xpath("//time/@datetime")
        date = _date(str(times[0])) if times else None
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    page_url = url or (str(canonical[0]) if canonical else None) or _meta(tree, "og:url")
    if date is None:
        try:
            date = _date(htmldate.find_date(tree, url=page_url, extensive_search=False, original_date=True))
        except Exception:  # htmldate raises on some malformed dates; no date is the answer then
            date = None
    return {
        "title": title or None,
        "published": date,
        "source": _meta(tree, "og:site_name", "application-name"),
        "author": _meta(tree, "author", "article:author", "byl"),
        "url": page_url,
        "language": (tree.get("lang") or "").strip() or _meta(tree, "og:locale", "language"),
    }


def read_html(html: str, origin: str, url: str | None = None, source: str | None = None) -> Candidate | Rejected:
    """A page as a candidate article: trafilatura's main text and the page's metadata.

    `fast=True` skips trafilatura's second and third extractors (readability, jusText): on
    Arabic news pages they seldom add text, and they triple the time per page.
    """
    try:
        tree = lxml_html.fromstring(html.encode("utf-8") if html.lstrip().startswith("<?xml") else html)
        meta = page_metadata(tree, url)
        doc = trafilatura.bare_extraction(
            tree, url=url, fast=True, with_metadata=False, include_comments=False, include_tables=False
        )
    except Exception as exc:  # lxml raises many kinds on broken markup; the page is what failed
        return Rejected(origin, f"cannot parse the HTML: {type(exc).__name__}: {exc}")
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        text = html_to_text(html)
    if not text.strip():
        return Rejected(origin, "no article text found in the page")
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
