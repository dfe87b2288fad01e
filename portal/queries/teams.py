"""Named queries about teams, wards and boroughs. They return JSON-safe dicts: the pages' contexts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from portal.models import (
    CURRENT_GENERATION,
    LEGACY_GENERATION,
    Borough,
    Force,
    Postcode,
    Team,
    Ward,
    WardNeighbour,
    WardSuccession,
)


def get_team_by_ward_code(session: Session, code: str) -> dict[str, Any] | None:
    team = session.scalar(
        select(Team)
        .where(Team.id == code)
        .options(
            # the boundaries are large: load only the columns the page shows
            joinedload(Team.ward).load_only(
                Ward.id, Ward.code, Ward.name, Ward.area_m2, Ward.centroid_lat, Ward.centroid_lng
            ),
            joinedload(Team.borough).load_only(Borough.code, Borough.name),
            joinedload(Team.force),
            selectinload(Team.members),
            selectinload(Team.links),
            selectinload(Team.locations),
        )
    )
    if team is None:
        return None
    ward, borough, force = team.ward, team.borough, team.force
    locations = [_location(loc) for loc in team.locations]
    return {
        "team": {
            "id": team.id,
            "name": team.name,
            "demo": team.is_demo,
            "source": team.content_source,
            "source_note": team.source_note,
            "description": [p.strip() for p in (team.description or "").split("\n\n") if p.strip()],
            "updated": {
                "details": _date(team.details_updated_at),
                "members": _date(team.members_updated_at),
                "contacts": _date(team.contacts_updated_at),
            },
        },
        "ward": {
            "code": ward.code,
            "name": ward.name,
            "area_km2": round(ward.area_m2 / 1e6, 2),
            "centre": {"latitude": ward.centroid_lat, "longitude": ward.centroid_lng},
            "postcodes": count_postcodes_in_ward(session, ward.code),
        },
        "borough": {"code": borough.code, "name": borough.name},
        "force": {"id": force.id, "name": force.name, "url": force.url},
        "contacts": {
            k: v
            for k, v in {"email": team.email, "telephone": team.telephone, "mobile": team.mobile}.items()
            if v
        },
        "members": [
            {
                "name": m.name,
                "rank": m.rank,
                "role": m.role,
                "bio": m.bio,
                "demo": m.is_demo,
                "photo": m.photo_path if (m.photo_consent and m.photo_path) else None,
            }
            for m in team.members
        ],
        "base": next((loc for loc in locations if loc["type"] == "station"), None),
        "locations": locations,
        "links": [
            {"title": link.title, "url": link.url, "description": link.description} for link in team.links
        ],
        "neighbours": neighbouring_teams(session, ward.id),
    }


def ward_display_geojson(session: Session, code: str) -> str | None:
    return session.scalar(
        select(Ward.display_geojson).where(Ward.generation == CURRENT_GENERATION, Ward.code == code)
    )


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


def _location(loc) -> dict[str, Any]:
    return {
        "type": loc.type,
        "name": loc.name,
        "address": loc.address,
        "postcode": loc.postcode,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "opening": loc.opening,
        "description": loc.description,
    }


def _date(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None
