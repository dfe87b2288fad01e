"""Staff accounts, sessions, sign-in throttling, permissions and the audit log.

Permissions are decided here and only here (`can_edit_team`, `editable_team_ids`, `can_manage_users`), and
every staff route asks before it reads or writes a team's content.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal.models import Borough, Team
from portal.models.audit import AuditEntry
from portal.models.base import utcnow
from portal.models.staff import (
    BOROUGH_ADMIN,
    FORCE_ADMIN,
    ROLES,
    TEAM_EDITOR,
    SignInAttempt,
    StaffSession,
    StaffTeam,
    StaffUser,
)
from portal.services import auth

COMMAND_LINE = "command line"


@dataclass(frozen=True)
class Policy:
    """Session lifetimes and sign-in throttling, from the settings."""

    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    max_failures: int = 5  # failed attempts on one account before it is locked
    lock_for: timedelta = timedelta(minutes=15)
    address_limit: int = 30  # failed attempts from one address within `window` before it must wait
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Staff:
    """The signed-in person, detached from any session: what routes and templates need."""

    id: int
    email: str
    name: str
    role: str
    borough_code: str | None
    team_ids: tuple[str, ...] = field(default_factory=tuple)
    session_id: str = ""

    @property
    def role_name(self) -> str:
        return ROLES[self.role]

    @property
    def is_admin(self) -> bool:
        return self.role in (BOROUGH_ADMIN, FORCE_ADMIN)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "role_name": self.role_name,
            "borough_code": self.borough_code,
            "team_ids": list(self.team_ids),
        }


class AccountProblem(ValueError):
    """What is wrong with a new or changed account, by form field."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _aware(value: datetime | None) -> datetime | None:
    """Stored times are UTC; SQLite hands them back without a zone, PostgreSQL with one."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _utc_text(value: datetime) -> str:
    """ISO 8601 in UTC with a Z, from a naive (SQLite) or aware (PostgreSQL) stored time."""
    return _aware(value).astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _staff(user: StaffUser, session_id: str = "") -> Staff:
    return Staff(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        borough_code=user.borough_code,
        team_ids=tuple(user.team_ids),
        session_id=session_id,
    )


# -- permissions ---------------------------------------------------------------------------------------


def can_edit_team(staff: Staff, team_id: str, team_borough: str | None) -> bool:
    if staff.role == FORCE_ADMIN:
        return True
    if staff.role == BOROUGH_ADMIN:
        return team_borough is not None and team_borough == staff.borough_code
    return staff.role == TEAM_EDITOR and team_id in staff.team_ids


def can_manage_users(staff: Staff) -> bool:
    return staff.role == FORCE_ADMIN


def can_see_audit(staff: Staff) -> bool:
    return staff.is_admin


def editable_teams(session: Session, staff: Staff) -> list[dict[str, Any]]:
    """The teams this person may edit, by name: id, name, borough code and name."""
    query = select(Team.id, Team.name, Borough.code, Borough.name).join(
        Borough, Borough.code == Team.borough_code
    )
    if staff.role == BOROUGH_ADMIN:
        query = query.where(Team.borough_code == staff.borough_code)
    elif staff.role == TEAM_EDITOR:
        query = query.where(Team.id.in_(staff.team_ids))
    elif staff.role != FORCE_ADMIN:
        return []
    rows = session.execute(query.order_by(Team.name)).all()
    return [{"id": r[0], "name": r[1], "borough": {"code": r[2], "name": r[3]}} for r in rows]


def team_borough(session: Session, team_id: str) -> str | None:
    return session.scalar(select(Team.borough_code).where(Team.id == team_id))


# -- accounts ------------------------------------------------------------------------------------------


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: str,
    borough_code: str | None = None,
    team_ids: list[str] | tuple[str, ...] = (),
    actor: Staff | None = None,
) -> StaffUser:
    """Validate and add a staff account (password rule, role, borough, teams); AccountProblem lists every
    problem. Audited as created by `actor` (or the command line)."""
    email = normalise_email(email)
    name = (name or "").strip()
    problems: dict[str, str] = {}
    if not email or "@" not in email or len(email) > 254 or " " in email:
        problems["email"] = "Enter an e-mail address, like name@met.police.uk"
    elif session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is not None:
        problems["email"] = "There is already an account with this e-mail address"
    if not name:
        problems["name"] = "Enter the person's name"
    elif len(name) > 120:
        problems["name"] = "The name must be 120 characters or fewer"
    if role not in ROLES:
        problems["role"] = "Choose a role: team editor, borough admin or force admin"
    if role == BOROUGH_ADMIN and (not borough_code or session.get(Borough, borough_code) is None):
        problems["borough"] = "Choose the borough this admin looks after"
    teams = list(dict.fromkeys(t.strip() for t in team_ids if t and t.strip()))
    if role == TEAM_EDITOR:
        known = set(session.scalars(select(Team.id).where(Team.id.in_(teams)))) if teams else set()
        if not teams:
            problems["teams"] = "Choose at least one team this editor looks after"
        elif unknown := [t for t in teams if t not in known]:
            problems["teams"] = "There is no team " + ", ".join(unknown)
    problem = auth.password_problem(password or "", email=email, name=name)
    if problem:
        problems["password"] = problem
    if problems:
        raise AccountProblem(problems)
    user = StaffUser(
        email=email,
        name=name,
        role=role,
        borough_code=borough_code if role == BOROUGH_ADMIN else None,
        password_hash=auth.hash_password(password),
        password_changed_at=utcnow(),
        teams=[StaffTeam(team_id=t) for t in teams] if role == TEAM_EDITOR else [],
    )
    session.add(user)
    session.flush()
    audit(
        session,
        actor,
        "create",
        "user",
        user.id,
        summary=f"Created {ROLES[role].lower()} account for {email}",
        after=user_record(user),
    )
    return user


def user_record(user: StaffUser) -> dict[str, Any]:
    """What the audit keeps of an account: never the password hash."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "borough_code": user.borough_code,
        "teams": sorted(user.team_ids),
        "is_active": user.is_active,
    }


