"""Pledge point 7: did the team hold a public meeting every month? Pure functions, no database.

A month counts when at least one meeting that was not cancelled starts in that calendar month in London
local time: 23:30 on 31 March (BST, 22:30 UTC) is in March; 00:30 on 1 April (BST, 23:30 UTC on 31 March)
is in April. Stored times are UTC; naive datetimes are read as UTC.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

LONDON = "Europe/London"


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + (month.month - 1) + count
    return date(index // 12, index % 12 + 1, 1)


def months(first_month: date, last_month: date) -> list[date]:
    """Every month from first to last inclusive, as the first day of each."""
    first, last = month_start(first_month), month_start(last_month)
    found = []
    while first <= last:
        found.append(first)
        first = add_months(first, 1)
    return found


def local_month(starts_at: datetime, tz: str = LONDON) -> date:
    """The calendar month (its first day) in which a UTC instant falls in the given time zone."""
    aware = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=UTC)
    local = aware.astimezone(ZoneInfo(tz))
    return date(local.year, local.month, 1)


def _field(meeting: Any, name: str) -> Any:
    return meeting[name] if isinstance(meeting, Mapping) else getattr(meeting, name)


def _start(meeting: Any) -> datetime:
    value = _field(meeting, "starts_at")
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value


def monthly_meeting_compliance(
    meetings: Iterable[Any], first_month: date, last_month: date, tz: str = LONDON
) -> list[tuple[date, bool, int]]:
    """(month, held, count of meetings held) for each month from first_month to last_month inclusive.
    Meetings are objects or mappings with `starts_at` (UTC) and `status`; cancelled ones do not count."""
    counts = Counter(
        local_month(_start(m), tz) for m in meetings if (_field(m, "status") or "scheduled") != "cancelled"
    )
    return [(month, counts[month] > 0, counts[month]) for month in months(first_month, last_month)]


def last_complete_months(today: date, count: int = 12) -> tuple[date, date]:
    """The `count` calendar months before the current one: (first, last)."""
    last = add_months(month_start(today), -1)
    return add_months(last, -(count - 1)), last


def compliance_summary(results: list[tuple[date, bool, int]]) -> dict[str, Any]:
    """JSON-safe: {"months": 12, "held": 11, "missed": ["2026-01"], "sentence": …, "by_month": […]}."""
    missed = [month for month, held, _count in results if not held]
    held = len(results) - len(missed)
    sentence = f"Held a public meeting in {held} of the last {len(results)} months"
    if missed:
        sentence += "; none in " + _and([f"{m:%B %Y}" for m in missed])
    return {
        "months": len(results),
        "held": held,
        "met_pledge": not missed,
        "missed": [f"{m:%Y-%m}" for m in missed],
        "missed_names": [f"{m:%B %Y}" for m in missed],
        "sentence": sentence + ".",
        "by_month": [
            {"month": f"{m:%Y-%m}", "name": f"{m:%B %Y}", "held": h, "meetings": c} for m, h, c in results
        ],
    }


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
