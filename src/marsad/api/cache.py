"""Rendered JSON of the read endpoints, kept per data version.

Every analyst's dashboard opens on the same views (all events, the last month, one country),
and each change of filter asks the list, the charts and the map at once: the same answers are
computed again and again between two writes. The store counts writes (`data_version`, bumped
by triggers whoever writes), so an answer rendered at version v stays right until the version
moves; then the whole cache is dropped. Entries are bounded in number and in bytes.

The key is the route and its query string with the parameters sorted; who asks does not enter
it, since reads return the same to everyone allowed to read. An ETag (the version and a hash of
the key) lets a browser revalidate with If-None-Match and get a 304 without a body; a request
with `Cache-Control: no-cache` gets an answer computed anew.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response

MAX_ENTRIES = 512
MAX_BYTES = 64 * 1024 * 1024


class ResponseCache:
    """An LRU of encoded JSON bodies for one data version."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.version: int | None = None
        self.entries: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0
        self.lock = threading.Lock()

    def _lookup(self, key: str, version: int) -> bytes | None:
        with self.lock:
            if self.version is not None and version < self.version:
                return None  # a request that read the version before the latest write: never cached
            if version != self.version:
                self.entries.clear()
                self.size, self.version = 0, version
                return None
            body = self.entries.get(key)
            if body is not None:
                self.entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return body

    def _keep(self, key: str, version: int, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:
            return  # one huge answer must not push everything else out
        with self.lock:
            if version != self.version or key in self.entries:
                return  # a write came in while rendering: this body may already be stale
            self.entries[key] = body
            self.size += len(body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.size -= len(old)

    def respond(self, request: Request, version: int, render: Callable[[], Any], fresh: Callable[[], bool]) -> Response:
        """The cached body for this request at `version`, or `render()` encoded, and kept when
        `fresh()` says after rendering that the answer was computed at `version` (a column copy
        still one write behind must not have its answer filed under the newer version)."""
        query = "&".join(sorted(request.url.query.split("&"))) if request.url.query else ""
        key = f"{request.url.path}?{query}"
        etag = f'"{version}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}  # no-cache = revalidate before reuse
        # a request's "Cache-Control: no-cache" asks for an answer computed now (as a proxy would)
        recompute = "no-cache" in request.headers.get("cache-control", "")
        if not recompute and request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)  # only fresh answers were given this tag
        body = None if recompute else self._lookup(key, version)
        if body is not None:
            return Response(body, media_type="application/json", headers=headers)
        body = encode(render())
        if not fresh():
            return Response(body, media_type="application/json")
        self._keep(key, version, body)
        return Response(body, media_type="application/json", headers=headers)


def _plain(value: Any) -> Any:
    iso = getattr(value, "isoformat", None)  # dates and times as FastAPI writes them
    return iso() if iso is not None else str(value)


def encode(value: Any) -> bytes:
    """JSON as the API writes it: compact, UTF-8 Arabic as is, NaN as null.

    orjson, not FastAPI's generic encoder (which walks every value of a large answer and costs
    more than the query behind it) nor the standard json module (a tenth of a server's time
    under load went to it; orjson writes the same bytes several times faster).
    """
    return orjson.dumps(value, default=_plain, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
