"""Named queries for meetings, priorities ("You said, we did") and team updates (issue 4).

Each returns JSON-safe dicts: the pages' contexts. A team has tens of meetings and priorities, so each
page loads the team's rows once and splits them (upcoming/past, current/past) in Python, where "now" is
one value and time zones are handled in one place. Stored times are naive UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import AGREED_HOW, DEMO, MEETING_TYPES, PRIORITY_STATUSES, Borough, Team
from portal.models.engagement import CURRENT_PRIORITY_STATUSES, Meeting, Priority, TeamUpdate
from portal.services import calendar
from portal.services.compliance import compliance_summary, last_complete_months, monthly_meeting_compliance

NEXT_MEETINGS = 3  # the team page shows at least this many upcoming meetings
AHEAD_DAYS = 92  # the meetings page lists at least three months ahead (we list every upcoming one)
LATEST_UPDATES = 3


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def london_today(now: datetime | None = None) -> date:
    return calendar.london(now or utc_now()).date()


def _naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else _naive(value).isoformat(timespec="seconds") + "Z"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# -- headers -----------------------------------------------------------------------------------------


def team_header(session: Session, code: str) -> dict[str, Any] | None:
    row = session.execute(
        select(Team.id, Team.name, Team.content_source, Borough.code, Borough.name)
        .join(Borough, Borough.code == Team.borough_code)
        .where(Team.id == code)
    ).first()
    if row is None:
        return None
    return {
        "team": {"id": row[0], "name": row[1], "demo": row[2] == DEMO},
        "borough": {"code": row[3], "name": row[4]},
    }


def borough_header(session: Session, code: str) -> dict[str, Any] | None:
    row = session.execute(select(Borough.code, Borough.name).where(Borough.code == code)).first()
    return None if row is None else {"code": row[0], "name": row[1]}


# -- meetings ----------------------------------------------------------------------------------------


def team_meetings(session: Session, code: str) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting).where(Meeting.team_id == code).order_by(Meeting.starts_at, Meeting.id)
        )
    )


def borough_meetings(session: Session, borough_code: str) -> list[tuple[Meeting, str]]:
    """Every meeting of the borough's teams, with the team's name."""
    rows = session.execute(
        select(Meeting, Team.name)
        .join(Team, Team.id == Meeting.team_id)
        .where(Team.borough_code == borough_code)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [(m, name) for m, name in rows]


def get_meeting(session: Session, code: str, meeting_id: int) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.team_id == code, Meeting.id == meeting_id))


def meeting_dict(meeting: Meeting) -> dict[str, Any]:
    start = calendar.london(meeting.starts_at)
    cancelled = meeting.status == "cancelled"
    return {
        "id": meeting.id,
        "uid": meeting.uid,
        "type": meeting.type,
        "type_label": MEETING_TYPES.get(meeting.type, meeting.type.replace("_", " ").capitalize()),
        "title": meeting.title,
        "starts_at": _iso(meeting.starts_at),
        "ends_at": _iso(meeting.ends_at),
        "local_start": start.isoformat(timespec="minutes"),
        "local_date": start.date().isoformat(),
        "when": calendar.when(meeting.starts_at, meeting.ends_at),
        "status": meeting.status,
        "cancelled": cancelled,
        "cancelled_reason": meeting.cancelled_reason if cancelled else None,
        "venue": {
            "name": meeting.venue_name,
            "address": meeting.venue_address,
            "postcode": meeting.venue_postcode,
            "latitude": meeting.latitude,
            "longitude": meeting.longitude,
        },
        "location": calendar.location_text(meeting),
        "online_url": meeting.online_url,
        "access": {
            "step_free": meeting.step_free,
            "hearing_loop": meeting.hearing_loop,
            "bsl_on_request": bool(meeting.bsl_on_request),
            "notes": meeting.access_notes,
        },
        "attendees": meeting.attendees,
        "how_to_join": meeting.how_to_join,
        "minutes": meeting.minutes,
        "attendance": meeting.attendance,
        "demo": bool(meeting.is_demo),
    }


def split_meetings(meetings: list[Meeting], now: datetime) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming soonest first, past latest first). A meeting still running counts as upcoming."""
    now = _naive(now)
    upcoming = [m for m in meetings if _naive(m.ends_at or m.starts_at) >= now]
    past = [m for m in meetings if _naive(m.ends_at or m.starts_at) < now]
    return upcoming, past[::-1]


def meeting_compliance(meetings: list[Meeting], today: date) -> dict[str, Any]:
    """Pledge point 7 over the last 12 complete months (London time)."""
    first, last = last_complete_months(today, 12)
    summary = compliance_summary(monthly_meeting_compliance(meetings, first, last))
    summary.update({"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"})
    return summary


def meetings_page(session: Session, code: str, now: datetime | None = None) -> dict[str, Any]:
    now = now or utc_now()
    meetings = team_meetings(session, code)
    upcoming, past = split_meetings(meetings, now)
    return {
        "upcoming": [meeting_dict(m) for m in upcoming],
        "past": [meeting_dict(m) for m in past],
        "compliance": meeting_compliance(meetings, london_today(now)),
    }


# -- priorities --------------------------------------------------------------------------------------


def team_priorities(session: Session, code: str) -> list[Priority]:
    return list(
        session.scalars(
            select(Priority)
            .options(selectinload(Priority.actions))
            .where(Priority.team_id == code)
            .order_by(Priority.agreed_on.desc(), Priority.id.desc())
        )
    )


def get_priority(session: Session, code: str, priority_id: int) -> Priority | None:
    return session.scalar(
        select(Priority)
        .options(selectinload(Priority.actions))
        .where(Priority.team_id == code, Priority.id == priority_id)
    )


