"""Staff keep their team's meetings, priorities and updates current (issue 7), through the real app: every
form valid and invalid, permissions, CSRF, version conflicts, audit, and what the public sees at once
(pages, calendars, the police.uk API, the Atom feed, the scorecard's review record)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import pytest
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import (
    AuditEntry,
    Meeting,
    Postcode,
    Priority,
    PriorityAction,
    PriorityReview,
    Team,
    TeamUpdate,
)
from portal.queries.staff_engagement import months_after
from portal.services.compliance import month_start
from portal.services.scorecard import reviews_on_time_each_month
from tests.staff_helpers import (
    ALPHA,
    BRAVO,
    DELTA,
    create_accounts,
    csrf_from,
    load_staff_areas,
    post_form,
    sign_in,
)

LONDON = ZoneInfo("Europe/London")
STAFF = "/staff/teams"


@pytest.fixture
def staff_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db


@pytest.fixture
def editor(staff_app) -> Iterator[tuple[TestClient, object]]:
    client, db = staff_app
    assert sign_in(client).status_code == 303
    yield client, db


def london_today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def ahead(days: int) -> date:
    return london_today() + timedelta(days=days)


def naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def date_fields(prefix: str, day: date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}-day": "", f"{prefix}-month": "", f"{prefix}-year": ""}
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def meeting_form(day: date | None = None, **changes) -> dict[str, str]:
    data = {
        "type": "ward_panel",
        "title": "Alpha ward panel",
        **date_fields("date", day or ahead(40)),
        "start": "19:00",
        "end": "20:30",
        "venue_name": "St Mary's Hall",
        "venue_address": "1 Church Road",
        "venue_postcode": "sw1a 2aa",
        "online_url": "",
        "step_free": "yes",
        "hearing_loop": "no",
        "bsl_on_request": "yes",
        "access_notes": "Lift to the first floor",
        "attendees": "PC Hall and the ward councillors",
        "how_to_join": "Just turn up",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def add_meeting(client, db, day: date | None = None, team: str = ALPHA, **changes) -> Meeting:
    response = post_form(client, f"{STAFF}/{team}/meetings/new", meeting_form(day, **changes))
    assert response.status_code == 303, response.text[:3000]
    assert response.headers["location"] == f"{STAFF}/{team}/meetings?saved=meeting-added"
    with session_scope(db.sessions) as session:
        return session.scalars(
            select(Meeting).where(Meeting.team_id == team).order_by(Meeting.id.desc())
        ).first()


def priority_form(agreed: date | None = None, review: date | None = None, **changes) -> dict[str, str]:
    data = {
        "title": "Speeding on Stafford Road",
        "raised": "Cars race down Stafford Road at night.",
        "detail": "Speed checks **twice a week** with the council.",
        "place": "Stafford Road",
        "category": "anti-social-behaviour",
        **date_fields("agreed", agreed or london_today() - timedelta(days=10)),
        "agreed_how": "meeting",
        "agreed_meeting": "",
        "agreed_note": "",
        **date_fields("review", review),
    }
    data.update(changes)
    return data


def add_priority(client, db, team: str = ALPHA, **changes) -> Priority:
    response = post_form(client, f"{STAFF}/{team}/priorities/new", priority_form(**changes))
    assert response.status_code == 303, response.text[:3000]
    with session_scope(db.sessions) as session:
        return session.scalars(
            select(Priority).where(Priority.team_id == team).order_by(Priority.id.desc())
        ).first()


def add_update(client, db, team: str = ALPHA, action: str = "draft", **changes) -> TeamUpdate:
    data = {"title": "New PCSO on the estate", "body": "Say hello to **Rachel**.", "results": "", **changes}
    response = post_form(client, f"{STAFF}/{team}/updates/new", {**data, "action": action})
    assert response.status_code == 303, response.text[:3000]
    with session_scope(db.sessions) as session:
        return session.scalars(
            select(TeamUpdate).where(TeamUpdate.team_id == team).order_by(TeamUpdate.id.desc())
        ).first()


def audits(db, entity: str) -> list[AuditEntry]:
    with session_scope(db.sessions) as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id))
        )


def assert_refused(response, field: str, message: str) -> None:
    assert response.status_code == 400, response.text[:2000]
    assert "There is a problem" in response.text and f'href="#{field}"' in response.text
    assert str(escape(message)) in response.text, response.text[:3000]
    assert f'id="{field}"' in response.text  # the summary's link has somewhere to go


# -- the overview --------------------------------------------------------------------------------------


def test_the_team_overview_links_to_meetings_priorities_and_updates(editor):
    client, _db = editor
    text = client.get(f"{STAFF}/{ALPHA}").text
    for section in ("meetings", "priorities", "updates"):
        assert f'href="{STAFF}/{ALPHA}/{section}"' in text
        page = client.get(f"{STAFF}/{ALPHA}/{section}")
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"


# -- meetings ------------------------------------------------------------------------------------------


def test_a_new_meeting_is_public_at_once_in_pages_calendar_and_api(editor):
    client, db = editor
    for path in (f"/teams/{ALPHA}/meetings", f"/teams/{ALPHA}", f"/teams/{ALPHA}/meetings.ics"):
        client.get(path)  # cached before the change
    day = ahead(40)
    meeting = add_meeting(client, db, day)
    assert meeting.uid.startswith("meeting-") and meeting.uid.endswith("@pledge-portal")
    assert (
        meeting.venue_postcode == "SW1A 2AA" and meeting.step_free is True and meeting.hearing_loop is False
    )
    assert meeting.bsl_on_request is True and meeting.status == "scheduled" and not meeting.is_demo
    listing = client.get(f"{STAFF}/{ALPHA}/meetings?saved=meeting-added")
    assert "The meeting has been added" in listing.text and "Alpha ward panel" in listing.text
    page = client.get(f"/teams/{ALPHA}/meetings")
    assert "Alpha ward panel" in page.text and "St Mary&#39;s Hall" in page.text
    assert "Alpha ward panel" in client.get(f"/teams/{ALPHA}").text
    assert "Alpha ward panel" in client.get(f"/teams/{ALPHA}/meetings/{meeting.id}").text
    events = Calendar.from_ical(client.get(f"/teams/{ALPHA}/meetings.ics").content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [meeting.uid]
    start = events[0].decoded("DTSTART")
    assert start == datetime(day.year, day.month, day.day, 19, tzinfo=LONDON)
    api = client.get(f"/api/metropolitan/{ALPHA}/events").json()
    assert [e["title"] for e in api] == ["Alpha ward panel"]
    assert api[0]["start_date"] == f"{day.isoformat()}T19:00:00"
    with session_scope(db.sessions) as session:
        assert session.get(Team, ALPHA).content_source == "staff"
    (entry,) = audits(db, "meeting")
    assert entry.action == "create" and json.loads(entry.after)["title"] == "Alpha ward panel"


def test_calendar_times_are_right_for_summer_and_winter_dates(editor):
    client, db = editor
    year = london_today().year + 1
    summer = add_meeting(client, db, date(year, 7, 15), title="Summer panel", start="19:00", end="20:00")
    winter = add_meeting(client, db, date(year, 1, 15), title="Winter panel", start="19:00", end="20:00")
    with session_scope(db.sessions) as session:
        stored = {m.title: naive_utc(m.starts_at) for m in session.scalars(select(Meeting))}
    assert stored == {"Summer panel": datetime(year, 7, 15, 18), "Winter panel": datetime(year, 1, 15, 19)}
    events = Calendar.from_ical(client.get(f"/teams/{ALPHA}/meetings.ics").content).walk("VEVENT")
    starts = {str(e["UID"]): e.decoded("DTSTART") for e in events}
    assert starts[summer.uid] == datetime(year, 7, 15, 18, tzinfo=UTC)  # 7pm BST
    assert starts[winter.uid] == datetime(year, 1, 15, 19, tzinfo=UTC)  # 7pm GMT
    assert all(s.utcoffset() == timedelta(0) for s in starts.values())
    api = {e["title"]: e["start_date"] for e in client.get(f"/api/metropolitan/{ALPHA}/events").json()}
    assert api == {"Summer panel": f"{year}-07-15T19:00:00", "Winter panel": f"{year}-01-15T19:00:00"}
    page = client.get(f"/teams/{ALPHA}/meetings").text
    assert f"Wednesday 15 July {year}, 7pm to 8pm" in page or f"15 July {year}, 7pm to 8pm" in page


def test_half_past_eleven_at_night_on_31_august_is_stored_as_half_past_ten_utc(editor):
    client, db = editor
    year = london_today().year + 1
    add_meeting(client, db, date(year, 8, 31), start="22:00", end="23:30", title="Late")
    add_meeting(client, db, date(year, 8, 31), start="23:30", end="23:59", title="Later")
    with session_scope(db.sessions) as session:
        later = session.scalar(select(Meeting).where(Meeting.title == "Later"))
        assert naive_utc(later.starts_at) == datetime(year, 8, 31, 22, 30)
        assert naive_utc(later.ends_at) == datetime(year, 8, 31, 22, 59)
    assert "11:30pm" in client.get(f"/teams/{ALPHA}/meetings/{later.id}").text


def last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def test_times_the_clocks_skip_or_repeat_are_refused_with_a_clear_message(editor):
    client, db = editor
    year = london_today().year + 1
    spring, autumn = last_sunday(year, 3), last_sunday(year, 10)
    skipped = post_form(
        client, f"{STAFF}/{ALPHA}/meetings/new", meeting_form(spring, start="01:30", end="03:00")
    )
    assert_refused(skipped, "start", "There is no 1:30am on")
    assert "the clocks go forward" in skipped.text and 'value="01:30"' in skipped.text
    twice = post_form(
        client, f"{STAFF}/{ALPHA}/meetings/new", meeting_form(autumn, start="00:30", end="01:15")
    )
    assert_refused(twice, "end", "happens twice in London")
    assert "the clocks go back" in twice.text
    # either side of the change is fine, and converted with the right offset
    add_meeting(client, db, spring, start="00:30", end="02:30", title="Spring night")
    with session_scope(db.sessions) as session:
        spring_night = session.scalar(select(Meeting).where(Meeting.title == "Spring night"))
        assert naive_utc(spring_night.starts_at) == datetime(spring.year, spring.month, spring.day, 0, 30)
        assert naive_utc(spring_night.ends_at) == datetime(spring.year, spring.month, spring.day, 1, 30)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title for the meeting"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
        ({"type": "party"}, "type", "Choose the type of meeting"),
        ({"date-day": "31", "date-month": "2", "date-year": "2030"}, "date", "must be a real date"),
        ({"date-month": ""}, "date", "must include a month"),
        ({"date-day": "", "date-month": "", "date-year": ""}, "date", "Enter the date of the meeting"),
        ({"date-year": "30"}, "date", "The year must include 4 numbers"),
        ({"start": "25:00"}, "start", "Enter the start time as hours and minutes"),
        ({"start": ""}, "start", "Enter the time the meeting starts"),
        ({"start": "20:00", "end": "19:00"}, "end", "The end time must be after the start time"),
        ({"start": "7pm", "end": "7pm"}, "end", "The end time must be after the start time"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a web address starting with https://"),
        (
            {"online_url": "ftp://files.example.org/x"},
            "online_url",
            "Enter a web address starting with https://",
        ),
        ({"online_url": "https://"}, "online_url", "Enter a web address starting with https://"),
        ({"venue_postcode": "NOT A POSTCODE"}, "venue_postcode", "Enter a full postcode"),
        ({"venue_postcode": "SW1A"}, "venue_postcode", "Enter a full postcode"),
        ({"venue_name": "", "online_url": ""}, "venue_name", "Enter where the meeting is"),
        ({"type": "online", "online_url": ""}, "online_url", "Enter the link people use to join"),
        ({"access_notes": "x" * 2001}, "access_notes", "Access notes must be 2,000 characters or fewer"),
    ],
)
def test_invalid_meetings_are_refused_with_what_was_typed_kept(editor, changes, field, message):
    client, db = editor
    data = meeting_form(**{"attendees": "Kept: PC Typed", **changes})
    response = post_form(client, f"{STAFF}/{ALPHA}/meetings/new", data)
    assert_refused(response, field, message)
    assert "Kept: PC Typed" in response.text
    if changes.get("title") is not None:
        assert f'value="{changes["title"]}"' in response.text
    assert response.text.count('class="govuk-error-message"') == 1
    assert f'aria-describedby="{field}-hint {field}-error"' in response.text or (
        f'aria-describedby="{field}-error"' in response.text
    )
    with session_scope(db.sessions) as session:
        assert session.scalar(select(Meeting.id)) is None


def test_a_meeting_online_only_needs_no_venue(editor):
    client, db = editor
    meeting = add_meeting(
        client,
        db,
        type="online",
        venue_name="",
        venue_address="",
        venue_postcode="",
        online_url="https://meet.example.org/alpha",
        step_free="",
        hearing_loop="",
        bsl_on_request=None,
    )
    assert meeting.venue_name is None and meeting.online_url == "https://meet.example.org/alpha"
    assert meeting.step_free is None and meeting.hearing_loop is None and meeting.bsl_on_request is False
    assert "Join online" in client.get(f"/teams/{ALPHA}/meetings").text


def test_changing_a_meeting_is_audited_with_before_and_after_and_moves_its_place(editor):
    client, db = editor
    with session_scope(db.sessions) as session:
        session.add(
            Postcode(
                postcode="SW1A 2AA",
                outcode="SW1A",
                pqi=10,
                easting=1,
                northing=1,
                latitude=51.5035,
                longitude=-0.1276,
                district_code="E09000033",
            )
        )
    meeting = add_meeting(client, db)
    assert (meeting.latitude, meeting.longitude) == (51.5035, -0.1276)
    url = f"{STAFF}/{ALPHA}/meetings/{meeting.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.text
    assert (
        'value="Alpha ward panel"' in page.text
        and 'value="19:00"' in page.text
        and 'value="SW1A 2AA"' in page.text
    )
    response = post_form(
        client, url, meeting_form(title="Alpha ward panel (moved)", venue_postcode="SE1 7PB")
    )
    assert response.status_code == 303 and response.headers["location"].endswith("saved=meeting-saved")
    with session_scope(db.sessions) as session:
        saved = session.get(Meeting, meeting.id)
        assert saved.version == 2 and saved.uid == meeting.uid  # the calendar UID never changes
        assert saved.latitude is None and saved.longitude is None  # an unknown postcode: no old point kept
    entry = audits(db, "meeting")[-1]
    assert entry.action == "update" and entry.entity_id == str(meeting.id)
    before, after = json.loads(entry.before), json.loads(entry.after)
    assert before["title"] == "Alpha ward panel" and after["title"] == "Alpha ward panel (moved)"
    assert before["venue_postcode"] == "SW1A 2AA" and after["venue_postcode"] == "SE1 7PB"
    assert "starts_at" not in after  # only the fields that changed
    assert "Alpha ward panel (moved)" in client.get(f"/teams/{ALPHA}/meetings").text


def test_a_stale_meeting_form_is_refused_showing_what_is_saved_now(editor):
    client, db = editor
    meeting = add_meeting(client, db)
    url = f"{STAFF}/{ALPHA}/meetings/{meeting.id}"
    first, second = client.get(url), client.get(url)
    fields = meeting_form(title="First title")
    assert (
        client.post(url, data={"csrf_token": csrf_from(first), "version": "1", **fields}).status_code == 303
    )
    refused = client.post(
        url, data={"csrf_token": csrf_from(second), "version": "1", **meeting_form(title="Second title")}
    )
    assert refused.status_code == 409
    assert "Someone else saved changes" in refused.text and "First title" in refused.text
    assert 'value="Second title"' in refused.text and 'name="version" value="2"' in refused.text
    with session_scope(db.sessions) as session:
        assert session.get(Meeting, meeting.id).title == "First title"


def test_cancelling_a_meeting_keeps_it_listed_as_cancelled(editor):
    client, db = editor
    meeting = add_meeting(client, db)
    url = f"{STAFF}/{ALPHA}/meetings/{meeting.id}/cancel"
    page = client.get(url)
    assert page.status_code == 200 and "Cancel Alpha ward panel" in page.text
    assert_refused(post_form(client, url, {"reason": ""}), "reason", "Enter why the meeting is cancelled")
    response = post_form(client, url, {"reason": "The hall is flooded"})
    assert response.status_code == 303 and response.headers["location"].endswith("saved=meeting-cancelled")
    public = client.get(f"/teams/{ALPHA}/meetings").text
    assert "Cancelled: Alpha ward panel" in public and "The hall is flooded" in public
    assert (
        "This meeting is cancelled. The hall is flooded"
        in client.get(f"/teams/{ALPHA}/meetings/{meeting.id}").text
    )
    (event,) = Calendar.from_ical(client.get(f"/teams/{ALPHA}/meetings.ics").content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and str(event["UID"]) == meeting.uid
    assert client.get(f"/api/metropolitan/{ALPHA}/events").json() == []
    assert "already cancelled" in client.get(url).text
    entry = audits(db, "meeting")[-1]
    assert entry.action == "cancel" and json.loads(entry.after) == {
        "status": "cancelled",
        "cancelled_reason": "The hall is flooded",
    }


def test_minutes_and_attendance_only_after_the_meeting(editor):
    client, db = editor
    future = add_meeting(client, db)
    url = f"{STAFF}/{ALPHA}/meetings/{future.id}/minutes"
    assert "once the meeting has ended" in client.get(url).text
    token = csrf_from(client.get(url))
    refused = client.post(
        url, data={"csrf_token": token, "version": "1", "minutes": "Early", "attendance": "3"}
    )
    assert_refused(refused, "minutes", "once the meeting has ended")

    past = add_meeting(client, db, london_today() - timedelta(days=3), title="Last week's panel")
    url = f"{STAFF}/{ALPHA}/meetings/{past.id}/minutes"
    for attendance, message in [
        ("-3", "whole number"),
        ("lots", "whole number"),
        ("2.5", "whole number"),
        ("100001", "100,000 or fewer"),
    ]:
        response = post_form(client, url, {"minutes": "Kept notes", "attendance": attendance})
        assert_refused(response, "attendance", message)
        assert "Kept notes" in response.text and f'value="{attendance}"' in response.text
    minutes = "We talked about **bikes**.\n\n<script>alert(1)</script>\n\n- [Map](https://example.org/map)"
    response = post_form(client, url, {"minutes": minutes, "attendance": "0"})
    assert response.status_code == 303 and response.headers["location"].endswith("saved=minutes-saved")
    page = client.get(f"/teams/{ALPHA}/meetings/{past.id}").text
    assert "<strong>bikes</strong>" in page and "<script>alert(1)" not in page
    assert (
        '<a href="https://example.org/map" class="govuk-link" rel="nofollow noopener noreferrer">Map</a>'
        in page
        or ('href="https://example.org/map"' in page)
    )
    assert "0 people" in page
    listing = client.get(f"/teams/{ALPHA}/meetings").text
    assert "We talked about bikes." in listing and "**bikes**" not in listing  # the summary is plain text
    with session_scope(db.sessions) as session:
        assert session.get(Meeting, past.id).attendance == 0
    entry = audits(db, "meeting")[-1]
    assert entry.action == "minutes" and json.loads(entry.after)["attendance"] == 0


def test_a_cancelled_meeting_has_no_minutes_and_a_held_one_cannot_be_cancelled(editor):
    client, db = editor
    past = add_meeting(client, db, london_today() - timedelta(days=3))
    assert (
        post_form(
            client, f"{STAFF}/{ALPHA}/meetings/{past.id}/minutes", {"minutes": "", "attendance": "9"}
        ).status_code
        == 303
    )
    refused = post_form(client, f"{STAFF}/{ALPHA}/meetings/{past.id}/cancel", {"reason": "Oops"})
    assert_refused(refused, "reason", "it was held")
    other = add_meeting(client, db, london_today() - timedelta(days=5), title="Never held")
    assert (
        post_form(client, f"{STAFF}/{ALPHA}/meetings/{other.id}/cancel", {"reason": "Snow"}).status_code
        == 303
    )
    url = f"{STAFF}/{ALPHA}/meetings/{other.id}/minutes"
    assert "was cancelled" in client.get(url).text
    token = csrf_from(client.get(url))
    refused = client.post(url, data={"csrf_token": token, "version": "2", "minutes": "x", "attendance": ""})
    assert_refused(refused, "minutes", "was cancelled")


# -- priorities ----------------------------------------------------------------------------------------


def test_a_new_priority_is_public_with_a_review_three_months_on(editor):
    client, db = editor
    meeting = add_meeting(client, db, london_today() - timedelta(days=12), title="March panel")
    agreed = london_today() - timedelta(days=10)
    form = client.get(f"{STAFF}/{ALPHA}/priorities/new").text
    assert f'<option value="{meeting.id}">March panel, ' in form
    priority = add_priority(client, db, agreed=agreed, agreed_meeting=str(meeting.id))
    assert priority.review_on == months_after(agreed, 3) and priority.status == "open"
    assert priority.agreed_meeting_id == meeting.id and priority.category == "anti-social-behaviour"
    with session_scope(db.sessions) as session:
        reviews = session.scalars(
            select(PriorityReview).where(PriorityReview.priority_id == priority.id)
        ).all()
        assert [(r.due_on, r.reviewed_on) for r in reviews] == [(priority.review_on, None)]
    public = client.get(f"/teams/{ALPHA}/priorities").text
    assert "Speeding on Stafford Road" in public and "<strong>twice a week</strong>" in public
    detail = client.get(f"/teams/{ALPHA}/priorities/{priority.id}").text
    assert "March panel" in detail and "<strong>twice a week</strong>" in detail
    assert "Speeding on Stafford Road" in client.get(f"/teams/{ALPHA}").text
    assert (
        client.get(f"/api/metropolitan/{ALPHA}/priorities")
        .json()[0]["issue"]
        .startswith("<p>Speeding on Stafford Road")
    )


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert months_after(date(2026, 1, 15), 3) == date(2026, 4, 15)
    assert months_after(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert months_after(date(2027, 11, 30), 3) == date(2028, 2, 29)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Enter the priority in a few plain words"),
        ({"title": "x" * 201}, "title", "The priority must be 200 characters or fewer"),
        ({"agreed_how": ""}, "agreed_how", "Choose how the priority was agreed"),
        ({"category": "made-up"}, "category", "Choose a crime category"),
        (
            {"agreed-day": "", "agreed-month": "", "agreed-year": ""},
            "agreed",
            "Enter the day the priority was agreed",
        ),
        ({"agreed-day": "30", "agreed-month": "2", "agreed-year": "2026"}, "agreed", "must be a real date"),
        ({"agreed_meeting": "999999"}, "agreed_meeting", "Choose one of the team's meetings"),
    ],
)
def test_invalid_priorities_are_refused_with_what_was_typed_kept(editor, changes, field, message):
    client, db = editor
    response = post_form(
        client, f"{STAFF}/{ALPHA}/priorities/new", priority_form(**{"place": "Kept Lane", **changes})
    )
    assert_refused(response, field, message)
    assert 'value="Kept Lane"' in response.text and "Cars race down Stafford Road" in response.text
    with session_scope(db.sessions) as session:
        assert session.scalar(select(Priority.id)) is None


def test_priority_dates_must_make_sense(editor):
    client, _db = editor
    url = f"{STAFF}/{ALPHA}/priorities/new"
    future = post_form(client, url, priority_form(agreed=ahead(2)))
    assert_refused(future, "agreed", "must be today or in the past")
    agreed = london_today() - timedelta(days=10)
    early = post_form(client, url, priority_form(agreed=agreed, review=agreed - timedelta(days=1)))
    assert_refused(early, "review", "The review date must be after the day the priority was agreed")


def test_a_meeting_of_another_team_cannot_be_chosen(editor, staff_app):
    client, db = editor
    with session_scope(db.sessions) as session:
        other = Meeting(
            uid="other@test",
            team_id=BRAVO,
            type="ward_panel",
            title="Bravo panel",
            starts_at=datetime(2025, 1, 1, 19, tzinfo=UTC),
            ends_at=datetime(2025, 1, 1, 20, tzinfo=UTC),
        )
        session.add(other)
        session.flush()
        other_id = other.id
    assert "Bravo panel" not in client.get(f"{STAFF}/{ALPHA}/priorities/new").text
    response = post_form(
        client, f"{STAFF}/{ALPHA}/priorities/new", priority_form(agreed_meeting=str(other_id))
    )
    assert_refused(response, "agreed_meeting", "Choose one of the team's meetings")


def test_a_recorded_review_is_on_the_scorecards_record(editor):
    client, db = editor
    today = london_today()
    agreed = today - timedelta(days=120)
    due = today - timedelta(days=20)
    priority = add_priority(client, db, agreed=agreed, review=due)
    url = f"{STAFF}/{ALPHA}/priorities/{priority.id}/review"
    page = client.get(url)
    assert page.status_code == 200 and f"{due.day} {due:%B %Y}" in page.text
    assert_refused(
        post_form(
            client,
            url,
            {**date_fields("reviewed", today + timedelta(days=1)), "note": "x", **date_fields("next", None)},
        ),
        "reviewed",
        "today or in the past",
    )
    assert_refused(
        post_form(
            client,
            url,
            {**date_fields("reviewed", agreed - timedelta(days=1)), "note": "", **date_fields("next", None)},
        ),
        "reviewed",
        "on or after the day",
    )
    done_on = due - timedelta(days=2)
    assert_refused(
        post_form(
            client, url, {**date_fields("reviewed", done_on), "note": "", **date_fields("next", done_on)}
        ),
        "next",
        "must be after the day",
    )
    response = post_form(
        client,
        url,
        {
            **date_fields("reviewed", done_on),
            "note": "Reviewed at the ward panel; kept.",
            **date_fields("next", None),
        },
    )
    assert response.status_code == 303 and response.headers["location"].endswith("saved=priority-reviewed")
    with session_scope(db.sessions) as session:
        saved = session.get(Priority, priority.id)
        assert saved.reviewed_on == done_on and saved.review_on == months_after(done_on, 3)
        assert saved.version == priority.version + 1
        rows = session.scalars(
            select(PriorityReview)
            .where(PriorityReview.priority_id == priority.id)
            .order_by(PriorityReview.due_on)
        ).all()
        assert [(r.due_on, r.reviewed_on, r.note) for r in rows] == [
            (due, done_on, "Reviewed at the ward panel; kept."),
            (months_after(done_on, 3), None, None),  # the next one, waiting
        ]
        counts = reviews_on_time_each_month(rows, month_start(due), month_start(today), today)
    assert (counts[month_start(due)].numerator, counts[month_start(due)].denominator) == (1, 1)
    assert "Reviewed at the ward panel" not in client.get(f"/teams/{ALPHA}/priorities").text  # staff note
    assert (
        f'last reviewed on <time datetime="{done_on.isoformat()}">'
        in client.get(f"/teams/{ALPHA}/priorities").text
    )
    entry = audits(db, "priority")[-1]
    assert entry.action == "review" and json.loads(entry.before)["reviewed_on"] is None
    assert json.loads(entry.after)["reviewed_on"] == done_on.isoformat()


def test_a_review_not_done_counts_as_late_and_a_late_one_too(editor):
    client, db = editor
    today = london_today()
    due = today - timedelta(days=20)
    waiting = add_priority(client, db, agreed=today - timedelta(days=100), review=due, title="Never reviewed")
    late = add_priority(client, db, agreed=today - timedelta(days=100), review=due, title="Reviewed late")
    response = post_form(
        client,
        f"{STAFF}/{ALPHA}/priorities/{late.id}/review",
        {**date_fields("reviewed", today), "note": "", **date_fields("next", None)},
    )
    assert response.status_code == 303
    with session_scope(db.sessions) as session:
        rows = session.scalars(
            select(PriorityReview).where(PriorityReview.priority_id.in_([waiting.id, late.id]))
        ).all()
        counts = reviews_on_time_each_month(rows, month_start(due), month_start(due), today)
    assert (counts[month_start(due)].numerator, counts[month_start(due)].denominator) == (0, 2)


def test_actions_are_dated_and_public(editor):
    client, db = editor
    priority = add_priority(client, db)
    url = f"{STAFF}/{ALPHA}/priorities/{priority.id}/actions"
    base = {
        **date_fields("acted", london_today()),
        "who": "partner",
        "partner": "",
        "description": "Kept words",
        "result": "",
    }
    assert_refused(post_form(client, url, base), "partner", "Enter the partner's name")
    assert_refused(post_form(client, url, {**base, "who": ""}), "who", "Choose who acted")
    assert_refused(
        post_form(client, url, {**base, "partner": "Council", "description": ""}),
        "description",
        "Enter what was done",
    )
    assert_refused(
        post_form(client, url, {**base, "partner": "Council", **date_fields("acted", ahead(1))}),
        "acted",
        "today or in the past",
    )
    response = post_form(
        client,
        url,
        {
            **base,
            "partner": "Westminster Council",
            "description": "Fitted **speed bumps**.",
            "result": "Speeds down.",
        },
    )
    assert response.status_code == 303 and response.headers["location"].endswith("saved=action-added")
    assert (
        post_form(client, url, {**base, "who": "police", "description": "Speed checks."}).status_code == 303
    )
    with session_scope(db.sessions) as session:
        actions = session.scalars(select(PriorityAction).order_by(PriorityAction.id)).all()
        assert [(a.actor, a.is_partner) for a in actions] == [
            ("Westminster Council", True),
            ("Police", False),
        ]
        assert session.get(Priority, priority.id).version == priority.version + 2
    detail = client.get(f"/teams/{ALPHA}/priorities/{priority.id}").text
    assert "<strong>speed bumps</strong>" in detail and "Westminster Council" in detail
    ysyd = client.get(f"/teams/{ALPHA}/you-said-we-did").text
    assert "<strong>speed bumps</strong>" in ysyd and "Speed checks." in ysyd
    assert "Latest: <time" in client.get(f"/teams/{ALPHA}").text
    entry = audits(db, "priority")[-1]
    assert entry.action == "action" and json.loads(entry.after)["description"] == "Speed checks."


def test_resolving_needs_an_outcome_sets_the_closing_day_and_stops_reviews(editor):
    client, db = editor
    priority = add_priority(client, db)
    url = f"{STAFF}/{ALPHA}/priorities/{priority.id}/status"
    assert_refused(
        post_form(client, url, {"status": "resolved", "outcome": ""}), "outcome", "Enter the outcome"
    )
    assert_refused(
        post_form(client, url, {"status": "shelved", "outcome": ""}), "status", "Choose the priority's status"
    )
    assert post_form(client, url, {"status": "in_progress", "outcome": ""}).status_code == 303
    response = post_form(client, url, {"status": "resolved", "outcome": "Speeds are **down** by a third."})
    assert response.status_code == 303 and response.headers["location"].endswith("saved=status-saved")
    with session_scope(db.sessions) as session:
        saved = session.get(Priority, priority.id)
        assert saved.status == "resolved" and saved.closed_on == london_today()
        assert (
            session.scalars(select(PriorityReview).where(PriorityReview.priority_id == priority.id)).all()
            == []
        )
    past = client.get(f"/teams/{ALPHA}/priorities").text
    assert "Past priorities" in past and "<strong>down</strong>" in past
    review = client.get(f"{STAFF}/{ALPHA}/priorities/{priority.id}/review").text
    assert "has no more reviews" in review
    # reopened: a review waits again, three months on
    assert post_form(client, url, {"status": "open", "outcome": ""}).status_code == 303
    with session_scope(db.sessions) as session:
        saved = session.get(Priority, priority.id)
        assert saved.closed_on is None and saved.outcome is None
        waiting = session.scalars(
            select(PriorityReview).where(PriorityReview.priority_id == priority.id)
        ).all()
        assert [(r.due_on, r.reviewed_on) for r in waiting] == [(saved.review_on, None)]


def test_editing_a_priority_and_a_stale_version(editor):
    client, db = editor
    priority = add_priority(client, db)
    url = f"{STAFF}/{ALPHA}/priorities/{priority.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Speeding on Stafford Road"' in page.text
    assert 'id="review"' not in page.text  # the review date moves only by recording a review
    review_page = client.get(f"{url}/review")
    invalid = post_form(client, url, priority_form(title="", place="Kept Lane"))
    assert_refused(invalid, "title", "Enter the priority in a few plain words")
    assert 'value="Kept Lane"' in invalid.text and 'id="review"' not in invalid.text
    reviewed = london_today() - timedelta(days=3)
    done = post_form(
        client,
        f"{url}/review",
        {**date_fields("reviewed", reviewed), "note": "", **date_fields("next", None)},
    )
    assert done.status_code == 303
    too_late = post_form(client, url, priority_form(agreed=reviewed + timedelta(days=1)))
    assert_refused(too_late, "agreed", "on or before its last review")
    assert (
        post_form(client, url, priority_form(title="Speeding on Stafford Road and Park Lane")).status_code
        == 303
    )
    refused = client.post(
        f"{url}/review",
        data={
            "csrf_token": csrf_from(review_page),
            "version": str(priority.version),
            **date_fields("reviewed", london_today()),
            "note": "Typed note",
            **date_fields("next", None),
        },
    )
    assert refused.status_code == 409 and "Someone else saved changes" in refused.text
    assert "Typed note" in refused.text and f'name="version" value="{priority.version + 2}"' in refused.text
    entry = audits(db, "priority")[-1]
    assert entry.action == "update"
    assert json.loads(entry.before) == {"title": "Speeding on Stafford Road"}
    assert json.loads(entry.after) == {"title": "Speeding on Stafford Road and Park Lane"}


# -- updates -------------------------------------------------------------------------------------------


def test_a_draft_is_private_until_published_then_everywhere_at_once(editor):
    client, db = editor
    for path in (f"/teams/{ALPHA}/updates", f"/teams/{ALPHA}/updates.atom", f"/teams/{ALPHA}"):
        client.get(path)  # cached before
    draft = add_update(
        client, db, body="Say hello to **Rachel**.\n\n<script>alert(1)</script>", results="Two arrests."
    )
    assert draft.status == "draft" and draft.published_at is None
    for path in (
        f"/teams/{ALPHA}/updates",
        f"/teams/{ALPHA}/updates.atom",
        f"/teams/{ALPHA}",
        f"/teams/{ALPHA}/updates.json",
    ):
        assert "New PCSO on the estate" not in client.get(path).text, path
    with session_scope(db.sessions) as session:
        assert session.get(Team, ALPHA).content_source != "staff"  # nothing public changed yet
    preview = client.get(f"{STAFF}/{ALPHA}/updates/{draft.id}/preview")
    assert preview.status_code == 200 and "Preview and publish" in preview.text
    assert "<strong>Rachel</strong>" in preview.text and "<script>alert(1)" not in preview.text
    assert '<article class="govuk-!-margin-bottom-7" id="update-' in preview.text
    response = post_form(
        client,
        f"{STAFF}/{ALPHA}/updates/{draft.id}/publish",
        {},
        form_url=f"{STAFF}/{ALPHA}/updates/{draft.id}/preview",
    )
    assert response.status_code == 303 and response.headers["location"].endswith("saved=update-published")
    public = client.get(f"/teams/{ALPHA}/updates").text
    assert "New PCSO on the estate" in public and "<strong>Rachel</strong>" in public
    assert "<script>alert(1)" not in public and "Two arrests." in public
    assert "New PCSO on the estate" in client.get(f"/teams/{ALPHA}").text
    feed = feedparser.parse(client.get(f"/teams/{ALPHA}/updates.atom").content)
    assert not feed.bozo and [e.title for e in feed.entries] == ["New PCSO on the estate"]
    assert "<strong>Rachel</strong>" in feed.entries[0].content[0].value
    assert "<script" not in feed.entries[0].content[0].value
    assert feed.entries[0].summary.startswith("Say hello to Rachel.")
    with session_scope(db.sessions) as session:
        saved = session.get(TeamUpdate, draft.id)
        assert saved.status == "published" and saved.published_at is not None
        assert session.get(Team, ALPHA).content_source == "staff"
    assert [e.action for e in audits(db, "update")] == ["draft", "publish"]


def test_preview_shows_the_typed_text_as_the_public_would_without_saving(editor):
    client, db = editor
    data = {
        "title": "Preview me",
        "body": "A [link](https://example.org) and [bad](javascript:alert(1))\n\n# Big",
        "results": "",
        "action": "preview",
    }
    response = post_form(client, f"{STAFF}/{ALPHA}/updates/new", data)
    assert response.status_code == 200 and "This is how the update will look" in response.text
    assert 'href="https://example.org"' in response.text and 'href="javascript' not in response.text
    assert '<h3 class="govuk-heading-s">Big</h3>' in response.text
    assert 'value="Preview me"' in response.text  # the form keeps what was typed
    with session_scope(db.sessions) as session:
        assert session.scalar(select(TeamUpdate.id)) is None


def test_invalid_updates_are_refused(editor):
    client, _db = editor
    for changes, field, message in [
        ({"title": ""}, "title", "Enter a title for the update"),
        ({"body": ""}, "body", "Enter the update"),
        ({"title": "x" * 201}, "title", "The title must be 200 characters or fewer"),
    ]:
        data = {"title": "Kept title", "body": "Kept body", "results": "", "action": "draft", **changes}
        response = post_form(client, f"{STAFF}/{ALPHA}/updates/new", data)
        assert_refused(response, field, message)
        assert "Kept body" in response.text or "Kept title" in response.text


def test_editing_a_published_update_keeps_it_published(editor):
    client, db = editor
    update = add_update(client, db, action="publish")
    assert update.status == "published" and update.published_at is not None
    url = f"{STAFF}/{ALPHA}/updates/{update.id}"
    assert "This update is published" in client.get(url).text
    response = post_form(
        client,
        url,
        {"title": "New PCSO on the Queensway estate", "body": "Changed.", "results": "", "action": "save"},
    )
    assert response.status_code == 303 and response.headers["location"].endswith("saved=update-saved")
    with session_scope(db.sessions) as session:
        saved = session.get(TeamUpdate, update.id)
        assert saved.status == "published" and naive_utc(saved.published_at) == naive_utc(update.published_at)
    assert "New PCSO on the Queensway estate" in client.get(f"/teams/{ALPHA}/updates").text
    entry = audits(db, "update")[-1]
    assert entry.action == "update" and json.loads(entry.before) == {
        "title": "New PCSO on the estate",
        "body": "Say hello to **Rachel**.",
    }
    # a published update cannot be deleted
    delete = f"{url}/delete"
    assert "cannot be deleted" in client.get(delete).text
    token = csrf_from(client.get(delete))
    refused = client.post(delete, data={"csrf_token": token, "version": "2"})
    assert_refused(refused, "delete", "cannot be deleted")


def test_deleting_a_draft_and_a_stale_update(editor):
    client, db = editor
    draft = add_update(client, db)
    url = f"{STAFF}/{ALPHA}/updates/{draft.id}"
    page = client.get(url)
    assert (
        post_form(
            client, url, {"title": "Changed", "body": "Changed", "results": "", "action": "draft"}
        ).status_code
        == 303
    )
    stale = client.post(
        url,
        data={
            "csrf_token": csrf_from(page),
            "version": "1",
            "title": "Mine",
            "body": "Mine",
            "results": "",
            "action": "draft",
        },
    )
    assert (
        stale.status_code == 409
        and "Someone else saved changes" in stale.text
        and 'value="Mine"' in stale.text
    )
    delete_page = client.get(f"{url}/delete")
    assert "Delete the draft Changed?" in delete_page.text
    response = post_form(client, f"{url}/delete", {})
    assert response.status_code == 303 and response.headers["location"].endswith("saved=update-deleted")
    with session_scope(db.sessions) as session:
        assert session.get(TeamUpdate, draft.id) is None
    entry = audits(db, "update")[-1]
    assert entry.action == "delete" and json.loads(entry.before)["title"] == "Changed" and entry.after is None


# -- permissions, CSRF, other teams' items -------------------------------------------------------------


def my_items(client, db, team: str = ALPHA) -> dict[str, int]:
    meeting = add_meeting(client, db, london_today() - timedelta(days=2), team=team)
    priority = add_priority(client, db, team)
    update = add_update(client, db, team)
    return {"meeting": meeting.id, "priority": priority.id, "update": update.id}


def form_urls(team: str, ids: dict[str, int]) -> list[str]:
    m, p, u = ids["meeting"], ids["priority"], ids["update"]
    return [
        f"{STAFF}/{team}/meetings/new",
        f"{STAFF}/{team}/meetings/{m}",
        f"{STAFF}/{team}/meetings/{m}/cancel",
        f"{STAFF}/{team}/meetings/{m}/minutes",
        f"{STAFF}/{team}/priorities/new",
        f"{STAFF}/{team}/priorities/{p}",
        f"{STAFF}/{team}/priorities/{p}/review",
        f"{STAFF}/{team}/priorities/{p}/actions",
        f"{STAFF}/{team}/priorities/{p}/status",
        f"{STAFF}/{team}/updates/new",
        f"{STAFF}/{team}/updates/{u}",
        f"{STAFF}/{team}/updates/{u}/delete",
    ]


def test_every_form_refuses_a_post_without_its_csrf_token(editor):
    client, db = editor
    ids = my_items(client, db)
    for url in [*form_urls(ALPHA, ids), f"{STAFF}/{ALPHA}/updates/{ids['update']}/publish"]:
        response = client.post(url, data={"version": "1", "title": "x", "reason": "x"})
        assert response.status_code == 403, url
        forged = client.post(url, data={"version": "1", "csrf_token": "forged"})
        assert forged.status_code == 403, url
    with session_scope(db.sessions) as session:
        assert session.get(Meeting, ids["meeting"]).version == 1


@pytest.mark.parametrize(("key", "team"), [("editor", BRAVO), ("borough", DELTA)])
def test_no_page_or_post_for_a_team_you_cannot_edit(staff_app, key, team):
    client, db = staff_app
    sign_in(client, "force")
    ids = my_items(client, db, team)
    client.cookies.clear()
    sign_in(client, key)
    token = csrf_from(client.get("/staff/password"))
    lists = [f"{STAFF}/{team}/{s}" for s in ("meetings", "priorities", "updates")]
    for url in [*lists, *form_urls(team, ids), f"{STAFF}/{team}/updates/{ids['update']}/preview"]:
        assert client.get(url).status_code == 403, url
    for url in [*form_urls(team, ids), f"{STAFF}/{team}/updates/{ids['update']}/publish"]:
        response = client.post(
            url, data={"csrf_token": token, "version": "1", **meeting_form(), "reason": "x"}
        )
        assert response.status_code == 403, url
    with session_scope(db.sessions) as session:
        assert session.scalar(select(Meeting.title).where(Meeting.id == ids["meeting"])) == "Alpha ward panel"
        assert session.get(TeamUpdate, ids["update"]).status == "draft"


def test_an_item_of_another_team_in_the_url_is_not_found(staff_app):
    client, db = staff_app
    sign_in(client, "borough")  # may edit Alpha and Bravo
    bravo = my_items(client, db, BRAVO)
    token = csrf_from(client.get("/staff/password"))
    for url in form_urls(ALPHA, bravo)[1:]:
        if url.endswith("/new"):
            continue
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, data={"csrf_token": token, "version": "1", "reason": "x"}).status_code == 404
        ), url
    assert client.get(f"{STAFF}/{ALPHA}/updates/{bravo['update']}/preview").status_code == 404
    publish = client.post(
        f"{STAFF}/{ALPHA}/updates/{bravo['update']}/publish", data={"csrf_token": token, "version": "1"}
    )
    assert publish.status_code == 404
    assert client.get(f"{STAFF}/{ALPHA}/meetings/999999").status_code == 404
    with session_scope(db.sessions) as session:
        assert session.get(TeamUpdate, bravo["update"]).status == "draft"


def test_signed_out_staff_pages_go_to_sign_in(staff_app):
    client, _db = staff_app
    response = client.get(f"{STAFF}/{ALPHA}/meetings")
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in?next=")
    assert client.post(f"{STAFF}/{ALPHA}/meetings/new", data={}).status_code in (401, 403)


# -- what the public sees of Markdown --------------------------------------------------------------------


def test_plain_text_still_shows_as_the_same_paragraphs(staff_app):
    client, db = staff_app
    with session_scope(db.sessions) as session:
        start = datetime.now(UTC) - timedelta(days=3)
        meeting = Meeting(
            uid="plain@test",
            team_id=ALPHA,
            type="ward_panel",
            title="Plain",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            minutes="First part & more.\n\nSecond part.",
            is_demo=True,
        )
        session.add(meeting)
        session.flush()
        meeting_id = meeting.id
        session.add(
            TeamUpdate(
                team_id=ALPHA,
                title="Plain update",
                body="One.\n\nTwo's.",
                status="published",
                published_at=start,
            )
        )
    page = client.get(f"/teams/{ALPHA}/meetings/{meeting_id}").text
    assert '<p class="govuk-body">First part &amp; more.</p>\n<p class="govuk-body">Second part.</p>' in page
    updates = client.get(f"/teams/{ALPHA}/updates").text
    assert '<p class="govuk-body">One.</p>\n<p class="govuk-body">Two\'s.</p>' in updates
