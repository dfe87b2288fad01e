"""The audit log: every staff change, who made it, when, and the item before and after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(254))  # the e-mail at the time, or "command line"
    action: Mapped[str] = mapped_column(String(30))  # create, update, delete, publish, cancel, sign_in, …
    entity: Mapped[str] = mapped_column(String(40))  # team, member, meeting, priority, update, user, …
    entity_id: Mapped[str | None] = mapped_column(String(40))
    team_id: Mapped[str | None] = mapped_column(String(9), index=True)  # for filtering by team
    borough_code: Mapped[str | None] = mapped_column(String(9), index=True)
    summary: Mapped[str] = mapped_column(String(300))
    before: Mapped[str | None] = mapped_column(Text)  # JSON of the changed fields before
    after: Mapped[str | None] = mapped_column(Text)  # and after
