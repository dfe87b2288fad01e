"""The staff inbox: who may see which messages and reports, the list and one item with its history and
clock, the actions on it (assign, acknowledge, reply, resolve, escalate), and the overdue sweep.

Visibility follows the edit permissions (`portal.queries.staff.can_edit_team`): a team editor sees their
teams' submissions only; a borough admin their borough's teams and the borough-level reports of
dissatisfaction; a force admin all. An item someone may not see is "not found" to them, so its existence
does not leak.

Every action runs in one transaction: the version check on Submission.version (someone else acted since
the page was loaded: Conflict), the change, a history event, any e-mail to the person in the outbox, and
the audit entry.

The clock: a message is answered by its first reply (responded_at); a report of dissatisfaction by its
first acknowledgement by a person (acknowledged_at). A reply acknowledges too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import and_, case, false, or_, select, update
from sqlalchemy.orm import Session

from portal.models import Borough, Team
from portal.models.base import utcnow
from portal.models.contact import (
    ACKNOWLEDGED,
    CONTACT_BY,
    DISSATISFACTION,
    DISSATISFACTION_CATEGORIES,
    ESCALATED,
    KINDS,
    MESSAGE,
    MESSAGE_TOPICS,
    OPEN_STATUSES,
    RECEIVED,
    RESOLVED,
    RESPONDED,
    STATUSES,
    Submission,
    SubmissionEvent,
)
from portal.models.staff import BOROUGH_ADMIN, FORCE_ADMIN, TEAM_EDITOR, StaffUser
from portal.queries import outbox
from portal.queries.staff import Staff, audit
from portal.queries.staff_edits import Conflict, NotFound, check_version
from portal.services import sla
from portal.services.compliance import add_months, months
from portal.settings import Settings

MAX_REPLY = 5000
MAX_NOTE = 2000
CLOSED = (RESOLVED, ESCALATED)
EVENT_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledged",
    "assigned": "Assigned",
    "replied": "Answered",
    "resolved": "Resolved",
    "escalated": "Passed to a formal complaint",
    "overdue": "Overdue: not answered within 24 hours",
}


class ActionRefused(ValueError):
    """The action does not apply to the item as it is now, or what was typed is wrong (by field)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def is_open(submission: Any) -> bool:
    """Still waiting for its first answer (a message) or acknowledgement by a person (dissatisfaction)."""
    if submission.kind == DISSATISFACTION:
        return submission.status == RECEIVED and submission.acknowledged_at is None
    return submission.status in OPEN_STATUSES and submission.responded_at is None


def first_answer(submission: Any) -> datetime | None:
    return submission.acknowledged_at if submission.kind == DISSATISFACTION else submission.responded_at


def clock(submission: Any, now: datetime) -> dict[str, Any]:
    verb = "acknowledged" if submission.kind == DISSATISFACTION else "answered"
    return sla.clock(submission.received_at, first_answer(submission), now, verb=verb)


def _open_condition():
    return or_(
        and_(
            Submission.kind == DISSATISFACTION,
            Submission.status == RECEIVED,
            Submission.acknowledged_at.is_(None),
        ),
        and_(
            Submission.kind != DISSATISFACTION,
            Submission.status.in_(OPEN_STATUSES),
            Submission.responded_at.is_(None),
        ),
    )


def _visible(staff: Staff):
    """The SQL condition for the submissions this person may see (the query joins Team outerly)."""
    if staff.role == FORCE_ADMIN:
        return None
    if staff.role == BOROUGH_ADMIN and staff.borough_code:
        return or_(
            Team.borough_code == staff.borough_code,
            and_(Submission.team_id.is_(None), Submission.borough_code == staff.borough_code),
        )
    if staff.role == TEAM_EDITOR and staff.team_ids:
        return Submission.team_id.in_(staff.team_ids)
    return false()


