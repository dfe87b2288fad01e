"""A team's members (with their photos) and its base, as staff change them.

Every write follows `portal.queries.staff_edits`: `guard_team` first (permission), then the version check
(a member's own `version`; the team's for its base; for the order of the list, the list as it was shown),
then the change, the team marked as changed (`members_updated_at`, staff content: the demo label goes) and
flushed, which moves the team row's version so that two changes racing each other cannot both commit,
then `record` (audit entry with the changed fields before and after, and the content change that
refreshes cached pages), all in the caller's one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from portal.models import MemberPhoto, Postcode, Station, Team, TeamLocation, TeamMember
from portal.models.base import utcnow
from portal.queries.staff import Staff
from portal.queries.staff_edits import (
    Conflict,
    NotFound,
    check_version,
    guard_team,
    mark_staff_content,
    record,
)
from portal.queries.teams import member_photo_url

# Ranks as police.uk writes them (its `rank` field), with what each stands for.
RANKS = (
    ("Ch Insp", "Chief Inspector"),
    ("Insp", "Inspector"),
    ("Sgt", "Sergeant"),
    ("PC", "Police Constable"),
    ("PCSO", "Police Community Support Officer"),
    ("Special Sgt", "Special Sergeant"),
    ("Special Constable", "Special Constable"),
    ("Police Staff", "Police Staff"),
    ("Volunteer", "Police Support Volunteer"),
)
RANK_CODES = frozenset(code for code, _ in RANKS)
MAX_ID = 2**31 - 1  # an INTEGER key: a longer number in a URL is no member at all
OTHER = "other"  # the base form's "somewhere else"


class Invalid(ValueError):
    """What the database shows is wrong with a form, by field (the route shows it like its own checks)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


@dataclass(frozen=True)
class Photo:
    """A re-encoded photo (from `portal.services.photos.reencode`), to store with consent."""

    content: bytes
    width: int
    height: int


def _header(team: Team) -> dict[str, Any]:
    return {"id": team.id, "name": team.name, "demo": team.is_demo, "version": team.version}


def _member(session: Session, team: Team, member_id: int) -> TeamMember:
    member = session.get(TeamMember, member_id) if 0 < member_id <= MAX_ID else None
    if member is None or member.team_id != team.id:
        raise NotFound(f"There is no such member of the {team.name} team. They may have been removed.")
    return member


def _photo_description(photo: MemberPhoto | None) -> str | None:
    """For the audit: which photo, so a replaced one shows as a change."""
    if photo is None:
        return None
    digest = hashlib.sha256(photo.content).hexdigest()[:12]
    return f"{photo.width}×{photo.height} JPEG sha256:{digest}"


def member_values(member: TeamMember, photo: MemberPhoto | None) -> dict[str, Any]:
    """What the form shows, and what a conflict shows as saved now."""
    return {
        "name": member.name,
        "rank": member.rank,
        "role": member.role or "",
        "bio": member.bio or "",
        "photo": photo is not None and member.photo_consent,
        "version": member.version,
    }


def _snapshot(member: TeamMember, photo: MemberPhoto | None) -> dict[str, Any]:
    """What the audit compares."""
    return {
        "name": member.name,
        "rank": member.rank,
        "role": member.role,
        "bio": member.bio,
        "photo": _photo_description(photo),
        "photo_consent": member.photo_consent,
        "photo_consent_recorded_by": photo.consent_recorded_by if photo else None,
    }


def _ordered(session: Session, team: Team) -> list[TeamMember]:
    return list(
        session.scalars(
            select(TeamMember)
            .where(TeamMember.team_id == team.id)
            .order_by(TeamMember.position, TeamMember.id)
        )
    )


def order_token(members: list[TeamMember]) -> str:
    """The list as shown (member ids in order): a move is refused when the list has changed since."""
    return "-".join(str(m.id) for m in members)


def _members_changed(session: Session, team: Team) -> None:
    team.members_updated_at = utcnow()
    flag_modified(team, "members_updated_at")  # the team's version moves even within one clock tick
    mark_staff_content(team)
    _flush(session)


def _flush(session: Session) -> None:
    """A row changed by someone else since it was read in this transaction: a conflict, not an error."""
    try:
        session.flush()
    except StaleDataError:
        raise Conflict({}) from None


def _store_photo(session: Session, staff: Staff, member: TeamMember, photo: Photo) -> None:
    row = session.get(MemberPhoto, member.id)
    if row is None:
        row = MemberPhoto(member_id=member.id)
        session.add(row)
    row.content, row.media_type = photo.content, "image/jpeg"
    row.width, row.height = photo.width, photo.height
    row.consent_recorded_by = staff.email
    row.updated_at = utcnow()
    member.photo_consent = True


# -- reading -------------------------------------------------------------------------------------------


