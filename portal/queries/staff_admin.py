"""What admins and staff do beyond a team's own content: staff accounts (force admins), the audit log
(admins), explanations of missed Pledge targets (a team's, a borough's, London's) and the dashboard's
"needs attention" list.

Like `portal.queries.staff_edits`, every change here checks the person may make it, checks the item is the
version they loaded (`Conflict`), and writes its audit entry in the same transaction.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.models import MET, Borough, Team
from portal.models.base import utcnow
from portal.models.engagement import CURRENT_PRIORITY_STATUSES, Meeting, Priority, TeamUpdate
from portal.models.pledge import Explanation, Indicator
from portal.models.staff import (
    BOROUGH_ADMIN,
    FORCE_ADMIN,
    ROLES,
    TEAM_EDITOR,
    StaffSession,
    StaffTeam,
    StaffUser,
)
from portal.queries import pledge
from portal.queries import staff as staff_queries
from portal.queries.engagement import london_today
from portal.queries.explanations import MAX_TEXT, parse_month, record_explanation
from portal.queries.staff import AccountProblem, Staff, audit, changed_fields, user_record
from portal.queries.staff_edits import Conflict, Forbidden, NotFound, check_version, guard_team, record
from portal.services import calendar
from portal.services import scorecard as sc
from portal.services.compliance import add_months, last_complete_months, month_start

LAST_FORCE_ADMIN = (
    "You are the only active force admin. Make someone else a force admin first: somebody must always be "
    "able to manage staff accounts."
)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - letters, not a password; no 0/o, 1/l/i
UPDATE_DAYS = 30  # a team that has published nothing for this long needs attention
AUDIT_PAGE = 50


def _aware(value: datetime | None) -> datetime | None:
    """Stored times are UTC; SQLite hands them back without a zone, PostgreSQL with one."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def london_text(value: datetime | None) -> str:
    """A stored instant in London time, the GOV.UK way: "22 November 2026, 3:22am"."""
    if value is None:
        return ""
    local = calendar.london(value)
    return f"{local.day} {local:%B %Y}, {calendar.clock(local)}"


