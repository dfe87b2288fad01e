"""The monthly-meeting check (Pledge point 7) counts months in London time, across BST and GMT."""

from datetime import UTC, date, datetime

import pytest

from portal.services.compliance import (
    add_months,
    compliance_summary,
    last_complete_months,
    local_month,
    monthly_meeting_compliance,
    months,
)


def m(when: datetime, status: str = "scheduled") -> dict:
    return {"starts_at": when, "status": status}


@pytest.mark.parametrize(
    ("utc", "month"),
    [
        (datetime(2026, 3, 31, 22, 30), date(2026, 3, 1)),  # 23:30 BST on 31 March: March
        (datetime(2026, 3, 31, 23, 30), date(2026, 4, 1)),  # 00:30 BST on 1 April: April
        (datetime(2026, 1, 31, 23, 30), date(2026, 1, 1)),  # GMT: 23:30 on 31 January
        (datetime(2026, 2, 1, 0, 0), date(2026, 2, 1)),
        (datetime(2026, 10, 31, 23, 30), date(2026, 10, 1)),  # after the clocks go back (25 Oct): GMT
        (datetime(2026, 9, 30, 23, 0), date(2026, 10, 1)),  # midnight BST on 1 October
        (datetime(2026, 9, 30, 22, 59), date(2026, 9, 1)),
        (datetime(2025, 12, 31, 23, 59), date(2025, 12, 1)),  # year end, GMT
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), date(2026, 3, 1)),  # aware works too
    ],
)
def test_local_month(utc, month):
    assert local_month(utc) == month


def test_month_end_meetings_in_bst_count_in_london_months():
    meetings = [m(datetime(2026, 3, 31, 22, 30)), m(datetime(2026, 3, 31, 23, 30))]
    assert monthly_meeting_compliance(meetings, date(2026, 3, 1), date(2026, 4, 1)) == [
        (date(2026, 3, 1), True, 1),
        (date(2026, 4, 1), True, 1),
    ]


def test_cancelled_meetings_do_not_count_and_counts_add_up():
    meetings = [
        m(datetime(2026, 1, 10, 19)),
        m(datetime(2026, 1, 20, 19)),
        m(datetime(2026, 2, 10, 19), "cancelled"),
        m(datetime(2026, 5, 1, 12)),  # outside the range
    ]
    assert monthly_meeting_compliance(meetings, date(2026, 1, 15), date(2026, 3, 31)) == [
        (date(2026, 1, 1), True, 2),
        (date(2026, 2, 1), False, 0),
        (date(2026, 3, 1), False, 0),
    ]


def test_objects_and_other_time_zones():
    class Meeting:
        def __init__(self, starts_at, status="scheduled"):
            self.starts_at, self.status = starts_at, status

    meeting = Meeting(datetime(2026, 6, 30, 23, 30))  # UTC: 1 July in London, 30 June in New York
    assert monthly_meeting_compliance([meeting], date(2026, 6, 1), date(2026, 7, 1))[1][1] is True
    assert (
        monthly_meeting_compliance([meeting], date(2026, 6, 1), date(2026, 7, 1), tz="America/New_York")[0][1]
        is True
    )


def test_month_helpers():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)
    assert add_months(date(2026, 3, 1), -14) == date(2025, 1, 1)
    assert len(months(date(2025, 4, 1), date(2026, 3, 31))) == 12
    assert months(date(2026, 3, 1), date(2026, 2, 1)) == []
    assert last_complete_months(date(2026, 3, 3)) == (date(2025, 3, 1), date(2026, 2, 1))
    assert last_complete_months(date(2026, 1, 31), 3) == (date(2025, 10, 1), date(2025, 12, 1))


def test_summary_names_the_missed_months():
    results = [(date(2025, 12, 1), True, 1), (date(2026, 1, 1), False, 0), (date(2026, 2, 1), False, 0)]
    summary = compliance_summary(results)
    assert (summary["held"], summary["months"], summary["met_pledge"]) == (1, 3, False)
    assert summary["missed"] == ["2026-01", "2026-02"]
    assert summary["sentence"] == (
        "Held a public meeting in 1 of the last 3 months; none in January 2026 and February 2026."
    )
    full = compliance_summary([(date(2026, 1, 1), True, 2)])
    assert full["sentence"] == "Held a public meeting in 1 of the last 1 months." and full["met_pledge"]
    assert full["by_month"] == [{"month": "2026-01", "name": "January 2026", "held": True, "meetings": 2}]
