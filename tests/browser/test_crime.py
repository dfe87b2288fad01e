"""A ward's crime page in a real browser: the clustered map, the month and category form, the table.

The live server uses the loaded database; `crime_rows` adds street-level rows and ward counts for Abbey
(Barking and Dagenham) and removes them afterwards, so these tests hold before and after the importers land.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

import pytest
import shapely
from playwright.sync_api import expect
from sqlalchemy import delete, select

from portal.models import CURRENT_GENERATION, StreetCrime, Ward, WardCrimeCount, record_change

ABBEY = "E05014053"  # Abbey, Barking and Dagenham
MARK = "portal-browser-test"
STREET = {
    date(2023, 1, 1): [("burglary", "Burglary", "Under investigation")] * 5
    + [("anti-social-behaviour", "Anti-social behaviour", None)] * 3
    + [("drugs", "Drugs", "Local resolution")] * 2,
    date(2022, 12, 1): [("burglary", "Burglary", "Under investigation")] * 4,
}
COUNTS = [(date(2025, 11, 1), 30), (date(2025, 12, 1), 33)]


@pytest.fixture(scope="module")
def crime_rows(loaded_db) -> Iterator[str]:
    with loaded_db.sessions.begin() as session:
        geojson = session.scalar(
            select(Ward.display_geojson).where(Ward.generation == CURRENT_GENERATION, Ward.code == ABBEY)
        )
        shape = shapely.from_geojson(geojson)
        min_x, min_y, max_x, max_y = shape.bounds
        rng = random.Random(5)

        def point() -> tuple[float, float]:
            while True:
                x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
                if shape.contains(shapely.Point(x, y)):
                    return y, x

        for month, rows in STREET.items():
            for category, crime_type, outcome in rows:
                lat, lng = point()
                session.add(
                    StreetCrime(
                        month=month,
                        crime_id=None,
                        reported_by="Metropolitan Police Service",
                        falls_within="Metropolitan Police Service",
                        latitude=lat,
                        longitude=lng,
                        location="On or near Test Road",
                        category=category,
                        crime_type=crime_type,
                        outcome=outcome,
                        context=MARK,
                        ward_code=ABBEY,
                    )
                )
        for month, n in COUNTS:
            session.add(
                WardCrimeCount(ward_code=ABBEY, month=month, major="THEFT", minor=MARK.upper(), count=n)
            )
        record_change(session, "test: crime rows for Abbey", scope="crime")
    try:
        yield ABBEY
    finally:
        with loaded_db.sessions.begin() as session:
            session.execute(delete(StreetCrime).where(StreetCrime.context == MARK))
            session.execute(delete(WardCrimeCount).where(WardCrimeCount.minor == MARK.upper()))
            record_change(session, "test: crime rows for Abbey removed", scope="crime")


def table_total(page) -> int:
    return int(page.locator("#crime-total").get_attribute("data-count"))


def test_change_month_and_category_then_read_the_table(page, crime_rows):
    page.goto(f"/teams/{crime_rows}/crime?month=2023-01")
    expect(page.locator("h1")).to_contain_text("Crime in Abbey ward, January 2023")
    total = table_total(page)
    assert total >= 10
    # the map: the same crimes as the table, clustered, from our own server only
    markers = page.evaluate("() => Object.values(window.portalMaps)[0].crimeMarkers.getLayers().length")
    assert markers == total
    assert page.locator(".marker-cluster, .leaflet-marker-icon").count() > 0

    page.select_option("#month", "2022-12")
    page.select_option("#category", "burglary")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("h1")).to_contain_text("December 2022")
    assert "category=burglary" in page.url
    burglary = page.locator("#crime-table tbody tr.portal-crime-table__category")
    expect(burglary).to_have_count(1)
    expect(burglary.first.locator("th")).to_have_text("Burglary")
    assert table_total(page) >= 4
    expect(page.locator("#crime-summary")).to_contain_text("crimes in the category “Burglary” in Abbey ward")


def test_a_marker_popup_tells_what_happened(page, crime_rows):
    page.goto(f"/teams/{crime_rows}/crime?month=2023-01&category=drugs")
    page.wait_for_function("() => Object.values(window.portalMaps || {})[0]?.crimeMarkers")
    page.evaluate(
        """() => {
            // the popup's content is ours; the clustering is Leaflet.markercluster's, whose animated
            // zoomToShowLayer does not reliably call back in headless Chromium: open it outside the cluster
            const map = Object.values(window.portalMaps)[0];
            const marker = map.crimeMarkers.getLayers()[0];
            map.crimeMarkers.removeLayer(marker);
            marker.addTo(map).openPopup();
        }"""
    )
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("January 2023", timeout=15_000)
    expect(popup).to_contain_text("Last outcome:")


def test_counts_only_month_has_no_map_but_a_table(page, crime_rows):
    page.goto(f"/teams/{crime_rows}/crime?month=2025-12")
    expect(page.locator("#crime-source")).to_contain_text("There is no street-level data")
    assert page.locator(".portal-map").count() == 0
    assert table_total(page) >= 33
    expect(page.locator("svg.portal-chart")).to_be_visible()