def set_password(session: Session, user: StaffUser, password: str, actor: Staff | None = None) -> None:
    problem = auth.password_problem(password or "", email=user.email, name=user.name)
    if problem:
        raise AccountProblem({"password": problem})
    user.password_hash = auth.hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_sign_ins, user.locked_until = 0, None
    # Every other session of this person ends: a changed password must lock out whoever knew the old one.
    keep = actor.session_id if actor and actor.id == user.id else ""
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id, StaffSession.id != keep))
    audit(session, actor, "change_password", "user", user.id, summary=f"Changed the password of {user.email}")


# -- signing in ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    ok: bool
    message: str = ""  # for the person, when not ok
    token: str = ""  # the new session token, when ok
    staff: Staff | None = None


GENERIC_FAILURE = "The e-mail address or password is not right"


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    ip: str,
    user_agent: str = "",
    policy: Policy = Policy(),
    now: datetime | None = None,
) -> SignIn:
    """Check the password, throttled by address and by account; on success start a new session (a new
    token: the session id is never reused across a sign-in) and return its token."""
    now = now or utcnow()
    email = normalise_email(email)
    since = now - policy.window
    failures_here = session.scalar(
        select(func.count())
        .select_from(SignInAttempt)
        .where(SignInAttempt.ip == ip, SignInAttempt.at >= since, SignInAttempt.succeeded.is_(False))
    )
    if failures_here >= policy.address_limit:
        minutes = int(policy.window.total_seconds() // 60)
        return SignIn(
            False, f"Too many failed attempts from your network. Wait {minutes} minutes and try again."
        )
    user = session.scalar(
        select(StaffUser).options(selectinload(StaffUser.teams)).where(StaffUser.email == email)
    )
    # An unknown address is "locked" by the same rule as an account, so the message never tells
    # whether an account exists.
    recent_failures = session.scalar(
        select(func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.email == email,
            SignInAttempt.at >= now - policy.lock_for,
            SignInAttempt.succeeded.is_(False),
        )
    )
    attempt = SignInAttempt(email=email[:254], ip=ip[:45], at=now, succeeded=False)
    session.add(attempt)
    locked_until = _aware(user.locked_until) if user is not None else None
    if (locked_until is not None and locked_until > now) or (
        user is None and recent_failures >= policy.max_failures
    ):
        wait = (locked_until - now) if locked_until is not None else policy.lock_for
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        return SignIn(
            False,
            f"Too many failed attempts to sign in with this e-mail address. Try again in {minutes} minutes, "
            "or ask an admin to reset your password.",
        )
    matches, rehash = auth.verify_password(user.password_hash if user else None, password or "")
    # Sign-in bookkeeping is written straight to the table: it is not an edit of the account, so it must
    # not move the account's version (an admin editing the account meanwhile would get a false conflict).
    if user is None or not matches or not user.is_active:
        if user is not None and user.is_active:
            failures = user.failed_sign_ins + 1
            values: dict[str, Any] = {"failed_sign_ins": failures}
            if failures >= policy.max_failures:
                values = {"failed_sign_ins": 0, "locked_until": now + policy.lock_for}
                audit(session, None, "lock", "user", user.id, summary=f"Locked {email} after failed sign-ins")
            session.execute(update(StaffUser).where(StaffUser.id == user.id).values(**values))
        return SignIn(False, GENERIC_FAILURE)
    attempt.succeeded = True
    values = {"failed_sign_ins": 0, "locked_until": None, "last_sign_in_at": now}
    if rehash:
        values["password_hash"] = auth.hash_password(password)
    session.execute(update(StaffUser).where(StaffUser.id == user.id).values(**values))
    token = auth.new_token()
    row = StaffSession(
        id=auth.token_digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + policy.absolute,
        ip=ip[:45],
        user_agent=(user_agent or "")[:300],
    )
    session.add(row)
    audit(session, _staff(user), "sign_in", "user", user.id, summary=f"{email} signed in")
    return SignIn(True, token=token, staff=_staff(user, row.id))


SEEN_EVERY = timedelta(minutes=1)  # how often a session's last-seen time is written


def staff_for_token(
    session: Session, token: str | None, *, policy: Policy = Policy(), now: datetime | None = None
) -> Staff | None:
    """The person signed in with this token, or None if there is none, it expired (idle or absolute), or
    the account was deactivated. Expired sessions are deleted."""
    if not token:
        return None
    now = now or utcnow()
    row = session.get(StaffSession, auth.token_digest(token))
    if row is None:
        return None
    if _aware(row.expires_at) <= now or _aware(row.last_seen_at) + policy.idle <= now:
        session.delete(row)
        return None
    user = session.scalar(
        select(StaffUser).options(selectinload(StaffUser.teams)).where(StaffUser.id == row.user_id)
    )
    if user is None or not user.is_active:
        session.delete(row)
        return None
    if now - _aware(row.last_seen_at) >= SEEN_EVERY:
        row.last_seen_at = now
    return _staff(user, row.id)


def sign_out(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(StaffSession).where(StaffSession.id == auth.token_digest(token)))


def forget_old_attempts(session: Session, older_than: timedelta = timedelta(days=30)) -> int:
    result = session.execute(delete(SignInAttempt).where(SignInAttempt.at < utcnow() - older_than))
    return result.rowcount or 0


# -- audit ---------------------------------------------------------------------------------------------


def _json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=_plain, sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, before and after."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def audit(
    session: Session,
    actor: Staff | None,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    summary: str,
    team_id: str | None = None,
    borough_code: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """One audit entry, in the caller's transaction (the entry exists exactly when the change does)."""
    session.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            actor=actor.email if actor else COMMAND_LINE,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            team_id=team_id,
            borough_code=borough_code,
            summary=summary[:300],
            before=_json(before),
            after=_json(after),
        )
    )


def audit_entries(
    session: Session, staff: Staff, *, team_id: str | None = None, limit: int = 200, offset: int = 0
) -> list[dict[str, Any]]:
    """Newest first. A borough admin sees their borough's teams and their own actions; a force admin all."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if team_id:
        query = query.where(AuditEntry.team_id == team_id)
    if staff.role == BOROUGH_ADMIN:
        query = query.where(
            or_(AuditEntry.borough_code == staff.borough_code, AuditEntry.user_id == staff.id)
        )
    elif staff.role != FORCE_ADMIN:
        return []
    return [
        {
            "id": e.id,
            "at": _utc_text(e.at),
            "actor": e.actor,
            "action": e.action,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "team_id": e.team_id,
            "summary": e.summary,
            "before": json.loads(e.before) if e.before else None,
            "after": json.loads(e.after) if e.after else None,
        }
        for e in session.scalars(query)
    ]
