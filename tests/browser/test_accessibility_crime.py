"""The crime pages pass axe in each state a resident meets: a street-level month (map and tables), a
counts-only month, and a month with no data; and the London page."""

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.test_crime import ABBEY, crime_rows  # noqa: F401  (the fixture)

PAGES = [
    f"/teams/{ABBEY}/crime?month=2023-01",  # street-level: map, category and outcome tables
    f"/teams/{ABBEY}/crime?month=2023-01&category=burglary",
    f"/teams/{ABBEY}/crime?month=2025-12",  # counts only, with the trend chart
    f"/teams/{ABBEY}/crime?month=2019-03",  # no data
    "/boroughs/E09000002/crime?month=2023-01",
    "/crime?month=2025-12",
]


@pytest.mark.parametrize("path", PAGES)
def test_crime_page_has_no_wcag_violations(page, crime_rows, path):  # noqa: F811
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_the_map_can_be_skipped_to_the_table_by_keyboard(page, crime_rows):  # noqa: F811
    page.goto(f"/teams/{ABBEY}/crime?month=2023-01")
    skip = page.locator("a.portal-map-skip")
    skip.focus()
    page.keyboard.press("Enter")
    assert page.url.endswith("#crime-table")
