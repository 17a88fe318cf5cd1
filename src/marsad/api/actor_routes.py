"""API route and page of actor profiles (included by `marsad.api.app`).

- GET /api/actors/{actor_id}: the profile of an actor named by registry id, canonical name or
  any alias ("داعش", "ISIS", "islamic_state" give the same profile);
- GET /actor?id=...: the dashboard's actor page (static/actor.html).
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from marsad.api.alerts_routes import Reader
from marsad.profiles import ProfileError, actor_profile

router = APIRouter()
STATIC = Path(__file__).parent / "static"


@router.get("/api/actors/{actor_id}", tags=["events"], response_class=Response)
def get_actor_profile(
    request: Request,
    _: Reader,
    actor_id: str,
    quiet_months: Annotated[int | None, Query(ge=1, le=120, description="months without events = quiet")] = None,
) -> Response:
    """An actor's profile: events by type, month and admin-1 area, movement per quarter, map layer,
    strength estimates, relations, spokespeople and claims, each with links to its evidence.
    A parent's profile includes its branches' events."""
    try:
        # the app's cache serialises the profile itself: FastAPI's generic encoder walks every
        # value and costs more than building the profile once the map has thousands of cells
        return request.app.state.cached(
            request, lambda: actor_profile(request.app.state.store, actor_id, quiet_months=quiet_months)
        )
    except ProfileError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/actor", include_in_schema=False)
def actor_page() -> FileResponse:
    return FileResponse(STATIC / "actor.html")
