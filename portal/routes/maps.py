"""The map of London's Safer Neighbourhood Teams, and the wards layer it loads as GeoJSON."""

from __future__ import annotations

import threading
from itertools import groupby

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.db import session_scope
from portal.queries.maps import list_met_teams, list_met_ward_shapes
from portal.routes import twin
from portal.services.maps import CachedGeoJSON, Tiles, london_map, static_prefix, wards_feature_collection
from portal.templating import respond, wants_json

GEOJSON_CACHE_CONTROL = "public, max-age=3600"
_build_lock = threading.Lock()


def london(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        teams = list_met_teams(session)
    for team in teams:
        team["url"] = request.app.url_path_for("teams:team", code=team["code"])
    context = {"title": "Map of London's Safer Neighbourhood Teams", "teams": teams}
    if wants_json(request):
        return respond(request, "maps/london.html", context)
    boroughs = [
        {"name": name, "teams": list(group)}
        for name, group in groupby(teams, key=lambda t: t["borough"]["name"])
    ]
    wards_url = request.scope.get("root_path", "") + request.app.url_path_for("wards_geojson")
    parts = london_map(
        wards_url, Tiles.from_settings(request.app.state.settings), static=static_prefix(request)
    )
    return respond(request, "maps/london.html", {**context, "boroughs": boroughs, "map": parts})


def wards_geojson(request: Request) -> Response:
    cached = _wards(request)
    headers = {"cache-control": GEOJSON_CACHE_CONTROL, "etag": cached.etag}
    if _matches(request.headers.get("if-none-match", ""), cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/geo+json", headers=headers)


def _wards(request: Request) -> CachedGeoJSON:
    """Built on first use, once per process (per app), and kept in app.state."""
    state = request.app.state
    cached = getattr(state, "wards_geojson", None)
    if cached is None:
        with _build_lock:
            cached = getattr(state, "wards_geojson", None)
            if cached is None:
                with session_scope(state.sessions) as session:
                    shapes = list_met_ward_shapes(session)
                root = request.scope.get("root_path", "")
                cached = wards_feature_collection(
                    shapes, lambda code: root + request.app.url_path_for("teams:team", code=code)
                )
                state.wards_geojson = cached
    return cached


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): the gzip middleware may change the bytes, not the content."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


routes = [
    *twin("/map", london, name="london_map"),
    Route("/map/wards.geojson", wards_geojson, name="wards_geojson"),
]
