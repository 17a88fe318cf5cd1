"""RSS/Atom feeds (feedparser) from a file or a URL, and polite HTTP fetching of pages."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import feedparser
import httpx

from marsad import __version__
from marsad.ingest.html import decode_html, read_html
from marsad.ingest.items import Candidate, Item, Rejected

USER_AGENT = f"marsad/{__version__} (+https://github.com/marsad; news monitor; polite crawler)"
SUMMARY_ONLY_CHARS = 600  # an entry whose text is shorter than this is a teaser: fetch the page


@dataclass
class Fetcher:
    """HTTP GETs with one client, a per-host delay, and ETag/Last-Modified validators."""

    delay: float = 1.0  # seconds between two requests to the same host
    timeout: float = 20.0
    client: httpx.Client = field(init=False)
    _last: dict[str, float] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(follow_redirects=True, timeout=self.timeout, headers={"User-Agent": USER_AGENT})

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> httpx.Response:
        host = urlsplit(url).netloc
        wait = self._last.get(host, 0.0) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return self.client.get(url, headers=headers)
        finally:
            self._last[host] = time.monotonic()

    def close(self) -> None:
        self.client.close()


def _entry_date(entry: feedparser.FeedParserDict) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        t = entry.get(key)
        if t:
            return dt.date(t.tm_year, t.tm_mon, t.tm_mday)
    return None


def _entry_html(entry: feedparser.FeedParserDict) -> tuple[str, bool]:
    """The entry's own HTML and whether it is the full article (content) or a summary."""
    contents = entry.get("content") or []
    best = max((c.get("value", "") for c in contents), key=len, default="")
    if best.strip():
        return best, True
    return entry.get("summary", "") or "", False


def _html_fragment_text(fragment: str) -> str:
    from lxml import html as lxml_html

    if not fragment.strip():
        return ""
    try:
        tree = lxml_html.fromstring(f"<div>{fragment}</div>")
    except (ValueError, TypeError):
        return fragment
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for p in tree.iter("p", "div", "li", "h1", "h2", "h3"):
        p.tail = "\n" + (p.tail or "")
    return "\n".join(line.strip() for line in tree.text_content().split("\n") if line.strip())


def read_feed(
    data: bytes | str, origin: str, fetch_page: Callable[[str], httpx.Response] | None = None
) -> Iterator[Item]:
    """The entries of a feed as candidates; teaser-only entries are completed from their page.

    Without `fetch_page` (or when the fetch fails) a teaser entry is ingested as it is and the
    failure is reported, so a feed file read offline still yields what it holds.
    """
    try:
        parsed = feedparser.parse(data)
    except (ValueError, LookupError) as exc:  # feedparser fails on some broken encoding declarations
        yield Rejected(origin, f"not a readable RSS/Atom feed: {type(exc).__name__}: {exc}")
        return
    if parsed.bozo and not parsed.entries:
        yield Rejected(origin, f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}")
        return
    feed_lang = parsed.feed.get("language")
    site = parsed.feed.get("title")
    for n, entry in enumerate(parsed.entries, 1):
        where = f"{origin}#{n}"
        link = entry.get("link")
        html, full = _entry_html(entry)
        text = _html_fragment_text(html)
        title = (entry.get("title") or "").strip() or None
        published = _entry_date(entry)
        if (not full or len(text) < SUMMARY_ONLY_CHARS) and link and fetch_page is not None:
            try:
                resp = fetch_page(link)
                resp.raise_for_status()
            except httpx.HTTPError as exc:
                yield Rejected(where, f"cannot fetch the entry's page {link}: {exc}")
                continue
            page = read_html(decode_html(resp.content, resp.charset_encoding), where, url=link, source=site)
            if isinstance(page, Candidate):
                page.title = page.title or title
                page.published = page.published or published
                page.language = page.language or feed_lang
                page.kind = "feed"
            yield page
            continue
        if not text.strip():
            yield Rejected(where, "entry has no text and no page link to fetch")
            continue
        yield Candidate(
            origin=where,
            text=text,
            raw=html,
            title=title,
            published=published,
            source=site,
            url=link,
            author=entry.get("author"),
            language=feed_lang,
            kind="feed",
        )
