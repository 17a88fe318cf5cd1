"""FastAPI application: the JSON API (documented at /docs) and the dashboard.

(No `from __future__ import annotations` here: FastAPI reads the route signatures at run time and
they use dependency aliases local to `create_app`.)

Configuration (arguments of `create_app`, or environment variables for `marsad serve`):
- MARSAD_READ_TOKEN=1: reads need a reviewer token too (they are open by default).
- MARSAD_CORS_ORIGINS="https://a.example,https://b.example": origins allowed to call the API from
  a browser (none by default: the dashboard is served from the same origin).
- MARSAD_TILE_URL="https://tile.example/{z}/{x}/{y}.png": a tile layer for online users (the
  built-in base map of country and admin-1 outlines works offline).
- MARSAD_MAX_BODY=1000000: largest request body accepted, in bytes.
- MARSAD_RATE_READ, MARSAD_RATE_WRITE, MARSAD_RATE_EXEMPT: per-client rate limits (marsad.api.ratelimit).
- MARSAD_API_THREADS=8: threads answering requests in a server process.
- MARSAD_SQLITE_HEAP_MB=256: SQLite's memory in a process, all pooled connections together
  (a soft limit: past it, SQLite frees cached pages; marsad.store.db).
"""

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import sqlalchemy as sa
from anyio import to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marsad import __version__
from marsad.api.cache import ResponseCache
from marsad.api.ratelimit import RateLimit, RateLimitSettings
from marsad.export import FORMATS
from marsad.model import EVENT_TYPES, SUB_TO_TYPE
from marsad.store.columns import SYNC_RELOAD_MAX
from marsad.store.db import STATUSES, EventFilter, Store, StoreError

STATIC = Path(__file__).parent / "static"
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


class SecurityHeaders:
    """Headers that keep the dashboard's page to its own scripts, and a 400 for NUL in the URL.

    A plain ASGI middleware: `@app.middleware("http")` (Starlette's BaseHTTPMiddleware) cost
    about half a millisecond of CPU on every request under load.
    """

    def __init__(self, app: ASGIApp, img_src: str) -> None:
        self.app = app
        self.csp = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            f"img-src {img_src}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if not path.startswith("/docs"):  # Swagger UI loads its own assets
                    headers["Content-Security-Policy"] = self.csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            # SQLite's full-text parser and PostgreSQL text both refuse NUL: answer before the store does.
            response = JSONResponse({"detail": "NUL characters (%00) are not allowed in the URL"}, 400)
            await response(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuse request bodies over `limit` bytes (413), whether announced or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await JSONResponse({"detail": f"request body over {self.limit} bytes"}, 413)(scope, receive, send)
                return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"request body over {self.limit} bytes")
            return message

        await self.app(scope, limited, send)


