"""Every map has a text or table alternative on the same page, reached by a skip link or placed next to it,
holding the same data the map shows: read from what the map itself is drawn from (its GeoJSON layer, its
values, the markers in its script) and compared with the table or list."""

from __future__ import annotations

import json
import re
from collections import Counter

from tests.browser.test_crime import ABBEY, crime_rows  # noqa: F401  (the fixture)

CHADWELL_HEATH = "E05014058"
MARKERS = re.compile(r"\}\)\(\w+, (\"(?:[^\"\\]|\\.)*\"), (\[.*?\])\);", re.S)


def skip_link_target(page, target: str) -> None:
    skip = page.locator("a.portal-map-skip")
    assert skip.count() == 1 and skip.get_attribute("href") == f"#{target}"
    assert page.locator(f"#{target}").count() == 1


def test_the_team_map_has_the_teams_as_a_list(page):
    page.goto("/map")
    skip_link_target(page, "teams-a-z")
    features = page.request.get("/map/wards.geojson").json()["features"]
    on_map = {f["properties"].get("url") or f["properties"].get("code") for f in features}
    assert len(on_map) > 600
    listed = set(
        page.eval_on_selector_all("main a[href^='/teams/E05']", "els => els.map(e => e.getAttribute('href'))")
    )
    codes = {value.rsplit("/", 1)[-1] for value in on_map}
    assert codes <= {href.rsplit("/", 1)[-1] for href in listed}, "a team on the map is missing from the list"


def test_the_london_crime_map_has_the_same_counts_in_its_table(page):
    page.goto("/crime?month=2025-12")
    page.wait_for_load_state("networkidle")
    skip_link_target(page, "wards-table")
    values = page.request.get("/crime/values.json?month=2025-12").json()["values"]
    assert values, "the map has no values for the month"
    table = dict(
        page.eval_on_selector_all(
            "#wards-table td[data-ward]", "els => els.map(e => [e.dataset.ward, e.textContent.trim()])"
        )
    )
    assert {code: int(text.replace(",", "")) for code, text in table.items()} == values


def test_the_street_crime_map_has_the_same_crimes_in_its_table(page, crime_rows):  # noqa: F811
    page.goto(f"/teams/{ABBEY}/crime?month=2023-01")
    skip_link_target(page, "crime-table")
    match = MARKERS.search(page.content())
    assert match, "no markers in the map's script"
    points = json.loads(match[2])
    assert points, "the map shows no crimes"
    on_map = Counter(point[2] for point in points)
    rows = page.eval_on_selector_all(
        "#crime-table tr.portal-crime-table__category",
        "els => els.map(e => [e.querySelector('th').textContent.trim(),"
        " e.querySelector('[data-count]').dataset.count])",
    )
    assert {name: int(count) for name, count in rows} == dict(on_map)
    assert int(page.locator("#crime-total").get_attribute("data-count")) == len(points)


def test_the_ward_map_on_a_team_page_is_described_in_words(page):
    """The team page's map draws the ward's boundary; the facts next to it name the ward, its code, its
    borough and its size, and the page's JSON twin gives the same ward."""
    page.goto(f"/teams/{CHADWELL_HEATH}")
    facts = page.locator("#ward ~ dl.portal-facts")
    assert page.locator("#ward ~ .portal-map-wrapper").count() == 1
    data = page.request.get(f"/teams/{CHADWELL_HEATH}.json").json()
    text = facts.inner_text()
    assert f"Chadwell Heath ({CHADWELL_HEATH})" in text, text
    assert "Barking and Dagenham" in text and "km²" in text and "postcodes" in text
    assert CHADWELL_HEATH in json.dumps(data)
