"""OpenAPI entries for the crime API (`portal/routes/api_crime.py`). Same shapes as `portal.api_openapi`:
`ENDPOINTS` (dicts with path, name, summary, description, parameters, schema, example, errors), plus the
`SCHEMAS` and `PARAMETERS` they refer to; `portal.api_openapi.document()` merges them in.

Every query parameter has an `example` that answers 200 (a point in Barking and Dagenham, January 2023)."""

from typing import Any

from portal.api_openapi import _error, _object, _ref, _string

COORDINATE = r"^-?\d+(\.\d+)?$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"

SCHEMAS: dict[str, Any] = {
    "Street": _object(
        {
            "id": {
                "type": "integer",
                "description": "Street identifier (here derived from the street's name)",
            },
            "name": _string('Approximate location, such as "On or near Ripple Road"'),
        }
    ),
    "CrimeLocation": _object(
        {
            "latitude": _string("Latitude, as a decimal string", pattern=COORDINATE),
            "street": _ref("Street"),
            "longitude": _string("Longitude, as a decimal string", pattern=COORDINATE),
        }
    ),
    "OutcomeStatus": _object(
        {
            "category": _string("The last outcome category, as published"),
            "date": _string("Month of the data the outcome was published with (YYYY-MM)", pattern=MONTH),
        }
    ),
    "Crime": _object(
        {
            "category": _string("Category slug, such as burglary (see crime-categories)"),
            "location_type": _string("Force (police.uk also has BTP, which we do not hold)"),
            "location": {
                "oneOf": [_ref("CrimeLocation"), {"type": "null"}],
                "type": ["object", "null"],
                "description": "Approximate location; null for crimes with no location",
            },
            "context": _string("Extra information, usually empty"),
            "outcome_status": {
                "oneOf": [_ref("OutcomeStatus"), {"type": "null"}],
                "type": ["object", "null"],
                "description": "The last outcome; null when none is recorded (anti-social behaviour)",
            },
            "persistent_id": _string("police.uk's 64-character crime id; empty for anti-social behaviour"),
            "id": {"type": "integer", "description": "Identifier of this row here"},
            "location_subtype": _string("Always empty here"),
            "month": _string("Month of the crime (YYYY-MM)", pattern=MONTH),
        }
    ),
    "CrimeCategory": _object(
        {"url": _string("Category slug, used in crimes-street/{category}"), "name": _string("Category name")},
        additionalProperties=False,
    ),
    "StreetLevelAvailability": _object(
        {
            "date": _string("A month with street-level crime (YYYY-MM)", pattern=MONTH),
            "stop-and-search": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Forces with stop and search data that month: none here",
            },
        }
    ),
    "LastUpdated": _object(
        {
            "date": _string(
                "The first day of the latest month of street-level crime (YYYY-MM-DD)", nullable=True
            )
        }
    ),
}

PARAMETERS: dict[str, Any] = {
    "category": {
        "name": "category",
        "in": "path",
        "required": True,
        "description": "`all-crime`, or a category slug from crime-categories, such as `burglary`.",
        "schema": {"type": "string"},
        "example": "all-crime",
    },
    "lat": {
        "name": "lat",
        "in": "query",
        "required": False,
        "description": "Latitude of the point (WGS84): crimes within one mile of it. "
        "Give lat and lng, or poly.",
        "schema": {"type": "string", "pattern": COORDINATE},
        "example": "51.5392",
    },
    "lng": {
        "name": "lng",
        "in": "query",
        "required": False,
        "description": "Longitude of the point (WGS84).",
        "schema": {"type": "string", "pattern": COORDINATE},
        "example": "0.0813",
    },
    "poly": {
        "name": "poly",
        "in": "query",
        "required": False,
        "description": "An area instead of a point: `lat,lng:lat,lng:lat,lng…` "
        "(at least three points, closed for you). When given, lat and lng are ignored. "
        "For long polygons, POST the same fields as a form.",
        "schema": {"type": "string"},
        "example": "51.545,0.07:51.545,0.095:51.532,0.095:51.532,0.07",
    },
    "date": {
        "name": "date",
        "in": "query",
        "required": False,
        "description": "Month, `YYYY-MM`; the latest month loaded when left out.",
        "schema": {"type": "string", "pattern": MONTH},
        "example": "2023-01",
    },
    "crime_category": {
        "name": "category",
        "in": "query",
        "required": True,
        "description": "`all-crime`, or a category slug from crime-categories.",
        "schema": {"type": "string"},
        "example": "all-crime",
    },
    "crime_force": {
        "name": "force",
        "in": "query",
        "required": True,
        "description": "Force identifier: `metropolitan` (`city-of-london` answers an empty list).",
        "schema": {"type": "string"},
        "example": "metropolitan",
    },
}

