"""Messages to a team and reports of dissatisfaction: taking one in, its status page, and `purge`.

`submit` does everything in the caller's one transaction: the rate limits, the submission with its
reference, its "received" event, its outbox e-mails and the rate-limit hits. Either all of it is stored or
none of it, so a reference is never shown for something that was not kept.

The status link's token. The database keeps only its SHA-256 (`status_token_hash`). The token itself is
derived from the form's idempotency key with SECRET_KEY (an HMAC), so a repeat of the same form (a double
click, a reload of the POST, two requests racing) gets the *same* token back without storing it: the link
in the acknowledgement e-mail and the one on the confirmation page stay the same link, and a copy of the
database (which holds the idempotency keys but not SECRET_KEY) cannot be turned into status links.
Changing SECRET_KEY does not break links already sent (the stored hash does not depend on it).

Rate limits are counted in `rate_limit_hit` (so they hold across restarts and processes) under keys
"ip:…" and "address:…" made with an HMAC of the address and SECRET_KEY, never the raw value. Only
accepted submissions count. Two submissions racing at the very edge of a limit may both pass: the limit
is a brake on floods, not an exact quota.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.models import Borough, Team
from portal.models.contact import (
    CONTACT_BY,
    DISSATISFACTION,
    DISSATISFACTION_CATEGORIES,
    KINDS,
    MESSAGE,
    MESSAGE_TOPICS,
    RECEIVED,
    STATUSES,
    OutboxMessage,
    RateLimitHit,
    Submission,
    SubmissionEvent,
)
from portal.services import sla
from portal.services.auth import token_digest
from portal.settings import Settings

ADDRESS_WINDOW = timedelta(hours=1)
EMAIL_WINDOW = timedelta(days=1)
RATE_LIMIT_KEEP = timedelta(days=2)
FORMAL_COMPLAINT_URL = "https://www.met.police.uk/fo/feedback/"
REPORT_CRIME_URL = "https://www.met.police.uk/ro/report/"
EVENT_LABELS = {
    "received": "Received",
    "acknowledged": "Acknowledged by the team",
    "replied": "Answered",
    "responded": "Answered",
    "resolved": "Resolved",
    "escalated": "Passed to a formal complaint",
    "reassigned": "Passed to another team",
}


class Refused(Exception):
    """Not accepted (a rate limit); `message` says why and when to try again."""

    def __init__(self, message: str, retry_after: int = 3600) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


def keyed_hash(secret_key: str, value: str) -> str:
    return hmac.new(secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def rate_keys(settings: Settings, ip: str, email: str | None) -> dict[str, str]:
    keys = {"ip": "ip:" + keyed_hash(settings.secret_key, ip)}
    if email:
        keys["address"] = "address:" + keyed_hash(settings.secret_key, email.strip().lower())
    return keys


def status_token(settings: Settings, idempotency_key: str) -> str:
    """The status link's token for the form with this idempotency key (see the module's notes)."""
    raw = hmac.new(
        settings.secret_key.encode(), b"contact-status:" + idempotency_key.encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def status_url(settings: Settings, token: str) -> str:
    return f"{settings.site_url}/contact/status/{token}"


def _check_limit(session: Session, key: str, limit: int, window: timedelta, now: datetime, what: str) -> None:
    since = now - window
    count, oldest = session.execute(
        select(func.count(RateLimitHit.id), func.min(RateLimitHit.at)).where(
            RateLimitHit.key == key, RateLimitHit.at > since
        )
    ).one()
    if count >= limit:
        again = sla.aware(oldest) + window
        raise Refused(
            f"We could not accept this form: {what} sent {count} message{'s' if count != 1 else ''} in the "
            f"last {sla.duration(window)} (the limit is {limit}). Try again after {sla.london_time(again)}, "
            f"or call 101. In an emergency, call 999.",
            retry_after=max(60, int((again - now).total_seconds()) + 1),
        )


def _existing(session: Session, idempotency_key: str) -> Submission | None:
    return session.scalar(select(Submission).where(Submission.idempotency_key == idempotency_key))


def build_messages(
    submission: Submission, token: str, team: Team | None, area: str, settings: Settings
) -> list[OutboxMessage]:
    """The outbox rows for a new submission: the acknowledgement (when they gave an e-mail address) and the
    team's notification (to the team's address, else CONTACT_FALLBACK_EMAIL, else none: the staff inbox
    is the record). The status token goes only to the sender."""
    kind = KINDS[submission.kind]
    due = sla.london_time(submission.due_at)
    category = (MESSAGE_TOPICS | DISSATISFACTION_CATEGORIES).get(submission.category, submission.category)
    messages = []
    if submission.email:
        intro = (
            f"Thank you for your message to the {area}."
            if submission.kind == MESSAGE
            else f"Thank you for telling us about a problem with our service ({area})."
        )
        promise = (
            "The team will answer within 24 hours"
            if submission.kind == MESSAGE
            else "A member of staff will acknowledge your report within 24 hours"
        )
        body = "\n".join(
            [
                f"Hello{' ' + submission.name if submission.name else ''},",
                "",
                intro,
                "",
                f"Your reference is {submission.reference}.",
                "",
                "What happens next",
                f"{promise}, by {due}. "
                + (
                    "They will reply by e-mail or phone, as you asked."
                    if submission.contact_by != "none"
                    else "You asked not to be contacted, so check the status page for any answer."
                ),
                "",
                "You can see the status of your message, and any answer, at:",
                status_url(settings, token),
                "Keep this link to yourself: anyone with it can see the status page.",
                "",
                "This service is not for emergencies or for reporting a crime.",
                "In an emergency, call 999. To report a crime, call 101 or go to " + REPORT_CRIME_URL,
                "",
                "Neighbourhood Pledge Portal",
            ]
        )
        messages.append(
            OutboxMessage(
                kind="acknowledgement",
                to_address=submission.email,
                subject=f"We have received your {kind.lower()}: reference {submission.reference}",
                body_text=body,
            )
        )
    to_team = (team.email if team is not None and team.email else None) or settings.contact_fallback_email
    if to_team:
        lines = [
            f"A new {kind.lower()} for the {area}.",
            "",
            f"Reference: {submission.reference}",
            f"Kind: {kind}",
            f"Category: {category}",
            f"Received: {sla.london_time(submission.received_at)}",
            f"Due by: {due} (Policing Pledge: within 24 hours)",
        ]
        if submission.happened_on:
            lines.append(f"Date it happened: {submission.happened_on:%d %B %Y}")
        if submission.place:
            lines.append(f"Place: {submission.place}")
        lines += [
            f"Name: {submission.name or '(not given)'}",
            f"E-mail: {submission.email or '(not given)'}",
            f"Phone: {submission.phone or '(not given)'}",
            f"Contact by: {CONTACT_BY.get(submission.contact_by, submission.contact_by)}"
            + (" (consent given)" if submission.consent else ""),
            "",
            "Their text:",
            submission.body or "",
            "",
            f"Answer it in the staff inbox: {settings.site_url}/staff/",
        ]
        messages.append(
            OutboxMessage(
                kind="team_notification",
                to_address=to_team,
                subject=f"{kind} {submission.reference}: {category}",
                body_text="\n".join(lines),
            )
        )
    return messages


def submit(
    session: Session,
    *,
    kind: str,
    team_id: str | None,
    borough_code: str | None,
    category: str,
    body: str,
    happened_on: date | None,
    place: str | None,
    name: str | None,
    email: str | None,
    phone: str | None,
    contact_by: str,
    consent: bool,
    idempotency_key: str,
    ip: str,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[Submission, str, bool]:
    """Take a submission in: (submission, status token, created). A repeat with the same idempotency key
    returns the stored one with created False, even when two arrive together. Raises `Refused` over a
    rate limit. Must be called on a session with nothing else pending: a racing duplicate rolls it back."""
    if kind not in KINDS or contact_by not in CONTACT_BY:
        raise ValueError("unknown kind or contact preference")
    now = sla.aware(now or datetime.now(UTC))
    token = status_token(settings, idempotency_key)
    existing = _existing(session, idempotency_key)
    if existing is not None:
        return existing, token, False
    keys = rate_keys(settings, ip, email)
    _check_limit(
        session,
        keys["ip"],
        settings.contact_limit_per_address_hour,
        ADDRESS_WINDOW,
        now,
        "this network address has",
    )
    if "address" in keys:
        _check_limit(
            session,
            keys["address"],
            settings.contact_limit_per_email_day,
            EMAIL_WINDOW,
            now,
            "this e-mail address has",
        )
    team = session.get(Team, team_id) if team_id else None
    if team is not None:
        borough_code = team.borough_code
        area = f"{team.name} Safer Neighbourhood Team"
    else:
        borough = session.get(Borough, borough_code) if borough_code else None
        area = f"{borough.name} police" if borough else "Metropolitan Police neighbourhood teams"
    submission = Submission(
        reference="tmp-" + uuid.uuid4().hex[:16],  # unique until the id is known, a moment later
        kind=kind,
        team_id=team.id if team else None,
        borough_code=borough_code,
        category=category,
        body=body,
        happened_on=happened_on,
        place=place or None,
        name=name or None,
        email=email or None,
        phone=phone or None,
        contact_by=contact_by,
        consent=consent,
        status=RECEIVED,
        received_at=now,
        due_at=sla.due_at(now),
        status_token_hash=token_digest(token),
        idempotency_key=idempotency_key,
    )
    session.add(submission)
    try:
        session.flush()  # the id, and the unique idempotency key checked now
    except IntegrityError:
        session.rollback()  # a twin got there first: it holds the key (else this re-raises below)
        existing = _existing(session, idempotency_key)
        if existing is None:
            raise
        return existing, token, False
    submission.reference = f"SNT-{now.year}-{submission.id:06d}"
    session.add(SubmissionEvent(submission_id=submission.id, at=now, kind="received"))
    for message in build_messages(submission, token, team, area, settings):
        message.submission_id = submission.id
        message.message_id = f"<{uuid.uuid4()}@pledge-portal>"
        message.created_at = message.next_attempt_at = now
        session.add(message)
    session.add_all(RateLimitHit(key=key, at=now) for key in keys.values())
    session.flush()
    return submission, token, True


# -- the status page -----------------------------------------------------------------------------------


def first_response(submission: Submission) -> datetime | None:
    """What stops the clock: for a message, the first answer (or resolution or escalation); for
    dissatisfaction, the first acknowledgement by a person (or anything after it)."""
    times = [submission.responded_at, submission.resolved_at, submission.escalated_at]
    if submission.kind == DISSATISFACTION:
        times.append(submission.acknowledged_at)
    times = [sla.aware(t) for t in times if t is not None]
    return min(times) if times else None


def by_token(session: Session, token: str) -> Submission | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(select(Submission).where(Submission.status_token_hash == token_digest(token)))


def status_view(session: Session, token: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The status page's context (JSON-safe), or None for an unknown token. Only what this person sent
    and what was sent to them: no staff notes, no staff names."""
    submission = by_token(session, token)
    if submission is None:
        return None
    now = sla.aware(now or datetime.now(UTC))
    team = session.get(Team, submission.team_id) if submission.team_id else None
    borough = session.get(Borough, submission.borough_code) if submission.borough_code else None
    verb = "acknowledged" if submission.kind == DISSATISFACTION else "answered"
    clock = sla.clock(submission.received_at, first_response(submission), now, verb=verb)
    categories = MESSAGE_TOPICS if submission.kind == MESSAGE else DISSATISFACTION_CATEGORIES
    erased = submission.personal_data_erased_at is not None
    return {
        "reference": submission.reference,
        "kind": submission.kind,
        "kind_text": KINDS[submission.kind],
        "category": categories.get(submission.category, submission.category),
        "team": {"id": team.id, "name": team.name} if team else None,
        "borough": {"code": borough.code, "name": borough.name} if borough else None,
        "status": submission.status,
        "status_text": STATUSES.get(submission.status, submission.status),
        "acknowledged": submission.status != RECEIVED or submission.acknowledged_at is not None,
        "received_text": sla.london_time(submission.received_at),
        "due_text": sla.london_time(submission.due_at),
        "clock": clock,
        "body": submission.body,
        "erased": erased,
        "history": [
            {
                "kind": event.kind,
                "label": EVENT_LABELS.get(event.kind, event.kind.replace("_", " ").capitalize()),
                "at": sla.aware(event.at).isoformat(),
                "at_text": sla.london_time(event.at),
                "text": event.public_text,
            }
            for event in submission.events
        ],
        "formal_complaint_url": FORMAL_COMPLAINT_URL,
    }


