"""The data.police.uk-compatible neighbourhood API under /api/.

Same paths, field names, types and error behaviour as https://data.police.uk/docs/ for the neighbourhood
and force methods, so a client written for data.police.uk works by changing its base URL alone. The
neighbourhood id is the ward's GSS code (E05…), case-insensitive on input; the Met's force id is
`metropolitan`. Errors are small JSON bodies, `{"status": 404, "error": "Not found", "message": …}`, with
police.uk's status codes: 404 for an unknown force or neighbourhood, 400 for a malformed parameter.
The document describing all of it is `portal/api_openapi.py`, served at /api/openapi.json; the human
page is /api/.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import api_openapi
from portal.cache import cached
from portal.db import session_scope
from portal.models import CITY, MET
from portal.queries import api as queries
from portal.queries import teams as team_queries
from portal.routes.teams import MOSTLY
from portal.services.geo import GeoIndex

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "*",
    "Access-Control-Max-Age": "86400",
}
HEADERS = {**CORS, "Cache-Control": "public, max-age=300"}

_FORCE_ID = re.compile(r"^[a-z0-9-]{1,40}$")
_NEIGHBOURHOOD_ID = re.compile(r"^[A-Z0-9]{1,20}$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")

Q_INVALID = "q must be a latitude and a longitude separated by a comma, like 51.5851,0.138774"
Q_RANGE = "the latitude must be between -90 and 90 and the longitude between -180 and 180"


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed"}


def error_response(status: int, message: str, **extra: Any) -> JSONResponse:
    body = {"status": status, "error": TITLES.get(status, "Error"), "message": message, **extra}
    headers = dict(HEADERS)
    if status == 405:
        headers["Allow"] = "GET, HEAD, OPTIONS"
    return JSONResponse(body, status_code=status, headers=headers)


def ok(data: Any) -> JSONResponse:
    return JSONResponse(data, headers=HEADERS)


def endpoint(handler: Callable[[Request], Any]) -> Callable[[Request], Awaitable[Response]]:
    """Wraps a handler that returns JSON-able data (or raises ApiError) into a police.uk-style response."""

    async def wrapper(request: Request) -> Response:
        try:
            return ok(await run_in_threadpool(handler, request))
        except ApiError as exc:
            return error_response(exc.status, exc.message, **exc.extra)
        except ApiRedirect as exc:
            return RedirectResponse(exc.location, status_code=301, headers=HEADERS)

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return cached(wrapper)


def force_param(request: Request) -> str:
    force = request.path_params["force"].strip().lower()
    if not _FORCE_ID.match(force):
        raise ApiError(404, "There is no police force with that id.")
    return force


def ids(request: Request) -> tuple[str, str]:
    force = force_param(request)
    team_id = request.path_params["id"].strip().upper()
    if not _NEIGHBOURHOOD_ID.match(team_id):
        raise ApiError(404, "There is no neighbourhood with that id in this force.")
    return force, team_id


class ApiRedirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def found(
    value: Any, force: str, team_id: str | None = None, session=None, request: Request | None = None
) -> Any:
    if value is None:
        if team_id is None:
            raise ApiError(404, f"There is no police force with the id {force}.")
        if session is not None and request is not None and force == MET:
            _legacy(session, request, team_id)
        raise ApiError(404, f"There is no neighbourhood {team_id} in the force {force}.")
    return value


def _legacy(session, request: Request, team_id: str) -> None:
    """An older (2018) ward id: 301 to today's ward holding most of its area, as the team pages do; when
    none does, a 404 that names today's wards sharing it."""
    legacy = team_queries.legacy_successors(session, team_id)
    if not legacy:
        return
    successors = [s for s in legacy["successors"] if s["team"]]
    if successors and successors[0]["share"] >= MOSTLY:
        raw = request.path_params["id"]
        path = request.url.path
        index = path.rindex("/" + raw)
        location = path[:index] + "/" + successors[0]["team"] + path[index + 1 + len(raw) :]
        raise ApiRedirect(location + (f"?{request.url.query}" if request.url.query else ""))
    raise ApiError(
        404,
        f"{legacy['old_ward']['name']} ({team_id}) was a ward until 2022; its area is now shared by "
        "several of today's neighbourhoods.",
        successors=[{"id": s["team"], "name": s["name"], "share": s["share"]} for s in successors],
    )


def sessions(request: Request):
    return session_scope(request.app.state.sessions)


# -- forces ----------------------------------------------------------------------------------------


@endpoint
def forces(request: Request) -> list[dict[str, str]]:
    with sessions(request) as session:
        return queries.list_forces(session)


