"""Meetings, priorities, "You said, we did" and updates (issue 4): pages, JSON twins, calendars, feeds."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import delete, select

from portal.models import (
    Explanation,
    Meeting,
    Priority,
    PriorityAction,
    PriorityReview,
    TeamUpdate,
    record_change,
)
from portal.services.compliance import add_months, month_start

TEAM = "E05013771"  # Wallington South (Sutton): a team no other test touches
QUIET_TEAM = "E05013767"  # Sutton South: past meetings only, nothing planned
BOROUGH = "E09000029"  # Sutton


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A London wall-clock time on a day, as naive UTC (as stored)."""
    from zoneinfo import ZoneInfo

    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(UTC).replace(tzinfo=None)


# In the order they can be re-inserted; reviews and actions belong to priorities, explanations to the team.
ENGAGEMENT_TABLES = (Meeting, Priority, PriorityAction, PriorityReview, TeamUpdate, Explanation)


@contextmanager
def preserved(db, team_ids):
    """Snapshot the teams' engagement rows (the shared real-data database's demo content) and put them back
    exactly afterwards, so tests that rewrite a team's rows leave nothing changed for other tests."""
    with db.sessions() as session:
        priority_ids = select(Priority.id).where(Priority.team_id.in_(team_ids))
        saved = {
            model: [
                dict(row._mapping)
                for row in session.execute(
                    select(model.__table__).where(
                        model.priority_id.in_(priority_ids)
                        if model in (PriorityAction, PriorityReview)
                        else model.area_code.in_(team_ids)
                        if model is Explanation
                        else model.team_id.in_(team_ids)
                    )
                )
            ]
            for model in ENGAGEMENT_TABLES
        }
    try:
        yield
    finally:
        with db.sessions.begin() as session:
            for team_id in team_ids:
                remove_engagement(session, team_id)
            for model in ENGAGEMENT_TABLES:
                if saved[model]:
                    session.execute(model.__table__.insert(), saved[model])
            for team_id in team_ids:
                record_change(session, "test: engagement rows restored", scope=f"team:{team_id}")
            record_change(session, "test: explanations restored", scope="pledge")


def remove_engagement(session, team_id: str) -> None:
    for model in (
        Priority,
        Meeting,
        TeamUpdate,
    ):  # actions and reviews go with priorities (ON DELETE CASCADE)
        session.execute(delete(model).where(model.team_id == team_id))
    session.execute(delete(Explanation).where(Explanation.area_code == team_id))


