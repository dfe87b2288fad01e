"""What staff change in their team's meetings, priorities and updates (issue 7), with the rules of
`portal.queries.staff_edits`: permission (`guard_team`), the item's version (`check_version`, and the
version column itself for two saves at the same moment), an audit entry with the changed fields before and
after, and a content change, all in the caller's one transaction.

Values arrive validated by the route (`portal.routes.staff_engagement`); what only the database can tell
(is this meeting past, is this priority still current, is this the team's meeting) is checked here and
refused with `Refused`, whose `errors` are by form field.

Rules kept here:

- Times are stored as UTC instants (aware, so PostgreSQL never reads them in its own zone); staff type
  London wall-clock times, converted by the route.
- A new meeting gets a stable iCalendar UID, `meeting-<uuid4>@pledge-portal`, never changed afterwards.
- A meeting's venue coordinates come from its postcode (the postcode table), and are cleared when the
  postcode is not known, so a changed venue never keeps the old place's point.
- Minutes and attendance only for a meeting that has ended and was not cancelled; a meeting with minutes
  or attendance was held, so it cannot be cancelled.
- Priority reviews, the record behind "priorities reviewed on time" (Pledge point 7): a priority always has
  one review waiting (a `PriorityReview` row not done, due on its `review_on`), as the demo content does,
  so a review that is never done counts as late once its date has passed. Recording a review completes the
  waiting row (due_on = the priority's review date, reviewed_on = the day it was done) and adds the next
  one. The review date is not edited otherwise: it moves only by recording a review. Resolving or closing
  a priority drops the waiting review if it falls due after the closing day (nothing falls due after a
  priority is closed); a review already overdue stays on the record as not done. Reopening one adds a
  waiting review again: on its review date if that is still ahead, else three months from today.
- A priority's version moves with every change to it, its reviews and its actions.
- An update is a draft (not public) until published; publishing sets `published_at`; editing a published
  update keeps it published (and its date); only drafts can be deleted. Drafts are not public, so writing
  one does not take a team's demo label off.
- Saving an item in full (the edit forms) makes it staff content: its demo label goes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from portal.models import AGREED_HOW, CATEGORIES, MEETING_TYPES, PRIORITY_STATUSES, Postcode, Team
from portal.models.base import utcnow
from portal.models.engagement import (
    CURRENT_PRIORITY_STATUSES,
    Meeting,
    Priority,
    PriorityAction,
    PriorityReview,
    TeamUpdate,
)
from portal.queries.staff import Staff
from portal.queries.staff_edits import (
    Conflict,
    NotFound,
    check_version,
    guard_team,
    mark_staff_content,
    record,
)
from portal.services import calendar

REVIEW_MONTHS = 3
CATEGORY_NAMES = {slug: name for name, slug in CATEGORIES.items()}


class Refused(ValueError):
    """The change breaks a rule that depends on what is saved (400); `errors` by form field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


# -- small helpers -------------------------------------------------------------------------------------


