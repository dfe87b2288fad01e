"""Explanations of missed Pledge targets: recorded by staff (CLI and API now, forms with staff sign-in),
read by the scorecard pages. One explanation per indicator, area and month; recording again replaces it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Borough, Force, Team, record_change
from portal.models.base import utcnow
from portal.models.pledge import Explanation, Indicator, SurveyNeighbourhood

LONDON = ZoneInfo("Europe/London")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_TEXT = 4000
MAX_NAME = 120


class InvalidExplanation(ValueError):
    """What was wrong, by field name (indicator, area, month, reason, action, recorded_by)."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems.items()))


def parse_month(text: str | date | None) -> date | None:
    """'2026-10' (or a date) → date(2026, 10, 1); None when it is not a real month."""
    if isinstance(text, date):
        return date(text.year, text.month, 1)
    match = MONTH.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return date(int(match[1]), int(match[2]), 1)


def area_level(session: Session, code: str) -> str | None:
    """'force', 'borough', 'team' or 'neighbourhood' for a known area code, else None."""
    code = (code or "").strip()
    if session.get(Force, code) is not None:
        return "force"
    if session.get(Borough, code) is not None:
        return "borough"
    if session.get(Team, code) is not None:
        return "team"
    if session.get(SurveyNeighbourhood, code) is not None:
        return "neighbourhood"
    return None


def record_explanation(
    session: Session,
    *,
    indicator_code: str,
    area_code: str,
    month: str | date,
    reason: str,
    action: str,
    recorded_by: str,
    is_demo: bool = False,
    today: date | None = None,
) -> tuple[Explanation, bool]:
    """Validate and store (or replace) an explanation; (the row, True when it is new). Raises
    InvalidExplanation with every problem at once; records a content change so cached pages refresh."""
    problems: dict[str, str] = {}
    indicator = session.get(Indicator, (indicator_code or "").strip())
    if indicator is None:
        problems["indicator"] = f"There is no indicator {indicator_code!r}"
    level = area_level(session, area_code)
    if level is None:
        problems["area"] = f"There is no force, borough, team or survey neighbourhood {area_code!r}"
    elif indicator is not None and level not in indicator.level_list:
        problems["area"] = f"{indicator.code} is not measured for a {level} (only: {indicator.levels})"
    first = parse_month(month)
    today = today or datetime.now(LONDON).date()
    if first is None:
        problems["month"] = "Enter the month as YYYY-MM, like 2026-10"
    elif first > date(today.year, today.month, 1):
        problems["month"] = "The month cannot be in the future"
    for field, text, limit in (
        ("reason", reason, MAX_TEXT),
        ("action", action, MAX_TEXT),
        ("recorded_by", recorded_by, MAX_NAME),
    ):
        text = (text or "").strip()
        if not text:
            problems[field] = {
                "reason": "Say why the target was missed",
                "action": "Say what is being done to improve",
                "recorded_by": "Say who is recording this (name and role)",
            }[field]
        elif len(text) > limit:
            problems[field] = f"Keep it to {limit:,} characters or fewer"
    if problems:
        raise InvalidExplanation(problems)
    key = (indicator.code, area_code.strip(), first)
    row = session.scalars(
        select(Explanation).where(
            Explanation.indicator_code == key[0], Explanation.area_code == key[1], Explanation.month == key[2]
        )
    ).first()
    created = row is None
    if created:
        row = Explanation(indicator_code=key[0], area_code=key[1], month=key[2])
        session.add(row)
    row.reason, row.action, row.recorded_by = reason.strip(), action.strip(), recorded_by.strip()
    row.is_demo = is_demo
    row.updated_at = utcnow()
    record_change(session, f"explanation {key[0]} {key[1]} {first:%Y-%m}", scope="pledge")
    session.flush()
    return row, created


def _utc_text(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, whether the backend returned the time with a zone (PostgreSQL) or not."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def explanations_for(session: Session, area_codes: list[str]) -> dict[tuple[str, str, date], dict[str, Any]]:
    """Every explanation for these areas, keyed by (indicator, area, month), as JSON-safe dicts."""
    rows = session.scalars(select(Explanation).where(Explanation.area_code.in_(area_codes))).all()
    return {
        (r.indicator_code, r.area_code, r.month): {
            "reason": r.reason,
            "action": r.action,
            "recorded_by": r.recorded_by,
            "recorded_at": _utc_text(r.updated_at),
            "demo": r.is_demo,
        }
        for r in rows
    }
