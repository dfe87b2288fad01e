"""Named queries for the maps: the Met teams A to Z and the current Met wards' display boundaries."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import CURRENT_GENERATION, MET, Borough, Team, Ward


def list_met_teams(session: Session) -> list[dict[str, Any]]:
    """Every Met team on a current ward, by borough then team name (A to Z)."""
    rows = session.execute(
        select(Team.id, Team.name, Borough.code, Borough.name, Ward.centroid_lat, Ward.centroid_lng)
        .join(Ward, Ward.id == Team.ward_id)
        .join(Borough, Borough.code == Team.borough_code)
        .where(Ward.generation == CURRENT_GENERATION, Team.force_id == MET)
        .order_by(Borough.name, Team.name)
    ).all()
    return [
        {
            "code": code,
            "name": name,
            "borough": {"code": borough_code, "name": borough_name},
            "centre": {"latitude": lat, "longitude": lng},
        }
        for code, name, borough_code, borough_name, lat, lng in rows
    ]


def list_met_ward_shapes(session: Session) -> list[tuple[str, str, str, str]]:
    """(ward code, team name, borough name, display GeoJSON) for every current Met ward with a team."""
    rows = session.execute(
        select(Ward.code, Team.name, Borough.name, Ward.display_geojson)
        .join(Team, Team.ward_id == Ward.id)
        .join(Borough, Borough.code == Ward.borough_code)
        .where(Ward.generation == CURRENT_GENERATION, Ward.force_id == MET)
        .order_by(Ward.code)
    ).all()
    return [tuple(row) for row in rows]
