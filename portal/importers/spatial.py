"""Placing points in the current wards: shared by the importers that assign wards or boroughs at import."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.importers.boundaries import BNG, WGS84
from portal.models import CURRENT_GENERATION, Ward


def current_wards(session: Session, column: str) -> gpd.GeoDataFrame:
    """The current wards' full-precision polygons, labelled by a Ward column ("code", "borough_code")."""
    rows = session.execute(
        select(getattr(Ward, column), Ward.geometry).where(Ward.generation == CURRENT_GENERATION)
    ).all()
    return gpd.GeoDataFrame(
        {column: [r[0] for r in rows]}, geometry=shapely.from_wkb([r[1] for r in rows]), crs=WGS84
    )


def place_points(
    points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, column: str, nearest_within_m: float
) -> tuple[pd.Series, pd.Series]:
    """For each point: (the `column` of the area containing it, metres to it). Points on no area take the
    nearest within `nearest_within_m` (ties broken by order, so results repeat); beyond that, None/NaN."""
    code = pd.Series(None, index=points.index, dtype=object)
    distance = pd.Series(np.nan, index=points.index)
    inside = gpd.sjoin(points, areas, predicate="within", how="inner")
    inside = inside[~inside.index.duplicated(keep="first")]
    code[inside.index] = inside[column]
    distance[inside.index] = 0.0
    rest = code.isna()
    if rest.any():
        near = gpd.sjoin_nearest(
            points[rest].to_crs(BNG),
            areas.to_crs(BNG),
            how="inner",
            max_distance=nearest_within_m,
            distance_col="distance",
        )
        near = near.sort_values("distance", kind="stable")
        near = near[~near.index.duplicated(keep="first")]
        code[near.index] = near[column]
        distance[near.index] = near["distance"].round(1)
    return code, distance
