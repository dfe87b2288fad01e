"""The Pledge scorecard pages have no WCAG 2.2 A or AA violations (axe-core), on the real data: London's
scorecard, a borough's (with its survey neighbourhoods), a team's (demo and real), indicator pages (computed,
imported with a trend, a survey indicator) and the catalogue."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible

PATHS = [
    "/pledge",
    "/boroughs/E09000002/pledge",  # Barking and Dagenham: survey neighbourhood tables
    "/teams/E05014058/pledge",  # Chadwell Heath: real, no meetings recorded, nothing explained
    "/teams/E05011237/pledge",  # a demo team: the demo banner
    "/teams/E05011237/pledge/P7-MEETING-MONTHLY",  # computed: chart, table, comparisons
    "/teams/E05014058/pledge/P7-MEETING-MONTHLY",  # every month missed, no explanations
    "/pledge/indicators/P5-999-10S",  # imported, two figures and a target
    "/boroughs/E09000002/pledge/P1-PAS-TREAT-FAIRLY",  # survey neighbourhoods
    "/pledge/indicators",
]


@pytest.mark.parametrize("path", PATHS)
def test_pledge_pages_have_no_wcag_violations(page, path):
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert_accessible(page)


def test_pledge_tables_have_captions_and_header_cells(page):
    for path in ["/teams/E05011237/pledge", "/teams/E05011237/pledge/P7-MEETING-MONTHLY"]:
        page.goto(path)
        tables = page.locator("table").all()
        assert tables, path
        for table in tables:
            assert table.locator("caption").count() == 1, path
            assert table.locator("th[scope=col]").count() >= 2, path
            assert table.locator("th[scope=row]").count() >= 1, path


def test_status_is_never_colour_alone(page):
    page.goto("/teams/E05014058/pledge")
    for tag in page.locator(".portal-pledge-row .govuk-tag").all()[:20]:
        assert tag.inner_text().strip(), "a status tag without words"