def can_see(staff: Staff, submission: Submission, team_borough: str | None) -> bool:
    if staff.role == FORCE_ADMIN:
        return True
    if staff.role == BOROUGH_ADMIN:
        borough = team_borough if submission.team_id else submission.borough_code
        return bool(staff.borough_code) and borough == staff.borough_code
    return (
        staff.role == TEAM_EDITOR and submission.team_id is not None and submission.team_id in staff.team_ids
    )


def category_label(submission: Any) -> str:
    labels = DISSATISFACTION_CATEGORIES if submission.kind == DISSATISFACTION else MESSAGE_TOPICS
    return labels.get(submission.category, submission.category)


def inbox(session: Session, staff: Staff, *, show: str = "open", now: datetime | None = None) -> list[dict]:
    """The person's submissions: open ones first, by due time (soonest, so most overdue, first); then
    the rest, newest first. `show` is "open" or "all". No message text: the list shows facts only."""
    now = now or utcnow()
    query = (
        select(Submission, Team.name, Borough.name)
        .outerjoin(Team, Team.id == Submission.team_id)
        .outerjoin(Borough, Borough.code == Submission.borough_code)
    )
    condition = _visible(staff)
    if condition is not None:
        query = query.where(condition)
    open_now = _open_condition()
    if show == "open":
        query = query.where(open_now)
    query = query.order_by(
        case((open_now, 0), else_=1),
        case((open_now, Submission.due_at), else_=None),
        Submission.received_at.desc(),
    )
    items = []
    for submission, team_name, borough_name in session.execute(query.limit(500)):
        item = summary(submission, team_name, borough_name, now)
        items.append(item)
    # open first by due time, then the rest newest first (the database's NULL ordering differs)
    open_items = sorted((i for i in items if i["open"]), key=lambda i: i["due_at"])
    closed_items = [i for i in items if not i["open"]]
    return open_items + closed_items


def summary(submission: Submission, team_name: str | None, borough_name: str | None, now: datetime) -> dict:
    the_clock = clock(submission, now)
    open_ = is_open(submission)
    return {
        "id": submission.id,
        "reference": submission.reference,
        "kind": submission.kind,
        "kind_label": KINDS.get(submission.kind, submission.kind),
        "category_label": category_label(submission),
        "team_id": submission.team_id,
        "where": team_name or (f"{borough_name} (borough)" if borough_name else "Not given"),
        "status": submission.status,
        "status_label": STATUSES.get(submission.status, submission.status),
        "received_text": sla.london_time(submission.received_at),
        "due_at": sla.aware(submission.due_at),
        "open": open_,
        "overdue": open_ and the_clock["state"] == "overdue",
        "clock": the_clock,
        "assigned_to": submission.assigned_to,
    }


def _load(session: Session, staff: Staff, submission_id: int) -> tuple[Submission, str | None, str | None]:
    row = session.execute(
        select(Submission, Team.name, Team.borough_code)
        .outerjoin(Team, Team.id == Submission.team_id)
        .where(Submission.id == submission_id)
    ).first()
    if row is None or not can_see(staff, row[0], row[2]):
        raise NotFound("There is no message or report with that number in your inbox.")
    return row[0], row[1], row[2]


def item(session: Session, staff: Staff, submission_id: int, now: datetime | None = None) -> dict[str, Any]:
    """One submission with its details and history, for someone who may see it (else NotFound)."""
    now = now or utcnow()
    submission, team_name, _borough = _load(session, staff, submission_id)
    borough_name = session.scalar(select(Borough.name).where(Borough.code == submission.borough_code))
    names = dict(session.execute(select(StaffUser.id, StaffUser.name)).all())
    result = summary(submission, team_name, borough_name, now)
    result.update(
        body=submission.body,
        happened_on=submission.happened_on,
        place=submission.place,
        name=submission.name,
        email=submission.email,
        phone=submission.phone,
        contact_by=CONTACT_BY.get(submission.contact_by, submission.contact_by),
        erased=submission.personal_data_erased_at is not None,
        version=submission.version,
        assigned_name=names.get(submission.assigned_to),
        closed=submission.status in CLOSED,
        acknowledged=submission.acknowledged_at is not None,
        events=[
            {
                "kind": e.kind,
                "label": EVENT_LABELS.get(e.kind, e.kind.capitalize()),
                "at_text": sla.london_time(e.at),
                "by": names.get(e.by_user_id) if e.by_user_id else None,
                "public_text": e.public_text,
                "staff_note": e.staff_note,
            }
            for e in submission.events
        ],
    )
    return result


