"""`import-stations`: Met front counters (police stations open to the public), from the 2013 list.

Each station gets its borough from the current wards that contain it (point-in-polygon, the nearest ward
within 1 km when it falls just outside the generalised polygons) and the nearest postcode unit within
300 m. Names are stored in title case for display; the local authority is kept as written in the file.
Re-importing replaces the stations by name.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.importers.boundaries import BNG, WGS84
from portal.importers.common import ImportFailed, ImportReport, record_load, upsert
from portal.importers.spatial import current_wards, place_points
from portal.models import CURRENT_GENERATION, Postcode, Station, Ward

DATASET = "stations"
COLUMNS = ["name", "local authority", "longitude", "latitude", "status", "current", "proposed"]
STATUSES = ("keep", "cut")
LONDON_LAT = (51.25, 51.72)  # Greater London with a margin of a couple of kilometres
LONDON_LNG = (-0.55, 0.36)
WARD_WITHIN_M = 1000.0
POSTCODE_WITHIN_M = 300.0

KEEP_UPPER = {"HQ", "ARO", "SNU", "PASC", "GND"}  # abbreviations kept as written
KEEP_LOWER = {"of", "and", "the", "upon", "on", "in"}
FOOTNOTE = re.compile(r"\s*\*+\s*$")  # "EALING POLICE STATION **": a footnote marker in the source


def display_name(raw: str) -> str:
    """'ST JOHN'S WOOD POLICE STATION' -> "St John's Wood Police Station"; abbreviations stay upper case."""
    words = FOOTNOTE.sub("", raw).split()
    shown = []
    for i, word in enumerate(words):
        core = word.strip("()")
        if core.upper() in KEEP_UPPER:
            shown.append(word.upper())
        elif i > 0 and core.lower() in KEEP_LOWER:
            shown.append(word.lower())
        else:
            shown.append(re.sub(r"[A-Za-z][A-Za-z']*", lambda m: m[0][0].upper() + m[0][1:].lower(), word))
    return " ".join(shown)


