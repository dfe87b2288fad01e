"""A member of staff keeps their team's meetings current: sign in → add a meeting next month → it is on the
public meetings page and in the team's calendar at once → sign out → staff pages ask to sign in again.

Runs against the shared real-data database: the account, the meeting and everything they leave behind (the
audit entries, the sign-in record, the team's "staff content" mark) are removed afterwards, so other tests
see the database as it was."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import delete, select, update

from portal.models import AuditEntry, Meeting, SignInAttempt, StaffUser, Team, record_change
from portal.models.staff import TEAM_EDITOR
from portal.queries import staff as staff_queries
from portal.services.compliance import add_months, month_start

TEAM = "E05014058"  # Chadwell Heath (Barking and Dagenham)
PASSWORD = "kettle harbour violet lantern"
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def account(loaded_db, live_server):
    email = f"journey-{uuid.uuid4().hex[:8]}@example.org"
    with loaded_db.sessions.begin() as session:
        team = session.get(Team, TEAM)
        saved = {
            "content_source": team.content_source,
            "source_note": team.source_note,
            "version": team.version,
        }
        meetings_before = set(session.scalars(select(Meeting.id).where(Meeting.team_id == TEAM)))
        staff_queries.create_user(
            session, email=email, name="Journey Tester", password=PASSWORD, role=TEAM_EDITOR, team_ids=[TEAM]
        )
    try:
        yield {"email": email, "team": TEAM}
    finally:
        with loaded_db.sessions.begin() as session:
            added = select(Meeting.id).where(Meeting.team_id == TEAM, Meeting.id.not_in(meetings_before))
            session.execute(delete(Meeting).where(Meeting.id.in_(added)))
            session.execute(delete(StaffUser).where(StaffUser.email == email))  # its sessions go with it
            session.execute(delete(AuditEntry).where(AuditEntry.actor == email))
            session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
            session.execute(update(Team.__table__).where(Team.__table__.c.id == TEAM).values(**saved))
            record_change(session, "test: staff journey removed", scope=f"team:{TEAM}")
        with loaded_db.sessions() as session:  # nothing left behind
            team = session.get(Team, TEAM)
            assert (team.content_source, team.source_note, team.version) == tuple(saved.values())
            assert set(session.scalars(select(Meeting.id).where(Meeting.team_id == TEAM))) == meetings_before
            assert session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None
        time.sleep(1.2)  # the server re-reads the content version at most once a second


def next_month_day() -> date:
    today = datetime.now(UTC).astimezone(LONDON).date()
    return add_months(month_start(today), 1) + timedelta(days=14)


def test_staff_add_a_meeting_and_residents_see_it_at_once(page, account):
    code = account["team"]
    page.goto(f"/staff/teams/{code}/meetings")
    page.wait_for_url("**/staff/sign-in?next=**")  # not signed in yet
    page.get_by_label("E-mail address").fill(account["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/staff/teams/{code}/meetings")  # back where they were going
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")

    page.get_by_role("button", name="Add a meeting").click()
    page.wait_for_url(f"**/staff/teams/{code}/meetings/new")
    day = next_month_day()
    title = f"Journey ward panel {uuid.uuid4().hex[:6]}"
    page.get_by_label("Ward panel").check()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Starts at").fill("7pm")
    page.get_by_label("Ends at").fill("20:30")
    page.get_by_label("Venue").fill("Chadwell Heath Community Centre")
    page.get_by_label("Postcode").fill("rm6 4ab")
    page.get_by_role("group", name="Is there step-free access?").get_by_label("Yes").check()
    page.get_by_label("A British Sign Language interpreter can be booked on request").check()
    page.get_by_role("button", name="Add the meeting").click()
    page.wait_for_url(f"**/staff/teams/{code}/meetings?saved=meeting-added")
    expect(page.get_by_role("alert")).to_contain_text("The meeting has been added")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()

    page.goto(f"/teams/{code}/meetings")
    card = page.locator(".portal-meeting", has=page.get_by_role("link", name=title, exact=True))
    expect(card).to_contain_text("7pm to 8:30pm")
    expect(card).to_contain_text("Step-free access")
    expect(card).to_contain_text("British Sign Language interpreter on request")

    response = page.request.get(f"/teams/{code}/meetings.ics")
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    events = [e for e in Calendar.from_ical(response.body()).walk("VEVENT") if str(e["SUMMARY"]) == title]
    assert len(events) == 1
    start = events[0].decoded("DTSTART")
    assert start == datetime(day.year, day.month, day.day, 19, tzinfo=LONDON)
    assert str(events[0]["UID"]).endswith("@pledge-portal") and "RM6 4AB" in str(events[0]["LOCATION"])

    page.goto(f"/staff/teams/{code}")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/staff/sign-in?signed-out")
    expect(page.get_by_text("You have signed out")).to_be_visible()
    page.goto(f"/staff/teams/{code}/meetings")
    page.wait_for_url("**/staff/sign-in?next=**")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