def _state(submission: Submission) -> dict[str, Any]:
    return {
        "status": submission.status,
        "status_label": STATUSES.get(submission.status, submission.status),
        "assigned_to": submission.assigned_to,
        "acknowledged_at": sla.london_time(submission.acknowledged_at)
        if submission.acknowledged_at
        else None,
        "responded_at": sla.london_time(submission.responded_at) if submission.responded_at else None,
        "version": submission.version,
    }


def _what(submission: Submission) -> str:
    return "report of dissatisfaction" if submission.kind == DISSATISFACTION else "message"


def _mail_person(session, settings, submission, kind: str, subject: str, body: str, now: datetime) -> bool:
    """E-mail the person, through the outbox, when they gave an address (and their details remain)."""
    if not submission.email or submission.personal_data_erased_at is not None:
        return False
    outbox.enqueue(
        session,
        settings,
        kind=kind,
        to=submission.email,
        subject=subject,
        body=body,
        submission_id=submission.id,
        now=now,
    )
    return True


def act(
    session: Session,
    staff: Staff,
    settings: Settings,
    submission_id: int,
    action: str,
    version: Any,
    text: str = "",
    now: datetime | None = None,
) -> Submission:
    """Do one inbox action (assign, acknowledge, reply, resolve, escalate) as one transaction."""
    now = now or utcnow()
    submission, team_name, team_borough = _load(session, staff, submission_id)
    before = _state(submission)
    check_version(submission, version, before)
    text = (text or "").strip()
    what = _what(submission)
    where = team_name or "the borough"
    event = SubmissionEvent(at=now, by_user_id=staff.id, kind=action)
    if action == "assign":
        if submission.assigned_to == staff.id:
            raise ActionRefused({"action": f"This {what} is already assigned to you."})
        submission.assigned_to = staff.id
        event.kind, event.staff_note = "assigned", f"Assigned to {staff.name}"
    elif action == "acknowledge":
        if submission.acknowledged_at is not None or submission.status in CLOSED:
            raise ActionRefused({"action": f"This {what} has already been acknowledged."})
        submission.acknowledged_at = now
        if submission.status == RECEIVED:
            submission.status = ACKNOWLEDGED
        event.kind = "acknowledged"
        event.public_text = f"Your {what} has been read by a member of the {where} team."
        _mail_person(
            session,
            settings,
            submission,
            "acknowledged",
            f"Your {what} {submission.reference} has been read",
            f"Your {what} (reference {submission.reference}) has been read by a member of the {where} "
            f"team. You will hear from us again when it has been dealt with.\n",
            now,
        )
    elif action == "reply":
        if not text:
            raise ActionRefused({"text": "Enter your reply"})
        if len(text) > MAX_REPLY:
            raise ActionRefused({"text": f"Your reply must be {MAX_REPLY:,} characters or fewer"})
        if submission.status == ESCALATED:
            raise ActionRefused({"action": f"This {what} has been passed to a formal complaint."})
        if submission.responded_at is None:
            submission.responded_at = now
        if submission.acknowledged_at is None:  # a person answering has read it
            submission.acknowledged_at = now
        if submission.status != RESOLVED:
            submission.status = RESPONDED
        event.kind, event.public_text = "replied", text
        _mail_person(
            session,
            settings,
            submission,
            "reply",
            f"Reply to your {what} {submission.reference}",
            f"The {where} team has answered your {what} (reference {submission.reference}):\n\n{text}\n",
            now,
        )
    elif action in ("resolve", "escalate"):
        if len(text) > MAX_NOTE:
            raise ActionRefused({"text": f"The note must be {MAX_NOTE:,} characters or fewer"})
        if submission.status in CLOSED:
            raise ActionRefused({"action": f"This {what} is already {STATUSES[submission.status].lower()}."})
        if action == "resolve":
            submission.status, submission.resolved_at = RESOLVED, now
            event.kind = "resolved"
        else:
            submission.status, submission.escalated_at = ESCALATED, now
            event.kind = "escalated"
            event.public_text = "Passed to the Professional Standards process as a formal complaint."
        event.staff_note = text or None
    else:
        raise ActionRefused({"action": "Choose an action"})
    submission.events.append(event)
    session.flush()  # the version moves here; a concurrent action fails on it (StaleDataError)
    after = _state(submission)
    audit(
        session,
        staff,
        action,
        "submission",
        submission.reference,
        summary=f"{action.capitalize()}: {submission.reference} ({where})",
        team_id=submission.team_id,
        borough_code=team_borough or submission.borough_code,
        before={k: v for k, v in before.items() if after.get(k) != v},
        after={k: v for k, v in after.items() if before.get(k) != v},
    )
    return submission


