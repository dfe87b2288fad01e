"""Named queries about teams, wards and boroughs. They return JSON-safe dicts: the pages' contexts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from portal.models import (
    CURRENT_GENERATION,
    DEMO,
    LEGACY_GENERATION,
    Borough,
    Force,
    MemberPhoto,
    Postcode,
    Team,
    TeamLink,
    TeamLocation,
    TeamMember,
    Ward,
    WardNeighbour,
    WardSuccession,
)


def get_team_by_ward_code(session: Session, code: str) -> dict[str, Any] | None:
    """The team page's context. Column selects only: the ORM's object loading (and the boundaries it would
    drag along) cost several times the SQL here."""
    row = session.execute(
        select(
            Team.id,
            Team.name,
            Team.content_source,
            Team.source_note,
            Team.description,
            Team.email,
            Team.telephone,
            Team.mobile,
            Team.details_updated_at,
            Team.members_updated_at,
            Team.contacts_updated_at,
            Ward.id,
            Ward.code,
            Ward.name,
            Ward.area_m2,
            Ward.centroid_lat,
            Ward.centroid_lng,
            Borough.code,
            Borough.name,
            Force.id,
            Force.name,
            Force.url,
        )
        .join(Ward, Ward.id == Team.ward_id)
        .join(Borough, Borough.code == Team.borough_code)
        .join(Force, Force.id == Team.force_id)
        .where(Team.id == code)
    ).first()
    if row is None:
        return None
    (
        team_id,
        name,
        source,
        note,
        description,
        email,
        telephone,
        mobile,
        details_at,
        members_at,
        contacts_at,
        ward_id,
        ward_code,
        ward_name,
        area_m2,
        lat,
        lng,
        borough_code,
        borough_name,
        force_id,
        force_name,
        force_url,
    ) = row
    members = session.execute(
        select(
            TeamMember.id,
            TeamMember.version,
            TeamMember.name,
            TeamMember.rank,
            TeamMember.role,
            TeamMember.bio,
            TeamMember.is_demo,
            TeamMember.photo_path,
            TeamMember.photo_consent,
            MemberPhoto.width,
            MemberPhoto.height,
        )
        .outerjoin(MemberPhoto, MemberPhoto.member_id == TeamMember.id)
        .where(TeamMember.team_id == code)
        .order_by(TeamMember.position, TeamMember.id)
    ).all()
    links = session.execute(
        select(TeamLink.title, TeamLink.url, TeamLink.description)
        .where(TeamLink.team_id == code)
        .order_by(TeamLink.position, TeamLink.id)
    ).all()
    locations = [
        dict(r._mapping)
        for r in session.execute(
            select(
                TeamLocation.type,
                TeamLocation.name,
                TeamLocation.address,
                TeamLocation.postcode,
                TeamLocation.latitude,
                TeamLocation.longitude,
                TeamLocation.opening,
                TeamLocation.description,
            )
            .where(TeamLocation.team_id == code)
            .order_by(TeamLocation.position, TeamLocation.id)
        )
    ]
    return {
        "team": {
            "id": team_id,
            "name": name,
            "demo": source == DEMO,
            "source": source,
            "source_note": note,
            "description": [p.strip() for p in (description or "").split("\n\n") if p.strip()],
            "description_markdown": description or "",
            "updated": {
                "details": _date(details_at),
                "members": _date(members_at),
                "contacts": _date(contacts_at),
            },
        },
        "ward": {
            "code": ward_code,
            "name": ward_name,
            "area_km2": round(area_m2 / 1e6, 2),
            "centre": {"latitude": lat, "longitude": lng},
            "postcodes": count_postcodes_in_ward(session, ward_code),
        },
        "borough": {"code": borough_code, "name": borough_name},
        "force": {"id": force_id, "name": force_name, "url": force_url},
        "contacts": {
            k: v for k, v in {"email": email, "telephone": telephone, "mobile": mobile}.items() if v
        },
        "members": [
            {
                "name": m.name,
                "rank": m.rank,
                "role": m.role,
                "bio": m.bio,
                "demo": m.is_demo,
                **_member_photo(team_id, m),
            }
            for m in members
        ],
        "base": next((loc for loc in locations if loc["type"] == "station"), None),
        "locations": locations,
        "links": [{"title": t, "url": u, "description": d} for t, u, d in links],
        "neighbours": neighbouring_teams(session, ward_id),
    }


def member_photo_url(code: str, member_id: int, version: int) -> str:
    """The address of route `teams:member_photo`; `v` moves whenever the member is saved, so a replaced
    photo is fetched afresh despite its hour of caching."""
    return f"/teams/{code}/members/{member_id}/photo.jpg?v={version}"


def _member_photo(code: str, m: Any) -> dict[str, Any]:
    """A member's photo on the page: only with their consent, and only when there is one."""
    if not m.photo_consent:
        return {"photo": None, "photo_width": None, "photo_height": None}
    if m.width:  # uploaded by staff, stored as MemberPhoto
        return {
            "photo": member_photo_url(code, m.id, m.version),
            "photo_width": m.width,
            "photo_height": m.height,
        }
    return {"photo": m.photo_path or None, "photo_width": None, "photo_height": None}