def day_text(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def new_password() -> str:
    """A random password to give a person once: four groups of four, like "k7md-3xqa-…" (about 98 bits)."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


# -- staff accounts (force admins) ---------------------------------------------------------------------


def guard_users(staff: Staff) -> None:
    if not staff_queries.can_manage_users(staff):
        raise Forbidden("Only force admins can manage staff accounts.")


def choices(session: Session) -> dict[str, Any]:
    """The boroughs (with Met teams) and every Met team, for the account forms."""
    rows = session.execute(
        select(Team.id, Team.name, Borough.code, Borough.name)
        .join(Borough, Borough.code == Team.borough_code)
        .where(Team.force_id == MET)
        .order_by(Borough.name, Team.name)
    ).all()
    boroughs: dict[str, dict[str, Any]] = {}
    for team_id, team_name, code, name in rows:
        borough = boroughs.setdefault(code, {"code": code, "name": name, "teams": []})
        borough["teams"].append({"id": team_id, "name": team_name})
    return {
        "boroughs": list(boroughs.values()),
        "roles": [{"value": k, "label": v} for k, v in ROLES.items()],
    }


def _user(session: Session, user_id: int) -> StaffUser:
    user = session.scalar(
        select(StaffUser).options(selectinload(StaffUser.teams)).where(StaffUser.id == user_id)
    )
    if user is None:
        raise NotFound("There is no staff account with this number.")
    return user


def _names(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    boroughs = dict(session.execute(select(Borough.code, Borough.name)).all())
    teams = dict(session.execute(select(Team.id, Team.name)).all())
    return boroughs, teams


def user_dict(
    user: StaffUser, boroughs: dict[str, str], teams: dict[str, str], now: datetime | None = None
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    locked_until = _aware(user.locked_until)
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "role_name": ROLES.get(user.role, user.role),
        "borough": {"code": user.borough_code, "name": boroughs.get(user.borough_code, user.borough_code)}
        if user.borough_code
        else None,
        "teams": [{"id": t, "name": teams.get(t, t)} for t in user.team_ids],
        "is_active": user.is_active,
        "last_sign_in": london_text(user.last_sign_in_at),
        "locked": locked_until is not None and locked_until > now,
        "locked_until": london_text(user.locked_until),
        "version": user.version,
    }


def user_list(session: Session, staff: Staff) -> list[dict[str, Any]]:
    """Every account: active ones first, then by name."""
    guard_users(staff)
    boroughs, teams = _names(session)
    users = session.scalars(
        select(StaffUser).options(selectinload(StaffUser.teams)).order_by(StaffUser.name, StaffUser.id)
    ).all()
    found = [user_dict(u, boroughs, teams) for u in users]
    return sorted(found, key=lambda u: not u["is_active"])


def user_detail(session: Session, staff: Staff, user_id: int) -> dict[str, Any]:
    guard_users(staff)
    boroughs, teams = _names(session)
    return user_dict(_user(session, user_id), boroughs, teams)


def account_values(form: Any) -> dict[str, Any]:
    """The account form's fields, as typed (never the password)."""
    teams: list[str] = []
    for value in form.getlist("teams") if hasattr(form, "getlist") else form.get("teams", []):
        teams.extend(str(value).replace(",", " ").split())
    return {
        "name": str(form.get("name", "")).strip()[:500],
        "email": str(form.get("email", "")).strip()[:500],
        "role": str(form.get("role", "")).strip()[:40],
        "borough_code": str(form.get("borough_code", "")).strip().upper()[:20],
        "teams": list(dict.fromkeys(t.strip().upper()[:20] for t in teams if t.strip()))[:700],
    }


def account_problems(session: Session, values: dict[str, Any]) -> dict[str, str]:
    """What is wrong with an account's name, role, borough and teams (the same rules as `create_user`)."""
    problems: dict[str, str] = {}
    if not values["name"]:
        problems["name"] = "Enter the person's name"
    elif len(values["name"]) > 120:
        problems["name"] = "The name must be 120 characters or fewer"
    role = values["role"]
    if role not in ROLES:
        problems["role"] = "Choose a role: team editor, borough admin or force admin"
    if role == BOROUGH_ADMIN and (
        not values["borough_code"] or session.get(Borough, values["borough_code"]) is None
    ):
        problems["borough_code"] = "Choose the borough this admin looks after"
    if role == TEAM_EDITOR:
        wanted = values["teams"]
        known = set(session.scalars(select(Team.id).where(Team.id.in_(wanted)))) if wanted else set()
        if not wanted:
            problems["teams"] = "Choose at least one team this editor looks after"
        elif unknown := [t for t in wanted if t not in known]:
            problems["teams"] = "There is no team " + ", ".join(unknown[:10])
    return problems


def create_account(session: Session, staff: Staff, values: dict[str, Any], password: str) -> StaffUser:
    """Through `staff.create_user` (its validation, password rule and audit). AccountProblem's fields are
    the form's: `borough` is reported as `borough_code`."""
    guard_users(staff)
    try:
        return staff_queries.create_user(
            session,
            email=values["email"],
            name=values["name"],
            password=password,
            role=values["role"],
            borough_code=values["borough_code"] or None,
            team_ids=values["teams"],
            actor=staff,
        )
    except AccountProblem as problem:
        found = dict(problem.problems)
        if "borough" in found:
            found["borough_code"] = found.pop("borough")
        raise AccountProblem(found) from None


def _other_force_admins(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == FORCE_ADMIN, StaffUser.is_active.is_(True), StaffUser.id != user_id)
    )


def _keeps_a_force_admin(session: Session, user: StaffUser, role: str, active: bool) -> bool:
    """False when this change would leave nobody who can manage staff accounts."""
    if user.role != FORCE_ADMIN or not user.is_active or (role == FORCE_ADMIN and active):
        return True
    return _other_force_admins(session, user.id) > 0