# -- the overdue sweep ---------------------------------------------------------------------------------


def admin_addresses(session: Session, borough_code: str | None) -> list[str]:
    """The active borough admins of the borough, else the active force admins."""
    if borough_code:
        found = list(
            session.scalars(
                select(StaffUser.email)
                .where(StaffUser.role == BOROUGH_ADMIN, StaffUser.borough_code == borough_code)
                .where(StaffUser.is_active.is_(True))
                .order_by(StaffUser.email)
            )
        )
        if found:
            return found
    return list(
        session.scalars(
            select(StaffUser.email)
            .where(StaffUser.role == FORCE_ADMIN, StaffUser.is_active.is_(True))
            .order_by(StaffUser.email)
        )
    )


def sla_sweep(session: Session, settings: Settings, now: datetime | None = None) -> list[str]:
    """Flag the submissions newly past their 24 hours (open, due before now, not flagged yet): set
    overdue_flagged_at, add an "overdue" event and e-mail the borough admin(s) of the team's borough (else
    the force admins). Idempotent: a flagged one is never flagged again. Returns the references flagged.

    The flag is set by a conditional UPDATE that does not move the item's version, so staff with it open
    are not told someone else changed it; two sweeps at once flag (and e-mail) each item once."""
    now = now or utcnow()
    rows = session.execute(
        select(
            Submission.id,
            Submission.reference,
            Submission.kind,
            Submission.team_id,
            Submission.borough_code,
            Submission.received_at,
            Submission.due_at,
            Team.name,
            Team.borough_code.label("team_borough"),
        )
        .outerjoin(Team, Team.id == Submission.team_id)
        .where(_open_condition(), Submission.due_at < now, Submission.overdue_flagged_at.is_(None))
        .order_by(Submission.due_at)
    ).all()
    flagged = []
    for row in rows:
        done = session.execute(
            update(Submission.__table__)
            .where(Submission.__table__.c.id == row.id, Submission.__table__.c.overdue_flagged_at.is_(None))
            .values(overdue_flagged_at=now)
        )
        if done.rowcount != 1:
            continue
        session.add(SubmissionEvent(submission_id=row.id, at=now, kind="overdue"))
        what = "report of dissatisfaction" if row.kind == DISSATISFACTION else "message"
        where = row.name or "no team (borough level)"
        borough = row.team_borough or row.borough_code
        addresses = admin_addresses(session, borough) or (
            [settings.contact_fallback_email] if settings.contact_fallback_email else []
        )
        verb = "acknowledged" if row.kind == DISSATISFACTION else "answered"
        for address in addresses:
            outbox.enqueue(
                session,
                settings,
                kind="overdue",
                to=address,
                submission_id=row.id,
                now=now,
                subject=f"Overdue: {what} {row.reference} not {verb} within 24 hours",
                body=(
                    f"The {what} {row.reference} to {where} was received at "
                    f"{sla.london_time(row.received_at)} and was due to be {verb} by "
                    f"{sla.london_time(row.due_at)}. It has not been {verb} yet.\n\n"
                    f"Open it in the staff inbox: {settings.site_url}/staff/inbox/{row.id}\n"
                ),
            )
        flagged.append(row.reference)
    return flagged