def meeting_titles(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.ends_at).where(Meeting.id.in_(ids))
    )
    return {i: {"id": i, "title": t, "when": calendar.when(s, e)} for i, t, s, e in rows}


def action_dict(action) -> dict[str, Any]:
    return {
        "id": action.id,
        "acted_on": _day(action.acted_on),
        "actor": action.actor,
        "is_partner": bool(action.is_partner),
        "who": "Partner" if action.is_partner else "Police",
        "description": action.description,
        "result": action.result,
    }


def priority_dict(priority: Priority, today: date, meetings: dict[int, dict[str, Any]]) -> dict[str, Any]:
    current = priority.status in CURRENT_PRIORITY_STATUSES
    actions = [action_dict(a) for a in sorted(priority.actions, key=lambda a: (a.acted_on, a.id))]
    return {
        "id": priority.id,
        "title": priority.title,
        "detail": priority.detail,
        "raised": priority.raised,
        "place": priority.place,
        "category": priority.category,
        "agreed_on": _day(priority.agreed_on),
        "agreed_how": priority.agreed_how,
        "agreed_how_label": AGREED_HOW.get(priority.agreed_how, priority.agreed_how),
        "agreed_meeting": meetings.get(priority.agreed_meeting_id) if priority.agreed_meeting_id else None,
        "agreed_note": priority.agreed_note,
        "review_on": _day(priority.review_on),
        "reviewed_on": _day(priority.reviewed_on),
        "review_overdue": current and priority.review_on is not None and priority.review_on < today,
        "status": priority.status,
        "status_label": PRIORITY_STATUSES.get(priority.status, priority.status),
        "current": current,
        "outcome": priority.outcome,
        "closed_on": _day(priority.closed_on),
        "demo": bool(priority.is_demo),
        "actions": actions,
        "latest_action": actions[-1] if actions else None,
    }


def priority_dicts(session: Session, priorities: list[Priority], today: date) -> list[dict[str, Any]]:
    meetings = meeting_titles(session, {p.agreed_meeting_id for p in priorities if p.agreed_meeting_id})
    return [priority_dict(p, today, meetings) for p in priorities]


def priorities_page(session: Session, code: str, today: date | None = None) -> dict[str, Any]:
    today = today or london_today()
    items = priority_dicts(session, team_priorities(session, code), today)
    current = [p for p in items if p["current"]]
    past = sorted(
        (p for p in items if not p["current"]),
        key=lambda p: (p["closed_on"] or p["review_on"] or "", p["id"]),
        reverse=True,
    )
    reviewed = [p["reviewed_on"] for p in items if p["reviewed_on"]]
    return {
        "current": current,
        "past": past,
        "last_reviewed": max(reviewed) if reviewed else None,
        "overdue": sum(1 for p in current if p["review_overdue"]),
    }


# -- updates -----------------------------------------------------------------------------------------


def update_dict(update: TeamUpdate, team_name: str | None = None) -> dict[str, Any]:
    return {
        "id": update.id,
        "team_id": update.team_id,
        "title": update.title,
        "body": update.body,
        "results": update.results,
        "published_at": _iso(update.published_at),
        "published_on": _day(calendar.london(update.published_at).date()) if update.published_at else None,
        "updated_at": _iso(update.updated_at or update.published_at),
        "demo": bool(update.is_demo),
        **({"team_name": team_name} if team_name else {}),
    }


def team_updates(session: Session, code: str, limit: int | None = None) -> list[dict[str, Any]]:
    query = (
        select(TeamUpdate)
        .where(TeamUpdate.team_id == code, TeamUpdate.status == "published")
        .where(TeamUpdate.published_at.is_not(None))
        .order_by(TeamUpdate.published_at.desc(), TeamUpdate.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return [update_dict(u) for u in session.scalars(query)]


def borough_updates(session: Session, borough_code: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.execute(
        select(TeamUpdate, Team.name)
        .join(Team, Team.id == TeamUpdate.team_id)
        .where(Team.borough_code == borough_code, TeamUpdate.status == "published")
        .where(TeamUpdate.published_at.is_not(None))
        .order_by(TeamUpdate.published_at.desc(), TeamUpdate.id.desc())
        .limit(limit)
    )
    return [update_dict(u, name) for u, name in rows]


# -- the team page's sections ------------------------------------------------------------------------


def team_engagement(session: Session, code: str, now: datetime | None = None) -> dict[str, Any]:
    """Next meetings, the monthly-meeting record, current priorities with their latest action, when they
    were last reviewed, and the latest updates."""
    now = now or utc_now()
    today = london_today(now)
    meetings = team_meetings(session, code)
    upcoming, _past = split_meetings(meetings, now)
    priorities = priorities_page(session, code, today)
    return {
        "next_meetings": [meeting_dict(m) for m in upcoming[: max(NEXT_MEETINGS, 3)]],
        "upcoming_count": len(upcoming),
        "meeting_compliance": meeting_compliance(meetings, today),
        "current_priorities": priorities["current"],
        "past_priorities_count": len(priorities["past"]),
        "priorities_last_reviewed": priorities["last_reviewed"],
        "latest_updates": team_updates(session, code, LATEST_UPDATES),
    }


# -- the police.uk API -------------------------------------------------------------------------------


def api_events(session: Session, code: str, now: datetime | None = None) -> list[Meeting]:
    """Upcoming meetings that are not cancelled, soonest first."""
    upcoming, _ = split_meetings(team_meetings(session, code), now or utc_now())
    return [m for m in upcoming if m.status != "cancelled"]


def api_priorities(session: Session, code: str) -> list[Priority]:
    return [p for p in team_priorities(session, code) if p.status in CURRENT_PRIORITY_STATUSES]