def member_photo(session: Session, code: str, member_id: int) -> bytes | None:
    """The stored JPEG of one member of this team, when they have consented; else None."""
    if not 0 < member_id < 2**31:
        return None
    return session.scalar(
        select(MemberPhoto.content)
        .join(TeamMember, TeamMember.id == MemberPhoto.member_id)
        .where(
            MemberPhoto.member_id == member_id,
            TeamMember.team_id == code,
            TeamMember.photo_consent.is_(True),
        )
    )


def ward_display_geojson(session: Session, code: str) -> str | None:
    return session.scalar(
        select(Ward.display_geojson).where(Ward.generation == CURRENT_GENERATION, Ward.code == code)
    )


def team_ward_maps(session: Session) -> list[tuple[str, str, str]]:
    """(team id, ward name, display GeoJSON) for every team."""
    return [
        tuple(r)
        for r in session.execute(
            select(Team.id, Ward.name, Ward.display_geojson)
            .join(Ward, Ward.id == Team.ward_id)
            .order_by(Team.id)
        )
    ]


def neighbouring_teams(session: Session, ward_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Team.id, Team.name, Borough.name)
        .join(WardNeighbour, WardNeighbour.neighbour_id == Team.ward_id)
        .join(Borough, Borough.code == Team.borough_code)
        .where(WardNeighbour.ward_id == ward_id)
        .order_by(Team.name)
    ).all()
    return [{"id": i, "name": n, "borough": b} for i, n, b in rows]


def legacy_successors(session: Session, code: str) -> dict[str, Any] | None:
    """For an older (2018) ward code: today's wards that share its area, largest share first."""
    old = session.scalar(select(Ward).where(Ward.generation == LEGACY_GENERATION, Ward.code == code))
    if old is None:
        return None
    new = aliased(Ward)
    rows = session.execute(
        select(new.code, new.name, Borough.name, WardSuccession.share, Team.id)
        .join(new, new.id == WardSuccession.new_ward_id)
        .join(Borough, Borough.code == new.borough_code)
        .outerjoin(Team, Team.ward_id == new.id)
        .where(WardSuccession.old_ward_id == old.id)
        .order_by(WardSuccession.share.desc())
    ).all()
    return {
        "old_ward": {"code": old.code, "name": old.name, "generation": old.generation},
        "successors": [
            {"code": c, "name": n, "borough": b, "share": round(s, 3), "team": t} for c, n, b, s, t in rows
        ],
    }


def list_teams(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Team.id, Team.name, Borough.code, Borough.name)
        .join(Borough, Borough.code == Team.borough_code)
        .order_by(Team.name, Borough.name)
    ).all()
    return [{"id": i, "name": n, "borough": {"code": bc, "name": bn}} for i, n, bc, bn in rows]


def list_boroughs(session: Session) -> list[dict[str, Any]]:
    teams = dict(session.execute(select(Team.borough_code, func.count()).group_by(Team.borough_code)).all())
    rows = session.execute(
        select(Borough.code, Borough.name, Force.id, Force.name).join(Force).order_by(Borough.name)
    ).all()
    return [
        {"code": c, "name": n, "force": {"id": f, "name": fn}, "teams": teams.get(c, 0)}
        for c, n, f, fn in rows
    ]


def get_borough(session: Session, code: str) -> dict[str, Any] | None:
    borough = session.get(Borough, code)
    if borough is None:
        return None
    wards = session.execute(
        select(Ward.code, Ward.name, Team.id)
        .outerjoin(Team, Team.ward_id == Ward.id)
        .where(Ward.generation == CURRENT_GENERATION, Ward.borough_code == code)
        .order_by(Ward.name)
    ).all()
    return {
        "borough": {"code": borough.code, "name": borough.name},
        "force": {"id": borough.force.id, "name": borough.force.name, "url": borough.force.url},
        "teams": [{"id": t, "name": n} for c, n, t in wards if t],
        "wards_without_met_team": [{"code": c, "name": n} for c, n, t in wards if not t],
    }


def count_postcodes_in_ward(session: Session, ward_code: str) -> int:
    return (
        session.scalar(select(func.count()).select_from(Postcode).where(Postcode.ward_code == ward_code)) or 0
    )


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None