def team_members(session: Session, staff: Staff, code: str) -> dict[str, Any]:
    """The members page: the team and its members in order."""
    team = guard_team(session, staff, code)
    members = _ordered(session, team)
    with_photo = set(
        session.scalars(
            select(MemberPhoto.member_id).where(MemberPhoto.member_id.in_([m.id for m in members]))
        )
    )
    return {
        "team": _header(team),
        "order": order_token(members),
        "members": [
            {
                "id": m.id,
                "name": m.name,
                "rank": m.rank,
                "role": m.role or "",
                "demo": m.is_demo,
                "photo": m.id in with_photo and m.photo_consent,
                "version": m.version,
            }
            for m in members
        ],
    }


def team_header(session: Session, staff: Staff, code: str) -> dict[str, Any]:
    return _header(guard_team(session, staff, code))


def member_form(session: Session, staff: Staff, code: str, member_id: int) -> dict[str, Any]:
    """The team, the member as saved and the form's values."""
    team = guard_team(session, staff, code)
    member = _member(session, team, member_id)
    values = member_values(member, session.get(MemberPhoto, member.id))
    return {
        "team": _header(team),
        "member": {
            "id": member.id,
            "name": member.name,
            "rank": member.rank,
            "demo": member.is_demo,
            "photo_url": member_photo_url(team.id, member.id, member.version) if values["photo"] else None,
        },
        "values": values,
    }


# -- members -------------------------------------------------------------------------------------------


def add_member(
    session: Session, staff: Staff, code: str, values: dict[str, Any], photo: Photo | None
) -> TeamMember:
    """values: name, rank, role, bio (validated). A photo is stored only with consent: the route has
    checked the box before passing one."""
    team = guard_team(session, staff, code)
    last = session.scalar(select(func.max(TeamMember.position)).where(TeamMember.team_id == team.id))
    member = TeamMember(
        team_id=team.id,
        position=0 if last is None else last + 1,
        name=values["name"],
        rank=values["rank"],
        role=values["role"] or None,
        bio=values["bio"] or None,
        photo_consent=photo is not None,  # set with the photo below
        is_demo=False,
    )
    session.add(member)
    session.flush()  # its id, for the photo
    if photo is not None:
        _store_photo(session, staff, member, photo)
    _members_changed(session, team)
    after = _snapshot(member, session.get(MemberPhoto, member.id))
    record(
        session,
        staff,
        team,
        "create",
        "member",
        member.id,
        f"Added {member.rank} {member.name} to the {team.name} team",
        None,
        after,
    )
    return member


def save_member(
    session: Session,
    staff: Staff,
    code: str,
    member_id: int,
    values: dict[str, Any],
    version: Any,
    photo: Photo | None = None,
    remove_photo: bool = False,
) -> TeamMember:
    """An edit: the text fields, and a new photo (replacing any) or the photo taken away."""
    team = guard_team(session, staff, code)
    member = _member(session, team, member_id)
    saved_photo = session.get(MemberPhoto, member.id)
    check_version(member, version, member_values(member, saved_photo))
    before = _snapshot(member, saved_photo)
    member.name, member.rank = values["name"], values["rank"]
    member.role, member.bio = values["role"] or None, values["bio"] or None
    member.is_demo = False  # written by staff now
    if photo is not None:
        _store_photo(session, staff, member, photo)
    elif remove_photo:
        if saved_photo is not None:
            session.delete(saved_photo)
        member.photo_consent, member.photo_path = False, None
    flag_modified(member, "name")  # the member's version moves with every save, a photo-only one too
    _members_changed(session, team)
    after = _snapshot(member, None if remove_photo and photo is None else session.get(MemberPhoto, member.id))
    record(
        session,
        staff,
        team,
        "update",
        "member",
        member.id,
        f"Updated {member.rank} {member.name} in the {team.name} team",
        before,
        after,
    )
    return member


def remove_member(session: Session, staff: Staff, code: str, member_id: int, version: Any) -> str:
    """Takes the member (and their photo) off the team; returns their name."""
    team = guard_team(session, staff, code)
    member = _member(session, team, member_id)
    saved_photo = session.get(MemberPhoto, member.id)
    check_version(member, version, member_values(member, saved_photo))
    before = _snapshot(member, saved_photo)
    name = f"{member.rank} {member.name}"
    if saved_photo is not None:
        session.delete(saved_photo)
    session.delete(member)
    _members_changed(session, team)
    record(
        session,
        staff,
        team,
        "delete",
        "member",
        member_id,
        f"Removed {name} from the {team.name} team",
        before,
    )
    return name


