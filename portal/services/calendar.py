"""Meeting times for people, and iCalendar (RFC 5545) files for calendars.

Times are stored in UTC and shown in London time: "Tuesday 3 March 2026, 7pm to 8:30pm". Calendar files
carry DTSTART/DTEND in UTC, the meeting's stable UID, STATUS:CANCELLED for cancelled meetings, LOCATION,
DESCRIPTION and URL (a site-relative path: links are never built from the Host header).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Neighbourhood Pledge Portal//Meetings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def london(value: datetime) -> datetime:
    return as_utc(value).astimezone(LONDON)


def clock(value: datetime) -> str:
    """7pm, 8:30pm, 12pm (midday), 12am (midnight): the GOV.UK style."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def day(value: datetime) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def when(starts_at: datetime, ends_at: datetime | None) -> str:
    """ "Tuesday 3 March 2026, 7pm to 8:30pm", in London time; the end's day too if it is another day."""
    start = london(starts_at)
    text = f"{day(start)}, {clock(start)}"
    if ends_at is None:
        return text
    end = london(ends_at)
    if end.date() != start.date():
        return f"{text} to {day(end)}, {clock(end)}"
    return f"{text} to {clock(end)}"


def _get(meeting: Any, name: str, default: Any = None) -> Any:
    if isinstance(meeting, Mapping):
        return meeting.get(name, default)
    return getattr(meeting, name, default)


def location_text(meeting: Any) -> str:
    parts = [_get(meeting, "venue_name"), _get(meeting, "venue_address"), _get(meeting, "venue_postcode")]
    text = ", ".join(p.strip().replace("\n", ", ") for p in parts if p and p.strip())
    if not text and _get(meeting, "online_url"):
        return "Online: " + _get(meeting, "online_url")
    return text


def description_text(meeting: Any, type_label: str | None = None) -> str:
    lines = []
    if _get(meeting, "status") == "cancelled":
        reason = _get(meeting, "cancelled_reason")
        lines.append("CANCELLED" + (f": {reason}" if reason else ""))
    if type_label:
        lines.append(type_label)
    for label, key in [("Who will attend", "attendees"), ("How to join", "how_to_join")]:
        if _get(meeting, key):
            lines.append(f"{label}: {_get(meeting, key)}")
    if _get(meeting, "online_url"):
        lines.append(f"Online: {_get(meeting, 'online_url')}")
    access = []
    if _get(meeting, "step_free"):
        access.append("step-free access")
    if _get(meeting, "hearing_loop"):
        access.append("hearing loop")
    if _get(meeting, "bsl_on_request"):
        access.append("BSL interpreter on request")
    if access:
        lines.append("Access: " + ", ".join(access))
    if _get(meeting, "access_notes"):
        lines.append(_get(meeting, "access_notes"))
    return "\n".join(lines)


def meeting_event(meeting: Any, url: str | None = None, type_label: str | None = None) -> Event:
    """One VEVENT from a Meeting (or a mapping with its column names)."""
    event = Event()
    event.add("uid", _get(meeting, "uid"))
    stamp = _get(meeting, "updated_at") or _get(meeting, "created_at") or datetime.now(UTC)
    event.add("dtstamp", as_utc(stamp))
    event.add("dtstart", as_utc(_get(meeting, "starts_at")))
    event.add("dtend", as_utc(_get(meeting, "ends_at")))
    title = _get(meeting, "title")
    cancelled = _get(meeting, "status") == "cancelled"
    event.add("summary", f"Cancelled: {title}" if cancelled else title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if location := location_text(meeting):
        event.add("location", location)
    if _get(meeting, "latitude") is not None and _get(meeting, "longitude") is not None:
        event.add("geo", (_get(meeting, "latitude"), _get(meeting, "longitude")))
    if description := description_text(meeting, type_label):
        event.add("description", description)
    if url:
        event.add("url", url)
    return event


def calendar_bytes(name: str, events: Iterable[Event]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/London")
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
