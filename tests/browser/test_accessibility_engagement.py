"""The meetings, priorities and updates pages have no WCAG 2.2 A or AA violations (axe-core), in the
states a resident meets: upcoming and past meetings, none upcoming, a cancelled meeting, an overdue
priority, and a team with nothing published."""

from __future__ import annotations

import time

import pytest

from portal.models import record_change
from tests.browser.axe import assert_accessible
from tests.routes.test_engagement import QUIET_TEAM, TEAM, add_engagement, preserved, remove_engagement

EMPTY_TEAM = "E05013757"  # Carshalton South & Clockhouse: nothing published


@pytest.fixture(scope="module")
def rows(loaded_db, live_server):
    with preserved(loaded_db, [TEAM, QUIET_TEAM, EMPTY_TEAM]):
        with loaded_db.sessions.begin() as session:
            ids = add_engagement(session, TEAM)
            add_engagement(session, QUIET_TEAM, upcoming=False)
            remove_engagement(session, EMPTY_TEAM)
            for team in (TEAM, QUIET_TEAM, EMPTY_TEAM):
                record_change(session, "test: engagement rows for accessibility", scope=f"team:{team}")
        time.sleep(1.2)  # the server re-reads the content version at most once a second
        yield ids


def paths(ids) -> list[str]:
    return [
        f"/teams/{TEAM}",  # next meetings, one cancelled; priorities, one overdue; updates
        f"/teams/{TEAM}/meetings",  # upcoming and past, cancelled ones marked
        f"/teams/{TEAM}/meetings/{ids['upcoming'][0].id}",  # with an online link and a location
        f"/teams/{TEAM}/meetings/{ids['upcoming'][1].id}",  # cancelled
        f"/teams/{TEAM}/meetings/{ids['past'][0].id}",  # past, with notes
        f"/teams/{TEAM}/priorities",
        f"/teams/{TEAM}/priorities/{ids['current']}",
        f"/teams/{TEAM}/priorities/{ids['overdue']}",  # review overdue, no action yet
        f"/teams/{TEAM}/priorities/{ids['past_priority']}",
        f"/teams/{TEAM}/you-said-we-did",
        f"/teams/{TEAM}/updates",
        f"/teams/{QUIET_TEAM}",  # none upcoming
        f"/teams/{QUIET_TEAM}/meetings",
        f"/teams/{EMPTY_TEAM}",  # nothing at all
        f"/teams/{EMPTY_TEAM}/meetings",
        f"/teams/{EMPTY_TEAM}/priorities",
        f"/teams/{EMPTY_TEAM}/you-said-we-did",
        f"/teams/{EMPTY_TEAM}/updates",
        "/teams/E05011237/meetings",  # the demo content, whatever it holds
        "/teams/E05011237/priorities",
        "/teams/E05011237/you-said-we-did",
        "/teams/E05014058/meetings",  # the real 2011 police.uk record
    ]


def test_engagement_pages_have_no_wcag_violations(page, rows):
    for path in paths(rows):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)


def test_tables_have_captions_and_header_cells(page, rows):
    for path in [
        f"/teams/{TEAM}/meetings",
        f"/teams/{TEAM}/priorities",
        f"/teams/{TEAM}/priorities/{rows['current']}",
    ]:
        page.goto(path)
        for table in page.locator("table").all():
            assert table.locator("caption").count() == 1, path
            assert table.locator("th[scope=col]").count() >= 2, path


def test_keyboard_reaches_the_calendar_link(page, rows):
    page.goto(f"/teams/{TEAM}/meetings/{rows['upcoming'][0].id}")
    for _ in range(60):
        page.keyboard.press("Tab")
        if "Add to calendar" in (page.evaluate("document.activeElement.textContent") or ""):
            break
    else:
        pytest.fail("Tab never reached the Add to calendar button")
