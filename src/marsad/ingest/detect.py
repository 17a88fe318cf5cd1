"""What an input is (text, html, feed, warc, jsonl, zip, tar, folder, URL) and reading it as that."""

from __future__ import annotations

import gzip
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from marsad.ingest.archive import tar_members, zip_members
from marsad.ingest.feeds import Fetcher, read_feed
from marsad.ingest.folder import folder_files
from marsad.ingest.items import Candidate, Item, Page, Rejected
from marsad.ingest.text import read_text
from marsad.ingest.warc import read_warc
from marsad.model import Article

FORMATS = ("text", "html", "feed", "warc", "jsonl", "zip", "tar")
_EXT = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".arc.gz": "warc",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".zip": "zip",
    ".tar": "tar",
    ".tar.gz": "tar",
    ".tgz": "tar",
    ".tar.bz2": "tar",
    ".tar.xz": "tar",
}
PageFetch = Callable[[str], httpx.Response]


def sniff(name: str, data: bytes) -> str:
    """The format of a file from its name, or from its first bytes when the name does not say."""
    low = name.lower()
    for ext in sorted(_EXT, key=len, reverse=True):
        if low.endswith(ext):
            return _EXT[ext]
    head = data[:2048]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        try:
            inner = gzip.GzipFile(fileobj=io.BytesIO(data)).read(512)
        except (OSError, EOFError):
            return "text"
        if inner.startswith(b"WARC/"):
            return "warc"
        return "tar" if len(inner) >= 262 and inner[257:262] == b"ustar" else "text"
    if head.startswith(b"WARC/"):
        return "warc"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n").lower()
    if text.startswith("{"):
        return "jsonl"
    if "<rss" in text or "<feed" in text or "<rdf:rdf" in text:
        return "feed"
    if text.startswith("<") or "<html" in text:
        return "html"
    return "text"


def _jsonl(data: bytes, origin: str) -> Iterator[Item]:
    from marsad.jsonl import Rejected as LineRejected
    from marsad.jsonl import read_articles

    # read_articles reads a path (it reports line numbers); archive members go through a temp file.
    fd, tmp = tempfile.mkstemp(suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        for n, got in enumerate(read_articles(tmp), 1):
            if isinstance(got, LineRejected):
                yield Rejected(f"{origin}:{got.line}", got.reason)
                continue
            yield _from_article(got, f"{origin}#{got.id}", n)
    finally:
        os.unlink(tmp)


def read_jsonl_path(path: str) -> Iterator[Item]:
    """A SCHEMA.md JSONL file, read by `marsad.jsonl.read_articles` (one bad line costs one line)."""
    from marsad.jsonl import Rejected as LineRejected
    from marsad.jsonl import read_articles

    for n, got in enumerate(read_articles(path), 1):
        if isinstance(got, LineRejected):
            yield Rejected(f"{got.path}:{got.line}", got.reason)
        else:
            yield _from_article(got, f"{path}#{got.id}", n)


def _from_article(article: Article, origin: str, _n: int) -> Item:
    if article.text and article.text.strip():
        return Candidate(
            origin=origin,
            text=article.text,
            raw=article.html or article.text,
            title=article.title,
            published=article.published,
            source=article.source,
            url=article.url,
            given_id=article.id,
            kind="jsonl",
        )
    return Page(
        origin,
        article.html or "",
        url=article.url,
        source=article.source,
        title=article.title,
        published=article.published,
        given_id=article.id,
        kind="jsonl",
    )


def read_bytes(name: str, data: bytes, fmt: str | None = None, fetch_page: PageFetch | None = None) -> Iterator[Item]:
    """Everything in one file's bytes; archives recurse into their members."""
    kind = fmt or sniff(name, data)
    if kind == "text":
        yield read_text(data, name)
    elif kind == "html":
        yield Page(name, data)
    elif kind == "feed":
        yield from read_feed(data, name, fetch_page)
    elif kind == "warc":
        yield from read_warc(io.BytesIO(data), name)
    elif kind == "jsonl":
        if data.startswith(b"\x1f\x8b"):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:  # click would print a bare "Aborted." for EOFError
                yield Rejected(name, f"cannot read the gzip file: {exc}")
                return
        yield from _jsonl(data, name)
    elif kind in ("zip", "tar"):
        members = zip_members if kind == "zip" else tar_members
        try:
            for member, content in members(io.BytesIO(data)):
                yield from read_bytes(f"{name}:{member}", content, None, fetch_page)
        except Exception as exc:  # zipfile/tarfile raise several kinds on damaged archives
            yield Rejected(name, f"cannot read the {kind} archive: {type(exc).__name__}: {exc}")
    else:
        yield Rejected(name, f"unknown format {kind!r}: use one of {', '.join(FORMATS)}")


def read_url(url: str, fetcher: Fetcher, fmt: str | None = None) -> Iterator[Item]:
    """A URL: a feed (its entries, pages fetched when they hold only summaries) or a page."""
    try:
        resp = fetcher.get(url)
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        yield Rejected(url, f"cannot fetch: {exc}")
        return
    ctype = resp.headers.get("content-type", "").lower()
    kind = fmt
    if kind is None:
        if any(t in ctype for t in ("rss", "atom", "xml")):
            kind = "feed"
        elif "html" in ctype:
            kind = "html"
        else:
            kind = sniff(url.split("?")[0], resp.content)
    if kind == "html":
        yield Page(url, resp.content, charset=resp.charset_encoding, url=url)
    else:
        yield from read_bytes(url, resp.content, kind, fetcher.get)


def read_input(target: str, fmt: str | None = None, fetcher: Fetcher | None = None) -> Iterator[Item]:
    """One command-line input: a URL, a folder (recursive), or a file of any supported kind."""
    if target.startswith(("http://", "https://")):
        if fetcher is None:
            yield Rejected(target, "URLs need network access: this run has fetching turned off")
            return
        yield from read_url(target, fetcher, fmt)
        return
    path = Path(target)
    if path.is_dir():
        for f in folder_files(path):
            yield from _read_file(f, fmt, fetcher)
        return
    if not path.exists():
        yield Rejected(target, "no such file or folder")
        return
    yield from _read_file(path, fmt, fetcher)


def _read_file(path: Path, fmt: str | None, fetcher: Fetcher | None) -> Iterator[Item]:
    name = str(path)
    low = name.lower()
    if (fmt == "jsonl" or (fmt is None and low.endswith((".jsonl", ".ndjson")))) and not low.endswith(".gz"):
        yield from read_jsonl_path(name)  # streamed: JSONL inputs can be large
        return
    if fmt in (None, "warc") and (fmt == "warc" or low.endswith((".warc", ".warc.gz", ".arc.gz"))):
        with path.open("rb") as fh:
            yield from read_warc(fh, name)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Rejected(name, f"cannot read: {exc.strerror}")
        return
    yield from read_bytes(name, data, fmt, fetcher.get if fetcher is not None else None)
