"""`import-boundaries`: ward or borough boundaries from GeoJSON or a shapefile.

Ward files carry their borough (code and name); boroughs named there but not yet known are created. For the
current generation each Met ward gets its Safer Neighbourhood Team, keyed by the ward's GSS code. City of
London wards are stored but marked as policed by the City of London Police, and get no Met team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.importers.common import ImportFailed, ImportReport, progress, record_load, upsert
from portal.models import (
    CITY,
    CITY_OF_LONDON_BOROUGH,
    CURRENT_GENERATION,
    MET,
    Borough,
    Team,
    Ward,
)

BNG = "EPSG:27700"  # British National Grid: metres, for areas, distances and simplification
WGS84 = "EPSG:4326"
DISPLAY_TOLERANCE_M = 15.0
DISPLAY_GRID_DEG = 1e-5  # about a metre

WARD_CODE = re.compile(r"^E05\d{6}$")
BOROUGH_CODE = re.compile(r"^E09\d{6}$")

FIELDS = {
    "ward": {
        "code": [r"WD\d\dCD", "GSS_CODE"],
        "name": [r"WD\d\dNM", "NAME"],
        "borough_code": [r"LAD\d\dCD", "LAGSSCODE"],
        "borough_name": [r"LAD\d\dNM", "DISTRICT"],
    },
    "borough": {"code": [r"LAD\d\dCD", "GSS_CODE"], "name": [r"LAD\d\dNM", "NAME"]},
}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    geometry: BaseGeometry  # WGS84, full precision
    display: BaseGeometry  # WGS84, simplified
    area_m2: float
    borough_code: str = ""
    borough_name: str = ""


def force_for(borough_code: str) -> str:
    return CITY if borough_code == CITY_OF_LONDON_BOROUGH else MET


def read_areas(path: Path, level: str) -> list[Area]:
    """Read and validate every feature; raise ImportFailed naming each problem."""
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        frame = gpd.read_file(path)
    except Exception as error:  # pyogrio raises several types for unreadable files
        raise ImportFailed(path, [f"not a readable GeoJSON file or shapefile ({error})"]) from None
    if len(frame) == 0:
        raise ImportFailed(path, ["the file has no features"])
    if frame.crs is None:
        raise ImportFailed(path, ["the file has no coordinate reference system, so it cannot be placed"])
    columns = _find_columns(path, frame.columns, level)
    wgs84 = frame.to_crs(WGS84) if not frame.crs.equals(WGS84) else frame
    metric = frame.to_crs(BNG)
    display = metric.geometry.simplify(DISPLAY_TOLERANCE_M, preserve_topology=True).to_crs(WGS84)

    problems: list[str] = []
    seen: set[str] = set()
    areas: list[Area] = []
    code_pattern = WARD_CODE if level == "ward" else BOROUGH_CODE
    for i in progress(range(len(frame)), f"reading {level}s"):
        where = f"feature {i + 1}"
        row = frame.iloc[i]
        code = _text(row[columns["code"]])
        name = _text(row[columns["name"]])
        if not code_pattern.match(code):
            problems.append(f"{where}: {columns['code']} {code!r} is not a {level} GSS code")
            continue
        where = f"{where} ({code})"
        if code in seen:
            problems.append(f"{where}: the code appears more than once")
            continue
        seen.add(code)
        if not name:
            problems.append(f"{where}: {columns['name']} is empty")
        geometry = _polygonal(wgs84.geometry.iloc[i])
        if geometry is None:
            problems.append(f"{where}: no polygon geometry")
            continue
        extra = {}
        if level == "ward":
            extra["borough_code"] = _text(row[columns["borough_code"]])
            extra["borough_name"] = _text(row[columns["borough_name"]])
            if not BOROUGH_CODE.match(extra["borough_code"]):
                problems.append(f"{where}: borough code {extra['borough_code']!r} is not an E09 code")
        shown = _polygonal(display.iloc[i]) or geometry
        areas.append(
            Area(
                code=code,
                name=name,
                geometry=geometry,
                display=shapely.set_precision(shown, DISPLAY_GRID_DEG),
                area_m2=float(metric.geometry.iloc[i].area),
                **extra,
            )
        )
    if problems:
        raise ImportFailed(path, problems)
    return areas


def import_boundaries(
    session: Session,
    path: Path,
    *,
    level: str = "ward",
    generation: int = CURRENT_GENERATION,
    dry_run: bool = False,
) -> ImportReport:
    dataset = f"boundaries-{level}" + (f"-{generation}" if level == "ward" else "")
    report = ImportReport(dataset=dataset, source=str(path), dry_run=dry_run)
    areas = read_areas(path, level)
    report.rows_read = report.rows_stored = len(areas)
    if dry_run:
        return report
    if level == "borough":
        _store_boroughs(session, areas)
    else:
        _store_wards(session, areas, generation, report)
    record_load(session, dataset, path, report)
    return report


def _store_boroughs(session: Session, areas: list[Area]) -> None:
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "force_id": force_for(a.code),
            "geometry": shapely.to_wkb(a.geometry),
            "display_geojson": shapely.to_geojson(a.display),
        }
        for a in areas
    ]
    upsert(session, Borough.__table__, rows, ["code"])


def _store_wards(session: Session, areas: list[Area], generation: int, report: ImportReport) -> None:
    known = set(session.scalars(select(Borough.code)))
    new_boroughs = {a.borough_code: a.borough_name for a in areas if a.borough_code not in known}
    if new_boroughs:
        upsert(
            session,
            Borough.__table__,
            [{"code": c, "name": n, "force_id": force_for(c)} for c, n in new_boroughs.items()],
            ["code"],
        )
        report.notes.append(f"boroughs created from the ward file: {len(new_boroughs)}")
    rows = []
    for a in areas:
        centre = a.geometry.representative_point()  # always inside, unlike the centroid
        rows.append(
            {
                "generation": generation,
                "code": a.code,
                "name": a.name,
                "borough_code": a.borough_code,
                "force_id": force_for(a.borough_code),
                "geometry": shapely.to_wkb(a.geometry),
                "display_geojson": shapely.to_geojson(a.display),
                "centroid_lat": round(centre.y, 6),
                "centroid_lng": round(centre.x, 6),
                "area_m2": round(a.area_m2, 1),
            }
        )
    upsert(session, Ward.__table__, rows, ["generation", "code"])
    session.flush()
    from portal.importers.links import link_neighbours, link_succession

    report.notes.append(f"neighbouring ward pairs: {link_neighbours(session, generation) // 2}")
    if (successions := link_succession(session)) > 0:
        report.notes.append(f"legacy-to-current ward overlaps: {successions}")
    city = sum(1 for a in areas if force_for(a.borough_code) == CITY)
    if city:
        report.notes.append(f"City of London Police wards (no Met team): {city}")
    if generation == CURRENT_GENERATION:
        report.notes.append(f"Safer Neighbourhood Teams: {_ensure_teams(session, generation)}")


def _ensure_teams(session: Session, generation: int) -> int:
    """One team per Met ward of the generation; existing teams keep their (possibly edited) name."""
    wards = session.execute(
        select(Ward.id, Ward.code, Ward.name, Ward.borough_code).where(
            Ward.generation == generation, Ward.force_id == MET
        )
    ).all()
    existing = set(session.scalars(select(Team.id)))
    for ward_id, code, name, borough_code in wards:
        if code in existing:
            session.execute(
                Team.__table__.update()
                .where(Team.id == code)
                .values(ward_id=ward_id, borough_code=borough_code)
            )
        else:
            session.add(Team(id=code, ward_id=ward_id, name=name, borough_code=borough_code, force_id=MET))
    session.flush()
    return len(wards)


def _find_columns(path: Path, columns, level: str) -> dict[str, str]:
    found: dict[str, str] = {}
    missing: list[str] = []
    for role, patterns in FIELDS[level].items():
        match = next((c for p in patterns for c in columns if re.fullmatch(p, c, re.IGNORECASE)), None)
        if match is None:
            names = ", ".join(p.replace(r"\d\d", "nn") for p in patterns)
            missing.append(f"no {role.replace('_', ' ')} column (expected one of {names})")
        else:
            found[role] = match
    if missing:
        raise ImportFailed(path, missing)
    return found


def _polygonal(geometry: BaseGeometry | None) -> BaseGeometry | None:
    if geometry is None or geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        return geometry
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in {"Polygon", "MultiPolygon"}]
    if not parts:
        return None
    return shapely.union_all(parts)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