def months_after(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (30 Nov + 3 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def default_review(day: date) -> date:
    return months_after(day, REVIEW_MONTHS)


def as_utc(value: datetime) -> datetime:
    """Aware UTC (SQLite hands stored times back without a zone, PostgreSQL with one)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def london_today(now: datetime | None = None) -> date:
    return calendar.london(now or utcnow()).date()


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_utc(value).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return value.isoformat()


def _date_parts(prefix: str, value: date | None) -> dict[str, str]:
    return {
        f"{prefix}-day": str(value.day) if value else "",
        f"{prefix}-month": str(value.month) if value else "",
        f"{prefix}-year": str(value.year) if value else "",
    }


def _flush(session: Session, current: dict[str, Any]) -> None:
    """Write now. Two saves of the same version at the same moment: the version column refuses the
    second (StaleDataError), which is a conflict like any other."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(current) from None


def _same(saved: Any, new: Any) -> bool:
    if isinstance(saved, datetime) and isinstance(new, datetime):
        return as_utc(saved) == as_utc(new)
    return saved == new


def _touch(item: Any) -> None:
    """Move an item's version when only its children changed (a review, an action)."""
    item.updated_at = utcnow()


# -- meetings ------------------------------------------------------------------------------------------

MEETING_FIELDS = (
    "type",
    "title",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "venue_postcode",
    "online_url",
    "step_free",
    "hearing_loop",
    "bsl_on_request",
    "access_notes",
    "attendees",
    "how_to_join",
)
VENUE_FIELDS = ("venue_name", "venue_address", "venue_postcode")


def new_uid() -> str:
    return f"meeting-{uuid4()}@pledge-portal"


def meeting_record(meeting: Meeting) -> dict[str, Any]:
    """What the audit log keeps of a meeting."""
    data = {name: getattr(meeting, name) for name in MEETING_FIELDS}
    data.update(
        starts_at=_iso(meeting.starts_at),
        ends_at=_iso(meeting.ends_at),
        status=meeting.status,
        cancelled_reason=meeting.cancelled_reason,
        minutes=meeting.minutes,
        attendance=meeting.attendance,
        latitude=meeting.latitude,
        longitude=meeting.longitude,
    )
    return data


def _tristate(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def meeting_values(meeting: Meeting, now: datetime | None = None) -> dict[str, Any]:
    """A meeting as the staff forms show it (London wall-clock times), with its version; also what a
    conflict shows as saved now."""
    start, end = calendar.london(meeting.starts_at), calendar.london(meeting.ends_at)
    return {
        "id": meeting.id,
        "type": meeting.type,
        "type_label": MEETING_TYPES.get(meeting.type, meeting.type),
        "title": meeting.title,
        **_date_parts("date", start.date()),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "when": calendar.when(meeting.starts_at, meeting.ends_at),
        "venue_name": meeting.venue_name or "",
        "venue_address": meeting.venue_address or "",
        "venue_postcode": meeting.venue_postcode or "",
        "location": calendar.location_text(meeting),
        "online_url": meeting.online_url or "",
        "step_free": _tristate(meeting.step_free),
        "hearing_loop": _tristate(meeting.hearing_loop),
        "bsl_on_request": bool(meeting.bsl_on_request),
        "access_notes": meeting.access_notes or "",
        "attendees": meeting.attendees or "",
        "how_to_join": meeting.how_to_join or "",
        "status": meeting.status,
        "cancelled": meeting.status == "cancelled",
        "cancelled_reason": meeting.cancelled_reason or "",
        "minutes": meeting.minutes or "",
        "attendance": "" if meeting.attendance is None else str(meeting.attendance),
        "past": as_utc(meeting.ends_at) < as_utc(now or utcnow()),
        "demo": bool(meeting.is_demo),
        "version": meeting.version,
    }


def team_meeting(session: Session, team: Team, meeting_id: int) -> Meeting:
    meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id, Meeting.team_id == team.id))
    if meeting is None:
        raise NotFound("There is no such meeting for this team.")
    return meeting


def meeting_lists(session: Session, team: Team, now: datetime | None = None) -> dict[str, list[dict]]:
    """The team's meetings for its staff: upcoming soonest first, past latest first."""
    now = now or utcnow()
    meetings = session.scalars(
        select(Meeting).where(Meeting.team_id == team.id).order_by(Meeting.starts_at, Meeting.id)
    )
    items = [meeting_values(m, now) for m in meetings]
    return {
        "upcoming": [m for m in items if not m["past"]],
        "past": [m for m in items if m["past"]][::-1],
    }


def _place(session: Session, postcode: str | None) -> tuple[float | None, float | None]:
    row = session.get(Postcode, postcode) if postcode else None
    return (row.latitude, row.longitude) if row else (None, None)


def create_meeting(session: Session, staff: Staff, team_id: str, values: dict[str, Any]) -> Meeting:
    """values: MEETING_FIELDS (validated; starts_at/ends_at aware UTC)."""
    team = guard_team(session, staff, team_id)
    meeting = Meeting(uid=new_uid(), team_id=team.id, status="scheduled", is_demo=False)
    for name in MEETING_FIELDS:
        setattr(meeting, name, values[name])
    meeting.latitude, meeting.longitude = _place(session, values["venue_postcode"])
    session.add(meeting)
    mark_staff_content(team)
    session.flush()
    when = calendar.when(meeting.starts_at, meeting.ends_at)
    summary = f"Added the meeting {meeting.title} ({when})"
    record(session, staff, team, "create", "meeting", meeting.id, summary, after=meeting_record(meeting))
    return meeting


def save_meeting(
    session: Session, staff: Staff, team_id: str, meeting_id: int, values: dict[str, Any], version: Any
) -> Meeting:
    team = guard_team(session, staff, team_id)
    meeting = team_meeting(session, team, meeting_id)
    current = meeting_values(meeting)
    check_version(meeting, version, current)
    before = meeting_record(meeting)
    if any(getattr(meeting, name) != values[name] for name in VENUE_FIELDS):
        meeting.latitude, meeting.longitude = _place(session, values["venue_postcode"])  # reads first
    for name in MEETING_FIELDS:
        if not _same(getattr(meeting, name), values[name]):
            setattr(meeting, name, values[name])
    meeting.is_demo = False
    mark_staff_content(team)
    _flush(session, current)
    after = meeting_record(meeting)
    record(
        session,
        staff,
        team,
        "update",
        "meeting",
        meeting.id,
        f"Changed the meeting {meeting.title}",
        before,
        after,
    )
    return meeting


def cancel_meeting(
    session: Session, staff: Staff, team_id: str, meeting_id: int, reason: str, version: Any
) -> Meeting:
    team = guard_team(session, staff, team_id)
    meeting = team_meeting(session, team, meeting_id)
    current = meeting_values(meeting)
    check_version(meeting, version, current)
    if meeting.status == "cancelled":
        raise Refused({"reason": "This meeting is already cancelled."})
    if meeting.minutes or meeting.attendance is not None:
        held = "This meeting has notes or attendance recorded, so it was held: it cannot be cancelled."
        raise Refused({"reason": held})
    before = meeting_record(meeting)
    meeting.status, meeting.cancelled_reason = "cancelled", reason
    mark_staff_content(team)
    _flush(session, current)
    summary = f"Cancelled the meeting {meeting.title} ({current['when']})"
    record(session, staff, team, "cancel", "meeting", meeting.id, summary, before, meeting_record(meeting))
    return meeting


def save_minutes(
    session: Session,
    staff: Staff,
    team_id: str,
    meeting_id: int,
    minutes: str,
    attendance: int | None,
    version: Any,
    now: datetime | None = None,
) -> Meeting:
    team = guard_team(session, staff, team_id)
    meeting = team_meeting(session, team, meeting_id)
    current = meeting_values(meeting, now)
    check_version(meeting, version, current)
    if meeting.status == "cancelled":
        raise Refused({"minutes": "This meeting was cancelled, so it has no notes or attendance."})
    if not current["past"]:
        raise Refused({"minutes": "You can add notes and attendance once the meeting has ended."})
    before = meeting_record(meeting)
    meeting.minutes, meeting.attendance = minutes or None, attendance
    mark_staff_content(team)
    _flush(session, current)
    summary = f"Recorded the notes and attendance of {meeting.title}"
    record(session, staff, team, "minutes", "meeting", meeting.id, summary, before, meeting_record(meeting))
    return meeting


# -- priorities ----------------------------------------------------------------------------------------

PRIORITY_FIELDS = (
    "title",
    "raised",
    "detail",
    "place",
    "category",
    "agreed_on",
    "agreed_how",
    "agreed_meeting_id",
    "agreed_note",
)


def priority_record(priority: Priority) -> dict[str, Any]:
    data = {name: getattr(priority, name) for name in PRIORITY_FIELDS}
    data.update(
        review_on=priority.review_on,
        reviewed_on=priority.reviewed_on,
        status=priority.status,
        outcome=priority.outcome,
        closed_on=priority.closed_on,
    )
    return data


def team_priority(session: Session, team: Team, priority_id: int) -> Priority:
    priority = session.scalar(select(Priority).where(Priority.id == priority_id, Priority.team_id == team.id))
    if priority is None:
        raise NotFound("There is no such priority for this team.")
    return priority


def meeting_choices(session: Session, team: Team, keep: int | None = None) -> list[dict[str, Any]]:
    """The team's meetings a priority can have been agreed at: held (started, not cancelled), latest
    first; and the one already chosen (`keep`), whatever it is."""
    now = utcnow()
    rows = session.execute(
        select(Meeting.id, Meeting.title, Meeting.starts_at, Meeting.ends_at, Meeting.status)
        .where(Meeting.team_id == team.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    return [
        {"id": str(i), "label": f"{title}, {calendar.when(start, end)}"}
        for i, title, start, end, status in rows
        if i == keep or (status != "cancelled" and as_utc(start) <= as_utc(now))
    ]


def _reviews(session: Session, priority: Priority) -> list[PriorityReview]:
    return list(
        session.scalars(
            select(PriorityReview)
            .where(PriorityReview.priority_id == priority.id)
            .order_by(PriorityReview.due_on, PriorityReview.id)
        )
    )


def priority_values(session: Session, priority: Priority, today: date | None = None) -> dict[str, Any]:
    """A priority as the staff forms show it, with its actions and reviews and its version."""
    today = today or london_today()
    current = priority.status in CURRENT_PRIORITY_STATUSES
    meeting = session.get(Meeting, priority.agreed_meeting_id) if priority.agreed_meeting_id else None
    actions = sorted(priority.actions, key=lambda a: (a.acted_on, a.id))
    return {
        "id": priority.id,
        "title": priority.title,
        "raised": priority.raised or "",
        "detail": priority.detail or "",
        "place": priority.place or "",
        "category": priority.category or "",
        "category_label": CATEGORY_NAMES.get(priority.category or "", priority.category or ""),
        **_date_parts("agreed", priority.agreed_on),
        "agreed_on": _iso(priority.agreed_on),
        "agreed_how": priority.agreed_how,
        "agreed_how_label": AGREED_HOW.get(priority.agreed_how, priority.agreed_how),
        "agreed_meeting": str(priority.agreed_meeting_id or ""),
        "agreed_meeting_title": f"{meeting.title}, {calendar.when(meeting.starts_at, meeting.ends_at)}"
        if meeting
        else "",
        "agreed_note": priority.agreed_note or "",
        "review_on": _iso(priority.review_on),
        "reviewed_on": _iso(priority.reviewed_on),
        "review_overdue": current and priority.review_on < today,
        "status": priority.status,
        "status_label": PRIORITY_STATUSES.get(priority.status, priority.status),
        "current": current,
        "outcome": priority.outcome or "",
        "closed_on": _iso(priority.closed_on),
        "demo": bool(priority.is_demo),
        "actions": [
            {
                "id": a.id,
                "acted_on": _iso(a.acted_on),
                "actor": a.actor,
                "who": "Partner" if a.is_partner else "Police",
                "description": a.description,
                "result": a.result or "",
            }
            for a in actions
        ],
        "reviews": [
            {"due_on": _iso(r.due_on), "reviewed_on": _iso(r.reviewed_on), "note": r.note or ""}
            for r in _reviews(session, priority)
        ],
        "version": priority.version,
    }


def priority_lists(session: Session, team: Team, today: date | None = None) -> dict[str, list[dict]]:
    today = today or london_today()
    priorities = session.scalars(
        select(Priority)
        .where(Priority.team_id == team.id)
        .order_by(Priority.agreed_on.desc(), Priority.id.desc())
    )
    items = []
    for p in priorities:
        items.append(
            {
                "id": p.id,
                "title": p.title,
                "status": p.status,
                "status_label": PRIORITY_STATUSES.get(p.status, p.status),
                "current": p.status in CURRENT_PRIORITY_STATUSES,
                "agreed_on": _iso(p.agreed_on),
                "review_on": _iso(p.review_on),
                "reviewed_on": _iso(p.reviewed_on),
                "review_overdue": p.status in CURRENT_PRIORITY_STATUSES and p.review_on < today,
                "closed_on": _iso(p.closed_on),
                "demo": bool(p.is_demo),
            }
        )
    return {"current": [p for p in items if p["current"]], "past": [p for p in items if not p["current"]]}


def _check_meeting(session: Session, team: Team, meeting_id: int | None) -> None:
    if meeting_id is None:
        return
    found = session.scalar(select(Meeting.id).where(Meeting.id == meeting_id, Meeting.team_id == team.id))
    if found is None:
        raise Refused({"agreed_meeting": "Choose one of the team's meetings, or none"})


def _waiting(session: Session, priority: Priority) -> list[PriorityReview]:
    return [r for r in _reviews(session, priority) if r.reviewed_on is None]


def create_priority(session: Session, staff: Staff, team_id: str, values: dict[str, Any]) -> Priority:
    """values: PRIORITY_FIELDS and review_on (validated)."""
    team = guard_team(session, staff, team_id)
    _check_meeting(session, team, values["agreed_meeting_id"])
    priority = Priority(team_id=team.id, status="open", review_on=values["review_on"], is_demo=False)
    for name in PRIORITY_FIELDS:
        setattr(priority, name, values[name])
    session.add(priority)
    mark_staff_content(team)
    session.flush()
    session.add(PriorityReview(priority_id=priority.id, due_on=priority.review_on, reviewed_on=None))
    summary = f"Added the priority {priority.title}"
    record(session, staff, team, "create", "priority", priority.id, summary, after=priority_record(priority))
    return priority


def _load_priority(
    session: Session, staff: Staff, team_id: str, priority_id: int, version: Any
) -> tuple[Team, Priority, dict[str, Any]]:
    team = guard_team(session, staff, team_id)
    priority = team_priority(session, team, priority_id)
    current = priority_values(session, priority)
    check_version(priority, version, current)
    return team, priority, current


def save_priority(
    session: Session, staff: Staff, team_id: str, priority_id: int, values: dict[str, Any], version: Any
) -> Priority:
    """values: PRIORITY_FIELDS (the review date is moved only by recording a review)."""
    team, priority, current = _load_priority(session, staff, team_id, priority_id, version)
    _check_meeting(session, team, values["agreed_meeting_id"])
    if priority.reviewed_on and values["agreed_on"] > priority.reviewed_on:
        raise Refused({"agreed": "The day it was agreed must be on or before its last review"})
    before = priority_record(priority)
    for name in PRIORITY_FIELDS:
        setattr(priority, name, values[name])
    priority.is_demo = False
    mark_staff_content(team)
    _flush(session, current)
    after = priority_record(priority)
    summary = f"Changed the priority {priority.title}"
    record(session, staff, team, "update", "priority", priority.id, summary, before, after)
    return priority


def review_priority(
    session: Session, staff: Staff, team_id: str, priority_id: int, values: dict[str, Any], version: Any
) -> PriorityReview:
    """values: reviewed_on, note, next_review_on (validated: next after reviewed, reviewed not ahead)."""
    team, priority, current = _load_priority(session, staff, team_id, priority_id, version)
    reviewed_on = values["reviewed_on"]
    if priority.status not in CURRENT_PRIORITY_STATUSES:
        raise Refused({"reviewed": "This priority is closed, so it has no more reviews. Reopen it first."})
    if reviewed_on < priority.agreed_on:
        raise Refused({"reviewed": "The review must be on or after the day the priority was agreed"})
    if priority.reviewed_on and reviewed_on < priority.reviewed_on:
        last = f"{priority.reviewed_on.day} {priority.reviewed_on:%B %Y}"
        raise Refused({"reviewed": f"The review must be on or after its last review, on {last}"})
    before = priority_record(priority)
    due = priority.review_on
    row = next((r for r in _waiting(session, priority) if r.due_on == due), None)
    if row is None:
        row = PriorityReview(priority_id=priority.id, due_on=due)
        session.add(row)
    row.reviewed_on, row.note, row.is_demo = reviewed_on, values["note"] or None, False
    priority.reviewed_on, priority.review_on = reviewed_on, values["next_review_on"]
    session.add(PriorityReview(priority_id=priority.id, due_on=priority.review_on, reviewed_on=None))
    _touch(priority)
    mark_staff_content(team)
    _flush(session, current)
    after = priority_record(priority)
    after["review_note"] = row.note
    summary = f"Reviewed the priority {priority.title} (due {due.isoformat()})"
    record(session, staff, team, "review", "priority", priority.id, summary, before, after)
    return row


def add_action(
    session: Session, staff: Staff, team_id: str, priority_id: int, values: dict[str, Any], version: Any
) -> PriorityAction:
    """values: acted_on, actor, is_partner, description, result (validated)."""
    team, priority, current = _load_priority(session, staff, team_id, priority_id, version)
    action = PriorityAction(
        priority_id=priority.id,
        acted_on=values["acted_on"],
        actor=values["actor"],
        is_partner=values["is_partner"],
        description=values["description"],
        result=values["result"] or None,
        is_demo=False,
    )
    session.add(action)
    _touch(priority)
    mark_staff_content(team)
    _flush(session, current)
    after = {
        name: getattr(action, name) for name in ("acted_on", "actor", "is_partner", "description", "result")
    }
    summary = f"Recorded an action on the priority {priority.title}"
    record(session, staff, team, "action", "priority", priority.id, summary, after=after)
    return action


def set_priority_status(
    session: Session,
    staff: Staff,
    team_id: str,
    priority_id: int,
    values: dict[str, Any],
    version: Any,
    today: date | None = None,
) -> Priority:
    """values: status, outcome (validated: required when resolved or closed)."""
    today = today or london_today()
    team, priority, current = _load_priority(session, staff, team_id, priority_id, version)
    before = priority_record(priority)
    waiting = _waiting(session, priority)  # read before any change: a query would flush it early
    status = values["status"]
    if status not in CURRENT_PRIORITY_STATUSES:
        if priority.status in CURRENT_PRIORITY_STATUSES or priority.closed_on is None:
            priority.closed_on = today
        priority.outcome = values["outcome"]
        for row in waiting:
            if row.due_on > priority.closed_on:
                session.delete(row)
    else:
        priority.closed_on, priority.outcome = None, None
        if not waiting:
            if priority.review_on <= today:
                priority.review_on = default_review(today)
            session.add(PriorityReview(priority_id=priority.id, due_on=priority.review_on, reviewed_on=None))
    priority.status = status
    _touch(priority)
    mark_staff_content(team)
    _flush(session, current)
    label = PRIORITY_STATUSES[status].lower()
    summary = f"Marked the priority {priority.title} {label}"
    record(
        session, staff, team, "status", "priority", priority.id, summary, before, priority_record(priority)
    )
    return priority


# -- updates -------------------------------------------------------------------------------------------

UPDATE_FIELDS = ("title", "body", "results")


def update_record(update: TeamUpdate) -> dict[str, Any]:
    data = {name: getattr(update, name) for name in UPDATE_FIELDS}
    data.update(status=update.status, published_at=_iso(update.published_at))
    return data


def update_values(update: TeamUpdate) -> dict[str, Any]:
    published = update.published_at
    return {
        "id": update.id,
        "team_id": update.team_id,
        "title": update.title,
        "body": update.body,
        "results": update.results or "",
        "status": update.status,
        "draft": update.status != "published",
        "published_at": _iso(published),
        "published_on": _iso(calendar.london(published).date()) if published else None,
        "updated_at": _iso(update.updated_at),
        "demo": bool(update.is_demo),
        "version": update.version,
    }


def team_update(session: Session, team: Team, update_id: int) -> TeamUpdate:
    update = session.scalar(
        select(TeamUpdate).where(TeamUpdate.id == update_id, TeamUpdate.team_id == team.id)
    )
    if update is None:
        raise NotFound("There is no such update for this team.")
    return update


def update_lists(session: Session, team: Team) -> dict[str, list[dict]]:
    updates = [
        update_values(u)
        for u in session.scalars(
            select(TeamUpdate)
            .where(TeamUpdate.team_id == team.id)
            .order_by(TeamUpdate.published_at.desc(), TeamUpdate.updated_at.desc(), TeamUpdate.id.desc())
        )
    ]
    return {"drafts": [u for u in updates if u["draft"]], "published": [u for u in updates if not u["draft"]]}


def _publish(update: TeamUpdate, team: Team) -> None:
    update.status, update.published_at = "published", utcnow()
    mark_staff_content(team)


def create_update(
    session: Session, staff: Staff, team_id: str, values: dict[str, Any], publish: bool = False
) -> TeamUpdate:
    """values: UPDATE_FIELDS (validated). A draft unless `publish`."""
    team = guard_team(session, staff, team_id)
    update = TeamUpdate(team_id=team.id, status="draft", published_at=None, is_demo=False)
    for name in UPDATE_FIELDS:
        setattr(update, name, values[name] or (None if name == "results" else ""))
    if publish:
        _publish(update, team)
    session.add(update)
    session.flush()
    action = "publish" if publish else "draft"
    summary = f"{'Published' if publish else 'Wrote a draft of'} the update {update.title}"
    record(session, staff, team, action, "update", update.id, summary, after=update_record(update))
    return update


def _load_update(
    session: Session, staff: Staff, team_id: str, update_id: int, version: Any
) -> tuple[Team, TeamUpdate, dict[str, Any]]:
    team = guard_team(session, staff, team_id)
    update = team_update(session, team, update_id)
    current = update_values(update)
    check_version(update, version, current)
    return team, update, current


def save_update(
    session: Session,
    staff: Staff,
    team_id: str,
    update_id: int,
    values: dict[str, Any],
    version: Any,
    publish: bool = False,
) -> TeamUpdate:
    """Save the text; a draft stays a draft unless `publish`; a published update stays published."""
    team, update, current = _load_update(session, staff, team_id, update_id, version)
    before = update_record(update)
    was_draft = update.status != "published"
    for name in UPDATE_FIELDS:
        setattr(update, name, values[name] or (None if name == "results" else ""))
    update.is_demo = False
    if was_draft and publish:
        _publish(update, team)
    elif not was_draft:
        mark_staff_content(team)
    _flush(session, current)
    action = "publish" if was_draft and publish else "update"
    summary = f"{'Published' if action == 'publish' else 'Changed'} the update {update.title}"
    record(session, staff, team, action, "update", update.id, summary, before, update_record(update))
    return update


def publish_update(session: Session, staff: Staff, team_id: str, update_id: int, version: Any) -> TeamUpdate:
    team, update, current = _load_update(session, staff, team_id, update_id, version)
    if update.status == "published":
        raise Refused({"publish": "This update is already published."})
    before = update_record(update)
    _publish(update, team)
    _flush(session, current)
    summary = f"Published the update {update.title}"
    record(session, staff, team, "publish", "update", update.id, summary, before, update_record(update))
    return update


def delete_update(session: Session, staff: Staff, team_id: str, update_id: int, version: Any) -> None:
    team, update, current = _load_update(session, staff, team_id, update_id, version)
    if update.status == "published":
        raise Refused({"delete": "A published update cannot be deleted: it stays on the record."})
    before = update_record(update)
    session.delete(update)
    _flush(session, current)
    summary = f"Deleted the draft update {before['title']}"
    record(session, staff, team, "delete", "update", update_id, summary, before=before, after=None)
