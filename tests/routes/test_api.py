"""The data.police.uk-compatible neighbourhood API under /api/: shapes, types, errors, headers, OpenAPI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from shapely.geometry import MultiPolygon, box, mapping
from sqlalchemy import delete, event, select
from starlette.routing import Route
from starlette.testclient import TestClient

from portal import api_openapi
from portal.app import create_app
from portal.importers.boundaries import import_boundaries
from portal.models import Team, TeamLink, TeamLocation, TeamMember, record_change
from portal.routes import api, api_crime
from tests.factories import WARDS, ward_feature, write_geojson

CHADWELL_HEATH = "E05014058"
CITY_WARD = "E05009288"
IN_CHADWELL_HEATH = "51.5851,0.138774"
IN_THE_CITY = "51.5155,-0.0922"  # Guildhall
IN_MANCHESTER = "53.4808,-2.2426"
COORDINATE = re.compile(r"^-?\d+(\.\d+)?$")

# police.uk's documented shapes (api_documentation_examples), written inline: key → allowed types
NEIGHBOURHOOD_KEYS = {
    "url_force": (str,),
    "contact_details": (dict,),
    "name": (str,),
    "links": (list,),
    "centre": (dict,),
    "locations": (list,),
    "description": (str, type(None)),
    "id": (str,),
    "population": (str,),
}
LOCATION_KEYS = {"name", "longitude", "postcode", "address", "latitude", "type", "description"}
OFFICER_KEYS = {"name", "rank", "bio", "contact_details"}
FORCE_KEYS = {"description", "url", "engagement_methods", "telephone", "id", "name"}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["status"] == status and isinstance(body["message"], str) and body["error"]
    return body


def assert_coordinate(point: dict) -> None:
    assert set(point) == {"latitude", "longitude"}
    assert all(isinstance(v, str) and COORDINATE.match(v) for v in point.values()), point


# -- forces ------------------------------------------------------------------------------------------


def test_forces(client):
    response = client.get("/api/forces")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == [
        {"id": "city-of-london", "name": "City of London Police"},
        {"id": "metropolitan", "name": "Metropolitan Police Service"},
    ]


@pytest.mark.parametrize(
    ("force", "name", "url"),
    [
        ("metropolitan", "Metropolitan Police Service", "https://www.met.police.uk/"),
        ("city-of-london", "City of London Police", "https://www.cityoflondon.police.uk/"),
    ],
)
def test_force(client, force, name, url):
    data = client.get(f"/api/forces/{force}").json()
    assert set(data) == FORCE_KEYS
    assert (data["id"], data["name"], data["url"], data["telephone"]) == (force, name, url, "101")
    assert data["description"] is None
    assert data["engagement_methods"]
    for method in data["engagement_methods"]:
        assert set(method) == {"url", "description", "title"}
        assert all(isinstance(v, str) for v in method.values())
    assert {"url": "", "description": "101", "title": "telephone"} in data["engagement_methods"]


def test_force_people_is_an_empty_list(client):
    response = client.get("/api/forces/metropolitan/people")
    assert response.status_code == 200 and response.json() == []
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("path", ["/api/forces/nope", "/api/forces/nope/people", "/api/forces/%3Cb%3E"])
def test_unknown_force_is_404(client, path):
    error_of(client.get(path), 404)


# -- neighbourhoods -------------------------------------------------------------------------------------


def test_met_neighbourhoods_are_every_team_sorted_by_name(client, loaded_db):
    data = client.get("/api/metropolitan/neighbourhoods").json()
    with loaded_db.sessions() as session:
        teams = {(i, n) for i, n in session.execute(select(Team.id, Team.name))}
    assert {(n["id"], n["name"]) for n in data} == teams and len(data) == len(teams) == 679
    assert all(set(n) == {"id", "name"} and isinstance(n["name"], str) for n in data)
    assert [(n["name"], n["id"]) for n in data] == sorted((n["name"], n["id"]) for n in data)
    assert {"id": CHADWELL_HEATH, "name": "Chadwell Heath"} in data
    assert not any(n["id"] == CITY_WARD for n in data)


def test_city_of_london_has_no_neighbourhoods_here(client):
    response = client.get("/api/city-of-london/neighbourhoods")
    assert response.status_code == 200 and response.json() == []


def test_unknown_force_neighbourhoods_is_404(client):
    error_of(client.get("/api/nope/neighbourhoods"), 404)


def test_neighbourhood_shape_and_types(client):
    response = client.get(f"/api/metropolitan/{CHADWELL_HEATH}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert set(data) == set(NEIGHBOURHOOD_KEYS)
    for key, types in NEIGHBOURHOOD_KEYS.items():
        assert isinstance(data[key], types), key
    assert (data["id"], data["name"], data["population"]) == (CHADWELL_HEATH, "Chadwell Heath", "0")
    assert data["url_force"] == "https://www.met.police.uk/"
    assert_coordinate(data["centre"])
    assert (
        51.57 < float(data["centre"]["latitude"]) < 51.60 and 0.12 < float(data["centre"]["longitude"]) < 0.16
    )
    assert all(isinstance(v, str) and v for v in data["contact_details"].values())
    for link in data["links"]:
        assert set(link) == {"url", "description", "title"}
    for location in data["locations"]:
        assert set(location) == LOCATION_KEYS


def test_neighbourhood_ids_are_case_insensitive(client):
    for team_id in ["e05014058", "E05014058", "e05014058 "]:
        response = client.get(f"/api/metropolitan/{team_id}")
        assert response.status_code == 200 and response.json()["id"] == CHADWELL_HEATH
    assert client.get("/api/Metropolitan/e05014058/people").status_code == 200


SUBRESOURCES = ["", "/people", "/boundary", "/events", "/priorities"]


@pytest.mark.parametrize("suffix", SUBRESOURCES)
@pytest.mark.parametrize(
    "prefix",
    [
        "nope/E05014058",  # unknown force
        "metropolitan/E05999999",  # unknown neighbourhood
        f"metropolitan/{CITY_WARD}",  # a City of London ward is not a Met neighbourhood
        f"city-of-london/{CITY_WARD}",  # and we hold no City neighbourhoods
        f"city-of-london/{CHADWELL_HEATH}",  # a Met team under the wrong force
        "metropolitan/%3Cscript%3E",
        "metropolitan/" + "E" * 60,
        "metropolitan/E05014058%00",
    ],
)
def test_unknown_neighbourhood_is_404(client, prefix, suffix):
    body = error_of(client.get(f"/api/{prefix}{suffix}"), 404)
    assert "<script>" not in json.dumps(body)


def test_people_shape(client):
    response = client.get(f"/api/metropolitan/{CHADWELL_HEATH}/people")
    assert response.status_code == 200
    for person in response.json():  # empty until load-demo runs; shapes are checked with our own rows below
        assert set(person) == OFFICER_KEYS and isinstance(person["name"], str)
        assert person["contact_details"] == {}


def test_boundary_is_the_outer_ring_as_strings(client):
    points = client.get(f"/api/metropolitan/{CHADWELL_HEATH}/boundary").json()
    assert len(points) > 10 and points[0] == points[-1]
    for point in points:
        assert_coordinate(point)
        assert 51.5 < float(point["latitude"]) < 51.7 and 0.0 < float(point["longitude"]) < 0.3


EVENT_KEYS = {"contact_details", "description", "title", "address", "type", "start_date", "end_date"}
PRIORITY_KEYS = {"action", "issue-date", "action-date", "issue"}
LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


@pytest.mark.parametrize("what", ["events", "priorities"])
def test_events_and_priorities_are_lists_in_police_uk_shapes(client, what):
    response = client.get(f"/api/metropolitan/{CHADWELL_HEATH}/{what}")
    assert response.status_code == 200 and isinstance(response.json(), list)
    assert response.headers["content-type"] == "application/json"
    for item in response.json():  # empty until the demo meetings land; exact answers in the tiny world
        assert set(item) == (EVENT_KEYS if what == "events" else PRIORITY_KEYS)


def test_events_and_priorities_with_our_rows(tiny):
    from tests.routes.test_engagement import add_engagement

    client, db = tiny
    with db.sessions.begin() as session:
        team = session.get(Team, "E05900001")
        team.email, team.telephone = "alpha.snt@example.org", "020 7946 0001"
        ids = add_engagement(session, "E05900001")
        record_change(session, "test: engagement rows")
    events = client.get("/api/metropolitan/E05900001/events").json()
    assert len(events) == 4  # five upcoming, one of them cancelled
    for item in events:
        assert set(item) == EVENT_KEYS and item["type"] == "meeting"
        assert LOCAL_TIME.match(item["start_date"]) and LOCAL_TIME.match(item["end_date"])
        assert item["start_date"].endswith("T19:00:00") and item["end_date"].endswith("T20:30:00")
        assert item["contact_details"] == {"email": "alpha.snt@example.org", "telephone": "020 7946 0001"}
        assert item["address"] == "St Mary's Hall, 1 Church Road, Wallington, SM6 0AA"
        assert item["description"].startswith("<p>Public meeting<br/>Who will attend: PC Hall")
    assert [e["title"] for e in events] == [m.title for m in ids["upcoming"] if m.status != "cancelled"]

    priorities = client.get("/api/metropolitan/E05900001/priorities").json()
    assert len(priorities) == 2
    speeding, drugs = priorities
    assert set(speeding) == PRIORITY_KEYS
    assert (
        speeding["issue"]
        == "<p>Speeding on Stafford Road</p>\n<p>Cars speed past the school at home time.</p>"
    )
    assert (
        speeding["action"]
        == "<p>Sutton Council: Speed signs put up</p>\n<p>Result: Average speed down 4 mph</p>"
    )
    assert speeding["issue-date"].endswith("T00:00:00") and speeding["action-date"].endswith("T00:00:00")
    assert drugs["action"] is None and drugs["action-date"] is None
    assert drugs["issue"] == "<p>Drug dealing in Beddington Park</p>"


# -- locate-neighbourhood ---------------------------------------------------------------------------------


def test_locate_neighbourhood(client):
    response = client.get("/api/locate-neighbourhood", params={"q": IN_CHADWELL_HEATH})
    assert response.status_code == 200
    assert response.json() == {"force": "metropolitan", "neighbourhood": CHADWELL_HEATH}
    spaced = client.get("/api/locate-neighbourhood", params={"q": " 51.5851 , 0.138774 "})
    assert spaced.json() == {"force": "metropolitan", "neighbourhood": CHADWELL_HEATH}


def test_locate_in_the_city_is_404_naming_the_city_force(client):
    body = error_of(client.get("/api/locate-neighbourhood", params={"q": IN_THE_CITY}), 404)
    assert body["force"] == "city-of-london" and "City of London Police" in body["message"]


def test_locate_outside_london_is_404(client):
    body = error_of(client.get("/api/locate-neighbourhood", params={"q": IN_MANCHESTER}), 404)
    assert "force" not in body


@pytest.mark.parametrize(
    "q",
    [
        None,
        "",
        "north",
        "51.5851",
        "51.5851,",
        ",0.1",
        "51.5851,0.1,3",
        "51.5851;0.138774",
        "51.5851 0.138774",
        "a,b",
        "nan,0",
        "inf,0",
        "1e2,0",
        "0x1,0",
        "91,0",
        "-90.5,0",
        "51.5,180.01",
        "51.5,-181",
        "51.5\x00,0.1",
    ],
)
def test_malformed_q_is_400(client, q):
    params = {} if q is None else {"q": q}
    error_of(client.get("/api/locate-neighbourhood", params=params), 400)


# -- headers, fallbacks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/forces",
        f"/api/metropolitan/{CHADWELL_HEATH}",
        "/api/metropolitan/E05999999",
        "/api/locate-neighbourhood?q=x",
        "/api/openapi.json",
        "/api/no/such/method/here",
    ],
)
def test_cors_and_cache_headers(client, path):
    headers = client.get(path).headers
    assert headers["access-control-allow-origin"] == "*"
    assert headers["cache-control"] == "public, max-age=300"
    assert headers["x-content-type-options"] == "nosniff"


def test_cors_preflight(client):
    response = client.options(
        "/api/forces", headers={"origin": "https://example.org", "access-control-request-method": "GET"}
    )
    assert response.status_code == 204 and response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]


def test_other_paths_and_methods_are_json_errors(client):
    error_of(client.get("/api/crimes-street/all-crime"), 400)  # a crime endpoint, missing its parameters
    error_of(client.get("/api/no-such-endpoint"), 404)
    error_of(client.get("/api/forces/"), 404)
    response = client.post("/api/forces")
    error_of(response, 405)
    assert "GET" in response.headers["allow"]


# -- our own rows: every shape, whatever load-demo has put in the database -----------------------------

MY_MEMBERS = [
    ("Test Sergeant", "Sgt", 'Leads the team.\n\nLikes <b>bold</b> & "quotes".'),
    ("Test Constable", "PC", None),
]
MY_LINKS = [
    ("Test Council", "https://example.org/council", "The council's <i>site</i>"),
    ("Test Link No URL", None, None),
]
MY_LOCATIONS = [
    ("Test Station", "station", "1 Test Road, Romford", "RM6 5JU", 51.6, 0.1, "Front counter"),
    ("Test Library", "library", None, None, None, None, None),
]


@pytest.fixture
def own_rows(loaded_db) -> Iterator[str]:
    """Chadwell Heath with our own description, contacts, members, links and locations; undone after."""
    fields = ("description", "email", "telephone", "mobile")
    with loaded_db.sessions.begin() as session:
        team = session.get(Team, CHADWELL_HEATH)
        saved = {f: getattr(team, f) for f in fields}
        team.description = "Hello <script>alert(1)</script> & welcome.\nSecond line.\n\nSecond paragraph."
        team.email = "chadwellheath.snt@example.org"
        team.telephone = ""
        team.mobile = None
        for i, (name, rank, bio) in enumerate(MY_MEMBERS):
            session.add(TeamMember(team_id=CHADWELL_HEATH, position=9000 + i, name=name, rank=rank, bio=bio))
        for i, (title, url, description) in enumerate(MY_LINKS):
            session.add(
                TeamLink(
                    team_id=CHADWELL_HEATH, position=9000 + i, title=title, url=url, description=description
                )
            )
        for i, (name, kind, address, postcode, lat, lng, description) in enumerate(MY_LOCATIONS):
            session.add(
                TeamLocation(
                    team_id=CHADWELL_HEATH,
                    position=9000 + i,
                    type=kind,
                    name=name,
                    address=address,
                    postcode=postcode,
                    latitude=lat,
                    longitude=lng,
                    description=description,
                )
            )
        record_change(
            session, "test: own rows for Chadwell Heath", scope=f"team:{CHADWELL_HEATH}"
        )  # as every writer must
    try:
        yield CHADWELL_HEATH
    finally:
        with loaded_db.sessions.begin() as session:
            for model in (TeamMember, TeamLink, TeamLocation):
                session.execute(delete(model).where(model.team_id == CHADWELL_HEATH, model.position >= 9000))
            team = session.get(Team, CHADWELL_HEATH)
            for field, value in saved.items():
                setattr(team, field, value)
            record_change(session, "test: own rows removed", scope=f"team:{CHADWELL_HEATH}")


def test_neighbourhood_with_our_rows(client, own_rows):
    data = client.get(f"/api/metropolitan/{own_rows}").json()
    assert data["contact_details"] == {"email": "chadwellheath.snt@example.org"}  # empty keys left out
    assert data["description"] == (
        "<p>Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; welcome.<br/>Second line.</p>\n"
        "<p>Second paragraph.</p>"
    )
    assert data["links"][-2:] == [
        {
            "url": "https://example.org/council",
            "description": "The council's <i>site</i>",
            "title": "Test Council",
        },
        {"url": "", "description": None, "title": "Test Link No URL"},
    ]
    assert data["locations"][-2:] == [
        {
            "name": "Test Station",
            "longitude": "0.1",
            "postcode": "RM6 5JU",
            "address": "1 Test Road, Romford",
            "latitude": "51.6",
            "type": "station",
            "description": "<p>Front counter</p>",
        },
        {
            "name": "Test Library",
            "longitude": None,
            "postcode": None,
            "address": None,
            "latitude": None,
            "type": "library",
            "description": None,
        },
    ]


def test_people_with_our_rows(client, own_rows):
    people = client.get(f"/api/metropolitan/{own_rows}/people").json()
    assert people[-2:] == [
        {
            "name": "Test Sergeant",
            "rank": "Sgt",
            "bio": '<p>Leads the team.</p>\n<p>Likes &lt;b&gt;bold&lt;/b&gt; &amp; "quotes".</p>',
            "contact_details": {},
        },
        {"name": "Test Constable", "rank": "PC", "bio": None, "contact_details": {}},
    ]
    for person in people:
        assert set(person) == OFFICER_KEYS


# -- a tiny world of our own: exact answers, a ward in two parts, the query count ----------------------


@pytest.fixture
def tiny(empty_db, tmp_path) -> Iterator[tuple[TestClient, Any]]:
    """Alpha and Bravo (Met) and a City ward (tests/factories.py); Bravo is in two parts, the larger east."""
    features = [ward_feature(*w) for w in WARDS]
    bravo = features[1]
    bravo["geometry"] = mapping(
        MultiPolygon([box(-0.1195, 51.500, -0.1185, 51.501), box(-0.118, 51.50, -0.11, 51.51)])
    )
    path = write_geojson(tmp_path / "wards.geojson", features)
    with empty_db.sessions.begin() as session:
        import_boundaries(session, path, generation=2024)
    with TestClient(create_app(empty_db.settings()), follow_redirects=False) as test_client:
        yield test_client, empty_db


def test_tiny_world_exact_answers(tiny):
    client, _db = tiny
    assert client.get("/api/metropolitan/neighbourhoods").json() == [
        {"id": "E05900001", "name": "Alpha"},
        {"id": "E05900002", "name": "Bravo"},
    ]
    assert client.get("/api/metropolitan/e05900001").json() == {
        "url_force": "https://www.met.police.uk/",
        "contact_details": {},
        "name": "Alpha",
        "links": [],
        "centre": {"latitude": "51.505", "longitude": "-0.125"},
        "locations": [],
        "description": None,
        "id": "E05900001",
        "population": "0",
    }
    assert client.get("/api/metropolitan/E05900001/people").json() == []
    assert client.get("/api/locate-neighbourhood?q=51.505,-0.125").json() == {
        "force": "metropolitan",
        "neighbourhood": "E05900001",
    }
    error_of(client.get("/api/metropolitan/E05900003"), 404)  # the City ward
    assert error_of(client.get("/api/locate-neighbourhood?q=51.505,-0.105"), 404)["force"] == "city-of-london"
    error_of(client.get("/api/locate-neighbourhood?q=51.6,-0.125"), 404)


def test_boundary_of_a_ward_in_two_parts_is_the_largest_part(tiny):
    client, _db = tiny
    points = client.get("/api/metropolitan/E05900002/boundary").json()
    lngs = {float(p["longitude"]) for p in points}
    lats = {float(p["latitude"]) for p in points}
    assert lngs == {-0.118, -0.11} and lats == {51.50, 51.51}
    assert points[0] == points[-1] and len(points) == 5
    assert all(isinstance(p["latitude"], str) and isinstance(p["longitude"], str) for p in points)


def test_neighbourhood_takes_at_most_two_queries(tiny):
    client, db = tiny
    with db.sessions.begin() as session:
        session.add(TeamLink(team_id="E05900001", position=0, title="Link", url="https://example.org/"))
        session.add(
            TeamLocation(team_id="E05900001", position=0, name="Base", latitude=51.5, longitude=-0.12)
        )
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        data = client.get("/api/metropolitan/E05900001").json()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    own = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "content_change" not in s]
    assert len(own) <= 2, statements  # (the page cache's version check is the one other query)
    assert data["links"] == [{"url": "https://example.org/", "description": None, "title": "Link"}]
    assert data["locations"][0]["latitude"] == "51.5" and data["locations"][0]["longitude"] == "-0.12"


# -- a client written for data.police.uk works by changing its base URL ------------------------------


def police_uk_client_walk(base_url: str, get: Callable[[str], Any]) -> dict[str, Any]:
    """What a data.police.uk client does, checking the types police.uk documents at every step."""

    def fetch(path: str) -> Any:
        response = get(base_url + path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["content-type"].startswith("application/json")
        return response.json()

    forces = fetch("forces")
    assert isinstance(forces, list) and all(set(f) == {"id", "name"} for f in forces)
    force_id = next(f["id"] for f in forces if f["name"] == "Metropolitan Police Service")
    force = fetch(f"forces/{force_id}")
    assert isinstance(force["engagement_methods"], list) and isinstance(force["telephone"], str)
    neighbourhoods = fetch(f"{force_id}/neighbourhoods")
    assert all(isinstance(n["id"], str) and isinstance(n["name"], str) for n in neighbourhoods)
    first = neighbourhoods[0]["id"]
    neighbourhood = fetch(f"{force_id}/{first}")
    assert set(NEIGHBOURHOOD_KEYS) <= set(neighbourhood) and neighbourhood["id"] == first
    centre = neighbourhood["centre"]
    assert isinstance(centre["latitude"], str) and isinstance(centre["longitude"], str)
    assert isinstance(neighbourhood["population"], str) and int(neighbourhood["population"]) >= 0
    people = fetch(f"{force_id}/{first}/people")
    assert all(set(p) >= OFFICER_KEYS and isinstance(p["contact_details"], dict) for p in people)
    boundary = fetch(f"{force_id}/{first}/boundary")
    assert all(isinstance(p["latitude"], str) and isinstance(p["longitude"], str) for p in boundary)
    lat, lng = float(centre["latitude"]), float(centre["longitude"])  # parse as police.uk clients do
    located = fetch(f"locate-neighbourhood?q={lat},{lng}")
    assert set(located) == {"force", "neighbourhood"}
    assert isinstance(located["force"], str) and isinstance(located["neighbourhood"], str)
    return {"first": first, "located": located, "boundary_points": len(boundary)}


def test_a_police_uk_client_works_by_changing_its_base_url(client):
    result = police_uk_client_walk("http://testserver/api/", client.get)
    assert result["located"] == {"force": "metropolitan", "neighbourhood": result["first"]}
    assert result["boundary_points"] > 3


# -- the OpenAPI document -------------------------------------------------------------------------------

EXAMPLE_PARAMS = {"{force}": "metropolitan", "{id}": CHADWELL_HEATH, "{category}": "all-crime"}
BAD_PARAMS = {"{force}": "nope", "{id}": "E05999999"}


def deref(doc: dict, node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return deref(doc, target)
    return node


def check(doc: dict, schema: dict, value: Any, where: str = "$") -> None:
    """A small JSON Schema check for the subset the document uses."""
    schema = deref(doc, schema)
    kinds = schema.get("type")
    if kinds:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        python = {"string": str, "object": dict, "array": list, "integer": int, "null": type(None)}
        assert any(isinstance(value, python[k]) for k in kinds), f"{where}: {value!r} is not {kinds}"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} !~ {schema['pattern']}"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: {key} missing"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{where}: extra keys {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                check(doc, properties[key], item, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(doc, schema["items"], item, f"{where}[{i}]")


def concrete(path: str, params: dict[str, str]) -> str:
    for name, value in params.items():
        path = path.replace(name, value)
    return path


@pytest.fixture(scope="module")
def openapi(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    return response.json()


def test_openapi_is_3_1_and_every_reference_resolves(openapi):
    assert openapi["openapi"] == "3.1.0" and openapi["info"]["title"] and openapi["info"]["version"]
    assert openapi["servers"] == [{"url": "/api", "description": "This portal"}]
    assert openapi == api_openapi.document()
    refs = re.findall(r'"\$ref": "([^"]+)"', json.dumps(openapi))
    assert refs
    for ref in refs:
        assert deref(openapi, {"$ref": ref}), ref
    operation_ids = [op["operationId"] for item in openapi["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    for path, item in openapi["paths"].items():
        names = {deref(openapi, p)["name"] for p in item["get"].get("parameters", [])}
        assert names >= set(re.findall(r"\{(\w+)\}", path)), path
        assert "200" in item["get"]["responses"]


def test_every_api_route_is_in_the_openapi_document(openapi):
    undocumented = {"index", "fallback"}  # the human page, and the catch-all for errors
    routes = [*api_crime.routes, *api.routes]
    for route in routes:
        assert isinstance(route, Route)
        if route.name not in undocumented:
            assert route.path in openapi["paths"], route.path
    documented = {route.path for route in routes if route.name not in undocumented}
    assert set(openapi["paths"]) == documented


def test_every_documented_path_answers_as_documented(client, openapi):
    for path, item in openapi["paths"].items():
        operation = item["get"]
        query = {
            deref(openapi, p)["name"]: deref(openapi, p)["example"]
            for p in operation.get("parameters", [])
            if deref(openapi, p)["in"] == "query"
        }
        response = client.get("/api" + concrete(path, EXAMPLE_PARAMS), params=query)
        assert response.status_code == 200, path
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        check(openapi, schema, response.json(), path)
        example = operation["responses"]["200"]["content"]["application/json"].get("example")
        if example is not None:
            check(openapi, schema, example, path + " (example)")
        for status, documented in operation["responses"].items():
            if status == "200":
                continue
            if status == "301":
                moved = client.get("/api" + concrete(path, {**EXAMPLE_PARAMS, "{id}": "E05000029"}))
                assert moved.status_code == 301 and moved.headers["location"].startswith("/api/"), path
                continue
            if status == "400":
                bad = client.get("/api" + path, params={"q": "north"})
            elif query:
                bad = client.get("/api" + path, params={"q": "0,0"})  # in the Gulf of Guinea
            else:
                bad = client.get("/api" + concrete(path, BAD_PARAMS))
            assert bad.status_code == int(status), (path, status)
            check(
                openapi, documented["content"]["application/json"]["schema"], bad.json(), f"{path} {status}"
            )


# -- the human page ---------------------------------------------------------------------------------------


def test_the_human_page(client, openapi):
    page = client.get("/api/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<title>Neighbourhood API – Neighbourhood Pledge Portal</title>" in page.text
    assert page.text.count("<h1") == 1 and 'href="/api/openapi.json"' in page.text
    for item in openapi["paths"].values():
        if item["get"]["operationId"] != "openapi":
            assert item["get"]["summary"] in page.text
    for words in [
        "Differences from data.police.uk",
        "Open Government Licence v3.0",
        "demonstration content",
        "city-of-london",
        'href="/api/metropolitan/E05014058"',
        "&#34;neighbourhood&#34;: &#34;E05014058&#34;",
    ]:
        assert words in page.text, words
    assert client.get("/api", follow_redirects=True).status_code == 200


@pytest.mark.parametrize("suffix", ["", "/people", "/boundary", "/events", "/priorities"])
def test_an_old_ward_id_redirects_to_todays_neighbourhood(client, suffix):
    response = client.get(f"/api/metropolitan/E05000029{suffix}")  # Chadwell Heath before 2022
    assert (
        response.status_code == 301 and response.headers["location"] == f"/api/metropolitan/E05014058{suffix}"
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert client.get(response.headers["location"]).status_code == 200


def test_an_old_ward_split_between_neighbourhoods_is_a_404_naming_them(client):
    response = client.get("/api/metropolitan/E05000347")  # Brentford (2018): no ward holds half of it
    data = response.json()
    assert response.status_code == 404 and "was a ward until 2022" in data["message"]
    assert len(data["successors"]) >= 2 and all(s["share"] < 0.5 for s in data["successors"])


def test_staff_markdown_reaches_the_api_as_sanitised_html_not_raw_markup():
    from portal.queries.api import html_text

    assert html_text("Call **now**\nor later") == "<p>Call <strong>now</strong><br/>or later</p>"
    assert html_text("[x](javascript:alert(1)) <script>1</script>") == (
        "<p>[x](javascript:alert(1)) &lt;script&gt;1&lt;/script&gt;</p>"
    )
    assert html_text("   ") is None