def add_engagement(session, team_id: str, upcoming: bool = True) -> dict:
    """A year of monthly meetings but one missed month, upcoming meetings (one cancelled), current
    priorities (one overdue for review, agreed at a meeting), past priorities and updates (one draft).
    Replaces the team's engagement rows; the caller commits (with record_change)."""
    remove_engagement(session, team_id)
    today = datetime.now(UTC).date()
    this_month = month_start(today)
    missed = add_months(this_month, -4)
    ids: dict = {"missed": missed, "past": [], "upcoming": []}
    n = 0

    def meeting(starts: datetime, **extra) -> Meeting:
        nonlocal n
        n += 1
        values = {
            "uid": f"test-{team_id}-{n}@pledge-portal.example",
            "team_id": team_id,
            "type": "ward_panel",
            "title": f"Ward panel {n}",
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=90),
            "venue_name": "St Mary's Hall",
            "venue_address": "1 Church Road\nWallington",
            "venue_postcode": "SM6 0AA",
            "step_free": True,
            "hearing_loop": False,
            "bsl_on_request": True,
            "access_notes": "Lift to the first floor",
            "attendees": "PC Hall, ward councillors",
            "how_to_join": "Just turn up",
            **extra,
        }
        m = Meeting(**values)
        session.add(m)
        return m

    for back in range(1, 13):
        month = add_months(this_month, -back)
        if month == missed:
            past = meeting(
                _at(month.replace(day=10), 19), status="cancelled", cancelled_reason="Hall flooded"
            )
        else:
            past = meeting(
                _at(month.replace(day=10), 19), minutes=f"Notes of month {back}.", attendance=10 + back
            )
        ids["past"].append(past)
    if upcoming:
        base = datetime.now(UTC).date()
        for i, days in enumerate([7, 30, 45, 70, 88]):
            extra = {}
            if i == 1:
                extra = {"status": "cancelled", "cancelled_reason": "The hall is closed for repairs"}
            if i == 0:
                extra = {"latitude": 51.36, "longitude": -0.15, "online_url": "https://meet.example/ward"}
            ids["upcoming"].append(
                meeting(_at(base + timedelta(days=days), 19), type="public_meeting", **extra)
            )
    session.flush()
    agreed_at = ids["past"][2]
    current = Priority(
        team_id=team_id,
        title="Speeding on Stafford Road",
        detail="Cars speed past the school at home time.",
        raised="Residents said cars race along Stafford Road at school home time.",
        place="Stafford Road",
        agreed_on=today - timedelta(days=60),
        agreed_how="meeting",
        agreed_meeting_id=agreed_at.id,
        review_on=today + timedelta(days=30),
        reviewed_on=today - timedelta(days=10),
        status="in_progress",
    )
    current.actions = [
        PriorityAction(
            acted_on=today - timedelta(days=50), actor="Police", description="Speed checks, 14 stopped"
        ),
        PriorityAction(
            acted_on=today - timedelta(days=20),
            actor="Sutton Council",
            is_partner=True,
            description="Speed signs put up",
            result="Average speed down 4 mph",
        ),
    ]
    overdue = Priority(
        team_id=team_id,
        title="Drug dealing in Beddington Park",
        raised="People dealing drugs by the play area.",
        agreed_on=today - timedelta(days=200),
        agreed_how="survey",
        review_on=today - timedelta(days=5),
        reviewed_on=today - timedelta(days=100),
        status="open",
    )
    past = Priority(
        team_id=team_id,
        title="Graffiti on the station bridge",
        raised="Graffiti keeps coming back on the bridge.",
        agreed_on=today - timedelta(days=400),
        agreed_how="consultation",
        review_on=today - timedelta(days=300),
        reviewed_on=today - timedelta(days=300),
        status="resolved",
        outcome="Cleaned, with a mural painted by local students; no graffiti since.",
        closed_on=today - timedelta(days=290),
    )
    past.actions = [
        PriorityAction(
            acted_on=today - timedelta(days=350),
            actor="Network Rail",
            is_partner=True,
            description="Cleaned the bridge and painted a mural",
        )
    ]
    session.add_all([current, overdue, past])
    now = _utc_now()
    updates = [
        TeamUpdate(
            team_id=team_id,
            title=f"Update {i}",
            body=f"Body of update {i}.\n\nSecond paragraph & more.",
            results="Two arrests." if i == 1 else None,
            published_at=now - timedelta(days=10 * i),
            status="published",
        )
        for i in range(1, 5)
    ]
    updates.append(TeamUpdate(team_id=team_id, title="Draft update", body="Not yet", status="draft"))
    session.add_all(updates)
    session.flush()
    ids.update(current=current.id, overdue=overdue.id, past_priority=past.id, agreed_meeting=agreed_at.id)
    return ids


@pytest.fixture(scope="module")
def rows(loaded_db):
    with preserved(loaded_db, [TEAM, QUIET_TEAM]):
        with loaded_db.sessions.begin() as session:
            ids = add_engagement(session, TEAM)
            add_engagement(session, QUIET_TEAM, upcoming=False)
            for team in (TEAM, QUIET_TEAM):
                record_change(session, "test: engagement rows", scope=f"team:{team}")
        yield ids


# -- the team page ------------------------------------------------------------------------------------


def test_team_page_shows_next_meetings_priorities_and_updates(client, rows):
    data = client.get(f"/teams/{TEAM}.json").json()["engagement"]
    assert len(data["next_meetings"]) == 3 and data["upcoming_count"] == 5
    starts = [m["starts_at"] for m in data["next_meetings"]]
    assert starts == sorted(starts) and all(s.endswith("Z") for s in starts)
    assert data["next_meetings"][1]["cancelled"] is True
    assert data["next_meetings"][0]["url"] == f"/teams/{TEAM}/meetings/{rows['upcoming'][0].id}"
    compliance = data["meeting_compliance"]
    assert (compliance["held"], compliance["months"]) == (11, 12)
    assert compliance["missed"] == [f"{rows['missed']:%Y-%m}"]
    assert [p["title"] for p in data["current_priorities"]] == [
        "Speeding on Stafford Road",
        "Drug dealing in Beddington Park",
    ]
    speeding, drugs = data["current_priorities"]
    assert speeding["latest_action"]["actor"] == "Sutton Council" and speeding["review_overdue"] is False
    assert drugs["review_overdue"] is True and drugs["latest_action"] is None
    assert data["priorities_last_reviewed"] == (datetime.now(UTC).date() - timedelta(days=10)).isoformat()
    assert [u["title"] for u in data["latest_updates"]] == ["Update 1", "Update 2", "Update 3"]

    page = client.get(f"/teams/{TEAM}").text
    assert "Held a public meeting in 11 of the last 12 months" in page
    assert f"none in {rows['missed']:%B %Y}" in page
    assert "Review overdue" in page and "Priorities last reviewed" in page
    assert f'href="/teams/{TEAM}/meetings"' in page and f'href="/teams/{TEAM}/meetings.ics"' in page
    assert f'href="/teams/{TEAM}/priorities"' in page and "Update 3" in page and "Update 4" not in page
    assert "The hall is closed for repairs" in page