# -- purge ---------------------------------------------------------------------------------------------


def purge(session: Session, *, days: int, now: datetime | None = None) -> dict[str, int]:
    """Erase the personal details of submissions received more than `days` ago (name, e-mail, phone,
    text, place, date, and the replies' text), keeping what the figures need; delete rate-limit hits
    older than 2 days. Running it again changes nothing more. Returns the counts."""
    now = sla.aware(now or datetime.now(UTC))
    cutoff = now - timedelta(days=days)
    ids = list(
        session.scalars(
            select(Submission.id).where(
                Submission.received_at < cutoff, Submission.personal_data_erased_at.is_(None)
            )
        )
    )
    replies = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(
            update(Submission)
            .where(Submission.id.in_(chunk))
            .values(
                name=None,
                email=None,
                phone=None,
                body=None,
                place=None,
                happened_on=None,
                personal_data_erased_at=now,
                version=Submission.version + 1,
            )
            .execution_options(synchronize_session=False)
        )
        replies += session.execute(
            update(SubmissionEvent)
            .where(SubmissionEvent.submission_id.in_(chunk), SubmissionEvent.public_text.is_not(None))
            .values(public_text=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        # the sent copies of their e-mails (never the unsent ones: the sender still needs those)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.submission_id.in_(chunk), OutboxMessage.sent_at.is_not(None))
            .values(to_address="(erased)", body_text="(erased after the retention period)")
            .execution_options(synchronize_session=False)
        )
    hits = session.execute(
        delete(RateLimitHit)
        .where(RateLimitHit.at < now - RATE_LIMIT_KEEP)
        .execution_options(synchronize_session=False)
    ).rowcount
    return {"submissions_erased": len(ids), "replies_erased": replies, "rate_limit_hits_deleted": hits}