def move_member(
    session: Session, staff: Staff, code: str, member_id: int, direction: str, order: str
) -> None:
    """One place up or down the list. `order` is the list as the person saw it (`order_token`): when
    members have been added, removed or moved since, nothing moves (Conflict, with the list now)."""
    team = guard_team(session, staff, code)
    member = _member(session, team, member_id)
    members = _ordered(session, team)
    if order.strip() != order_token(members):
        raise Conflict({"members": [f"{m.rank} {m.name}" for m in members]})
    index = members.index(member)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(members):
        return  # already first (or last): nothing to change
    before = [f"{m.rank} {m.name}" for m in members]
    members[index], members[target] = members[target], members[index]
    for position, m in enumerate(members):
        if m.position != position:
            # A plain UPDATE: the place in the list is not the member's content, so their version (an edit
            # form open elsewhere) stays; the list itself is guarded by `order` and the team's version.
            session.execute(
                update(TeamMember).where(TeamMember.id == m.id).values(position=position),
                execution_options={"synchronize_session": False},
            )
    _members_changed(session, team)
    record(
        session,
        staff,
        team,
        "move",
        "member",
        member.id,
        f"Moved {member.rank} {member.name} {'up' if direction == 'up' else 'down'} the {team.name} team",
        {"order": before},
        {"order": [f"{m.rank} {m.name}" for m in members]},
    )


# -- the team's base -----------------------------------------------------------------------------------


def _base_location(session: Session, team: Team) -> TeamLocation | None:
    return session.scalar(
        select(TeamLocation)
        .where(TeamLocation.team_id == team.id, TeamLocation.position == 0)
        .order_by(TeamLocation.id)
        .limit(1)
    )


def base_values(session: Session, team: Team) -> dict[str, Any]:
    base = _base_location(session, team)
    values = {
        "station": "",
        "name": "",
        "address": "",
        "postcode": "",
        "opening": "",
        "description": "",
        "version": team.version,
    }
    if base is not None:
        values.update(
            station=str(base.station_id) if base.station_id else OTHER,
            opening=base.opening or "",
            description=base.description or "",
        )
        if not base.station_id:
            values.update(name=base.name, address=base.address or "", postcode=base.postcode or "")
    return values


def _base_snapshot(session: Session, team: Team) -> dict[str, Any]:
    base = _base_location(session, team)
    if base is None:
        return {"name": None}
    return {
        "station_id": base.station_id,
        "name": base.name,
        "address": base.address,
        "postcode": base.postcode,
        "opening": base.opening,
        "description": base.description,
    }


def _stations(session: Session, team: Team) -> list[Station]:
    """The borough's Met front counters, and the team's present one wherever it is."""
    current = session.scalar(
        select(TeamLocation.station_id).where(TeamLocation.team_id == team.id, TeamLocation.position == 0)
    )
    condition = Station.borough_code == team.borough_code
    if current:
        condition = condition | (Station.id == current)
    return list(session.scalars(select(Station).where(condition).order_by(Station.name)))


def base_form(session: Session, staff: Staff, code: str) -> dict[str, Any]:
    team = guard_team(session, staff, code)
    return {
        "team": _header(team),
        "values": base_values(session, team),
        "stations": [
            {"id": str(s.id), "name": s.name, "postcode": s.postcode or ""} for s in _stations(session, team)
        ],
        "saved": _base_snapshot(session, team),
    }


def save_base(session: Session, staff: Staff, code: str, values: dict[str, Any], version: Any) -> None:
    """values: station (a station id, or OTHER with name, address and postcode), opening, description
    (validated as text by the route). Replaces the team's location at position 0; the others stay."""
    team = guard_team(session, staff, code)
    check_version(team, version, {**base_values(session, team), "saved": _base_snapshot(session, team)})
    before = _base_snapshot(session, team)
    if values["station"] == OTHER:
        station = None
        name, address, postcode = values["name"], values["address"] or None, values["postcode"] or None
        place = session.get(Postcode, postcode) if postcode else None
        latitude, longitude = (place.latitude, place.longitude) if place else (None, None)
    else:
        allowed = {str(s.id): s for s in _stations(session, team)}
        station = allowed.get(values["station"])
        if station is None:
            raise Invalid({"station": "Select a police station from the list, or somewhere else"})
        name, address, postcode = station.name, None, station.postcode
        latitude, longitude = station.latitude, station.longitude
    base = _base_location(session, team)
    if base is None:
        base = TeamLocation(team_id=team.id, position=0)
        session.add(base)
    base.type = "station"  # the public page shows the first "station" as where the team is based
    base.name, base.address, base.postcode = name, address, postcode
    base.latitude, base.longitude = latitude, longitude
    base.station_id = station.id if station else None
    base.opening = values["opening"] or None
    base.description = values["description"] or None
    flag_modified(team, "content_source")  # the team's version moves: the base is versioned with it
    mark_staff_content(team)
    _flush(session)
    record(
        session,
        staff,
        team,
        "update",
        "base",
        team.id,
        f"Updated where the {team.name} team is based: {name}",
        before,
        _base_snapshot(session, team),
    )