class Correction(BaseModel):
    """Fields a reviewer may correct; anything left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    event_type: str | None = None
    sub_event_type: str | None = None
    date: str | None = Field(None, pattern=DATE)
    actor1: str | None = Field(None, max_length=200)
    actor2: str | None = Field(None, max_length=200)
    location: str | None = Field(None, max_length=200)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    admin1: str | None = Field(None, max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    fatalities: int | None = Field(None, ge=0)
    injuries: int | None = Field(None, ge=0)
    modality: Literal["asserted", "reported", "hypothetical"] | None = None

    @model_validator(mode="after")
    def _taxonomy(self) -> "Correction":
        for name in ("event_type", "sub_event_type"):  # every event has a type: null would clear it
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null (leave it out to keep it)")
        if self.event_type is not None and self.event_type not in EVENT_TYPES:
            raise ValueError(f"event_type must be one of {list(EVENT_TYPES)}")
        if self.sub_event_type is not None:
            parent = SUB_TO_TYPE.get(self.sub_event_type)
            if parent is None:
                raise ValueError(f"unknown sub_event_type {self.sub_event_type!r} (see the ACLED taxonomy)")
            if self.event_type is not None and parent != self.event_type:
                raise ValueError(f"sub_event_type {self.sub_event_type!r} belongs to {parent!r}")
        return self

    def changes(self) -> dict[str, Any]:
        out = self.model_dump(exclude_unset=True)
        if "sub_event_type" in out and "event_type" not in out:
            out["event_type"] = SUB_TO_TYPE[out["sub_event_type"]]
        return out


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["confirm", "correct", "reject", "merge"]
    fields: Correction | None = None
    into: int | None = Field(None, description="merge: the event this one is merged into")
    note: str | None = Field(None, max_length=2000)


def _split(values: list[str] | None) -> list[str]:
    """Repeated parameters and comma-separated lists both work: ?country=IQ,SY&country=LY."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def event_filter(
    country: Annotated[list[str] | None, Query(description="ISO 3166-1 alpha-2, comma-separated")] = None,
    admin1: Annotated[list[str] | None, Query()] = None,
    event_type: Annotated[list[str] | None, Query()] = None,
    sub_event_type: Annotated[list[str] | None, Query()] = None,
    actor: Annotated[str | None, Query(max_length=200, description="actor1 or actor2, canonical name")] = None,
    date_from: Annotated[str | None, Query(pattern=DATE)] = None,
    date_to: Annotated[str | None, Query(pattern=DATE)] = None,
    bbox: Annotated[str | None, Query(description="west,south,east,north in degrees")] = None,
    min_fatalities: Annotated[int | None, Query(ge=0)] = None,
    source: Annotated[list[str] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in the evidence")] = None,
    status: Annotated[list[str] | None, Query(description=f"review status: {', '.join(STATUSES)}")] = None,
) -> EventFilter:
    box = None
    if bbox:
        try:
            w, s, e, n = (float(x) for x in bbox.split(","))
        except ValueError:
            raise HTTPException(422, "bbox must be west,south,east,north (four numbers)") from None
        box = (w, s, e, n)
    statuses = _split(status)
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise HTTPException(422, f"unknown status {bad}; one of {list(STATUSES)}")
    return EventFilter(
        country=_split(country),
        admin1=_split(admin1),
        event_type=_split(event_type),
        sub_event_type=_split(sub_event_type),
        actor=actor or None,
        date_from=date_from,
        date_to=date_to,
        bbox=box,
        min_fatalities=min_fatalities,
        source=_split(source),
        q=q or None,
        status=statuses,
    )


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


