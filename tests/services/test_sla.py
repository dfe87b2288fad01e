"""The 24-hour clock across GMT, BST, the clock changes, weekends and the edge of the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.services import sla


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due_text"),
    [
        (utc(2026, 1, 13, 14, 5), "14:05 on Wednesday 14 January 2026"),  # GMT
        (utc(2026, 7, 13, 13, 5), "14:05 on Tuesday 14 July 2026"),  # BST: 13:05 UTC is 14:05 local
        (utc(2026, 3, 28, 10, 0), "11:00 on Sunday 29 March 2026"),  # into BST: 24 h later, an hour on
        (utc(2026, 10, 24, 10, 0), "10:00 on Sunday 25 October 2026"),  # into GMT: 11:00 BST → 10:00 GMT
        (utc(2026, 12, 31, 23, 30), "23:30 on Friday 1 January 2027"),  # a new year
        (utc(2026, 5, 8, 17, 0), "18:00 on Saturday 9 May 2026"),  # Friday evening: weekends count
    ],
)
def test_due_24_elapsed_hours_later_shown_in_london_time(received, due_text):
    assert sla.due_at(received) - received == timedelta(hours=24)
    assert sla.london_time(sla.due_at(received)) == due_text


def test_naive_stored_times_are_read_as_utc():
    assert sla.due_at(datetime(2026, 7, 13, 13, 5)) == utc(2026, 7, 14, 13, 5)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "less than a minute"),
        (timedelta(minutes=45, seconds=59), "45 min"),
        (timedelta(hours=5, minutes=12), "5 h 12 min"),
        (timedelta(hours=3), "3 h"),
        (timedelta(days=1, hours=3, minutes=20), "1 day 3 h"),
        (timedelta(days=2), "2 days"),
        (-timedelta(hours=2), "2 h"),
    ],
)
def test_durations_in_plain_words(delta, text):
    assert sla.duration(delta) == text


def test_the_clock_while_open_then_overdue():
    received = utc(2026, 3, 3, 14, 5)
    due = sla.clock(received, None, utc(2026, 3, 3, 20, 0))
    assert due["state"] == "due"
    assert due["sentence"] == "Due by 14:05 on Wednesday 4 March 2026 (18 h 5 min left)"
    edge = sla.clock(received, None, utc(2026, 3, 4, 14, 5))
    assert edge["state"] == "due"  # exactly 24 hours: still on time
    overdue = sla.clock(received, None, utc(2026, 3, 4, 17, 5))
    assert overdue["state"] == "overdue"
    assert overdue["sentence"] == "Overdue by 3 h: it was due by 14:05 on Wednesday 4 March 2026"


def test_the_clock_once_answered():
    received = utc(2026, 3, 3, 14, 5)
    on_time = sla.clock(received, utc(2026, 3, 3, 19, 17), utc(2026, 3, 9))
    assert on_time["state"] == "on_time" and on_time["sentence"] == "Answered in 5 h 12 min"
    assert on_time["took_minutes"] == 312
    late = sla.clock(received, utc(2026, 3, 4, 16, 5), utc(2026, 3, 9), verb="acknowledged")
    assert late["state"] == "late"
    assert late["sentence"] == "Acknowledged in 1 day 2 h, 2 h after the 24 hours were up"


def test_within_24_hours_is_unknown_until_answered():
    received = utc(2026, 6, 1, 9, 0)
    assert sla.within_24_hours(received, None) is None
    assert sla.within_24_hours(received, received + timedelta(hours=24)) is True
    assert sla.within_24_hours(received, received + timedelta(hours=24, seconds=1)) is False