def _flush(session: Session, current: dict[str, Any]) -> None:
    """Flush; a concurrent save that committed between our check and our write is a Conflict too."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(current) from None


def _current(session: Session, user: StaffUser) -> dict[str, Any]:
    boroughs, teams = _names(session)
    return user_dict(user, boroughs, teams)


def update_account(
    session: Session, staff: Staff, user_id: int, values: dict[str, Any], version: Any
) -> StaffUser:
    """Name, role, borough and teams; AccountProblem, Conflict. The change takes effect at the person's
    next request (permissions are read from the account each time)."""
    guard_users(staff)
    user = _user(session, user_id)
    check_version(user, version, _current(session, user))
    problems = account_problems(session, values)
    if not problems and not _keeps_a_force_admin(session, user, values["role"], user.is_active):
        problems["role"] = LAST_FORCE_ADMIN
    if problems:
        raise AccountProblem(problems)
    before = user_record(user)
    role = values["role"]
    user.name = values["name"]
    user.role = role
    user.borough_code = values["borough_code"] if role == BOROUGH_ADMIN else None
    wanted = values["teams"] if role == TEAM_EDITOR else []
    for link in [t for t in user.teams if t.team_id not in wanted]:
        user.teams.remove(link)
    have = set(user.team_ids)
    user.teams.extend(StaffTeam(team_id=t) for t in wanted if t not in have)
    user.updated_at = utcnow()  # the row is written even when only the teams changed: the version moves
    _flush(session, _current(session, user))
    old, new = changed_fields(before, user_record(user))
    if new:
        audit(
            session,
            staff,
            "update",
            "user",
            user.id,
            summary=f"Changed the account of {user.email}: " + ", ".join(sorted(new)),
            before=old,
            after=new,
        )
    return user


def set_active(session: Session, staff: Staff, user_id: int, active: bool, version: Any) -> StaffUser:
    """Deactivate (every session ends at once) or reactivate an account."""
    guard_users(staff)
    user = _user(session, user_id)
    check_version(user, version, _current(session, user))
    if user.is_active == active:
        return user
    if not _keeps_a_force_admin(session, user, user.role, active):
        raise AccountProblem({"active": LAST_FORCE_ADMIN})
    user.is_active = active
    if active:
        user.failed_sign_ins, user.locked_until = 0, None
    _flush(session, _current(session, user))
    if not active:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    audit(
        session,
        staff,
        "reactivate" if active else "deactivate",
        "user",
        user.id,
        summary=f"{'Reactivated' if active else 'Deactivated'} the account of {user.email}",
        before={"is_active": not active},
        after={"is_active": active},
    )
    return user


def reset_password(session: Session, staff: Staff, user_id: int, password: str) -> StaffUser:
    """An admin's reset: the password rule, every session of theirs ends, the account is unlocked; audited
    by `staff.set_password`. Not version-checked: a sign-in attempt moves the version (it writes the
    failure count), and a reset must still work for someone locked out."""
    guard_users(staff)
    user = _user(session, user_id)
    staff_queries.set_password(session, user, password, actor=staff)
    return user


# -- the audit log (admins) ----------------------------------------------------------------------------


def guard_audit(staff: Staff) -> None:
    if not staff_queries.can_see_audit(staff):
        raise Forbidden("Only borough and force admins can see the audit log.")


def audit_teams(session: Session, staff: Staff) -> list[dict[str, Any]]:
    """The teams an admin may filter the log by."""
    return staff_queries.editable_teams(session, staff)


def audit_page(
    session: Session, staff: Staff, team_id: str | None, page: int, size: int = AUDIT_PAGE
) -> dict[str, Any]:
    """One page of the log, newest first, for what this admin may see (`staff.audit_entries`)."""
    guard_audit(staff)
    if team_id:
        team = session.get(Team, team_id[:20])
        if team is None:
            raise NotFound(f"There is no Safer Neighbourhood Team with the code {team_id[:20]}.")
        if not staff_queries.can_edit_team(staff, team.id, team.borough_code):
            raise Forbidden(f"You cannot see the audit log of the {team.name} team.")
    found = staff_queries.audit_entries(
        session, staff, team_id=team_id or None, limit=size + 1, offset=(page - 1) * size
    )
    return {"entries": entry_dicts(session, found[:size]), "more": len(found) > size}


def audit_rows(session: Session, staff: Staff, team_id: str | None, limit: int = 100_000) -> list[dict]:
    """Every entry this admin may see (with the team filter), newest first: for the CSV download."""
    audit_page(session, staff, team_id, 1, 1)  # the same checks
    return entry_dicts(session, staff_queries.audit_entries(session, staff, team_id=team_id, limit=limit))


def _shown(value: Any) -> str | None:
    """A recorded value as text: lists joined, yes or no, None kept (shown as "(none)")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def entry_dicts(session: Session, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries with London times, the actor's name and team's name, and the changed fields."""
    actors = {e["actor"] for e in entries}
    names = dict(
        session.execute(select(StaffUser.email, StaffUser.name).where(StaffUser.email.in_(actors))).all()
    )
    team_ids = {e["team_id"] for e in entries if e["team_id"]}
    teams = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
    found = []
    for entry in entries:
        # `audit_entries` appends "Z" to the stored time as given: PostgreSQL's carry their offset already
        at = _aware(datetime.fromisoformat(entry["at"].removesuffix("Z")))
        before, after = entry["before"] or {}, entry["after"] or {}
        changes = [
            {"field": key, "before": _shown(before.get(key)), "after": _shown(after.get(key))}
            for key in sorted(set(before) | set(after))
        ]
        found.append(
            {
                **entry,
                "at": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "at_london": london_text(at),
                "actor_name": names.get(entry["actor"]),
                "team_name": teams.get(entry["team_id"]),
                "changes": changes,
            }
        )
    return found


# -- explanations of missed targets --------------------------------------------------------------------


def guard_area(session: Session, staff: Staff, level: str, code: str) -> pledge.Area:
    """The area whose misses this person may explain: their teams; a borough admin's own borough; any
    borough and London for a force admin."""
    if level == "team":
        team = guard_team(session, staff, code)
        return pledge.team_area(session, team.id)
    if level == "borough":
        area = pledge.borough_area(session, code)
        if area is None or not pledge.met_team_count(session, code):
            raise NotFound(f"There is no London borough policed by the Met with the code {code[:20]}.")
        if staff.role == FORCE_ADMIN or (staff.role == BOROUGH_ADMIN and staff.borough_code == area.code):
            return area
        raise Forbidden(f"You cannot explain {area.name}'s figures.")
    if staff.role != FORCE_ADMIN:
        raise Forbidden("Only force admins can explain London's figures.")
    return pledge.london_area(session)


def misses(
    session: Session, area: pledge.Area, computed: pledge.Computed | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """The area's own figures that missed or came close to their target in the last 12 complete months,
    with their explanation if any: unexplained first, then newest first. The figures, statuses and
    explanations are the scorecard's own (`pledge.Scorecards`)."""
    today = computed.today if computed is not None else (today or london_today())
    first, last = last_complete_months(today, pledge.TREND_MONTHS)
    cards = pledge.Scorecards(session, area, computed, today=today)
    found = []
    for point in pledge.catalogue(session):
        for ind in point["indicators"]:
            if ind["target"] is None or cards.scope(ind, area)[0] != "own" or area.level not in ind["levels"]:
                continue  # no target, not this area's own figure, or not explained at this level
            for fig in cards.figures(ind, area):
                if fig.value is None or not first <= fig.month <= last:
                    continue
                figure = pledge.fig_dict(ind, fig)
                if figure["status"] not in (sc.MISSED, sc.CLOSE):
                    continue
                found.append(
                    {
                        "indicator": {
                            "code": ind["code"],
                            "name": ind["name"],
                            "point": ind["point"],
                            "target_text": ind["target_text"],
                        },
                        "point": {"number": point["number"], "title": point["title"]},
                        "month": pledge.month_key(fig.month),
                        "figure": figure,
                        "explanation": cards.explanation(ind, area, fig.month),
                    }
                )
    found.sort(key=lambda m: (m["explanation"] is not None, -int(m["month"].replace("-", ""))))
    return found


def find_miss(
    session: Session, area: pledge.Area, indicator: str, month: str, computed: pledge.Computed | None = None
) -> dict[str, Any]:
    key = parse_month(month)
    for miss in misses(session, area, computed):
        if miss["indicator"]["code"] == indicator and key and miss["month"] == pledge.month_key(key):
            return miss
    raise NotFound(
        f"{indicator[:40]} did not miss its target for {area.label} in {month[:7]}, within the last 12 "
        "complete months: there is nothing to explain."
    )


def explanation_version(session: Session, area_code: str, indicator: str, month: str) -> int | str:
    """The saved explanation's version, for the form's hidden field ("" when there is none yet)."""
    version = session.scalar(
        select(Explanation.version).where(
            Explanation.indicator_code == indicator,
            Explanation.area_code == area_code,
            Explanation.month == parse_month(month),
        )
    )
    return "" if version is None else version


def recorded_by(staff: Staff) -> str:
    role = staff.role_name
    return f"{staff.name[: 118 - len(role)]}, {role}"


def _explanation_record(row: Explanation | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"reason": row.reason, "action": row.action, "recorded_by": row.recorded_by}


def save_explanation(
    session: Session,
    staff: Staff,
    level: str,
    code: str,
    indicator: str,
    month: str,
    values: dict[str, str],
    version: Any,
    computed: pledge.Computed | None = None,
) -> Explanation:
    """Record or replace the explanation of one missed month (values: reason, action, already checked),
    through `record_explanation`, audited. Conflict when someone else recorded one since the form loaded."""
    area = guard_area(session, staff, level, code)
    miss = find_miss(session, area, indicator, month, computed)
    first = parse_month(miss["month"])
    row = session.scalar(
        select(Explanation).where(
            Explanation.indicator_code == miss["indicator"]["code"],
            Explanation.area_code == area.code,
            Explanation.month == first,
        )
    )
    current = {**(_explanation_record(row) or {"reason": "", "action": "", "recorded_by": ""})}
    current["version"] = row.version if row is not None else ""
    if row is None:
        if str(version or "").strip() not in ("", "0"):
            raise Conflict(current)  # it was deleted meanwhile: say so rather than guess
    else:
        check_version(row, version, current)
    before = _explanation_record(row)
    try:
        saved, created = record_explanation(
            session,
            indicator_code=miss["indicator"]["code"],
            area_code=area.code,
            month=first,
            reason=values["reason"],
            action=values["action"],
            recorded_by=recorded_by(staff),
            today=computed.today if computed is not None else None,
        )
    except StaleDataError:
        raise Conflict(current) from None
    after = _explanation_record(saved)
    action = "create" if created else "update"
    entity_id = f"{saved.indicator_code} {first:%Y-%m}"[:40]
    summary = (
        f"{'Explained' if created else 'Changed the explanation of'} {miss['indicator']['name']} for "
        f"{area.label}, {pledge.month_label(first)}"
    )
    if level == "team":
        record(
            session,
            staff,
            session.get(Team, area.code),
            action,
            "explanation",
            entity_id,
            summary,
            before,
            after,
        )
    else:
        if before is not None:
            before, after = changed_fields(before, after)
        audit(
            session,
            staff,
            action,
            "explanation",
            entity_id,
            summary=summary,
            borough_code=area.code if level == "borough" else None,
            before=before,
            after=after,
        )
    return saved


def explanation_problems(form: Any) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "reason": str(form.get("reason", "")).strip(),
        "action": str(form.get("action", "")).strip(),
    }
    errors = {}
    for field, empty in (
        ("reason", "Say why the target was missed"),
        ("action", "Say what is being done to improve"),
    ):
        if not values[field]:
            errors[field] = empty
        elif len(values[field]) > MAX_TEXT:
            errors[field] = f"Keep it to {MAX_TEXT:,} characters or fewer"
    return values, errors


