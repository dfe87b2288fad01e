"""Crime pages (issue 5): ward and borough pages, London, downloads, on a tiny world of our own rows."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from portal.app import create_app
from portal.importers.boundaries import import_boundaries
from portal.models import StreetCrime, WardCrimeCount, WardPopulation, record_change
from portal.routes.crime import breaks
from tests.factories import WARDS, wards_file

ALPHA, BRAVO, CITY_WARD, WESTMINSTER = "E05900001", "E05900002", "E05900003", "E09000033"
JAN, DEC = date(2023, 1, 1), date(2022, 12, 1)


def street(
    ward: str | None, month: date, category: str, outcome: str | None, lat=51.505, lng=-0.125, **extra
):
    name = {v: k for k, v in __import__("portal.models", fromlist=["CATEGORIES"]).CATEGORIES.items()}[
        category
    ]
    return StreetCrime(
        month=month,
        crime_id=None if category == "anti-social-behaviour" else "x" * 64,
        reported_by="Metropolitan Police Service",
        falls_within="Metropolitan Police Service",
        latitude=lat,
        longitude=lng,
        location="On or near <Test> Street" if lat is not None else None,
        category=category,
        crime_type=name,
        outcome=outcome,
        ward_code=ward,
        **extra,
    )


def add_world(session) -> None:
    rows = (
        [street(ALPHA, JAN, "burglary", "Under investigation") for _ in range(3)]
        + [street(ALPHA, JAN, "burglary", "Investigation complete; no suspect identified")]
        + [street(ALPHA, JAN, "anti-social-behaviour", None) for _ in range(2)]
        + [street(ALPHA, DEC, "burglary", "Under investigation") for _ in range(8)]
        + [street(BRAVO, JAN, "drugs", "Local resolution", lng=-0.115)]
        + [street(None, JAN, "violent-crime", "Under investigation", lat=None, lng=None) for _ in range(2)]
    )
    session.add_all(rows)
    for i, month in enumerate([date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]):
        session.add(
            WardCrimeCount(ward_code=ALPHA, month=month, major="THEFT", minor="OTHER THEFT", count=10 + i)
        )
        session.add(WardCrimeCount(ward_code=ALPHA, month=month, major="THEFT", minor="SHOPLIFTING", count=5))
        session.add(
            WardCrimeCount(
                ward_code=ALPHA, month=month, major="BURGLARY", minor="BURGLARY - RESIDENTIAL", count=2
            )
        )
        session.add(
            WardCrimeCount(ward_code=BRAVO, month=month, major="THEFT", minor="OTHER THEFT", count=40)
        )
    session.add(WardPopulation(ward_code=ALPHA, population=12000, year=2015, source="GLA", method="by area"))
    record_change(session, "test: crime world")


@pytest.fixture
def world(empty_db, tmp_path) -> Iterator[tuple[TestClient, Any]]:
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path, WARDS), generation=2024)
        add_world(session)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db


def test_street_month_page_sentence_table_and_map_agree(world):
    client, _db = world
    page = client.get(f"/teams/{ALPHA}/crime?month=2023-01")
    assert page.status_code == 200
    text = page.text
    assert re.search(r"<title>Crime in Alpha ward, January 2023 – ", text)
    assert "In January 2023 there were 6 crimes and anti-social behaviour incidents in Alpha ward." in text
    assert "That is 2 fewer than in December 2022 (8)." in text
    assert 'id="crime-total" data-count="6"' in text
    assert 'data-crimes="6"' in text  # the map's markers: the same crimes as the table
    assert "leaflet.markercluster.js" in text and "cdnjs" not in text and "unpkg" not in text
    assert "Under investigation" in text and "No outcome recorded" in text
    assert "&lt;Test&gt;" not in text or "<Test>" not in text  # escaped in the JSON inside the script
    assert "A further 2 crimes" in text  # no location
    assert "0.5 per 1,000 residents" in text and "2015 ward population estimates" in text
    data = client.get(f"/teams/{ALPHA}/crime.json?month=2023-01").json()
    assert data["source"] == "street" and data["total"] == 6 and len(data["crimes"]) == 6
    assert {(r["category"], r["count"]) for r in data["table"]} == {
        ("burglary", 4),
        ("anti-social-behaviour", 2),
    }
    assert sum(o["count"] for o in data["outcomes"]) == 6
    assert data["previous"] == {"month": "2022-12", "label": "December 2022", "loaded": True, "total": 8}
    assert data["rate"] == 0.5 and data["no_location"] == 2


def test_previous_month_not_loaded_is_said(world):
    client, _db = world
    data = client.get(f"/teams/{ALPHA}/crime.json?month=2022-12").json()
    assert data["total"] == 8 and data["previous"]["loaded"] is False
    assert (
        "We cannot compare with November 2022: street-level data for that month is not loaded."
        in data["summary"]
    )


def test_category_filter(world):
    client, _db = world
    data = client.get(f"/teams/{ALPHA}/crime.json?month=2023-01&category=burglary").json()
    assert data["total"] == 4 and len(data["crimes"]) == 4 and data["category"] == "burglary"
    assert (
        "4 crimes in the category “Burglary”" in data["summary"]
        and "4 fewer than in December 2022" in data["summary"]
    )
    odd = client.get(f"/teams/{ALPHA}/crime.json?month=2023-01&category=nonsense").json()
    assert odd["total"] == 6 and odd["category"] is None and "not a police.uk crime category" in odd["notice"]


def test_counts_only_month_says_so_and_shows_counts(world):
    client, _db = world
    page = client.get(f"/teams/{ALPHA}/crime")  # the default: the latest month loaded
    assert page.status_code == 200
    assert "There is no street-level data" in page.text and "portal-map" not in page.text
    data = client.get(f"/teams/{ALPHA}/crime.json").json()
    assert data["month"]["value"] == "2025-12" and data["source"] == "counts"
    assert data["total"] == 12 + 5 + 2 and data["previous"]["total"] == 11 + 5 + 2
    assert "That is 1 more than in November 2025 (18)." in data["summary"]
    theft = client.get(f"/teams/{ALPHA}/crime.json?month=2025-12&category=THEFT").json()
    assert theft["total"] == 17 and [r["name"] for r in theft["table"]] == ["Theft"]


def test_trend_chart_is_accessible_svg_with_a_table(world):
    client, _db = world
    page = client.get(f"/teams/{ALPHA}/crime?month=2023-01").text
    assert '<svg class="portal-chart"' in page and 'role="img"' in page
    assert (
        '<title id="crime-trend-title">Recorded crime by month in Alpha ward, Oct 2025 to Dec 2025</title>'
        in page
    )
    assert 'id="trend-table"' in page
    trend = client.get(f"/teams/{ALPHA}/crime.json").json()["trend"]
    assert trend["series"][0] == {"name": "All crime", "values": [17, 18, 19]}
    body = client.get(f"/teams/{ALPHA}/crime-trend.csv").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 6
    assert {"month": "2025-12", "category": "Theft", "count": "17"} in [
        {k: r[k] for k in ("month", "category", "count")} for r in rows
    ]


def test_no_data_month_and_bad_month(world):
    client, _db = world
    page = client.get(f"/teams/{ALPHA}/crime?month=2019-03")
    assert (
        page.status_code == 200 and "No crime figures are loaded for Alpha ward for March 2019." in page.text
    )
    assert client.get(f"/teams/{ALPHA}/crime?month=March").status_code == 400
    assert client.get(f"/teams/{ALPHA}/crime?month=2023-13").status_code == 400
    assert client.get("/teams/E05999999/crime").status_code == 404
    city = client.get(f"/teams/{CITY_WARD}/crime")
    assert city.status_code == 404 and "City of London Police" in city.text


def test_csv_is_what_the_page_shows(world):
    client, _db = world
    response = client.get(f"/teams/{ALPHA}/crime.csv?month=2023-01")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sum(int(r["count"]) for r in rows) == 6
    assert {r["outcome_or_subcategory"] for r in rows} >= {"Under investigation", "No outcome recorded"}


def test_borough_page(world):
    client, _db = world
    data = client.get(f"/boroughs/{WESTMINSTER}/crime.json?month=2023-01").json()
    assert data["total"] == 7 and len(data["crimes"]) == 7  # Alpha 6 + Bravo 1
    assert data["rate"] is None  # Bravo has no population estimate
    page = client.get(f"/boroughs/{WESTMINSTER}/crime?month=2023-01")
    assert page.status_code == 200 and 'data-crimes="7"' in page.text and 'data-count="7"' in page.text
    assert f'href="/teams/{ALPHA}/crime?month=2023-01"' in page.text
    assert client.get("/boroughs/E09000001/crime").status_code == 404  # the City
    assert client.get("/boroughs/E09999999/crime").status_code == 404


def test_london_page_values_and_csv(world):
    client, _db = world
    page = client.get("/crime")
    assert page.status_code == 200 and "December 2025" in page.text
    assert 'data-crime-values-url="/crime/values.json?month=2025-12"' in page.text
    assert f'href="/teams/{BRAVO}/crime?month=2025-12"' in page.text
    data = client.get("/crime.json").json()
    assert [(w["code"], w["count"]) for w in data["wards"]] == [(BRAVO, 40), (ALPHA, 19)]
    values = client.get("/crime/values.json?month=2025-11&category=BURGLARY").json()
    assert (
        values["values"] == {ALPHA: 2, BRAVO: 0}
        and values["crime_url"] == "/teams/{code}/crime?month=2025-11"
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/crime.csv?month=2025-12").text)))
    assert [r["ward_code"] for r in rows] == [BRAVO, ALPHA] and rows[1]["rate_per_1000"] == "1.6"
    assert client.get("/crime?month=x").status_code == 400


def test_ward_page_aggregates_in_sql(world):
    client, _db = world
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/teams/{ALPHA}/crime.json?month=2023-01").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [s for s in statements if "street_crime" in s and "GROUP BY" not in s.upper()]
    # only the map's points (one month, one area) and counts read street_crime without grouping
    assert all("count(" in s.lower() or "LIMIT" in s.upper() or "DISTINCT" in s.upper() for s in selects), (
        selects
    )
    assert len(statements) < 20


def test_breaks():
    assert breaks([]) == []
    assert breaks([0, 0, 0]) == [0]
    assert breaks(list(range(10))) == [1, 3, 5, 7, 9]


def test_pages_on_the_real_data_answer(client):
    """The loaded database (no crime rows until the importers land): pages still answer plainly."""
    page = client.get("/teams/E05014058/crime")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert client.get("/boroughs/E09000002/crime").status_code == 200
    assert client.get("/crime").status_code == 200
