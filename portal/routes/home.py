"""Home page and the finder: one box for a postcode (full or partial), a place, a team or a borough."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.routes import twin
from portal.services.geo import GeoIndex, LookupResult
from portal.services.search import MAX_QUERY, SearchIndex
from portal.templating import respond, wants_json

EMPTY_QUERY = "Enter a postcode, or the name of a place or team"
LOCATION_INVALID = "Your location could not be read. Enter your postcode instead."


async def home(request: Request) -> Response:
    return respond(request, "home/index.html", {"query": "", "errors": {}})


async def find(request: Request) -> Response:
    params = request.query_params
    query = params.get("q", "").strip()
    if "lat" in params or "lng" in params:
        return _located(request, _point(request.app.state.geo, params.get("lat", ""), params.get("lng", "")))
    if not query:
        return respond(
            request,
            "home/index.html",
            {"query": "", "result": "invalid", "errors": {"q": EMPTY_QUERY}},
            status_code=400,
        )
    if len(query) > MAX_QUERY:
        return respond(
            request,
            "home/index.html",
            {
                "query": query[:MAX_QUERY],
                "result": "invalid",
                "errors": {"q": f"Enter at most {MAX_QUERY} characters"},
            },
            status_code=400,
        )
    if any(c.isdigit() for c in query):  # postcodes and coordinates have digits; names do not
        return _located(request, request.app.state.geo.locate(query))
    return _searched(request, query)


def _point(geo: GeoIndex, lat: str, lng: str) -> LookupResult:
    try:
        return geo.lookup_point(float(lat), float(lng))
    except ValueError:
        return LookupResult("invalid", f"{lat},{lng}", LOCATION_INVALID)


def _located(request: Request, result: LookupResult) -> Response:
    team_path = request.app.url_path_for("teams:team", code=result.ward.code) if result.ward else None
    if result.kind == "ward" and not wants_json(request):
        return RedirectResponse(team_path, status_code=303)
    context = result.as_dict()
    if result.ward and result.ward.has_met_team:
        context["team_url"] = team_path
    if result.kind == "invalid":
        context["errors"] = {"q": result.message}
        return respond(request, "home/index.html", context, status_code=400)
    return respond(request, "home/find.html", context, status_code=result.http_status)


def _searched(request: Request, query: str) -> Response:
    search: SearchIndex = request.app.state.search
    hits = search.search(query)
    results = []
    for hit in hits:
        item = hit.as_dict()
        route = "teams:team" if hit.kind == "team" else "boroughs:borough"
        item["url"] = request.app.url_path_for(route, code=hit.code)
        results.append(item)
    context = {"query": query, "result": "search", "found": bool(results), "results": results}
    return respond(request, "home/results.html", context)


routes = [Route("/", home, name="home"), *twin("/find", find, name="find")]
