"""API routes of the merge, alerts and export components (included by `marsad.api.app`).

- GET /api/alerts, GET /api/alerts.atom: stored alerts as JSON and as an Atom feed;
- GET /api/events/{id}/sources: the articles and figures of each source of a merged event;
- POST /api/events/{id}/unmerge: a reviewer undoes a merge (token needed, audited);
- GET /api/export.parquet and /api/export.acled.csv: ACLED columns (the other formats are the
  app's /api/export.* routes, written by the same writers).
"""

import tempfile
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse

from marsad.alerts import atom_feed, list_alerts
from marsad.export import EXPORT_MEDIA, export_events
from marsad.merge import sources_of, unmerge
from marsad.store.db import EventFilter, Store, StoreError

router = APIRouter()
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def _store(request: Request) -> Store:
    return request.app.state.store


def _user(request: Request, required: bool) -> str | None:
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    user = _store(request).user_for_token(token)
    if user is None and required:
        raise HTTPException(
            401,
            "a reviewer token is needed: `marsad users add NAME` prints one; send it as 'Authorization: Bearer TOKEN'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


def reader(request: Request) -> str | None:
    """Reads are open unless the app was started with read tokens (same rule as the app's routes)."""
    needs = bool(getattr(request.app.state, "read_token", False))
    return _user(request, needs)


def reviewer(request: Request) -> str:
    return _user(request, True) or ""


Reader = Annotated[str | None, Depends(reader)]
Reviewer = Annotated[str, Depends(reviewer)]


@router.get("/api/alerts", tags=["alerts"])
def get_alerts(
    request: Request,
    _: Reader,
    since: Annotated[str | None, Query(pattern=DATE, description="alerts about dates from this one on")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Stored alerts (spikes, new areas, mass casualties, watch lists), newest first."""
    return {"alerts": list_alerts(_store(request), since, limit)}


@router.get("/api/alerts.atom", tags=["alerts"], response_class=Response)
def get_alerts_atom(
    request: Request,
    _: Reader,
    since: Annotated[str | None, Query(pattern=DATE)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """The stored alerts as an Atom 1.0 feed (for feed readers)."""
    body = atom_feed(list_alerts(_store(request), since, limit), str(request.base_url))
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/api/events/{event_id}/sources", tags=["events"])
def get_sources(request: Request, _: Reader, event_id: int) -> dict[str, Any]:
    """The cluster an event belongs to: each source's figures, the conservative toll, corroboration."""
    try:
        return sources_of(_store(request), event_id)
    except StoreError as exc:
        raise HTTPException(404, str(exc)) from None


@router.post("/api/events/{event_id}/unmerge", tags=["review"])
def post_unmerge(request: Request, user: Reviewer, event_id: int) -> dict[str, Any]:
    """Undo a merge: a merged event leaves its cluster, or a head lets all its members go; audited."""
    store = _store(request)
    try:
        freed = unmerge(store, event_id, user)
    except StoreError as exc:
        code = 404 if str(exc).startswith("no event") else 422
        raise HTTPException(code, str(exc)) from None
    return {"freed": freed}


def streamed(store: Store, f: EventFilter, fmt: str, filename: str) -> StreamingResponse:
    """An export written to a temporary file first (memory stays flat), then streamed."""
    tmp = tempfile.TemporaryFile("w+b")  # noqa: SIM115 - closed by chunks()
    export_events(store, f, fmt, tmp)
    tmp.seek(0)

    def chunks() -> Iterator[bytes]:
        with tmp:
            while block := tmp.read(1 << 16):
                yield block

    media = EXPORT_MEDIA[fmt] + ("" if fmt == "parquet" else "; charset=utf-8")
    return StreamingResponse(
        chunks(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _filter_dep() -> Any:
    from marsad.api.app import event_filter

    return Depends(event_filter)


@router.get("/api/export.parquet", tags=["export"], response_class=StreamingResponse)
def export_parquet(request: Request, _: Reader, f: Annotated[EventFilter, _filter_dep()]) -> StreamingResponse:
    """Every event matching the filters as Parquet, with ACLED's columns and types."""
    return streamed(_store(request), f, "parquet", "marsad-events.parquet")


@router.get("/api/export.acled.csv", tags=["export"], response_class=StreamingResponse)
def export_acled_csv(request: Request, _: Reader, f: Annotated[EventFilter, _filter_dep()]) -> StreamingResponse:
    """Every event matching the filters as ACLED CSV (ACLED's column names and codes)."""
    return streamed(_store(request), f, "acled-csv", "marsad-events-acled.csv")
