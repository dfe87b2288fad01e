"""The OpenAPI 3.1 document for the neighbourhood API (`portal/routes/api.py`), as Python data.

One list, `ENDPOINTS`, describes every method once; `document()` builds the OpenAPI document served at
/api/openapi.json from it, and `page_context()` the examples on the human page /api/.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from markupsafe import Markup, escape

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
POLICE_UK_DOCS = "https://data.police.uk/docs/"

# -- schemas, as police.uk documents them ------------------------------------------------------------


def _string(description: str, nullable: bool = False, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": ["string", "null"] if nullable else "string",
        "description": description,
    }
    schema.update(more)
    return schema


def _array(ref: str) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str] | None = None, **more: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    schema.update(more)
    return schema


COORDINATE = r"^-?\d+(\.\d+)?$"

SCHEMAS: dict[str, Any] = {
    "ForceReference": _object(
        {"id": _string("Unique force identifier"), "name": _string("Force name")},
        additionalProperties=False,
    ),
    "EngagementMethod": _object(
        {
            "url": _string("Where to find the force on this service; empty for a telephone number"),
            "description": _string("What the method is", nullable=True),
            "title": _string("The method's name, such as Facebook, Twitter, YouTube or telephone"),
        }
    ),
    "Force": _object(
        {
            "description": _string("Description of the force (HTML); null here: we hold none", nullable=True),
            "url": _string("The force's website"),
            "engagement_methods": _array("EngagementMethod"),
            "telephone": _string("The force's telephone number"),
            "id": _string("Unique force identifier"),
            "name": _string("Force name"),
        }
    ),
    "ContactDetails": {
        "type": "object",
        "description": "Ways to get in touch. As on police.uk, a key is left out when there is no value "
        "for it, so `{}` means none.",
        "properties": {
            "email": _string("Email address"),
            "telephone": _string("Telephone number"),
            "mobile": _string("Mobile number"),
            "fax": _string("Fax number"),
            "web": _string("Website address"),
            "address": _string("Postal address"),
            "facebook": _string("Facebook profile URL"),
            "twitter": _string("Twitter (X) profile URL"),
            "youtube": _string("YouTube profile URL"),
            "rss": _string("RSS feed URL"),
        },
        "additionalProperties": {"type": "string"},
    },
    "Officer": _object(
        {
            "name": _string("Name of the person"),
            "rank": _string("Rank, as police.uk gives it (Sgt, PC, PCSO, Insp)", nullable=True),
            "bio": _string("Biography (HTML, escaped from our plain text)", nullable=True),
            "contact_details": _ref("ContactDetails"),
        }
    ),
    "NeighbourhoodReference": _object(
        {
            "id": _string("Police force specific team identifier: here the ward's GSS code"),
            "name": _string("Name for the neighbourhood"),
        },
        additionalProperties=False,
    ),
    "Coordinate": _object(
        {
            "latitude": _string("Latitude, as a decimal string", pattern=COORDINATE),
            "longitude": _string("Longitude, as a decimal string", pattern=COORDINATE),
        },
        additionalProperties=False,
    ),
    "Link": _object(
        {
            "url": _string("URL"),
            "description": _string("Description of the link", nullable=True),
            "title": _string("Title of the link"),
        }
    ),
    "Location": _object(
        {
            "name": _string("Name of the location"),
            "longitude": _string("Longitude as a decimal string, or null", nullable=True),
            "postcode": _string("Postcode", nullable=True),
            "address": _string("Address", nullable=True),
            "latitude": _string("Latitude as a decimal string, or null", nullable=True),
            "type": _string("Type of location, such as station", nullable=True),
            "description": _string("Description", nullable=True),
        }
    ),
    "Neighbourhood": _object(
        {
            "url_force": _string("URL for the neighbourhood on the force's website (here, the force's site)"),
            "contact_details": _ref("ContactDetails"),
            "name": _string("Name for the neighbourhood"),
            "links": _array("Link"),
            "centre": _ref("Coordinate"),
            "locations": _array("Location"),
            "description": _string("Description of the neighbourhood (HTML)", nullable=True),
            "id": _string("Police force specific team identifier: the ward's GSS code"),
            "population": _string('Population of the neighbourhood, as a string; "0": not known here'),
        }
    ),
    "Event": _object(
        {
            "contact_details": _ref("ContactDetails"),
            "description": _string(
                "Description of the event (HTML): type, who will attend, access", nullable=True
            ),
            "title": _string("Title of the event"),
            "address": _string("Address of the event", nullable=True),
            "type": _string("Type of event: meeting, surgery, street briefing or mobile"),
            "start_date": _string(
                "Start, London local time without a zone, as police.uk gives it (YYYY-MM-DDTHH:MM:SS)",
                pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
            ),
            "end_date": _string(
                "End, London local time (YYYY-MM-DDTHH:MM:SS)",
                nullable=True,
                pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$",
            ),
        },
        required=["contact_details", "description", "title", "address", "type", "start_date"],
        additionalProperties=False,
    ),
    "Priority": _object(
        {
            "issue": _string("The issue, as agreed with residents (HTML)"),
            "issue-date": _string("When the priority was agreed (YYYY-MM-DDT00:00:00)"),
            "action": _string("The latest action taken, by whom (HTML); null when none yet", nullable=True),
            "action-date": _string("When the latest action was taken (YYYY-MM-DDT00:00:00)", nullable=True),
        },
        additionalProperties=False,
    ),
    "LocateResult": _object(
        {
            "force": _string("Force identifier"),
            "neighbourhood": _string("Neighbourhood identifier (the ward's GSS code)"),
        },
        additionalProperties=False,
    ),
    "Error": _object(
        {
            "status": {"type": "integer", "description": "The HTTP status code again"},
            "error": _string("Not found, Bad request or Method not allowed"),
            "message": _string("What was wrong, in plain English"),
            "force": _string("Only on locate-neighbourhood in the City of London: the force to ask instead"),
        },
        required=["status", "error", "message"],
    ),
}

# -- parameters and responses --------------------------------------------------------------------------

PARAMETERS: dict[str, Any] = {
    "force": {
        "name": "force",
        "in": "path",
        "required": True,
        "description": "Force identifier: `metropolitan` (or `city-of-london`, which has no "
        "neighbourhoods here).",
        "schema": {"type": "string"},
        "example": "metropolitan",
    },
    "id": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "Neighbourhood identifier: the ward's GSS code, in any letter case.",
        "schema": {"type": "string"},
        "example": "E05014058",
    },
    "q": {
        "name": "q",
        "in": "query",
        "required": True,
        "description": "`latitude,longitude` in WGS84 decimal degrees, such as `51.5851,0.138774`.",
        "schema": {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?$"},
        "example": "51.5851,0.138774",
    },
}

HEADERS = {
    "Access-Control-Allow-Origin": {"description": "Always `*`", "schema": {"type": "string"}},
    "Cache-Control": {"description": "`public, max-age=300`", "schema": {"type": "string"}},
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": HEADERS,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


NOT_FOUND_FORCE = _error("Unknown force")
NOT_FOUND_NEIGHBOURHOOD = _error(
    "Unknown force, or no such neighbourhood in the force (a City of London ward under metropolitan, too)"
)
MOVED = {
    "description": "An older (2018) ward id whose area lies mostly in one of today's wards: `Location` "
    "names the same endpoint for today's neighbourhood. When no ward holds most of it, the 404 body "
    "lists `successors`.",
    "headers": {"Location": {"schema": {"type": "string"}, "description": "the same path with today's id"}},
}
BAD_Q = _error("q is missing, is not two comma-separated numbers, or is out of range")
NOT_LOCATED = _error(
    "No neighbourhood here: outside London, or in the City of London (the body then carries "
    '`"force": "city-of-london"`)'
)

# -- the endpoints, with their examples -----------------------------------------------------------------

EXAMPLE_NEIGHBOURHOOD = {
    "url_force": "https://www.met.police.uk/",
    "contact_details": {"email": "chadwellheath.demo@example.org", "telephone": "101"},
    "name": "Chadwell Heath",
    "links": [
        {
            "url": "https://www.lbbd.gov.uk/",
            "description": None,
            "title": "Barking and Dagenham Council",
        }
    ],
    "centre": {"latitude": "51.585324", "longitude": "0.138909"},
    "locations": [
        {
            "name": "Example Police Station",
            "longitude": "0.1",
            "postcode": "RM6 5JU",
            "address": "1 Example Road, Romford",
            "latitude": "51.6",
            "type": "station",
            "description": None,
        }
    ],
    "description": "<p>Demo: we are your Safer Neighbourhood Team.</p>\n"
    "<p>Email us &amp; we reply within 24 hours.</p>",
    "id": "E05014058",
    "population": "0",
}

ENDPOINTS: list[dict[str, Any]] = [
    {
        "path": "/forces",
        "name": "forces",
        "summary": "List of forces",
        "description": "Every force this API knows: the Metropolitan Police Service and the City of "
        "London Police.",
        "parameters": [],
        "schema": _array("ForceReference"),
        "example_path": "/forces",
        "example": [
            {"id": "city-of-london", "name": "City of London Police"},
            {"id": "metropolitan", "name": "Metropolitan Police Service"},
        ],
        "errors": {},
    },
    {
        "path": "/forces/{force}",
        "name": "force",
        "summary": "Specific force",
        "description": "The force's website, telephone number and engagement methods.",
        "parameters": ["force"],
        "schema": _ref("Force"),
        "example_path": "/forces/metropolitan",
        "example": {
            "description": None,
            "url": "https://www.met.police.uk/",
            "engagement_methods": [
                {
                    "url": "https://www.facebook.com/metpoliceuk",
                    "description": "The Metropolitan Police Service on Facebook",
                    "title": "Facebook",
                },
                {"url": "", "description": "101", "title": "telephone"},
            ],
            "telephone": "101",
            "id": "metropolitan",
            "name": "Metropolitan Police Service",
        },
        "errors": {"404": NOT_FOUND_FORCE},
    },
    {
        "path": "/forces/{force}/people",
        "name": "force_people",
        "summary": "Senior officers",
        "description": "The force's senior officers. We hold none, so this is always an empty list.",
        "parameters": ["force"],
        "schema": _array("Officer"),
        "example_path": "/forces/metropolitan/people",
        "example": [],
        "errors": {"404": NOT_FOUND_FORCE},
    },
    {
        "path": "/{force}/neighbourhoods",
        "name": "neighbourhoods",
        "summary": "List of neighbourhoods for a force",
        "description": "Every Safer Neighbourhood Team of the force, sorted by name (names repeat across "
        "boroughs: the id is unique). `city-of-london` has none here.",
        "parameters": ["force"],
        "schema": _array("NeighbourhoodReference"),
        "example_path": "/metropolitan/neighbourhoods",
        "example": [
            {"id": "E05013810", "name": "Abbey"},
            {"id": "E05014053", "name": "Abbey"},
            {"id": "E05013792", "name": "Abbey Road"},
        ],
        "errors": {"404": NOT_FOUND_FORCE},
    },
    {
        "path": "/{force}/{id}",
        "name": "neighbourhood",
        "summary": "Specific neighbourhood",
        "description": "The team's contact details, links, centre, locations and description (HTML). "
        'Contact keys without a value are left out; coordinates are strings; population is "0" '
        "(not known here).",
        "parameters": ["force", "id"],
        "schema": _ref("Neighbourhood"),
        "example_path": "/metropolitan/E05014058",
        "example": EXAMPLE_NEIGHBOURHOOD,
        "errors": {"301": MOVED, "404": NOT_FOUND_NEIGHBOURHOOD},
    },
    {
        "path": "/{force}/{id}/boundary",
        "name": "boundary",
        "summary": "Neighbourhood boundary",
        "description": "The outer ring of the ward's boundary (simplified to about 15 m), first point "
        "repeated last; for a ward in several parts, the largest part's.",
        "parameters": ["force", "id"],
        "schema": _array("Coordinate"),
        "example_path": "/metropolitan/E05014058/boundary",
        "example": [
            {"latitude": "51.59677", "longitude": "0.14813"},
            {"latitude": "51.59635", "longitude": "0.14804"},
            {"latitude": "51.59701", "longitude": "0.14985"},
            {"latitude": "51.59677", "longitude": "0.14813"},
        ],
        "errors": {"301": MOVED, "404": NOT_FOUND_NEIGHBOURHOOD},
    },
    {
        "path": "/{force}/{id}/people",
        "name": "people",
        "summary": "Neighbourhood team",
        "description": "The members of the team, in order. `bio` is HTML escaped from our plain text; "
        "`contact_details` is `{}` (the team's own contacts are on the neighbourhood). Members made up by "
        "the demo loader are demonstration content.",
        "parameters": ["force", "id"],
        "schema": _array("Officer"),
        "example_path": "/metropolitan/E05014058/people",
        "example": [
            {
                "name": "Sam Example",
                "rank": "Sgt",
                "bio": "<p>Demo: leads the team.</p>",
                "contact_details": {},
            },
            {"name": "Alex Example", "rank": "PCSO", "bio": None, "contact_details": {}},
        ],
        "errors": {"301": MOVED, "404": NOT_FOUND_NEIGHBOURHOOD},
    },
    {
        "path": "/{force}/{id}/events",
        "name": "events",
        "summary": "Neighbourhood events",
        "description": "Upcoming public meetings, ward panels and surgeries, soonest first; cancelled "
        "meetings are left out (they stay on the team's pages and calendar, marked cancelled). Times are "
        "London local time without a zone, as police.uk gives them.",
        "parameters": ["force", "id"],
        "schema": _array("Event"),
        "example_path": "/metropolitan/E05014058/events",
        "example": [
            {
                "contact_details": {
                    "email": "ChadwellHeath.snt@met.police.uk",
                    "telephone": "020 8721 2902",
                    "mobile": "07884 117276",
                },
                "description": "<p>Ward panel<br/>Who will attend: PC Hall, ward councillors<br/>"
                "Access: step-free access, hearing loop</p>",
                "title": "Chadwell Heath ward panel",
                "address": "Library, Aikman Avenue, RM6 4AB",
                "type": "meeting",
                "start_date": "2026-03-03T19:00:00",
                "end_date": "2026-03-03T20:30:00",
            }
        ],
        "errors": {"301": MOVED, "404": NOT_FOUND_NEIGHBOURHOOD},
    },
    {
        "path": "/{force}/{id}/priorities",
        "name": "priorities",
        "summary": "Neighbourhood priorities",
        "description": "The team's current priorities (open or in progress), latest agreed first, each "
        "with its latest action. Past priorities and the full action log are on the team's pages.",
        "parameters": ["force", "id"],
        "schema": _array("Priority"),
        "example_path": "/metropolitan/E05014058/priorities",
        "example": [
            {
                "action": "<p>Sutton Council: Speed signs put up<br/>Result: average speed down 4 mph</p>",
                "issue-date": "2026-01-14T00:00:00",
                "action-date": "2026-02-20T00:00:00",
                "issue": "<p>Speeding on Stafford Road</p>\n<p>Cars speed past the school at home time.</p>",
            },
            {
                "action": None,
                "issue-date": "2025-11-02T00:00:00",
                "action-date": None,
                "issue": "<p>Drug dealing in Beddington Park</p>",
            },
        ],
        "errors": {"301": MOVED, "404": NOT_FOUND_NEIGHBOURHOOD},
    },
    {
        "path": "/locate-neighbourhood",
        "name": "locate_neighbourhood",
        "summary": "Locate a neighbourhood",
        "description": "The force and neighbourhood team responsible for a point. Outside London: 404. "
        "In the City of London: 404 whose body names `city-of-london` (we hold no City neighbourhoods).",
        "parameters": ["q"],
        "schema": _ref("LocateResult"),
        "example_path": "/locate-neighbourhood?q=51.5851,0.138774",
        "example": {"force": "metropolitan", "neighbourhood": "E05014058"},
        "errors": {"400": BAD_Q, "404": NOT_LOCATED},
    },
]

ERROR_EXAMPLES = [
    (
        "/metropolitan/E05999999",
        404,
        {
            "status": 404,
            "error": "Not found",
            "message": "There is no neighbourhood E05999999 in the force metropolitan.",
        },
    ),
    (
        "/locate-neighbourhood?q=north",
        400,
        {
            "status": 400,
            "error": "Bad request",
            "message": "q must be a latitude and a longitude separated by a comma, like 51.5851,0.138774",
        },
    ),
]

DESCRIPTION = f"""\
The Metropolitan Police's Safer Neighbourhood Teams in the shape of the data.police.uk neighbourhood API
({POLICE_UK_DOCS}): the same paths, field names, types and status codes, so a client written for
data.police.uk works by changing its base URL alone.

