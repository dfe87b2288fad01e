"""A resident's journey: team page → next meeting → add it to their calendar → past priorities → what was
done about one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from portal.models import record_change
from tests.routes.test_engagement import TEAM, add_engagement, preserved


@pytest.fixture(scope="module")
def rows(loaded_db, live_server):
    with preserved(loaded_db, [TEAM]):
        with loaded_db.sessions.begin() as session:
            ids = add_engagement(session, TEAM)
            record_change(session, "test: engagement rows for the browser", scope=f"team:{TEAM}")
        time.sleep(1.2)  # the server re-reads the content version at most once a second
        yield ids


def test_meeting_calendar_and_priorities_journey(page, rows):
    page.goto(f"/teams/{TEAM}")
    meetings = page.locator("#meetings")
    expect(meetings).to_have_text("Meet the team")
    first = rows["upcoming"][0]
    link = page.get_by_role("link", name=first.title, exact=True)
    link.focus()
    page.keyboard.press("Enter")  # keyboard, not mouse
    page.wait_for_url(f"**/teams/{TEAM}/meetings/{first.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    expect(page.get_by_text("Step-free access")).to_be_visible()

    with page.expect_download() as info:
        page.locator(f'a[href$="/meetings/{first.id}.ics"]').get_by_text("Add to calendar").click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    events = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [first.uid]

    page.get_by_role("link", name="Wallington South", exact=True).click()  # the breadcrumb
    page.get_by_role("link", name="All priorities, and past priorities with their outcomes").click()
    page.wait_for_url(f"**/teams/{TEAM}/priorities")
    expect(page.get_by_text("Review overdue").first).to_be_visible()
    table = page.get_by_role("table", name="Library of past priorities and their outcomes")
    table.get_by_role("link", name="Graffiti on the station bridge").click()
    page.wait_for_url(f"**/teams/{TEAM}/priorities/{rows['past_priority']}")
    log = page.get_by_role("table", name="What was done, oldest first")
    expect(log).to_contain_text("Cleaned the bridge and painted a mural")
    expect(log).to_contain_text("Network Rail")
