"""The police.uk-compatible crime API under /api/ (issue 5). Mounted before the neighbourhood API's
catch-all route.

Paths, parameters, field names and types follow https://data.police.uk/docs/ for crimes-street,
crimes-no-location, crime-categories, crimes-street-dates and crime-last-updated. Errors are the same small
JSON bodies as the neighbourhood API's; an area holding more than MAX_CRIMES crimes is a 503, as on
police.uk. Documented in `portal/api_openapi_crime.py`.
"""

from __future__ import annotations

import math
import re
import zlib
from datetime import date
from typing import Any

from shapely.geometry import Point, Polygon
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.cache import cached
from portal.models import CATEGORIES, CITY, MET, StreetCrime
from portal.queries import crime as queries
from portal.routes.api import CORS, ApiError, endpoint, error_response, ok, sessions

MAX_CRIMES = (
    10_000  # police.uk: "If a custom area contains more than 10,000 crimes, the API will return a 503"
)
MILE_M = 1609.344
EARTH_M = 6_371_008.8
ALL_CRIME = "all-crime"
FORCES = {MET, CITY}

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_SLUG = re.compile(r"^[a-z-]{1,40}$")


def parse_date(raw: str | None, required: bool = False) -> date | None:
    if raw is None or raw.strip() == "":
        if required:
            raise ApiError(400, "date is required, as YYYY-MM, like 2023-01")
        return None
    match = _MONTH.match(raw.strip())
    if not match:
        raise ApiError(400, "date must be a month as YYYY-MM, like 2023-01")
    try:
        return date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:  # year 0000 (found by the schemathesis fuzz run), or a month past 12
        raise ApiError(400, "date must be a month as YYYY-MM, like 2023-01") from None


def parse_coordinate(raw: str | None, name: str, limit: float) -> float:
    if raw is None or not _NUMBER.match(raw.strip()):
        raise ApiError(400, f"{name} must be a number in decimal degrees, like 51.5392 or 0.0813")
    value = float(raw)
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise ApiError(400, f"{name} must be between -{limit:g} and {limit:g}")
    return value


def parse_poly(raw: str) -> Polygon:
    """police.uk's `lat,lng:lat,lng:…` (at least three points; closed for you)."""
    points = []
    for pair in raw.strip().strip(":").split(":"):
        parts = pair.split(",")
        if len(parts) != 2:
            raise ApiError(
                400, "poly must be lat,lng pairs separated by colons, like 51.54,0.08:51.55,0.09:51.53,0.09"
            )
        lat = parse_coordinate(parts[0], "latitude", 90)
        lng = parse_coordinate(parts[1], "longitude", 180)
        points.append((lng, lat))
    if len(set(points)) < 3:
        raise ApiError(400, "poly needs at least three distinct points")
    polygon = Polygon(points)
    if not polygon.is_valid or polygon.area == 0:
        polygon = polygon.buffer(0)
        if polygon.is_empty:
            raise ApiError(400, "poly does not enclose an area")
    return polygon


def parse_category(raw: str) -> str | None:
    """`all-crime` → None (every category); a police.uk slug → itself; anything else → 404."""
    slug = raw.strip().lower()
    if slug == ALL_CRIME:
        return None
    if _SLUG.match(slug) and slug in CATEGORIES.values():
        return slug
    raise ApiError(404, "There is no crime category with that id: see crime-categories for the list.")


def latest_month(session) -> date | None:
    return session.scalar(select(func.max(StreetCrime.month)))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(a))


COLUMNS = (
    StreetCrime.id,
    StreetCrime.category,
    StreetCrime.latitude,
    StreetCrime.longitude,
    StreetCrime.location,
    StreetCrime.context,
    StreetCrime.outcome,
    StreetCrime.crime_id,
    StreetCrime.month,
)


def crime_json(row: Any, with_location: bool = True) -> dict[str, Any]:
    """police.uk's crime object. Street ids are a stable number derived from the street's name (police.uk's
    own ids are not published in the files); the outcome's date is the month its file was published for."""
    row_id, category, lat, lng, location, context, outcome, crime_id, month = row
    month_text = queries.month_key(month)
    return {
        "category": category,
        "location_type": "Force",
        "location": (
            {
                "latitude": f"{lat:.6f}".rstrip("0").rstrip("."),
                "street": {"id": zlib.crc32((location or "").encode()), "name": location or ""},
                "longitude": f"{lng:.6f}".rstrip("0").rstrip("."),
            }
            if with_location and lat is not None and lng is not None
            else None
        ),
        "context": context or "",
        "outcome_status": {"category": outcome, "date": month_text} if outcome else None,
        "persistent_id": crime_id or "",
        "id": row_id,
        "location_subtype": "",
        "month": month_text,
    }