def test_a_team_with_nothing_says_so(client):
    data = client.get("/teams/E05014058.json").json()["engagement"]
    page = client.get("/teams/E05014058").text
    if not data["next_meetings"]:  # until the demo content lands
        assert "No meetings are planned yet" in page
    assert data["meeting_compliance"]["months"] == 12


# -- meetings -----------------------------------------------------------------------------------------


def test_meetings_page_upcoming_then_past(client, rows):
    data = client.get(f"/teams/{TEAM}/meetings.json").json()
    assert len(data["upcoming"]) == 5 and len(data["past"]) == 12
    assert data["upcoming"][0]["starts_at"] < data["upcoming"][-1]["starts_at"]
    assert data["past"][0]["starts_at"] > data["past"][-1]["starts_at"]  # latest first
    horizon = (datetime.now(UTC) + timedelta(days=85)).isoformat()[:10]
    assert data["upcoming"][-1]["starts_at"][:10] > horizon  # three months ahead
    first = data["upcoming"][0]
    assert first["type_label"] == "Public meeting" and first["venue"]["postcode"] == "SM6 0AA"
    assert first["access"] == {
        "step_free": True,
        "hearing_loop": False,
        "bsl_on_request": True,
        "notes": "Lift to the first floor",
    }
    assert first["when"].endswith(", 7pm to 8:30pm") and first["local_start"][:4] in first["when"]
    cancelled = data["upcoming"][1]
    assert cancelled["cancelled"] and cancelled["cancelled_reason"] == "The hall is closed for repairs"
    page = client.get(f"/teams/{TEAM}/meetings")
    assert page.status_code == 200
    text = page.text
    assert "Cancelled: Ward panel" in text or "Cancelled" in text
    assert "The hall is closed for repairs" in text and "Hall flooded" in text
    assert "Notes of month 1." in text and "<caption" in text and 'scope="col"' in text
    assert text.count("<h1") == 1