Differences from data.police.uk: neighbourhood ids are ward GSS codes (E05…), case-insensitive; only
`metropolitan` has neighbourhoods (`city-of-london` is listed, with none); `population` is "0";
`forces/{{force}}/people` is an empty list; `events` are upcoming meetings only, in London local time;
`priorities` are current ones, each with its latest action; errors are JSON `{{"status", "error",
"message"}}`; a point in the City of London gives 404 from `locate-neighbourhood`, naming the force.

Boundaries: ONS Wards (December 2024), Open Government Licence v3.0. Team members, contacts and
descriptions made by the demo loader are demonstration content, not real officers.
"""


def _operation(endpoint: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": endpoint["summary"],
            "headers": HEADERS,
            "content": {"application/json": {"schema": endpoint["schema"], "example": endpoint["example"]}},
        },
        **endpoint["errors"],
    }
    return {
        "operationId": endpoint["name"],
        "summary": endpoint["summary"],
        "description": endpoint["description"],
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in endpoint["parameters"]],
        "responses": responses,
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh copy each time)."""
    from portal import api_openapi_crime as crime

    paths: dict[str, Any] = {
        endpoint["path"]: {"get": _operation(endpoint)} for endpoint in [*ENDPOINTS, *crime.ENDPOINTS]
    }
    paths["/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {
                "200": {
                    "description": "The OpenAPI 3.1 document",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Neighbourhood Pledge Portal: neighbourhood API",
                "version": "1.0.0",
                "summary": "A data.police.uk-compatible API for London's Safer Neighbourhood Teams",
                "description": DESCRIPTION,
                "license": {"name": "Open Government Licence v3.0", "url": OGL},
            },
            "externalDocs": {"description": "data.police.uk API documentation", "url": POLICE_UK_DOCS},
            "servers": [{"url": "/api", "description": "This portal"}],
            "paths": paths,
            "components": {
                "schemas": {**SCHEMAS, **crime.SCHEMAS},
                "parameters": {**PARAMETERS, **crime.PARAMETERS},
            },
        }
    )