__all__ = ["MESSAGE", "ActionRefused", "Conflict", "NotFound", "act", "inbox", "item", "sla_sweep"]


# -- the published figures (/contact/figures) ----------------------------------------------------------


def figures(
    session: Session, *, borough: str | None = None, team: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Per month of receipt (London time), the last 12 months including this one, for London, a borough
    (its teams and its borough-level reports) or one team: messages received, answered within 24 hours
    (of those due), the median time to the first answer; reports of dissatisfaction received,
    acknowledged within 24 hours, the median time to acknowledge, and the counts by category. Reads
    only the team, kind, category and times: no personal data."""
    from portal.services import scorecard as sc

    now = utcnow()
    today = today or sla.aware(now).astimezone(sla.LONDON).date()
    last = date(today.year, today.month, 1)
    first = add_months(last, -11)
    start = datetime(first.year, first.month, 1, tzinfo=UTC) - timedelta(days=1)
    query = select(
        Submission.kind,
        Submission.category,
        Submission.received_at,
        Submission.responded_at,
        Submission.acknowledged_at,
    ).where(Submission.received_at >= start)
    if team:
        query = query.where(Submission.team_id == team)
    elif borough:
        query = query.outerjoin(Team, Team.id == Submission.team_id).where(
            or_(
                Team.borough_code == borough,
                and_(Submission.team_id.is_(None), Submission.borough_code == borough),
            )
        )
    rows = session.execute(query).all()
    messages = [r for r in rows if r.kind != DISSATISFACTION]
    reports = [r for r in rows if r.kind == DISSATISFACTION]
    answered = sc.messages_answered_each_month(messages, first, last, now)
    acknowledged = sc.dissatisfaction_acknowledged_each_month(reports, first, last, now)

    def month_of(row) -> date:
        return sc.local_month(sla.aware(row.received_at))

    def median_text(items, field_name: str, month: date) -> tuple[int | None, str | None]:
        took = [
            (sla.aware(getattr(r, field_name)) - sla.aware(r.received_at)).total_seconds() // 60
            for r in items
            if getattr(r, field_name) is not None and month_of(r) == month
        ]
        if not took:
            return None, None
        minutes = int(median(took))
        return minutes, sla.duration(timedelta(minutes=minutes))

    result = []
    for month in reversed(months(first, last)):
        m_answer, m_text = median_text(messages, "responded_at", month)
        d_answer, d_text = median_text(reports, "acknowledged_at", month)
        categories = {key: 0 for key in DISSATISFACTION_CATEGORIES}
        for r in reports:
            if month_of(r) == month and r.category in categories:
                categories[r.category] += 1
        result.append(
            {
                "month": month.strftime("%Y-%m"),
                "month_label": month.strftime("%B %Y"),
                "in_progress": month == last,
                "messages": {
                    "received": sum(1 for r in messages if month_of(r) == month),
                    "due": answered[month].denominator,
                    "within_24_hours": answered[month].numerator,
                    "percent": None if answered[month].value is None else round(answered[month].value, 1),
                    "median_minutes": m_answer,
                    "median_text": m_text,
                },
                "dissatisfaction": {
                    "received": sum(1 for r in reports if month_of(r) == month),
                    "due": acknowledged[month].denominator,
                    "within_24_hours": acknowledged[month].numerator,
                    "percent": None
                    if acknowledged[month].value is None
                    else round(acknowledged[month].value, 1),
                    "median_minutes": d_answer,
                    "median_text": d_text,
                    "by_category": [
                        {"category": key, "label": DISSATISFACTION_CATEGORIES[key], "count": count}
                        for key, count in categories.items()
                    ],
                },
            }
        )
    return {"months": result}