def street_crimes(session, params: dict[str, str], category_raw: str) -> list[dict[str, Any]]:
    month = parse_date(params.get("date"))
    poly_raw = (params.get("poly") or "").strip()
    if poly_raw:
        polygon = parse_poly(poly_raw)
        west, south, east, north = polygon.bounds

        def inside(lat: float, lng: float) -> bool:
            return polygon.covers(Point(lng, lat))
    else:
        if not params.get("lat") and not params.get("lng"):
            raise ApiError(400, "Give lat and lng (a point: crimes within a mile of it) or poly (an area)")
        lat = parse_coordinate(params.get("lat"), "lat", 90)
        lng = parse_coordinate(params.get("lng"), "lng", 180)
        d_lat = math.degrees(MILE_M / EARTH_M)
        d_lng = d_lat / max(math.cos(math.radians(lat)), 1e-6)
        south, north, west, east = lat - d_lat, lat + d_lat, lng - d_lng, lng + d_lng

        def inside(plat: float, plng: float) -> bool:
            return distance_m(lat, lng, plat, plng) <= MILE_M

    category = parse_category(category_raw)  # after the parameters: a bad request is a 400 first
    month = month or latest_month(session)
    if month is None:
        return []
    query = select(*COLUMNS).where(
        StreetCrime.month == month,
        StreetCrime.latitude.between(south, north),
        StreetCrime.longitude.between(west, east),
    )
    if category:
        query = query.where(StreetCrime.category == category)
    found = []
    for row in session.execute(query.order_by(StreetCrime.id)):
        if inside(row.latitude, row.longitude):
            found.append(row)
            if len(found) > MAX_CRIMES:
                raise ApiError(
                    503, f"The area holds more than {MAX_CRIMES:,} crimes: ask for a smaller area."
                )
    return [crime_json(row) for row in found]


async def crimes_street_endpoint(request: Request) -> Response:
    """GET with query parameters, or POST with form fields (long polygons), as police.uk allows."""
    if request.method == "OPTIONS":
        return Response(
            status_code=204, headers={**CORS, "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS"}
        )
    params = dict(request.query_params)
    if request.method == "POST":
        try:
            form = await request.form()
        except Exception:  # a body that is not a form
            return error_response(
                400, "POST the parameters as form fields (application/x-www-form-urlencoded)"
            )
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    category = request.path_params["category"]

    def run() -> list[dict[str, Any]]:
        with sessions(request) as session:
            return street_crimes(session, params, category)

    try:
        return ok(await run_in_threadpool(run))
    except ApiError as exc:
        return error_response(exc.status, exc.message, **exc.extra)


crimes_street = cached(crimes_street_endpoint)


@endpoint
def crimes_no_location(request: Request) -> list[dict[str, Any]]:
    params = request.query_params
    raw_category = (params.get("category") or "").strip()
    if not raw_category:
        raise ApiError(400, "category is required: all-crime or a slug from crime-categories")
    force = (params.get("force") or "").strip().lower()
    if not force:
        raise ApiError(400, "force is required, like metropolitan")
    month = parse_date(params.get("date"))
    category = parse_category(raw_category)
    if force not in FORCES:
        raise ApiError(404, f"There is no police force with the id {force[:40]}.")
    if force != MET:
        return []
    with sessions(request) as session:
        month = month or latest_month(session)
        if month is None:
            return []
        query = select(*COLUMNS).where(StreetCrime.month == month, StreetCrime.latitude.is_(None))
        if category:
            query = query.where(StreetCrime.category == category)
        return [
            crime_json(row, with_location=False) for row in session.execute(query.order_by(StreetCrime.id))
        ]


@endpoint
def crime_categories(request: Request) -> list[dict[str, str]]:
    parse_date(request.query_params.get("date"))  # police.uk's categories have not changed in our months
    return [{"url": ALL_CRIME, "name": "All crime"}] + [
        {"url": slug, "name": name} for name, slug in sorted(CATEGORIES.items())
    ]


@endpoint
def crimes_street_dates(request: Request) -> list[dict[str, Any]]:
    with sessions(request) as session:
        months = queries.imported_street_months(session)
    return [{"date": queries.month_key(m), "stop-and-search": []} for m in months]


@endpoint
def crime_last_updated(request: Request) -> dict[str, str | None]:
    with sessions(request) as session:
        month = latest_month(session)
    return {"date": month.isoformat() if month else None}


routes = [
    Route(
        "/crimes-street/{category}",
        crimes_street,
        name="crimes_street",
        methods=["GET", "HEAD", "POST", "OPTIONS"],
    ),
    Route("/crimes-no-location", crimes_no_location, name="crimes_no_location"),
    Route("/crime-categories", crime_categories, name="crime_categories"),
    Route("/crimes-street-dates", crimes_street_dates, name="crimes_street_dates"),
    Route("/crime-last-updated", crime_last_updated, name="crime_last_updated"),
]