# -- the dashboard: what needs attention ---------------------------------------------------------------


def _london_midnight(day: date) -> datetime:
    """The instant (in UTC) at which a London day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=calendar.LONDON).astimezone(UTC)


def _limited(query, column, team_ids: list[str], every: bool):
    return query if every else query.where(column.in_(team_ids))


def stale_items(
    session: Session,
    team_ids: list[str],
    today: date | None = None,
    computed: pledge.Computed | None = None,
    now: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """For each team, what needs attention, as {"kind", "text", and for a missed target "indicator" and
    "month"}: no meeting scheduled next month (London time); a current priority past its review date; no
    update published for 30 days; a target missed last month (computed figures, the scorecard's rule)
    with no explanation. Five queries, whatever the number of teams; `computed` is the scorecard's
    (`pledge.compute`), passed in when the caller holds one."""
    today = today or london_today()
    now = _aware(now) or datetime.now(UTC)
    ids = list(dict.fromkeys(team_ids))
    found: dict[str, list[dict[str, Any]]] = {t: [] for t in ids}
    if not ids:
        return found
    every = len(ids) > 200  # many teams: read them all rather than send a long IN list

    next_month = add_months(month_start(today), 1)
    start, end = _london_midnight(next_month), _london_midnight(add_months(next_month, 1))
    query = select(Meeting.team_id).where(
        Meeting.starts_at >= start, Meeting.starts_at < end, Meeting.status != "cancelled"
    )
    meeting_next = set(session.scalars(_limited(query, Meeting.team_id, ids, every).distinct()))

    query = (
        select(Priority.team_id, func.count(), func.min(Priority.review_on))
        .where(Priority.status.in_(CURRENT_PRIORITY_STATUSES), Priority.review_on < today)
        .group_by(Priority.team_id)
    )
    overdue = {
        t: (n, first) for t, n, first in session.execute(_limited(query, Priority.team_id, ids, every))
    }

    query = (
        select(TeamUpdate.team_id, func.max(TeamUpdate.published_at))
        .where(TeamUpdate.status == "published", TeamUpdate.published_at <= now)
        .group_by(TeamUpdate.team_id)
    )
    latest = dict(session.execute(_limited(query, TeamUpdate.team_id, ids, every)).all())

    last = add_months(month_start(today), -1)
    targets = [  # the computed indicators with a target, measured for teams
        (ind.code, ind.name, ind.target, ind.direction, ind.tolerance)
        for ind in session.scalars(
            select(Indicator)
            .where(Indicator.code.in_(sc.COMPUTED), Indicator.target.is_not(None))
            .order_by(Indicator.pledge_point, Indicator.position, Indicator.code)
        )
        if "team" in ind.level_list
    ]
    explained: set[tuple[str, str]] = set()
    if targets:
        query = select(Explanation.indicator_code, Explanation.area_code).where(Explanation.month == last)
        explained = {(c, a) for c, a in session.execute(_limited(query, Explanation.area_code, ids, every))}
        if computed is None or computed.last != last:
            computed = pledge.compute(session, today)

    month_name = pledge.month_label(last)
    next_name = pledge.month_label(next_month)
    since = now - timedelta(days=UPDATE_DAYS)
    for team in ids:
        items = found[team]
        if team not in meeting_next:
            items.append({"kind": "meetings", "text": f"No public meeting is scheduled for {next_name}"})
        if team in overdue:
            count, first = overdue[team]
            text = (
                f"A current priority is past its review date ({day_text(first)})"
                if count == 1
                else f"{count} current priorities are past their review date (the earliest {day_text(first)})"
            )
            items.append({"kind": "priorities", "text": text})
        published = latest.get(team)
        if published is None:
            items.append({"kind": "updates", "text": "No update has been published yet"})
        elif _aware(published) < since:
            local = calendar.london(published).date()
            items.append(
                {
                    "kind": "updates",
                    "text": f"No update published for {UPDATE_DAYS} days (the last: {day_text(local)})",
                }
            )
        for code, name, target, direction, tolerance in targets:
            count = computed.counts.get(code, {}).get(team, {}).get(last)
            if count is None or (code, team) in explained:
                continue
            if sc.status(count.value, target, direction, tolerance) in (sc.MISSED, sc.CLOSE):
                items.append(
                    {
                        "kind": "explanation",
                        "text": f"Target missed in {month_name} with no explanation: {name}",
                        "indicator": code,
                        "month": pledge.month_key(last),
                    }
                )
    return found
