"""Messages to a team (Pledge point 4) and reports of dissatisfaction (point 10), their status history and
24-hour clocks, the e-mail outbox, and the rate-limit record.

A submission is committed together with its outbox e-mails in one transaction before its reference is
shown, so nothing acknowledged is ever lost; `send-mail` delivers the outbox afterwards, retrying with
backoff. Personal details (name, e-mail, phone, the text) are erased after the retention period by
`purge`; the anonymous facts (team, kind, category, times) stay for the published figures.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

MESSAGE, DISSATISFACTION = "message", "dissatisfaction"
KINDS = {MESSAGE: "Message to the team", DISSATISFACTION: "Dissatisfaction with the service"}
MESSAGE_TOPICS = {
    "priority": "A local problem or priority",
    "meeting": "A meeting or getting involved",
    "information": "Information or advice",
    "thanks": "Thanks or praise",
    "other": "Something else",
}
DISSATISFACTION_CATEGORIES = {
    "incivility": "Incivility: how I was spoken to or treated",
    "failure_to_act": "Failure to act: something was not done",
    "delay": "Delay: it took too long",
    "discrimination": "Discrimination: I was treated unfairly because of who I am",
    "other": "Something else",
}
CONTACT_BY = {"email": "E-mail", "phone": "Phone", "none": "Do not contact me"}

# Status: received → acknowledged (by a person) → responded or resolved, or escalated to a formal complaint.
RECEIVED, ACKNOWLEDGED, RESPONDED, RESOLVED, ESCALATED = (
    "received",
    "acknowledged",
    "responded",
    "resolved",
    "escalated",
)
STATUSES = {
    RECEIVED: "Received",
    ACKNOWLEDGED: "Acknowledged",
    RESPONDED: "Answered",
    RESOLVED: "Resolved",
    ESCALATED: "Passed to a formal complaint",
}
OPEN_STATUSES = (RECEIVED, ACKNOWLEDGED)


class Submission(Base):
    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # "SNT-2026-004217"
    kind: Mapped[str] = mapped_column(String(20), index=True)  # a key of KINDS
    team_id: Mapped[str | None] = mapped_column(ForeignKey("team.id"), index=True)
    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.code"), index=True)
    category: Mapped[str] = mapped_column(String(30))  # a MESSAGE_TOPICS or DISSATISFACTION_CATEGORIES key
    # Personal data: erased by `purge` after the retention period (then personal_data_erased_at is set).
    body: Mapped[str | None] = mapped_column(Text)
    happened_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    contact_by: Mapped[str] = mapped_column(String(10))  # a key of CONTACT_BY
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    personal_data_erased_at: Mapped[datetime | None]
    # The clock: stored times are UTC; due 24 hours after receipt.
    status: Mapped[str] = mapped_column(String(20), default=RECEIVED, index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    due_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    overdue_flagged_at: Mapped[datetime | None]  # when the sweep first found it overdue
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the link's token
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)  # one submission per form load
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    events: Mapped[list[SubmissionEvent]] = relationship(
        order_by="SubmissionEvent.id", cascade="all, delete-orphan", back_populates="submission"
    )

    __mapper_args__ = {"version_id_col": version}


class SubmissionEvent(Base):
    """One step in a submission's history. `public_text` is shown on the status page; `staff_note` never."""

    __tablename__ = "submission_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # received, acknowledged, replied, resolved, escalated, …
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    public_text: Mapped[str | None] = mapped_column(Text)  # e.g. the reply sent (personal: purged too)
    staff_note: Mapped[str | None] = mapped_column(Text)

    submission: Mapped[Submission] = relationship(back_populates="events")


class OutboxMessage(Base):
    """An e-mail to send, written in the same transaction as what it reports. `send-mail` sends it, marks
    it sent once, and on failure retries with backoff; nothing is ever deleted unsent."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))  # acknowledgement, team_notification, reply, overdue, …
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)  # the Message-ID header
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]  # a sender working on it; another may take it after this
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)


class RateLimitHit(Base):
    """One counted action for a rate-limit key ("ip:…", "address:…"), kept in the database so limits
    survive a restart and hold across processes. Old rows are removed by `purge`."""

    __tablename__ = "rate_limit_hit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)  # "ip:" or "address:" + a keyed hash, never raw
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
