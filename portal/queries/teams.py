"""Named queries about teams."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Borough, Force, Postcode, Team, Ward


def get_team_by_ward_code(session: Session, code: str) -> dict[str, Any] | None:
    row = session.execute(
        select(
            Team.id,
            Team.name,
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
        team_name,
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
    return {
        "team": {"id": team_id, "name": team_name},
        "ward": {
            "code": ward_code,
            "name": ward_name,
            "area_km2": round(area_m2 / 1e6, 2),
            "centre": {"latitude": lat, "longitude": lng},
            "postcodes": count_postcodes_in_ward(session, ward_code),
        },
        "borough": {"code": borough_code, "name": borough_name},
        "force": {"id": force_id, "name": force_name, "url": force_url},
    }


def count_postcodes_in_ward(session: Session, ward_code: str) -> int:
    return (
        session.scalar(select(func.count()).select_from(Postcode).where(Postcode.ward_code == ward_code)) or 0
    )