@endpoint
def force(request: Request) -> dict[str, Any]:
    force_id = force_param(request)
    with sessions(request) as session:
        return found(queries.get_force(session, force_id), force_id)


@endpoint
def force_people(request: Request) -> list:
    """Senior officers: we hold none, so always [] for a known force."""
    force_id = force_param(request)
    with sessions(request) as session:
        found(queries.force_exists(session, force_id) or None, force_id)
    return []


# -- neighbourhoods --------------------------------------------------------------------------------


@endpoint
def neighbourhoods(request: Request) -> list[dict[str, str]]:
    force_id = force_param(request)
    with sessions(request) as session:
        return found(queries.list_neighbourhoods(session, force_id), force_id)


@endpoint
def neighbourhood(request: Request) -> dict[str, Any]:
    force_id, team_id = ids(request)
    with sessions(request) as session:
        return found(
            queries.get_neighbourhood(session, force_id, team_id), force_id, team_id, session, request
        )


@endpoint
def people(request: Request) -> list[dict[str, Any]]:
    force_id, team_id = ids(request)
    with sessions(request) as session:
        return found(queries.get_people(session, force_id, team_id), force_id, team_id, session, request)


@endpoint
def boundary(request: Request) -> list[dict[str, str]]:
    force_id, team_id = ids(request)
    with sessions(request) as session:
        return found(queries.get_boundary(session, force_id, team_id), force_id, team_id, session, request)


@endpoint
def events(request: Request) -> list[dict[str, Any]]:
    """Upcoming meetings (not cancelled), soonest first, in police.uk's event shape."""
    force_id, team_id = ids(request)
    with sessions(request) as session:
        return found(queries.get_events(session, force_id, team_id), force_id, team_id, session, request)


@endpoint
def priorities(request: Request) -> list[dict[str, Any]]:
    """Current priorities with their latest action, in police.uk's priority shape."""
    force_id, team_id = ids(request)
    with sessions(request) as session:
        return found(queries.get_priorities(session, force_id, team_id), force_id, team_id, session, request)


# -- locate-neighbourhood --------------------------------------------------------------------------


def parse_q(q: str | None) -> tuple[float, float]:
    parts = (q or "").split(",")
    if len(parts) != 2 or not all(_NUMBER.match(p.strip()) for p in parts):
        raise ApiError(400, Q_INVALID)
    lat, lng = (float(p) for p in parts)
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise ApiError(400, Q_RANGE)
    return lat, lng


@endpoint
def locate(request: Request) -> dict[str, str]:
    """A point → its force and neighbourhood. The City of London is a 404 naming its force: see the docs."""
    lat, lng = parse_q(request.query_params.get("q"))
    geo: GeoIndex = request.app.state.geo
    result = geo.lookup_point(lat, lng)
    if result.kind == "ward" and result.ward is not None and result.ward.has_met_team:
        return {"force": result.ward.force_id, "neighbourhood": result.ward.code}
    if result.kind == "city":
        raise ApiError(
            404,
            "That point is in the City of London, policed by the City of London Police, whose "
            "neighbourhoods this API does not hold: ask data.police.uk for force city-of-london.",
            force=CITY,
        )
    raise ApiError(404, "That point is not in any neighbourhood this API holds (London only).")


# -- the documents ---------------------------------------------------------------------------------


async def openapi(request: Request) -> Response:
    return ok(api_openapi.document())


async def index(request: Request) -> Response:
    context = {"api": api_openapi.page_context(), "title": "Neighbourhood API"}
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "api/index.html", context, headers=HEADERS)


async def fallback(request: Request) -> Response:
    """Anything else under /api/: police.uk-style JSON errors, and CORS preflight answers."""
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=CORS)
    if request.method not in {"GET", "HEAD"}:
        return error_response(405, "This API only answers GET requests.")
    return error_response(404, "There is no such API method: see /api/ for the list.")


ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

routes = [
    Route("/", index, name="index"),
    Route("/openapi.json", openapi, name="openapi"),
    Route("/forces", forces, name="forces"),
    Route("/forces/{force}", force, name="force"),
    Route("/forces/{force}/people", force_people, name="force_people"),
    Route("/locate-neighbourhood", locate, name="locate_neighbourhood"),
    Route("/{force}/neighbourhoods", neighbourhoods, name="neighbourhoods"),
    Route("/{force}/{id}", neighbourhood, name="neighbourhood"),
    Route("/{force}/{id}/people", people, name="people"),
    Route("/{force}/{id}/boundary", boundary, name="boundary"),
    Route("/{force}/{id}/events", events, name="events"),
    Route("/{force}/{id}/priorities", priorities, name="priorities"),
    Route("/{path:path}", fallback, name="fallback", methods=ALL_METHODS),
]
