"""FastAPI application: the JSON API and the page that shows events with their evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from marsad import __version__
from marsad.store.db import Store

STATIC = Path(__file__).parent / "static"


def create_app(db: str | None = None) -> FastAPI:
    store = Store(db)
    app = FastAPI(title="marsad", version=__version__, description="Arabic conflict events from the news.")
    app.state.store = store

    @app.get("/api/events")
    def list_events(limit: int = Query(200, ge=1, le=5000), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        rows = store.list_events(limit=limit, offset=offset)
        return {"events": rows, "limit": limit, "offset": offset}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