def code_markup(text: str) -> Markup:
    """CommonMark `code` spans → <code>, everything else escaped."""
    parts = text.split("`")
    return Markup("").join(
        escape(part) if i % 2 == 0 else Markup("<code>{}</code>").format(part) for i, part in enumerate(parts)
    )


def _crime_endpoints() -> list[dict[str, Any]]:
    from portal import api_openapi_crime

    return api_openapi_crime.ENDPOINTS


def page_context() -> dict[str, Any]:
    """The examples for the human page /api/, from the same list."""
    return {
        "endpoints": [
            {
                "name": e["name"],
                "path": e["path"],
                "summary": e["summary"],
                "description": code_markup(e["description"]),
                "example_path": e["example_path"],
                "example": json.dumps(e["example"], indent=2, ensure_ascii=False),
                "statuses": ["200", *e["errors"]],
            }
            for e in [*ENDPOINTS, *_crime_endpoints()]
        ]
        + [pledge_page_entry()],
        "errors": [
            {"path": path, "status": status, "example": json.dumps(body, indent=2, ensure_ascii=False)}
            for path, status, body in ERROR_EXAMPLES
        ],
        "licence_url": OGL,
        "police_uk_docs": POLICE_UK_DOCS,
    }


# -- the Pledge explanation API (`portal/routes/pledge.py`), a document of its own ----------------------
# Not part of `document()`: that one describes the data.police.uk-compatible, read-only API (GET only,
# anything else a 405); this API also takes authenticated writes. Served at /api/pledge/openapi.json.

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
EXAMPLE_EXPLANATION = {
    "indicator": "P7-MEETING-MONTHLY",
    "area": "E05014058",
    "month": "2026-09",
    "reason": "The ward panel was cancelled when the library hall flooded, and no other venue was free.",
    "action": "The October panel was booked at the community centre, with a second date held in reserve.",
    "recorded_by": "Sgt Sam Example, Chadwell Heath Safer Neighbourhood Team",
    "recorded_at": "2026-10-04T09:15:00Z",
    "demo": False,
}
PLEDGE_SCHEMAS: dict[str, Any] = {
    "ExplanationInput": _object(
        {
            "indicator": _string("The indicator's code, as in the catalogue at /pledge/indicators"),
            "area": _string(
                "The area: `metropolitan` (London), a borough (E09…), a team's ward (E05…) or a survey "
                "neighbourhood (such as KG-KB); it must be a level the indicator is measured for"
            ),
            "month": _string(
                "The month whose figure missed its target (YYYY-MM), not in the future", pattern=MONTH
            ),
            "reason": _string("Why the target was missed, in plain English (up to 4,000 characters)"),
            "action": _string("What is being done to improve (up to 4,000 characters)"),
            "recorded_by": _string("Who is recording it: a name and role, shown on the page (up to 120)"),
        },
        additionalProperties=True,
    ),
    "Explanation": _object(
        {
            "indicator": _string("The indicator's code"),
            "area": _string("The area's code"),
            "month": _string("The month explained (YYYY-MM)", pattern=MONTH),
            "reason": _string("Why the target was missed"),
            "action": _string("What is being done to improve"),
            "recorded_by": _string("Who recorded it"),
            "recorded_at": _string("When it was last recorded (UTC, ISO 8601)"),
            "demo": {
                "type": "boolean",
                "description": "True for demonstration content made by the demo loader",
            },
        },
        required=["indicator", "area", "month", "reason", "action", "recorded_by", "recorded_at", "demo"],
    ),
    "ExplanationListed": {
        "allOf": [
            _ref("Explanation"),
            _object({"indicator_name": _string("The indicator's name")}),
        ]
    },
    "ExplanationRecorded": {
        "allOf": [
            _ref("Explanation"),
            _object({"page": _string("The indicator page where the explanation now shows", nullable=True)}),
        ]
    },
    "Error": SCHEMAS["Error"],
    "ValidationError": _object(
        {
            "status": {"type": "integer", "description": "422"},
            "error": _string("Unprocessable content"),
            "message": _string("Every problem, in one sentence"),
            "problems": {
                "type": "object",
                "description": "What was wrong, by field: indicator, area, month, reason, action or "
                "recorded_by",
                "additionalProperties": {"type": "string"},
            },
        }
    ),
}
PLEDGE_PARAMETERS: dict[str, Any] = {
    "area": {
        "name": "area",
        "in": "query",
        "required": True,
        "description": "The area: `metropolitan`, a borough (E09…), a team's ward (E05…) or a survey "
        "neighbourhood code, in any letter case.",
        "schema": {"type": "string"},
        "example": "E05014058",
    }
}


