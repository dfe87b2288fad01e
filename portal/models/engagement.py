"""Meetings, priorities with their actions ("You said, we did"), and team updates (Pledge points 7 and 8)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

MEETING_TYPES = {
    "ward_panel": "Ward panel",
    "public_meeting": "Public meeting",
    "surgery": "Surgery",
    "street_briefing": "Street briefing",
    "mobile_police_station": "Mobile police station",
    "online": "Online meeting",
}
PUBLIC_MEETING_TYPES = frozenset(MEETING_TYPES)  # every type is open to the public
MEETING_STATUSES = ("scheduled", "cancelled")
PRIORITY_STATUSES = {
    "open": "Open",
    "in_progress": "In progress",
    "resolved": "Resolved",
    "closed_unresolved": "Closed, not resolved",
}
CURRENT_PRIORITY_STATUSES = ("open", "in_progress")
AGREED_HOW = {
    "meeting": "At a public meeting",
    "consultation": "By public consultation",
    "survey": "By survey",
    "other": "Other",
}
UPDATE_STATUSES = ("draft", "published")


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)  # stable iCalendar UID
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(30))  # a key of MEETING_TYPES
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # UTC; shown in Europe/London time
    ends_at: Mapped[datetime]
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(Text)
    venue_postcode: Mapped[str | None] = mapped_column(String(8))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    online_url: Mapped[str | None] = mapped_column(String(500))
    step_free: Mapped[bool | None] = mapped_column(Boolean)
    hearing_loop: Mapped[bool | None] = mapped_column(Boolean)
    bsl_on_request: Mapped[bool] = mapped_column(Boolean, default=False)
    access_notes: Mapped[str | None] = mapped_column(Text)
    attendees: Mapped[str | None] = mapped_column(Text)  # who will attend, e.g. "PC Hall, ward councillors"
    how_to_join: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)  # after the meeting
    attendance: Mapped[int | None] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency

    __mapper_args__ = {"version_id_col": version}


class Priority(Base):
    __tablename__ = "priority"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # the issue in plain words
    detail: Mapped[str | None] = mapped_column(Text)
    raised: Mapped[str | None] = mapped_column(Text)  # "You said": what residents raised
    place: Mapped[str | None] = mapped_column(String(200))  # street or place
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(60))  # police.uk crime category slug
    agreed_on: Mapped[date] = mapped_column(Date)
    agreed_how: Mapped[str] = mapped_column(String(30))  # a key of AGREED_HOW
    agreed_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))
    agreed_note: Mapped[str | None] = mapped_column(Text)
    review_on: Mapped[date] = mapped_column(Date)
    reviewed_on: Mapped[date | None] = mapped_column(Date)  # last review
    status: Mapped[str] = mapped_column(String(20), default="open")  # a key of PRIORITY_STATUSES
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency

    __mapper_args__ = {"version_id_col": version}

    actions: Mapped[list[PriorityAction]] = relationship(
        order_by="PriorityAction.acted_on", cascade="all, delete-orphan", back_populates="priority"
    )


class PriorityAction(Base):
    """ "We did …": one dated action by the police or a partner."""

    __tablename__ = "priority_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id", ondelete="CASCADE"), index=True)
    acted_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(120))  # "Police", "Redbridge Council", …
    is_partner: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    priority: Mapped[Priority] = relationship(back_populates="actions")


class PriorityReview(Base):
    """One review of a priority: when it was due and when it was done (None: not done yet). The record
    behind "priorities reviewed on time" on the Pledge scorecard (point 7)."""

    __tablename__ = "priority_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("priority.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamUpdate(Base):
    """A short dated news post by the team."""

    __tablename__ = "team_update"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)  # arrests, outcomes, what followed
    status: Mapped[str] = mapped_column(String(20), default="published")
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency

    __mapper_args__ = {"version_id_col": version}
