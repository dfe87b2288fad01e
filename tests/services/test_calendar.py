"""Meeting times in London time for people; RFC 5545 calendars (parsed back with icalendar)."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from portal.services.calendar import calendar_bytes, clock, meeting_event, when


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (
            datetime(2026, 3, 3, 19),
            datetime(2026, 3, 3, 20, 30),
            "Tuesday 3 March 2026, 7pm to 8:30pm",
        ),  # GMT
        (datetime(2026, 7, 7, 18), datetime(2026, 7, 7, 19), "Tuesday 7 July 2026, 7pm to 8pm"),  # BST
        (
            datetime(2026, 3, 28, 23, 30),
            datetime(2026, 3, 29, 1, 30),
            "Saturday 28 March 2026, 11:30pm to Sunday 29 March 2026, 2:30am",
        ),  # clocks go forward
        (datetime(2026, 3, 31, 23, 30), None, "Wednesday 1 April 2026, 12:30am"),
        (datetime(2026, 10, 25, 11), datetime(2026, 10, 25, 12), "Sunday 25 October 2026, 11am to 12pm"),
    ],
)
def test_when_in_london_time(start, end, text):
    assert when(start, end) == text


def test_clock():
    assert [clock(datetime(2026, 1, 1, h, mi)) for h, mi in [(0, 0), (9, 5), (12, 0), (13, 45)]] == [
        "12am",
        "9:05am",
        "12pm",
        "1:45pm",
    ]


def meeting(**extra) -> dict:
    return {
        "uid": "m-1@pledge-portal.example",
        "title": "Ward panel",
        "starts_at": datetime(2026, 7, 7, 18),
        "ends_at": datetime(2026, 7, 7, 19, 30),
        "status": "scheduled",
        "venue_name": "Hall",
        "venue_address": "1 High Street\nChadwell Heath",
        "venue_postcode": "RM6 4AB",
        "latitude": 51.58,
        "longitude": 0.13,
        "attendees": "PC Hall",
        "bsl_on_request": True,
        "updated_at": datetime(2026, 6, 1, 9),
        **extra,
    }


def test_calendar_round_trip_in_utc():
    body = calendar_bytes(
        "Team meetings",
        [
            meeting_event(meeting(), url="/teams/E05014058/meetings/1", type_label="Ward panel"),
            meeting_event(
                meeting(uid="m-2@x", status="cancelled", cancelled_reason="Hall flooded", latitude=None)
            ),
        ],
    )
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and b"VERSION:2.0" in body and b"PRODID:" in body
    assert b"DTSTART:20260707T180000Z" in body and b"DTEND:20260707T193000Z" in body
    calendar = Calendar.from_ical(body)
    first, second = calendar.walk("VEVENT")
    assert str(first["UID"]) == "m-1@pledge-portal.example" and str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("DTSTART") == datetime(2026, 7, 7, 18, tzinfo=UTC)
    assert first.decoded("DTEND") == datetime(2026, 7, 7, 19, 30, tzinfo=UTC)
    assert str(first["LOCATION"]) == "Hall, 1 High Street, Chadwell Heath, RM6 4AB"
    assert str(first["URL"]) == "/teams/E05014058/meetings/1"
    assert "Who will attend: PC Hall" in str(first["DESCRIPTION"]) and "BSL" in str(first["DESCRIPTION"])
    assert str(second["STATUS"]) == "CANCELLED" and str(second["SUMMARY"]) == "Cancelled: Ward panel"
    assert str(second["DESCRIPTION"]).startswith("CANCELLED: Hall flooded")


def test_aware_times_are_converted_to_utc():
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 7, 19, tzinfo=ZoneInfo("Europe/London"))
    event = meeting_event(meeting(starts_at=local, ends_at=local))
    assert event.decoded("DTSTART") == datetime(2026, 7, 7, 18, tzinfo=UTC)


def test_online_only_meeting_location():
    event = meeting_event(
        meeting(venue_name=None, venue_address=None, venue_postcode=None, online_url="https://meet.example/x")
    )
    assert str(event["LOCATION"]) == "Online: https://meet.example/x"
