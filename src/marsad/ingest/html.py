"""HTML pages: main text, title, publication date, author and language (trafilatura, htmldate)."""

from __future__ import annotations

import datetime as dt
import re

import trafilatura
from lxml import html as lxml_html

from marsad.ingest.items import Candidate, Rejected

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z_\-]+)""", re.IGNORECASE)


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


def read_html(html: str, origin: str, url: str | None = None, source: str | None = None) -> Candidate | Rejected:
    """A page as a candidate article: trafilatura's main text and metadata.

    `fast=True` skips trafilatura's second and third extractors (readability, jusText): on
    Arabic news pages they seldom add text, and they triple the time per page.
    """
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            fast=True,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
        )
    except Exception as exc:  # lxml raises many kinds on broken markup; the page is what failed
        return Rejected(origin, f"cannot parse the HTML: {type(exc).__name__}: {exc}")
    text = (doc.text or "") if doc is not None else ""
    if not text.strip():
        text = html_to_text(html)
    if not text.strip():
        return Rejected(origin, "no article text found in the page")
    lang = _LANG.search(html[:5000])
    return Candidate(
        origin=origin,
        text=text,
        raw=html,
        title=(doc.title if doc is not None else None) or None,
        published=_date(doc.date if doc is not None else None),
        source=source or (doc.sitename if doc is not None else None) or None,
        url=url or (doc.url if doc is not None else None),
        author=(doc.author if doc is not None else None) or None,
        language=(lang.group(1) if lang else None) or (doc.language if doc is not None else None),
        kind="html",
    )
