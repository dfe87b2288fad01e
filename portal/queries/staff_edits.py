"""What staff change, and the rules every change keeps, in one place:

- the person may edit the team (`guard_team`, else `Forbidden`);
- the item is still the version the person loaded (`check_version`, else `Conflict`): two people editing
  the same item cannot silently overwrite each other;
- the change is audited (who, when, before and after) and recorded as a content change, in the same
  transaction, so cached pages, JSON, feeds and search see it at once;
- a team edited by staff is no longer demo content (`mark_staff_content`), so its demo label goes.

Read everything a save needs first, then change the item: a query after a change flushes it early and
moves the version twice. Two saves racing past the version check together: the second one's flush fails
(StaleDataError), which `portal.routes.staff.guarded` answers with 409.

Route modules call these; they never write models directly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import STAFF, Team, record_change
from portal.models.base import utcnow
from portal.queries.staff import Staff, audit, can_edit_team, changed_fields


class Forbidden(PermissionError):
    """This person may not change this team's content (403)."""


class NotFound(LookupError):
    """No such team or item (404)."""


class Conflict(RuntimeError):
    """Someone else saved this item since it was loaded (409). `current` holds what is saved now."""

    def __init__(self, current: dict[str, Any]):
        self.current = current
        super().__init__("the item changed since it was loaded")


CONFLICT_MESSAGE = (
    "Someone else saved changes to this while you were editing it. Your changes have not been saved: "
    "check what is saved now, shown below, and make your changes again."
)


def guard_team(session: Session, staff: Staff, team_id: str) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"There is no Safer Neighbourhood Team with the code {team_id[:20]}.")
    if not can_edit_team(staff, team.id, team.borough_code):
        raise Forbidden(f"You cannot change the {team.name} team's pages.")
    return team


def parse_version(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def check_version(item: Any, sent: Any, current: dict[str, Any]) -> None:
    """Raise Conflict unless `sent` (the form's hidden version) is the item's version now."""
    if parse_version(sent) != item.version:
        raise Conflict(current)


def mark_staff_content(team: Team) -> None:
    if team.content_source != STAFF:
        team.content_source = STAFF
        team.source_note = None


def record(
    session: Session,
    staff: Staff,
    team: Team,
    action: str,
    entity: str,
    entity_id: Any,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit entry + content change for one staff change to a team's content."""
    if before is not None and after is not None:
        before, after = changed_fields(before, after)
    audit(
        session,
        staff,
        action,
        entity,
        entity_id,
        summary=summary,
        team_id=team.id,
        borough_code=team.borough_code,
        before=before,
        after=after,
    )
    record_change(session, f"staff {action} {entity} {entity_id} ({team.id})", scope=f"team:{team.id}")


def team_details(team: Team) -> dict[str, Any]:
    return {
        "description": team.description or "",
        "email": team.email or "",
        "telephone": team.telephone or "",
        "mobile": team.mobile or "",
        "version": team.version,
    }


def save_team_details(
    session: Session, staff: Staff, team_id: str, values: dict[str, Any], version: Any
) -> Team:
    """values: description, email, telephone, mobile (already validated)."""
    team = guard_team(session, staff, team_id)
    before = team_details(team)
    check_version(team, version, before)
    now = utcnow()
    team.description = values["description"] or None
    if (team.email or "", team.telephone or "", team.mobile or "") != (
        values["email"],
        values["telephone"],
        values["mobile"],
    ):
        team.contacts_updated_at = now
    team.email = values["email"] or None
    team.telephone = values["telephone"] or None
    team.mobile = values["mobile"] or None
    team.details_updated_at = now
    mark_staff_content(team)
    session.flush()  # the version moves here; a concurrent save fails on it
    record(
        session,
        staff,
        team,
        "update",
        "team",
        team.id,
        f"Updated {team.name} team details",
        before,
        team_details(team),
    )
    return team
