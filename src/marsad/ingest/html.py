"""Main text of an HTML page."""

from __future__ import annotations

import trafilatura


def html_to_text(html: str) -> str:
    """The article's main text (trafilatura), or the page's visible text when that fails."""
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if text and text.strip():
        return text
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, TypeError):
        return ""
    for bad in tree.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return "\n".join(t.strip() for t in tree.itertext() if t.strip())