BAD_STREET = _error(
    "lat/lng (or poly) missing or malformed, or date not YYYY-MM. Also: 404 for an unknown category, and "
    "503 when the area holds more than 10,000 crimes, as on police.uk"
)
BAD_NO_LOCATION = _error(
    "category or force missing, or date not YYYY-MM. Also: 404 for an unknown force or category"
)

EXAMPLE_CRIME = {
    "category": "burglary",
    "location_type": "Force",
    "location": {
        "latitude": "51.539216",
        "street": {"id": 1864069273, "name": "On or near Ripple Road"},
        "longitude": "0.081305",
    },
    "context": "",
    "outcome_status": {"category": "Investigation complete; no suspect identified", "date": "2023-01"},
    "persistent_id": "5b1f4f3c7e3a0b0c51b0a9d3f1f7b7d5a1e2c3d4b5a6978899aabbccddeeff00",
    "id": 1021,
    "location_subtype": "",
    "month": "2023-01",
}

ENDPOINTS: list[dict[str, Any]] = [
    {
        "path": "/crimes-street/{category}",
        "name": "crimes_street",
        "summary": "Street-level crimes",
        "description": "Crimes of a category in a month, within one mile of a point (`lat`, `lng`) "
        "or inside a custom area (`poly`; POST it as form fields when long). "
        "Street-level data is loaded for the months "
        "crimes-street-dates lists (Barking and Dagenham, January 2023). An unknown category is a 404; an "
        "area with more than 10,000 crimes is a 503, as on police.uk.",
        "parameters": ["category", "lat", "lng", "poly", "date"],
        "schema": {"type": "array", "items": _ref("Crime")},
        "example_path": "/crimes-street/all-crime?lat=51.5392&lng=0.0813&date=2023-01",
        "example": [EXAMPLE_CRIME],
        "errors": {"400": BAD_STREET},
    },
    {
        "path": "/crimes-no-location",
        "name": "crimes_no_location",
        "summary": "Crimes with no location",
        "description": "Crimes the force recorded in a month that could not be given a location. `category` "
        "and `force` are required; an unknown force or category is a 404.",
        "parameters": ["crime_category", "crime_force", "date"],
        "schema": {"type": "array", "items": _ref("Crime")},
        "example_path": "/crimes-no-location?category=all-crime&force=metropolitan&date=2023-01",
        "example": [{**EXAMPLE_CRIME, "location": None}],
        "errors": {"400": BAD_NO_LOCATION},
    },
    {
        "path": "/crime-categories",
        "name": "crime_categories",
        "summary": "Crime categories",
        "description": "Every category slug and name, `all-crime` first. "
        "A `date` not in `YYYY-MM` form is a 400.",
        "parameters": ["date"],
        "schema": {"type": "array", "items": _ref("CrimeCategory")},
        "example_path": "/crime-categories?date=2023-01",
        "example": [
            {"url": "all-crime", "name": "All crime"},
            {"url": "anti-social-behaviour", "name": "Anti-social behaviour"},
            {"url": "bicycle-theft", "name": "Bicycle theft"},
        ],
        "errors": {},
    },
    {
        "path": "/crimes-street-dates",
        "name": "crimes_street_dates",
        "summary": "Street-level availability",
        "description": "The months with street-level crime, newest first.",
        "parameters": [],
        "schema": {"type": "array", "items": _ref("StreetLevelAvailability")},
        "example_path": "/crimes-street-dates",
        "example": [{"date": "2023-01", "stop-and-search": []}],
        "errors": {},
    },
    {
        "path": "/crime-last-updated",
        "name": "crime_last_updated",
        "summary": "Crime data last updated",
        "description": "The latest month of street-level crime, as its first day (null when none is loaded).",
        "parameters": [],
        "schema": _ref("LastUpdated"),
        "example_path": "/crime-last-updated",
        "example": {"date": "2023-01-01"},
        "errors": {},
    },
]
