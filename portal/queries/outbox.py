"""The e-mail outbox: writing a message in the caller's transaction (`enqueue`) and delivering what is due
(`deliver_due`, run by `python -m portal send-mail`).

Delivery is at-least-once. A row is claimed for two minutes in a short transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`; SQLite: a conditional UPDATE whose row count says whether this sender won it),
sent, then marked sent by an UPDATE that requires `sent_at IS NULL`, so it is marked exactly once and two
senders never both take a row while a claim holds. The one gap: a sender that dies after the SMTP server
accepted a message but before marking it sent leaves the row unmarked, and it is sent again once the claim
expires. Each row keeps one Message-ID header, so the receiver can recognise the repeat.

A failure is recorded (attempts + 1, last_error) and retried after a backoff of 1 minute, then 2, 4, …
capped at 1 hour. Nothing is deleted: after MAIL_MAX_ATTEMPTS attempts a message keeps being retried at
the cap and is reported as failing.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from portal.models.base import utcnow
from portal.models.contact import OutboxMessage
from portal.services import mail
from portal.settings import Settings

CLAIM_FOR = timedelta(minutes=2)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
ERROR_LENGTH = 1000

table = OutboxMessage.__table__


def new_message_id(settings: Settings) -> str:
    """A unique Message-ID header in the portal's own domain."""
    domain = urlsplit(settings.site_url).hostname or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def enqueue(
    session: Session,
    settings: Settings,
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    submission_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add an e-mail to send, in the caller's transaction: it exists exactly when what it reports does."""
    now = now or utcnow()
    message = OutboxMessage(
        submission_id=submission_id,
        kind=kind,
        to_address=to,
        subject=subject[:300],
        body_text=body,
        message_id=new_message_id(settings),
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 1 min, 2, 4, … capped at 1 h."""
    if attempts < 1:
        return FIRST_RETRY
    return min(FIRST_RETRY * (2 ** min(attempts - 1, 20)), MAX_RETRY)


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    failing: list[str] = field(default_factory=list)  # Message-IDs past MAIL_MAX_ATTEMPTS, still retried
    errors: list[str] = field(default_factory=list)

    def text(self) -> str:
        line = f"{self.sent} sent, {self.failed} failed"
        if self.failing:
            line += f", {len(self.failing)} failing after the maximum attempts (still retried hourly)"
        return line


def _due(now: datetime):
    return and_(
        table.c.sent_at.is_(None),
        table.c.next_attempt_at <= now,
        or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
    )


def claim(engine: Engine, now: datetime, limit: int) -> list[int]:
    """Take up to `limit` due rows for this sender for CLAIM_FOR, in one short transaction."""
    until = now + CLAIM_FOR
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            ids = list(
                conn.scalars(
                    select(table.c.id)
                    .where(_due(now))
                    .order_by(table.c.next_attempt_at, table.c.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if ids:
                conn.execute(update(table).where(table.c.id.in_(ids)).values(claimed_until=until))
            return ids
    with engine.connect() as conn:
        candidates = list(
            conn.scalars(
                select(table.c.id).where(_due(now)).order_by(table.c.next_attempt_at, table.c.id).limit(limit)
            )
        )
    claimed = []
    if candidates:
        with engine.begin() as conn:
            for row_id in candidates:
                # Only one sender's UPDATE can match: the other sees the claim and changes nothing.
                result = conn.execute(
                    update(table).where(table.c.id == row_id, _due(now)).values(claimed_until=until)
                )
                if result.rowcount == 1:
                    claimed.append(row_id)
    return claimed


def _mark_sent(engine: Engine, row_id: int, now: datetime) -> bool:
    with engine.begin() as conn:
        result = conn.execute(
            update(table)
            .where(table.c.id == row_id, table.c.sent_at.is_(None))
            .values(sent_at=now, claimed_until=None, attempts=table.c.attempts + 1, last_error=None)
        )
        return result.rowcount == 1


def _mark_failed(engine: Engine, row_id: int, attempts: int, error: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == row_id, table.c.sent_at.is_(None))
            .values(
                attempts=attempts + 1,
                last_error=error[:ERROR_LENGTH],
                next_attempt_at=now + backoff(attempts + 1),
                claimed_until=None,
            )
        )


def _error_text(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = (
            error.smtp_error.decode("utf-8", "replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        return f"{error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{to}: {code} {msg!r}" for to, (code, msg) in error.recipients.items())
    return f"{type(error).__name__}: {error}"


def deliver_due(
    engine: Engine,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
    stop: Callable[[], bool] | None = None,
) -> Report:
    """Send the due e-mails (at most `limit`), one SMTP connection for the pass. `stop()` is asked
    between messages; a message being sent is finished first. See the module docstring for the rules."""
    now = now or utcnow()
    report = Report()
    ids = claim(engine, now, limit)
    if not ids:
        return report
    with engine.connect() as conn:
        rows = conn.execute(
            select(table).where(table.c.id.in_(ids)).order_by(table.c.next_attempt_at, table.c.id)
        )
        rows = list(rows)
    server = None
    connect_error: BaseException | None = None
    try:
        for row in rows:
            if stop is not None and stop():
                # Not attempted: release the claim so the next pass takes it at once.
                with engine.begin() as conn:
                    conn.execute(
                        update(table)
                        .where(table.c.id == row.id, table.c.sent_at.is_(None))
                        .values(claimed_until=None)
                    )
                continue
            try:
                if server is None and connect_error is None:
                    try:
                        server = mail.connect(settings)
                    except (OSError, smtplib.SMTPException) as error:
                        connect_error = error
                if connect_error is not None:
                    raise connect_error
                message = mail.build(
                    settings,
                    to=row.to_address,
                    subject=row.subject,
                    body=row.body_text,
                    message_id=row.message_id,
                    date=row.created_at,
                )
                mail.send(settings, message, server)
            except (OSError, smtplib.SMTPException) as error:
                if isinstance(error, smtplib.SMTPServerDisconnected) and server is not None:
                    server = None  # the next message tries a new connection
                    connect_error = None
                text = _error_text(error)
                _mark_failed(engine, row.id, row.attempts, text, now)
                report.failed += 1
                report.errors.append(f"{row.message_id}: {text}")
                if row.attempts + 1 >= settings.mail_max_attempts:
                    report.failing.append(row.message_id)
                continue
            if _mark_sent(engine, row.id, now):
                report.sent += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()
    return report


def failing_count(session: Session, settings: Settings) -> int:
    """Unsent messages that have reached MAIL_MAX_ATTEMPTS (still retried, reported as failing)."""
    return session.scalar(
        select(func.count())
        .select_from(table)
        .where(table.c.sent_at.is_(None), table.c.attempts >= settings.mail_max_attempts)
    )
