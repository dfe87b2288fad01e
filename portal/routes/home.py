"""Home page and the postcode/place finder."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.routes import twin
from portal.services.geo import GeoIndex, LookupResult
from portal.templating import respond, wants_json

LOCATION_INVALID = "Your location could not be read. Enter your postcode instead."


async def home(request: Request) -> Response:
    return respond(request, "home/index.html", {"query": "", "errors": {}})


async def find(request: Request) -> Response:
    geo: GeoIndex = request.app.state.geo
    result = _lookup(geo, request)
    if result.kind == "ward" and not wants_json(request):
        return RedirectResponse(
            request.app.url_path_for("teams:team", code=result.ward.code), status_code=303
        )
    context = result.as_dict()
    if result.ward and result.ward.has_met_team:
        context["team_url"] = request.app.url_path_for("teams:team", code=result.ward.code)
    if result.kind == "invalid":
        context["errors"] = {"q": result.message}
        return respond(request, "home/index.html", context, status_code=400)
    return respond(request, "home/find.html", context, status_code=result.http_status)


def _lookup(geo: GeoIndex, request: Request) -> LookupResult:
    params = request.query_params
    if "lat" in params or "lng" in params:
        try:
            return geo.lookup_point(float(params.get("lat", "")), float(params.get("lng", "")))
        except ValueError:
            return LookupResult(
                "invalid", f"{params.get('lat', '')},{params.get('lng', '')}", LOCATION_INVALID
            )
    return geo.locate(params.get("q", "")[:200])


routes = [Route("/", home, name="home"), *twin("/find", find, name="find")]
