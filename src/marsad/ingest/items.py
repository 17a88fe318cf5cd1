"""What every reader yields: a candidate article (not yet cleaned, identified or stored) or a rejection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(slots=True)
class Candidate:
    """One article read from a source, before cleaning, the language check and identity.

    `text` is the body as read (plain text, or the main text extracted from HTML); `raw` is what
    the source held (the decoded file or the HTML page), stored beside the article.
    """

    origin: str  # file path, URL or "archive.zip:member" it came from (shown in messages)
    text: str
    raw: str | None = None
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None  # as the page declares it (html lang, feed language)
    given_id: str | None = None  # JSONL input keeps its own id
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not be read, with the reason to show the user."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


@dataclass(slots=True)
class Page:
    """An HTML page as read, not yet parsed.

    Readers hand pages on unparsed: extracting the main text (trafilatura) is most of the cost of
    a page, so it is done by `marsad.ingest.html.parse_page` where the CPU work runs (a worker
    process with --workers). `title` and `published`, when given (a JSONL line), win over the
    page's own.
    """

    origin: str
    data: bytes | str
    charset: str | None = None  # the HTTP or WARC header's charset, if any
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published: dt.date | None = None
    given_id: str | None = None
    kind: str = "html"


Item = Candidate | Rejected | Page