def _json(schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    return {"description": description, "content": {"application/json": content}}


PLEDGE_SUMMARY = "Pledge explanations"
PLEDGE_DESCRIPTION = (
    "Why a Pledge target was missed, and what is being done about it: every explanation recorded for an "
    "area, newest month first (public). Staff record one with `PUT` to the same path, with a JSON body "
    "(`indicator`, `area`, `month` as YYYY-MM, `reason`, `action`, `recorded_by`) and "
    "`Authorization: Bearer <STAFF_API_TOKEN>`: 201 when new, 200 when it replaces the one for that "
    "indicator, area and month, 422 with `problems` by field, 401 without the right token, 403 when the "
    "site has no token set (the API is off). The scorecard pages show it at once. Described in "
    "`/api/pledge/openapi.json`."
)


def pledge_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the explanation API (a fresh copy each time)."""
    get = {
        "operationId": "list_pledge_explanations",
        "summary": PLEDGE_SUMMARY,
        "description": "Every explanation recorded for an area, newest month first. Public.",
        "parameters": [{"$ref": "#/components/parameters/area"}],
        "responses": {
            "200": {
                **_json(
                    _array("ExplanationListed"),
                    "The area's explanations",
                    [{**EXAMPLE_EXPLANATION, "indicator_name": "Public meeting held each month"}],
                ),
                "headers": HEADERS,
            },
            "400": _json(_ref("Error"), "area is missing"),
            "404": _json(_ref("Error"), "No force, borough, team or survey neighbourhood has that code"),
        },
    }
    put = {
        "operationId": "record_pledge_explanation",
        "summary": "Record why a target was missed",
        "description": "Records (or replaces) the explanation for one indicator, area and month. Staff "
        "only: send the site's STAFF_API_TOKEN as a bearer token. The pages showing that figure refresh "
        "at once.",
        "security": [{"staffToken": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _ref("ExplanationInput"),
                    "example": {
                        k: v for k, v in EXAMPLE_EXPLANATION.items() if k not in {"recorded_at", "demo"}
                    },
                }
            },
        },
        "responses": {
            "201": _json(_ref("ExplanationRecorded"), "Recorded: there was none for that month before"),
            "200": _json(_ref("ExplanationRecorded"), "Replaced the one recorded before"),
            "400": _json(_ref("Error"), "The body is not a JSON object"),
            "401": {
                **_json(_ref("Error"), "No bearer token, or the wrong one"),
                "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
            },
            "403": _json(_ref("Error"), "The API is switched off: the site has no STAFF_API_TOKEN"),
            "422": _json(_ref("ValidationError"), "Not recorded: `problems` says what to correct, by field"),
        },
    }
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Neighbourhood Pledge Portal: Pledge explanation API",
                "version": "1.0.0",
                "summary": "Why a Policing Pledge target was missed, and what is being done about it",
                "description": "The Pledge's closing promise is “if we fail to meet our Pledge we will "
                "always explain why”. Staff record each explanation here; the scorecards at /pledge show "
                "it beside the figure.",
                "license": {"name": "Open Government Licence v3.0", "url": OGL},
            },
            "servers": [{"url": "/api", "description": "This portal"}],
            "paths": {
                "/pledge/explanations": {"get": get, "put": put},
                "/pledge/openapi.json": {
                    "get": {
                        "operationId": "pledge_openapi",
                        "summary": "This document",
                        "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document")},
                    }
                },
            },
            "components": {
                "schemas": PLEDGE_SCHEMAS,
                "parameters": PLEDGE_PARAMETERS,
                "securitySchemes": {
                    "staffToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "The site's STAFF_API_TOKEN setting",
                    }
                },
            },
        }
    )


def pledge_page_entry() -> dict[str, Any]:
    """The explanation API's entry on the human page /api/, in the shape of `page_context`'s."""
    return {
        "name": "pledge_explanations",
        "path": "/pledge/explanations",
        "summary": PLEDGE_SUMMARY,
        "description": code_markup(PLEDGE_DESCRIPTION),
        "example_path": "/pledge/explanations?area=E05014058",
        "example": json.dumps(
            [{**EXAMPLE_EXPLANATION, "indicator_name": "Public meeting held each month"}],
            indent=2,
            ensure_ascii=False,
        ),
        "statuses": ["200", "400", "404"],
    }
