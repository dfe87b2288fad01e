"""Team pages, keyed by ward GSS code, and the A to Z index. Older ward codes redirect to today's ward."""

from __future__ import annotations

import hashlib
import logging
import threading
from functools import lru_cache

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.cache import cached
from portal.db import session_scope
from portal.queries import engagement as engagement_queries
from portal.queries import teams as queries
from portal.routes import twin
from portal.routes.engagement import link_engagement
from portal.services.maps import MapParts, Tiles, static_prefix, ward_map
from portal.templating import respond, wants_json

log = logging.getLogger("portal")
MOSTLY = 0.5  # an old ward redirects when one of today's wards holds at least half of its area


@cached
def team(request: Request) -> Response:
    code = request.path_params["code"].upper()
    current = request.app.state.geo.ward(code)
    if current is not None and not current.has_met_team:
        raise HTTPException(
            404,
            f"{current.name} is in the City of London, which is policed by the City of "
            "London Police, not by a Metropolitan Police Safer Neighbourhood Team.",
        )
    with session_scope(request.app.state.sessions) as session:
        context = queries.get_team_by_ward_code(session, code)
        legacy = None if context or current else queries.legacy_successors(session, code)
        if context:  # meetings, the monthly-meeting record, priorities and updates (issue 4)
            context["engagement"] = engagement_queries.team_engagement(session, code)
        geojson = queries.ward_display_geojson(session, code) if context and not wants_json(request) else None
    if context is None:
        if legacy:
            return _legacy(request, legacy)
        raise HTTPException(404, f"There is no Safer Neighbourhood Team with the code {code[:20]}.")
    context["urls"] = {
        "self": request.app.url_path_for("teams:team", code=code),
        "json": request.app.url_path_for("teams:team_json", code=code),
        "borough": request.app.url_path_for("boroughs:borough", code=context["borough"]["code"]),
        "meetings": request.app.url_path_for("teams:meetings", code=code),
        "calendar": request.app.url_path_for("teams:meetings_ics", code=code),
        "priorities": request.app.url_path_for("teams:priorities", code=code),
        "you_said_we_did": request.app.url_path_for("teams:you_said_we_did", code=code),
        "updates": request.app.url_path_for("teams:updates", code=code),
        "updates_feed": request.app.url_path_for("teams:updates_atom", code=code),
    }
    link_engagement(request, code, context["engagement"])
    if geojson:  # HTML only: the map is not part of the JSON twin
        tiles = Tiles.from_settings(request.app.state.settings)
        context["map"] = _ward_map(geojson, context["ward"]["name"], tiles, static_prefix(request))
    return respond(request, "teams/team.html", context)


@lru_cache(maxsize=1024)
def _ward_map(geojson: str, name: str, tiles: Tiles | None, static: str) -> MapParts:
    """Rendered once per ward and process: folium's rendering is too slow to repeat on every request."""
    return ward_map(geojson, name, tiles, static=static)


def warm_ward_maps(sessions, tiles: Tiles | None, stop: threading.Event, static: str = "/static") -> int:
    """Render every ward map into the cache, so no visitor waits for folium (run in a background thread at
    start; about 3 s of CPU for 679 wards). Never raises: a failure only means maps render on demand."""
    done = 0
    try:
        with session_scope(sessions) as session:
            wards = queries.team_ward_maps(session)
        for _code, name, geojson in wards:
            if stop.is_set():
                break
            _ward_map(geojson, name, tiles, static)
            done += 1
    except Exception:
        log.exception("warming the ward maps failed; they will render on demand")
    return done


def _legacy(request: Request, legacy: dict) -> Response:
    successors = [s for s in legacy["successors"] if s["team"]]
    if successors and successors[0]["share"] >= MOSTLY:
        route = "teams:team_json" if request.url.path.endswith(".json") else "teams:team"
        target = request.app.url_path_for(route, code=successors[0]["team"])
        return RedirectResponse(target, status_code=301)
    for s in legacy["successors"]:
        s["url"] = request.app.url_path_for("teams:team", code=s["team"]) if s["team"] else None
    return respond(request, "teams/legacy.html", legacy)


@cached
def index(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        teams = queries.list_teams(session)
    for t in teams:
        t["url"] = request.app.url_path_for("teams:team", code=t["id"])
        t["letter"] = t["name"][:1].upper()
    return respond(request, "teams/index.html", {"teams": teams})


def member_photo(request: Request) -> Response:
    """A member's photo (stored re-encoded, only with their consent): 404 when there is none."""
    code = request.path_params["code"].upper()[:20]
    with session_scope(request.app.state.sessions) as session:
        content = queries.member_photo(session, code, request.path_params["member_id"])
    if content is None:
        raise HTTPException(404, "There is no photo of this team member.")
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    headers = {"etag": etag, "cache-control": "public, max-age=3600"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="image/jpeg", headers=headers)


index_routes = twin("/teams", index, name="teams_index")
routes = [
    *twin("/{code}", team, name="team"),
    Route("/{code}/members/{member_id:int}/photo.jpg", member_photo, name="member_photo"),
]
