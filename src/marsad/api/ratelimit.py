"""Per-client rate limiting of the API: a token bucket for each client address, reads and writes apart.

Hand-written rather than slowapi: slowapi (over the `limits` package) offers fixed and sliding
windows, not a token bucket, and applies per route through decorators that need a `request`
parameter in every route signature; this is one small ASGI middleware in front of all routes,
with no new dependency.

Settings (arguments of `RateLimitSettings`, or environment variables for `marsad serve`):
- MARSAD_RATE_READ="20/60": GET, HEAD and OPTIONS requests: 20 a second on average, bursts of 60.
- MARSAD_RATE_WRITE="2/10": other methods (review, correct, merge): 2 a second, bursts of 10.
  `off` for either turns that limit off.
- MARSAD_RATE_EXEMPT="127.0.0.1,::1,testclient": client addresses never limited (empty: limit
  everyone). Loopback is exempt by default: `marsad serve` binds to it, so its clients are local
  users, the load benchmark, or a reverse proxy on the same machine that did not pass on the
  client address (uvicorn replaces the peer with the `X-Forwarded-For` address of a proxy on
  127.0.0.1). `testclient` is the peer name of Starlette's in-process TestClient (tests,
  schemathesis): no network peer is named so, since uvicorn gives IP addresses.
"""

from __future__ import annotations

import ipaddress
import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Past this many client buckets the least recently seen is dropped (a full bucket again for that
# client): memory stays bounded however many addresses a flood comes from.
MAX_CLIENTS = 100_000


@dataclass(frozen=True, slots=True)
class Limit:
    """`rate` requests a second on average, at most `burst` at once."""

    rate: float
    burst: int

    @classmethod
    def parse(cls, spec: str, name: str) -> Limit | None:
        """'20/60' -> 20 a second, bursts of 60; 'off' -> None. `name` is the setting, for errors."""
        spec = spec.strip().lower()
        if spec in ("off", "0", "none", ""):
            return None
        try:
            rate_s, burst_s = spec.split("/")
            rate, burst = float(rate_s), int(burst_s)
        except ValueError:
            raise ValueError(f"{name}={spec!r}: write RATE/BURST, e.g. 20/60 (or off)") from None
        if not (rate > 0 and burst >= 1 and math.isfinite(rate)):
            raise ValueError(f"{name}={spec!r}: the rate must be > 0 and the burst at least 1")
        return cls(rate, burst)


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """Limits for reads and writes (None: unlimited) and the client addresses never limited."""

    read: Limit | None = Limit(20, 60)
    write: Limit | None = Limit(2, 10)
    exempt: frozenset[str] = field(default_factory=lambda: frozenset({"127.0.0.1", "::1", "testclient"}))

    @classmethod
    def from_env(cls) -> RateLimitSettings:
        """The settings from MARSAD_RATE_READ, MARSAD_RATE_WRITE and MARSAD_RATE_EXEMPT (defaults above)."""
        default = cls()
        read = os.environ.get("MARSAD_RATE_READ")
        write = os.environ.get("MARSAD_RATE_WRITE")
        exempt = os.environ.get("MARSAD_RATE_EXEMPT")
        return cls(
            read=default.read if read is None else Limit.parse(read, "MARSAD_RATE_READ"),
            write=default.write if write is None else Limit.parse(write, "MARSAD_RATE_WRITE"),
            exempt=default.exempt if exempt is None else frozenset(a.strip() for a in exempt.split(",") if a.strip()),
        )

    @classmethod
    def off(cls) -> RateLimitSettings:
        return cls(read=None, write=None)


def client_key(host: str) -> str:
    """The bucket a client address falls in: IPv4 addresses alone, IPv6 by /64 (one site's subnet).

    A single IPv6 host usually holds a whole /64, so limiting per address would not limit it.
    """
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(addr, ipaddress.IPv6Address):
        if addr.ipv4_mapped is not None:
            return str(addr.ipv4_mapped)
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


class RateLimit:
    """ASGI middleware: 429 with Retry-After and a JSON message once a client's bucket is empty.

    All buckets live in this process (one uvicorn worker); the event loop runs each check without
    awaiting in between, so no lock is needed.
    """

    def __init__(self, app: ASGIApp, settings: RateLimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.settings, self.clock = app, settings, clock
        # (client key, "read"/"write") -> (tokens left, time of that count)
        self.buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()

    def take(self, key: tuple[str, str], limit: Limit) -> float:
        """Take one token from the bucket; 0 if granted, else the seconds until one is there."""
        now = self.clock()
        tokens, then = self.buckets.get(key, (float(limit.burst), now))
        tokens = min(float(limit.burst), tokens + (now - then) * limit.rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            wait = 0.0
        else:
            self.buckets[key] = (tokens, now)
            wait = (1 - tokens) / limit.rate
        self.buckets.move_to_end(key)
        while len(self.buckets) > MAX_CLIENTS:
            self.buckets.popitem(last=False)
        return wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (scope.get("client") or ("unknown", 0))[0]
        kind = "read" if scope["method"] in READ_METHODS else "write"
        limit = self.settings.read if kind == "read" else self.settings.write
        key = client_key(host)
        if limit is None or host in self.settings.exempt or key in self.settings.exempt:
            await self.app(scope, receive, send)
            return
        wait = self.take((key, kind), limit)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        per = f"{limit.rate:g} per second (bursts of {limit.burst})"
        response = JSONResponse(
            {"detail": f"too many requests from {host}: at most {per} for {kind}s; retry after {retry} s"},
            status_code=429,
            headers={"Retry-After": str(retry)},
        )
        await response(scope, receive, send)