def create_app(
    db: str | None = None,
    *,
    read_token: bool | None = None,
    cors_origins: list[str] | None = None,
    tile_url: str | None = None,
    max_body: int | None = None,
    rate_limit: RateLimitSettings | None = None,
) -> FastAPI:
    """The API and dashboard over the database `db` (see the module docstring for the settings)."""
    store = Store(db)
    if store.columns is not None:
        store.columns.start_loading()  # the column copy for fast filters; SQL answers until it is ready
    read_token = _env_flag("MARSAD_READ_TOKEN") if read_token is None else read_token
    if cors_origins is None:
        cors_origins = _split([os.environ.get("MARSAD_CORS_ORIGINS", "")])
    tile_url = tile_url if tile_url is not None else os.environ.get("MARSAD_TILE_URL") or None
    max_body = max_body or int(os.environ.get("MARSAD_MAX_BODY", "1000000"))

    threads = int(os.environ.get("MARSAD_API_THREADS", "8"))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The routes are synchronous (numpy and the database hold the GIL or a core anyway): more
        # threads than anyio's default 40 add only GIL hand-offs, and each thread's malloc arena
        # kept memory growing under load. Requests wait their turn in the event loop instead.
        to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="marsad",
        version=__version__,
        description="Arabic conflict events from the news: events with evidence, stats, exports, review.",
        docs_url=None,  # served below from the vendored Swagger UI: no CDN
        redoc_url=None,
    )
    app.state.store = store
    cache = app.state.cache = ResponseCache()

    def cached(request: Request, render: Callable[[], Any]) -> Response:
        """The answer of a read route, from the cache while no write has come in since."""
        version = store.data_version()
        columns = store.columns
        before = columns.snapshot if columns is not None else None

        def fresh() -> bool:
            if columns is None:
                return True  # SQL answers at the version it reads
            after = columns.snapshot
            if after is None or after.version != version:
                return False
            # a small copy is reloaded before answering; a large one answered from `before`
            return after is before or len(after) <= SYNC_RELOAD_MAX

        return cache.respond(request, version, render, fresh)

    app.state.cached = cached

    @app.exception_handler(OverflowError)
    @app.exception_handler(sa.exc.DataError)  # PostgreSQL's "integer out of range"
    async def out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # Path and query integers are unbounded in the schema; the databases store 64-bit ones.
        return JSONResponse({"detail": f"a number in the request is out of range (largest: {2**63 - 1})"}, 422)

    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "PATCH", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit, limit=max_body)
    # Added after BodyLimit, so it runs first: a throttled client's body is never read.
    app.add_middleware(RateLimit, settings=rate_limit or RateLimitSettings.from_env())

    img_src = "'self' data:"
    if tile_url:  # the tile server must be allowed to serve images to the page
        parts = urlsplit(tile_url.replace("{s}.", "*."))
        img_src += f" {parts.scheme}://{parts.netloc}"

    app.add_middleware(SecurityHeaders, img_src=img_src)

    def token_of(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        return header[7:].strip() if header.lower().startswith("bearer ") else None

    def reviewer(request: Request) -> str:
        user = store.user_for_token(token_of(request))
        if user is None:
            raise HTTPException(
                401,
                "a reviewer token is needed: `marsad users add NAME` prints one; send it as "
                "'Authorization: Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user

    def reader(request: Request) -> str | None:
        return reviewer(request) if read_token else None

    Reader = Annotated[str | None, Depends(reader)]
    Reviewer = Annotated[str, Depends(reviewer)]
    Filter = Annotated[EventFilter, Depends(event_filter)]

    @app.get("/api/config", tags=["meta"])
    def config() -> dict[str, Any]:
        """What the dashboard needs to know: version, tile layer, whether reads need a token."""
        return {
            "version": __version__,
            "tile_url": tile_url,
            "read_token": read_token,
            "event_types": {t: list(s) for t, s in EVENT_TYPES.items()},
            "statuses": list(STATUSES),
        }

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        """Liveness and readiness: `ready` once the in-memory filter columns are loaded (until then
        filters are answered by SQL, seconds at a million events); a load balancer can wait for it."""
        columns = store.columns
        snap = columns.snapshot if columns is not None else None
        return {
            "status": "ok",
            "ready": columns is None or snap is not None,
            "events_in_memory": len(snap) if snap is not None else None,
            "pid": os.getpid(),
            # this process's response cache (bounded in entries and bytes): what its memory holds
            "response_cache": {"entries": len(cache.entries), "bytes": cache.size},
        }

    @app.get("/api/me", tags=["review"])
    def me(user: Reviewer) -> dict[str, str]:
        """The reviewer a token belongs to (401 if none)."""
        return {"name": user}

    @app.get("/api/events", tags=["events"])
    def list_events(
        request: Request,
        _: Reader,
        f: Filter,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
        sort: Annotated[
            Literal["-date", "date", "-fatalities", "fatalities", "-id", "id"],
            Query(description="- = descending"),
        ] = "-date",
    ) -> dict[str, Any]:
        """Events matching the filters, a page at a time; `total` is capped at 10000 (`total_exact`)."""

        def render() -> dict[str, Any]:
            rows, total, exact = store.query_events(f, limit=limit, offset=offset, sort=sort)
            return {"events": rows, "total": total, "total_exact": exact, "limit": limit, "offset": offset}

        return cached(request, render)

    @app.get("/api/events/{event_id}", tags=["events"])
    def get_event(_: Reader, event_id: int) -> dict[str, Any]:
        """One event with the articles it is reported in (each with its evidence span) and its reviews."""
        ev = store.get_event(event_id)
        if ev is None:
            raise HTTPException(404, f"no event {event_id}")
        return ev

    @app.patch("/api/events/{event_id}", tags=["review"])
    def patch_event(user: Reviewer, event_id: int, body: Correction) -> dict[str, Any]:
        """Correct fields of an event (status becomes 'corrected'); audited."""
        return _review(user, event_id, "correct", body.changes(), None, None)

    @app.post("/api/events/{event_id}/review", tags=["review"])
    def review_event(user: Reviewer, event_id: int, body: Review) -> dict[str, Any]:
        """Confirm, correct (with `fields`), reject, or merge (`into`) an event; audited."""
        fields = body.fields.changes() if body.fields else None
        return _review(user, event_id, body.action, fields, body.into, body.note)

    def _review(
        user: str,
        event_id: int,
        action: str,
        fields: dict[str, Any] | None,
        into: int | None,
        note: str | None,
    ) -> dict[str, Any]:
        try:
            store.review(event_id, user, action, fields, into=into, note=note)
        except StoreError as exc:
            code = 404 if str(exc).startswith(f"no event {event_id}") else 422
            raise HTTPException(code, str(exc)) from None
        return store.get_event(event_id) or {}

    @app.get("/api/events/{event_id}/audit", tags=["review"])
    def event_audit(_: Reviewer, event_id: int) -> list[dict[str, Any]]:
        """Every change to an event: who, when, before and after."""
        return store.audit(str(event_id))

    @app.get("/api/articles/{article_id}", tags=["events"])
    def get_article(_: Reader, article_id: str) -> dict[str, Any]:
        """An article's stored text (offsets refer to it), its source and its events."""
        art = store.get_article(article_id)
        if art is None:
            raise HTTPException(404, f"no article {article_id!r}")
        art.pop("raw", None)  # the original HTML is kept for audit, not served to pages
        return art

    @app.get("/api/actors", tags=["events"])
    def list_actors(
        _: Reader,
        q: Annotated[str | None, Query(max_length=100)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> list[dict[str, Any]]:
        """Actors (canonical names) with the Arabic forms seen for them."""
        return store.list_actors(q, limit)

    @app.get("/api/stats", tags=["stats"])
    def stats(
        request: Request, _: Reader, f: Filter, period: Literal["day", "week", "month"] = "week"
    ) -> dict[str, Any]:
        """Counts and fatalities by day/week/month, by type and sub-type, by country and admin1."""
        return cached(request, lambda: store.stats(f, period))

    @app.get("/api/map", tags=["stats"])
    def map_view(
        request: Request, _: Reader, f: Filter, zoom: Annotated[int, Query(ge=0, le=18)] = 4
    ) -> dict[str, Any]:
        """What the map draws: the events when at most 3000 match, else counts on a grid for this zoom."""
        return cached(request, lambda: store.map_cells(f, zoom))

    def export(fmt: str, f: EventFilter) -> StreamingResponse:
        # The export component's writers: ACLED CSV, GeoJSON, SCHEMA.md JSONL (and Parquet, below).
        from marsad.api.alerts_routes import streamed

        return streamed(store, f, "acled-csv" if fmt == "csv" else fmt, f"marsad-events.{fmt}")

    def export_route(fmt: str) -> Any:
        def route(_: Reader, f: Filter) -> StreamingResponse:
            return export(fmt, f)

        route.__doc__ = f"Every event matching the filters as {fmt.upper()} (streamed)."
        return route

    for fmt in FORMATS:
        app.add_api_route(
            f"/api/export.{fmt}",
            export_route(fmt),
            methods=["GET"],
            tags=["export"],
            name=f"export_{fmt}",
            response_class=StreamingResponse,
        )

    from marsad.api.alerts_routes import router as merge_alerts_router  # alerts, sources, unmerge, parquet

    app.state.read_token = read_token
    app.include_router(merge_alerts_router)
    app.include_router(__import__("marsad.api.actor_routes", fromlist=["router"]).router)  # actor profiles

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="marsad API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_env() -> FastAPI:
    """The app each process of `marsad serve --workers N` builds (settings from the environment)."""
    return create_app(os.environ.get("MARSAD_SERVE_DB") or None)
