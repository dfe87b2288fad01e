"""The police.uk-compatible crime API: shapes, filters, errors, the 503 for big areas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.models import CATEGORIES
from portal.routes import api_crime
from tests.routes.test_crime import ALPHA, world  # noqa: F401  (the fixture)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "police_uk_api"
IN_ALPHA = {"lat": "51.505", "lng": "-0.125"}
AROUND_ALPHA = "51.50,-0.13:51.51,-0.13:51.51,-0.12:51.50,-0.12"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body["status"] == status and body["message"]
    return body


def police_uk_crime_keys() -> set[str]:
    path = SHARED / "api_documentation_examples" / "crime.json"
    if not path.exists():
        return {
            "category",
            "location_type",
            "location",
            "context",
            "outcome_status",
            "persistent_id",
            "id",
            "location_subtype",
            "month",
        }
    return set(json.loads(path.read_text(encoding="utf-8-sig")))


def test_crimes_street_near_a_point(world):  # noqa: F811
    client, _db = world
    response = client.get("/api/crimes-street/all-crime", params={**IN_ALPHA, "date": "2023-01"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    crimes = response.json()
    assert len(crimes) == 7  # Alpha's 6 and Bravo's 1 (0.7 km east): within a mile
    for crime in crimes:
        assert set(crime) == police_uk_crime_keys()
        assert isinstance(crime["id"], int) and crime["month"] == "2023-01"
        location = crime["location"]
        assert isinstance(location["latitude"], str) and isinstance(location["street"]["id"], int)
        assert location["street"]["name"] == "On or near <Test> Street"
    asb = [c for c in crimes if c["category"] == "anti-social-behaviour"]
    assert asb and all(c["outcome_status"] is None and c["persistent_id"] == "" for c in asb)
    burglary = client.get("/api/crimes-street/burglary", params={**IN_ALPHA, "date": "2023-01"}).json()
    assert len(burglary) == 4 and {c["outcome_status"]["date"] for c in burglary} == {"2023-01"}
    latest = client.get("/api/crimes-street/all-crime", params=IN_ALPHA).json()  # no date: the latest month
    assert len(latest) == 7
    far = client.get(
        "/api/crimes-street/all-crime", params={"lat": "51.6", "lng": "-0.125", "date": "2023-01"}
    )
    assert far.json() == []


def test_crimes_street_in_a_polygon_get_and_post(world):  # noqa: F811
    client, _db = world
    got = client.get("/api/crimes-street/all-crime", params={"poly": AROUND_ALPHA, "date": "2023-01"}).json()
    assert len(got) == 6
    posted = client.post("/api/crimes-street/all-crime", data={"poly": AROUND_ALPHA, "date": "2023-01"})
    assert posted.status_code == 200 and posted.json() == got
    december = client.post("/api/crimes-street/burglary", data={"poly": AROUND_ALPHA, "date": "2022-12"})
    assert len(december.json()) == 8


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"date": "2023-01"},
        {"lat": "51.5", "date": "2023-01"},
        {"lat": "north", "lng": "0.1"},
        {"lat": "91", "lng": "0.1"},
        {"lat": "nan", "lng": "0.1"},
        {**IN_ALPHA, "date": "2023-1"},
        {**IN_ALPHA, "date": "January"},
        {"poly": "51.5,-0.1:51.6,-0.1"},
        {"poly": "51.5,-0.1:north"},
    ],
)
def test_crimes_street_bad_parameters_are_400(world, params):  # noqa: F811
    client, _db = world
    error_of(client.get("/api/crimes-street/all-crime", params=params), 400)


def test_unknown_category_is_404(world):  # noqa: F811
    client, _db = world
    error_of(client.get("/api/crimes-street/nonsense", params={**IN_ALPHA, "date": "2023-01"}), 404)


def test_too_many_crimes_is_503(world, monkeypatch):  # noqa: F811
    client, _db = world
    monkeypatch.setattr(api_crime, "MAX_CRIMES", 5)
    body = error_of(client.get("/api/crimes-street/all-crime", params={**IN_ALPHA, "date": "2023-01"}), 503)
    assert "more than 5 crimes" in body["message"]
    assert client.get("/api/crimes-street/drugs", params={**IN_ALPHA, "date": "2023-01"}).status_code == 200


def test_crimes_no_location(world):  # noqa: F811
    client, _db = world
    params = {"category": "all-crime", "force": "metropolitan", "date": "2023-01"}
    crimes = client.get("/api/crimes-no-location", params=params).json()
    assert len(crimes) == 2 and all(
        c["location"] is None and c["category"] == "violent-crime" for c in crimes
    )
    assert client.get("/api/crimes-no-location", params={**params, "category": "burglary"}).json() == []
    assert client.get("/api/crimes-no-location", params={**params, "force": "city-of-london"}).json() == []
    error_of(client.get("/api/crimes-no-location", params={**params, "force": "nope"}), 404)
    error_of(client.get("/api/crimes-no-location", params={**params, "category": "nope"}), 404)
    error_of(client.get("/api/crimes-no-location", params={"force": "metropolitan"}), 400)
    error_of(client.get("/api/crimes-no-location", params={"category": "all-crime"}), 400)
    error_of(client.get("/api/crimes-no-location", params={**params, "date": "23-01"}), 400)


def test_categories_dates_and_last_updated(world):  # noqa: F811
    client, _db = world
    categories = client.get("/api/crime-categories", params={"date": "2023-01"}).json()
    assert categories[0] == {"url": "all-crime", "name": "All crime"}
    assert {c["url"] for c in categories[1:]} == set(CATEGORIES.values())
    error_of(client.get("/api/crime-categories", params={"date": "soon"}), 400)
    assert client.get("/api/crimes-street-dates").json() == [
        {"date": "2023-01", "stop-and-search": []},
        {"date": "2022-12", "stop-and-search": []},
    ]
    assert client.get("/api/crime-last-updated").json() == {"date": "2023-01-01"}


def test_cors_preflight_allows_post(world):  # noqa: F811
    client, _db = world
    response = client.options(
        "/api/crimes-street/all-crime",
        headers={"origin": "https://example.org", "access-control-request-method": "POST"},
    )
    assert response.status_code == 204 and "POST" in response.headers["access-control-allow-methods"]


def test_empty_database_answers_empty(client):
    """The loaded database has no crime rows until the importers land."""
    assert client.get("/api/crimes-street-dates").status_code == 200
    response = client.get(
        "/api/crimes-street/all-crime", params={"lat": "51.5392", "lng": "0.0813", "date": "2023-01"}
    )
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_ward_alpha_is_in_the_world(world):  # noqa: F811
    client, _db = world
    assert client.get(f"/teams/{ALPHA}/crime.json?month=2023-01").json()["total"] == 6


def test_crime_endpoints_answer_as_documented(client):
    """test_api.py's check for our paths, with the category path parameter filled in (its EXAMPLE_PARAMS
    has only {force} and {id})."""
    from portal import api_openapi, api_openapi_crime
    from tests.routes.test_api import EXAMPLE_PARAMS, check, concrete, deref

    doc = api_openapi.document()
    params = {**EXAMPLE_PARAMS, "{category}": "all-crime"}
    for endpoint in api_openapi_crime.ENDPOINTS:
        operation = doc["paths"][endpoint["path"]]["get"]
        query = {
            deref(doc, p)["name"]: deref(doc, p)["example"]
            for p in operation["parameters"]
            if deref(doc, p)["in"] == "query"
        }
        response = client.get("/api" + concrete(endpoint["path"], params), params=query)
        assert response.status_code == 200, endpoint["path"]
        content = operation["responses"]["200"]["content"]["application/json"]
        check(doc, content["schema"], response.json(), endpoint["path"])
        check(doc, content["schema"], content["example"], endpoint["path"] + " (example)")
        if "400" in operation["responses"]:
            bad = client.get("/api" + concrete(endpoint["path"], params), params={"q": "north"})
            assert bad.status_code == 400, endpoint["path"]
