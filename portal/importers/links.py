"""Relations between wards, computed once at import (never in a request): which wards touch, and how each
legacy ward's area is shared among today's wards."""

from __future__ import annotations

import geopandas as gpd
import shapely
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.importers.boundaries import BNG, WGS84
from portal.models import CURRENT_GENERATION, LEGACY_GENERATION, Ward, WardNeighbour, WardSuccession

TOUCH_WITHIN_M = 20.0  # the boundaries are generalised to 20 m, so neighbours may not quite touch
MIN_SHARE = 0.01  # ignore slivers under 1% of the old ward's area


def _wards(session: Session, generation: int) -> gpd.GeoDataFrame:
    rows = session.execute(select(Ward.id, Ward.geometry).where(Ward.generation == generation)).all()
    frame = gpd.GeoDataFrame(
        {"id": [r[0] for r in rows]}, geometry=shapely.from_wkb([r[1] for r in rows]), crs=WGS84
    )
    return frame.to_crs(BNG)


def link_neighbours(session: Session, generation: int) -> int:
    wards = _wards(session, generation)
    session.execute(
        delete(WardNeighbour).where(
            WardNeighbour.ward_id.in_(select(Ward.id).where(Ward.generation == generation))
        )
    )
    if wards.empty:
        return 0
    left, right = wards.sindex.query(wards.geometry, predicate="dwithin", distance=TOUCH_WITHIN_M)
    ids = wards["id"].to_numpy()
    pairs = [
        {"ward_id": int(ids[a]), "neighbour_id": int(ids[b])}
        for a, b in zip(left, right, strict=True)
        if a != b
    ]
    if pairs:
        session.execute(WardNeighbour.__table__.insert(), pairs)
    return len(pairs)


def link_succession(session: Session) -> int:
    """For every legacy ward: the share of its area inside each current ward."""
    session.execute(delete(WardSuccession))
    old, new = _wards(session, LEGACY_GENERATION), _wards(session, CURRENT_GENERATION)
    if old.empty or new.empty:
        return 0
    pieces = gpd.overlay(
        old.rename(columns={"id": "old"}),
        new.rename(columns={"id": "new"}),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["share"] = pieces.geometry.area / pieces["old"].map(old.set_index("id").geometry.area)
    pieces = pieces[pieces["share"] >= MIN_SHARE]
    rows = [
        {"old_ward_id": int(o), "new_ward_id": int(n), "share": round(float(s), 4)}
        for o, n, s in zip(pieces["old"], pieces["new"], pieces["share"], strict=True)
    ]
    if rows:
        session.execute(WardSuccession.__table__.insert(), rows)
    return len(rows)
