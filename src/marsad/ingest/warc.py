"""WARC and WARC.gz web archives (warcio): the HTML responses, each as a page."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from marsad.ingest.items import Item, Page, Rejected


def read_warc(stream: IO[bytes], origin: str) -> Iterator[Item]:
    """Every `response` record with status 200 and an HTML content type; other records are passed over."""
    seen = 0
    try:
        for record in ArchiveIterator(stream):
            seen += 1
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = (record.http_headers.get_header("Content-Type") or "").lower()
            if "html" not in ctype:
                continue
            status = record.http_headers.get_statuscode()
            if status != "200":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            charset = None
            if "charset=" in ctype:
                charset = ctype.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
            body = record.content_stream().read()
            yield Page(f"{origin}#{url}", body, charset=charset, url=url)
    except ArchiveLoadFailed as exc:
        yield Rejected(origin, f"not a readable WARC file: {exc}")
    except (StatusAndHeadersParserException, AttributeError, ValueError, EOFError, zlib.error) as exc:
        # warcio raises these on a broken record (no target URI, bad headers, cut short): the
        # pages read before it are kept, the rest of the file cannot be resynchronised.
        yield Rejected(
            origin, f"WARC record {seen + 1} is broken ({type(exc).__name__}: {exc}); records after it not read"
        )