def read_stations(path: Path) -> tuple[list[dict], ImportReport]:
    report = ImportReport(dataset=DATASET, source=str(path))
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error, OSError) as error:
        raise ImportFailed(path, [f"not a readable CSV file ({error})"]) from None
    if not lines:
        raise ImportFailed(path, ["line 1: the file is empty (expected a header)"])
    header = [h.strip().lower() for h in lines[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed(
            path, [f"line 1: the header has no column {', '.join(missing)} (expected {', '.join(COLUMNS)})"]
        )
    at = {c: header.index(c) for c in COLUMNS}

    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line
        report.rows_read += 1
        if len(cells) < len(header):
            problems.append(f"line {number}: {len(cells)} fields, expected {len(header)}")
            continue
        value = {c: cells[at[c]].strip() for c in COLUMNS}
        where = f"line {number}"
        line_problems = []
        name = display_name(value["name"])
        if not name:
            line_problems.append(f"{where}: the name is empty")
        coords = {}
        for column in ("latitude", "longitude"):
            try:
                coords[column] = float(value[column])
                if not np.isfinite(coords[column]):
                    raise ValueError
            except ValueError:
                line_problems.append(f"{where}: {column} {value[column]!r} is not a number")
        if len(coords) == 2 and not (
            LONDON_LAT[0] <= coords["latitude"] <= LONDON_LAT[1]
            and LONDON_LNG[0] <= coords["longitude"] <= LONDON_LNG[1]
        ):
            line_problems.append(
                f"{where}: latitude/longitude {coords['latitude']}, {coords['longitude']} is not in London"
            )
        status = value["status"].lower()
        if status not in STATUSES:
            line_problems.append(f"{where}: status {value['status']!r} is not keep or cut")
        for column in ("local authority", "current", "proposed"):
            if not value[column]:
                line_problems.append(f"{where}: {column} is empty")
        if name:
            key = name.casefold()
            if key in seen:
                line_problems.append(f"{where}: {name!r} appears more than once (first on line {seen[key]})")
            else:
                seen[key] = number
        problems += line_problems
        if not line_problems:
            rows.append(
                {
                    "name": name,
                    "local_authority": value["local authority"],
                    "latitude": coords["latitude"],
                    "longitude": coords["longitude"],
                    "opening_2013": value["current"].upper(),
                    "status_2013": status,
                    "proposed_2013": value["proposed"].upper(),
                }
            )
    if problems:
        raise ImportFailed(path, problems)
    if not rows:
        raise ImportFailed(path, ["the file has no stations"])
    return rows, report


def assign_boroughs(session: Session, points: gpd.GeoDataFrame) -> tuple[pd.Series, pd.Series]:
    """(borough code, metres to its ward) per point: 0 inside, else the nearest ward within 1 km, or None."""
    return place_points(points, current_wards(session, "borough_code"), "borough_code", WARD_WITHIN_M)


def nearest_postcodes(session: Session, points: gpd.GeoDataFrame) -> pd.Series:
    """The nearest postcode unit within 300 m of each point, or None."""
    margin_lat, margin_lng = 0.005, 0.008  # a little over 300 m either way
    bounds = points.total_bounds  # minx, miny, maxx, maxy
    rows = session.execute(
        select(Postcode.postcode, Postcode.latitude, Postcode.longitude).where(
            Postcode.latitude.between(bounds[1] - margin_lat, bounds[3] + margin_lat),
            Postcode.longitude.between(bounds[0] - margin_lng, bounds[2] + margin_lng),
        )
    ).all()
    found = pd.Series(None, index=points.index, dtype=object)
    if not rows:
        return found
    postcodes = gpd.GeoDataFrame(
        {"postcode": [r[0] for r in rows]},
        geometry=gpd.points_from_xy([r[2] for r in rows], [r[1] for r in rows]),
        crs=WGS84,
    ).to_crs(BNG)
    near = gpd.sjoin_nearest(
        points.to_crs(BNG), postcodes, how="inner", max_distance=POSTCODE_WITHIN_M, distance_col="distance"
    )
    near = near.sort_values(["distance", "postcode"], kind="stable")  # ties: alphabetical, so repeatable
    near = near[~near.index.duplicated(keep="first")]
    found[near.index] = near["postcode"]
    return found


def _require_loaded(session: Session) -> None:
    missing = []
    if not session.scalar(
        select(func.count()).select_from(Ward).where(Ward.generation == CURRENT_GENERATION)
    ):
        missing.append(f"no {CURRENT_GENERATION} wards are loaded: run import-boundaries first")
    if not session.scalar(select(func.count()).select_from(Postcode)):
        missing.append("no postcodes are loaded: run import-postcodes first")
    if missing:
        raise ImportFailed(DATASET, missing)


def import_stations(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    rows, report = read_stations(path)
    report.dry_run = dry_run
    _require_loaded(session)
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([r["longitude"] for r in rows], [r["latitude"] for r in rows]), crs=WGS84
    )
    borough, distance = assign_boroughs(session, points)
    postcode = nearest_postcodes(session, points)
    for i, row in enumerate(rows):
        row["borough_code"] = borough[i] if isinstance(borough[i], str) else None
        row["postcode"] = postcode[i] if isinstance(postcode[i], str) else None

    statuses = Counter(r["status_2013"] for r in rows)
    report.notes.append(
        "2013 proposal: " + ", ".join(f"{status} {statuses.get(status, 0)}" for status in STATUSES)
    )
    report.notes.append(f"outside every ward, nearest ward within 1 km taken: {int((distance > 0).sum())}")
    report.notes.append(f"no ward within 1 km (stored without a borough): {int(distance.isna().sum())}")
    report.notes.append(
        f"no postcode within {POSTCODE_WITHIN_M:.0f} m: {sum(1 for r in rows if r['postcode'] is None)}"
    )
    report.rows_stored = len(rows)
    if dry_run:
        return report
    upsert(session, Station.__table__, rows, ["name"])
    record_load(session, DATASET, path, report)
    return report
