"""`import-postcodes`: OS Code-Point Open postcode units (as bundled in geodata/).

Each postcode's current ward is assigned here, once, by point-in-polygon against the current wards in the
database; the 2014 ward code in the file is kept only as the legacy code. Postcodes that fall just outside
every polygon (the boundaries are generalised) take the nearest ward within 1 km, and the summary says how
many did.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from portal.importers.boundaries import WGS84
from portal.importers.common import ImportFailed, ImportReport, record_load, upsert
from portal.importers.spatial import current_wards, place_points
from portal.models import CURRENT_GENERATION, Postcode
from portal.services.postcode import normalise

COLUMNS = [
    "postcode",
    "pqi",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "district_code_2014",
    "ward_code_2014",
]
NEAREST_WITHIN_M = 1000.0
NO_POSITION_PQI = 60  # Code-Point PQI 60 and 90: no usable coordinates for the unit
UK_LAT = (49.0, 61.5)
UK_LNG = (-9.0, 2.5)


def read_postcodes(path: Path) -> tuple[pd.DataFrame, ImportReport]:
    report = ImportReport(dataset="postcodes", source=str(path))
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, compression="infer")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError, EOFError) as error:
        raise ImportFailed(path, [f"not a readable CSV file ({error})"]) from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ImportFailed(
            path, [f"line 1: the header has no column {', '.join(missing)} (expected {', '.join(COLUMNS)})"]
        )
    report.rows_read = len(frame)
    line = pd.Series(np.arange(len(frame)) + 2, index=frame.index)  # header is line 1
    problems: list[tuple[int, str]] = []

    frame["postcode_norm"] = frame["postcode"].map(normalise)
    for i in frame.index[frame["postcode_norm"].isna()]:
        problems.append((line[i], f"{frame.at[i, 'postcode']!r} is not a full UK postcode"))
    numbers = {}
    for column, kind in [
        ("pqi", "Int64"),
        ("easting", "Int64"),
        ("northing", "Int64"),
        ("latitude", "float"),
        ("longitude", "float"),
    ]:
        parsed = pd.to_numeric(frame[column], errors="coerce")
        bad = parsed.isna() | (kind == "Int64") & (parsed.fillna(0) % 1 != 0)
        for i in frame.index[bad]:
            problems.append((line[i], f"{column} {frame.at[i, column]!r} is not a number"))
        numbers[column] = parsed
    frame = frame.assign(**numbers)
    ok = frame["latitude"].notna() & frame["longitude"].notna()
    outside = ok & ~(frame["latitude"].between(*UK_LAT) & frame["longitude"].between(*UK_LNG))
    outside &= frame["pqi"] < NO_POSITION_PQI
    for i in frame.index[outside]:
        problems.append(
            (
                line[i],
                f"latitude/longitude {frame.at[i, 'latitude']}, "
                f"{frame.at[i, 'longitude']} is not in the United Kingdom",
            )
        )
    duplicated = frame["postcode_norm"].notna() & frame["postcode_norm"].duplicated(keep="first")
    for i in frame.index[duplicated]:
        problems.append((line[i], f"{frame.at[i, 'postcode_norm']} appears more than once"))
    if problems:
        problems.sort()
        raise ImportFailed(path, [f"line {n}: {text}" for n, text in problems])

    no_position = frame["pqi"] >= NO_POSITION_PQI
    if no_position.any():
        report.rejected["with no position (Code-Point quality 60 or 90)"] += int(no_position.sum())
    return frame[~no_position].reset_index(drop=True), report


def assign_wards(session: Session, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(ward code, distance in metres) for each row: 0 inside a ward, nearest within 1 km, else None."""
    wards = current_wards(session, "code")
    if wards.empty:
        raise ImportFailed(
            "postcodes", [f"no {CURRENT_GENERATION} wards are loaded: run import-boundaries first"]
        )
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=WGS84)
    return place_points(points, wards, "code", NEAREST_WITHIN_M)


def import_postcodes(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    frame, report = read_postcodes(path)
    report.dry_run = dry_run
    code, distance = assign_wards(session, frame)
    inside = int((distance == 0).sum())
    nearest = int((distance > 0).sum())
    unplaced = int(code.isna().sum())
    report.notes.append(f"inside a {CURRENT_GENERATION} ward: {inside:,}")
    report.notes.append(f"outside every ward, nearest ward within 1 km taken: {nearest:,}")
    report.notes.append(f"no ward within 1 km (stored without a ward): {unplaced:,}")
    rows = [
        {
            "postcode": pc,
            "outcode": pc.split(" ")[0],
            "pqi": int(pqi),
            "easting": int(e),
            "northing": int(n),
            "latitude": float(lat),
            "longitude": float(lng),
            "district_code": district,
            "legacy_ward_code": legacy or None,
            "ward_code": ward if isinstance(ward, str) else None,
            "ward_distance_m": None if np.isnan(dist) else float(dist),
        }
        for pc, pqi, e, n, lat, lng, district, legacy, ward, dist in zip(
            frame["postcode_norm"],
            frame["pqi"],
            frame["easting"],
            frame["northing"],
            frame["latitude"],
            frame["longitude"],
            frame["district_code_2014"],
            frame["ward_code_2014"],
            code,
            distance,
            strict=True,
        )
    ]
    report.rows_stored = len(rows)
    if dry_run:
        return report
    upsert(session, Postcode.__table__, rows, ["postcode"], progress="storing postcodes")
    record_load(session, "postcodes", path, report)
    return report
