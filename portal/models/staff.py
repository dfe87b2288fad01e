"""SNT staff: accounts, the teams they may edit, their sessions and sign-in attempts.

Roles: a team editor edits the teams listed for them; a borough admin every team in their borough; a force
admin everything, staff accounts included. The checks live in `portal/queries/staff.py` (`can_edit_team`)
and every staff route calls them on the server.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow

TEAM_EDITOR, BOROUGH_ADMIN, FORCE_ADMIN = "team_editor", "borough_admin", "force_admin"
ROLES = {TEAM_EDITOR: "Team editor", BOROUGH_ADMIN: "Borough admin", FORCE_ADMIN: "Force admin"}


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))  # a key of ROLES
    borough_code: Mapped[str | None] = mapped_column(ForeignKey("borough.code"))  # a borough admin's
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)  # since the last success
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    teams: Mapped[list[StaffTeam]] = relationship(cascade="all, delete-orphan", order_by="StaffTeam.team_id")

    __mapper_args__ = {"version_id_col": version}

    @property
    def team_ids(self) -> list[str]:
        return [t.team_id for t in self.teams]


class StaffTeam(Base):
    """A team a team editor may edit."""

    __tablename__ = "staff_team"

    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)


class StaffSession(Base):
    """A signed-in browser. The id is the SHA-256 of the token in the signed cookie, never the token."""

    __tablename__ = "staff_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)  # idle expiry counts from here
    expires_at: Mapped[datetime]  # absolute expiry
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class SignInAttempt(Base):
    """Every sign-in attempt, for throttling by address and by account (and for the audit)."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