def test_meeting_page_and_its_calendar(client, rows):
    meeting = rows["upcoming"][0]
    data = client.get(f"/teams/{TEAM}/meetings/{meeting.id}.json").json()["meeting"]
    assert data["uid"] == meeting.uid and data["online_url"] == "https://meet.example/ward"
    assert data["attendees"] == "PC Hall, ward councillors" and data["how_to_join"] == "Just turn up"
    page = client.get(f"/teams/{TEAM}/meetings/{meeting.id}").text
    assert "Add to calendar" in page and "Who will attend" in page and "Step-free access" in page
    assert "British Sign Language" in page and "No hearing loop" in page

    response = client.get(f"/teams/{TEAM}/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == meeting.uid
    assert event.decoded("DTSTART") == meeting.starts_at.replace(tzinfo=UTC)
    assert event.decoded("DTEND") == meeting.ends_at.replace(tzinfo=UTC)
    assert "SM6 0AA" in str(event["LOCATION"]) and str(event["URL"]).endswith(f"/meetings/{meeting.id}")
    assert "Who will attend: PC Hall" in str(event["DESCRIPTION"])
    assert b"DTSTART:" in response.content and b"Z\r\n" in response.content  # UTC form


def test_team_and_borough_calendars(client, rows):
    response = client.get(f"/teams/{TEAM}/meetings.ics")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 17
    cancelled = events[rows["upcoming"][1].uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(events[rows["upcoming"][0].uid]["STATUS"]) == "CONFIRMED"
    borough = Calendar.from_ical(client.get(f"/boroughs/{BOROUGH}/meetings.ics").content)
    uids = {str(e["UID"]) for e in borough.walk("VEVENT")}
    assert set(events) <= uids and any(u.startswith(f"test-{QUIET_TEAM}") for u in uids)
    assert client.get("/boroughs/E09999999/meetings.ics").status_code == 404


def test_unknown_meeting_and_team_are_404(client, rows):
    assert client.get(f"/teams/{TEAM}/meetings/999999").status_code == 404
    assert client.get(f"/teams/{TEAM}/meetings/999999.ics").status_code == 404
    other = rows["upcoming"][0].id
    assert client.get(f"/teams/{QUIET_TEAM}/meetings/{other}").status_code == 404  # another team's
    assert client.get("/teams/E05999999/meetings").status_code == 404
    assert client.get("/teams/E05999999/priorities.json").json()["status"] == 404


def test_no_upcoming_meetings(client, rows):
    data = client.get(f"/teams/{QUIET_TEAM}/meetings.json").json()
    assert data["upcoming"] == [] and len(data["past"]) == 12
    assert "No meetings are planned yet" in client.get(f"/teams/{QUIET_TEAM}/meetings").text


# -- priorities ---------------------------------------------------------------------------------------


def test_priorities_page(client, rows):
    data = client.get(f"/teams/{TEAM}/priorities.json").json()
    assert [p["id"] for p in data["current"]] == [rows["current"], rows["overdue"]]
    assert [p["id"] for p in data["past"]] == [rows["past_priority"]]
    current = data["current"][0]
    assert current["agreed_how_label"] == "At a public meeting"
    assert current["agreed_meeting"]["url"] == f"/teams/{TEAM}/meetings/{rows['agreed_meeting']}"
    assert data["overdue"] == 1
    text = client.get(f"/teams/{TEAM}/priorities").text
    assert "Review overdue" in text and "Library of past priorities" in text
    assert (
        "Cleaned, with a mural" in text and f'href="/teams/{TEAM}/meetings/{rows["agreed_meeting"]}"' in text
    )


def test_priority_detail_has_the_dated_action_log(client, rows):
    data = client.get(f"/teams/{TEAM}/priorities/{rows['current']}.json").json()["priority"]
    assert [a["actor"] for a in data["actions"]] == ["Police", "Sutton Council"]
    assert [a["who"] for a in data["actions"]] == ["Police", "Partner"]
    text = client.get(f"/teams/{TEAM}/priorities/{rows['current']}").text
    assert "We did" in text and "Speed signs put up" in text and "Average speed down 4 mph" in text
    assert client.get(f"/teams/{TEAM}/priorities/999999").status_code == 404


def test_you_said_we_did(client, rows):
    data = client.get(f"/teams/{TEAM}/you-said-we-did.json").json()
    titles = [i["title"] for i in data["items"]]
    assert "Graffiti on the station bridge" in titles and "Speeding on Stafford Road" in titles
    text = client.get(f"/teams/{TEAM}/you-said-we-did").text
    assert "You said" in text and "We did" in text and "Graffiti keeps coming back" in text


# -- updates and feeds --------------------------------------------------------------------------------


def test_updates_page_published_only_newest_first(client, rows):
    data = client.get(f"/teams/{TEAM}/updates.json").json()
    assert [u["title"] for u in data["updates"]] == ["Update 1", "Update 2", "Update 3", "Update 4"]
    text = client.get(f"/teams/{TEAM}/updates").text
    assert "Draft update" not in text and "Second paragraph &amp; more." in text


def test_atom_feeds(client, rows):
    response = client.get(f"/teams/{TEAM}/updates.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [e.title for e in feed.entries] == ["Update 1", "Update 2", "Update 3", "Update 4"]
    assert feed.entries[0].id.startswith("tag:") and "Two arrests." in feed.entries[0].content[0].value
    borough = feedparser.parse(client.get(f"/boroughs/{BOROUGH}/updates.atom").content)
    assert not borough.bozo and 8 <= len(borough.entries) <= 50  # other teams' (demo) updates too
    assert all(": " in e.title for e in borough.entries)  # each names its team
    published = [e.published_parsed for e in borough.entries]
    assert published == sorted(published, reverse=True)
    ours = [e.title for e in borough.entries if e.id.split("/")[-3] in {TEAM, QUIET_TEAM}]
    assert len(ours) == 8 or len(borough.entries) == 50
    assert {t.split(": ", 1)[0] for t in ours} <= {"Wallington South", "Sutton South"}


def test_pages_and_feeds_are_cached(client, rows):
    for path in [f"/teams/{TEAM}/meetings", f"/teams/{TEAM}/meetings.ics", f"/teams/{TEAM}/updates.atom"]:
        first = client.get(path)
        again = client.get(path, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304, path


def test_links_do_not_echo_the_host_header(client, rows):
    for path in [f"/teams/{TEAM}/meetings", f"/teams/{TEAM}/meetings.ics", f"/teams/{TEAM}/updates.atom"]:
        assert "evil.example" not in client.get(path, headers={"host": "evil.example"}).text
