"""Named queries about recorded crime. Counts are aggregated in SQL (GROUP BY); only the map's points for
one month of one area are ever loaded row by row."""

from __future__ import annotations

from datetime import date
from typing import Any

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    CATEGORIES,
    CURRENT_GENERATION,
    MET,
    Borough,
    CrimeImport,
    StreetCrime,
    Ward,
    WardCrimeCount,
    WardPopulation,
)

CATEGORY_NAMES = {slug: name for name, slug in CATEGORIES.items()}
NO_OUTCOME = "No outcome recorded"  # anti-social behaviour has none in police.uk's files


def month_key(value: date) -> str:
    return f"{value:%Y-%m}"


def category_name(slug: str) -> str:
    return CATEGORY_NAMES.get(slug, slug)


# -- areas ----------------------------------------------------------------------------------------------


def ward_area(session: Session, code: str) -> dict[str, Any] | None:
    """A current Met ward: its name, borough and display boundary."""
    row = session.execute(
        select(Ward.code, Ward.name, Ward.force_id, Ward.display_geojson, Borough.code, Borough.name)
        .join(Borough, Borough.code == Ward.borough_code)
        .where(Ward.generation == CURRENT_GENERATION, Ward.code == code)
    ).first()
    if row is None:
        return None
    code, name, force, geojson, borough_code, borough_name = row
    return {
        "kind": "ward",
        "code": code,
        "name": name,
        "label": f"{name} ward",
        "force": force,
        "borough": {"code": borough_code, "name": borough_name},
        "ward_codes": [code],
        "geojson": geojson,
    }


def borough_area(session: Session, code: str) -> dict[str, Any] | None:
    borough = session.execute(
        select(Borough.code, Borough.name, Borough.force_id, Borough.display_geojson).where(
            Borough.code == code
        )
    ).first()
    if borough is None:
        return None
    wards = session.execute(
        select(Ward.code, Ward.name)
        .where(Ward.generation == CURRENT_GENERATION, Ward.borough_code == code, Ward.force_id == MET)
        .order_by(Ward.name)
    ).all()
    geojson = borough[3]
    if geojson is None and wards:  # no borough outline loaded: the union of its wards' outlines
        shapes = session.scalars(
            select(Ward.display_geojson).where(
                Ward.generation == CURRENT_GENERATION, Ward.borough_code == code, Ward.force_id == MET
            )
        )
        geojson = shapely.to_geojson(shapely.union_all([shapely.from_geojson(g) for g in shapes]))
    return {
        "kind": "borough",
        "code": borough[0],
        "name": borough[1],
        "label": borough[1],
        "force": borough[2],
        "borough": {"code": borough[0], "name": borough[1]},
        "ward_codes": [c for c, _n in wards],
        "wards": [{"code": c, "name": n} for c, n in wards],
        "geojson": geojson,
    }


# -- which months are loaded ----------------------------------------------------------------------------


def street_months(session: Session, ward_codes: list[str] | None = None) -> list[date]:
    """Months with street-level rows (for these wards), newest first."""
    query = select(StreetCrime.month).distinct()
    if ward_codes is not None:
        query = query.where(StreetCrime.ward_code.in_(ward_codes))
    return sorted(session.scalars(query), reverse=True)


def imported_street_months(session: Session) -> list[date]:
    """Months whose street-level file was imported (for any area), newest first."""
    months = set(session.scalars(select(CrimeImport.month).distinct()))
    months |= set(session.scalars(select(StreetCrime.month).distinct()))
    return sorted(months, reverse=True)


def count_months(session: Session, ward_codes: list[str] | None = None) -> list[date]:
    """Months with ward-level monthly counts, newest first."""
    query = select(WardCrimeCount.month).distinct()
    if ward_codes is not None:
        query = query.where(WardCrimeCount.ward_code.in_(ward_codes))
    return sorted(session.scalars(query), reverse=True)


# -- street level ---------------------------------------------------------------------------------------


def street_table(
    session: Session, ward_codes: list[str], month: date, category: str | None = None
) -> list[tuple[str, str, int]]:
    """(category slug, last outcome, count) for the month, from one GROUP BY."""
    query = (
        select(StreetCrime.category, StreetCrime.outcome, func.count())
        .where(StreetCrime.month == month, StreetCrime.ward_code.in_(ward_codes))
        .group_by(StreetCrime.category, StreetCrime.outcome)
    )
    if category:
        query = query.where(StreetCrime.category == category)
    return [(c, o or NO_OUTCOME, n) for c, o, n in session.execute(query)]


def street_total(session: Session, ward_codes: list[str], month: date, category: str | None = None) -> int:
    query = select(func.count()).where(StreetCrime.month == month, StreetCrime.ward_code.in_(ward_codes))
    if category:
        query = query.where(StreetCrime.category == category)
    return session.scalar(query) or 0


def street_points(
    session: Session, ward_codes: list[str], month: date, category: str | None = None, limit: int = 5000
) -> list[dict[str, Any]]:
    """The month's crimes with a location, for the map (one area, one month: a few hundred rows)."""
    query = (
        select(
            StreetCrime.id,
            StreetCrime.latitude,
            StreetCrime.longitude,
            StreetCrime.category,
            StreetCrime.location,
            StreetCrime.outcome,
        )
        .where(
            StreetCrime.month == month,
            StreetCrime.ward_code.in_(ward_codes),
            StreetCrime.latitude.is_not(None),
            StreetCrime.longitude.is_not(None),
        )
        .order_by(StreetCrime.id)
        .limit(limit)
    )
    if category:
        query = query.where(StreetCrime.category == category)
    return [
        {
            "id": i,
            "latitude": lat,
            "longitude": lng,
            "category": c,
            "category_name": category_name(c),
            "location": loc or "",
            "outcome": o or NO_OUTCOME,
        }
        for i, lat, lng, c, loc, o in session.execute(query)
    ]


def no_location_count(session: Session, month: date, category: str | None = None) -> int:
    """Rows of the month's file that carry no location (force-wide: they belong to no ward)."""
    query = select(func.count()).where(StreetCrime.month == month, StreetCrime.latitude.is_(None))
    if category:
        query = query.where(StreetCrime.category == category)
    stored = session.scalar(query) or 0
    if stored or category:
        return stored
    recorded = session.scalar(select(func.sum(CrimeImport.no_location)).where(CrimeImport.month == month))
    return int(recorded or 0)


# -- ward-level monthly counts --------------------------------------------------------------------------


def count_table(session: Session, ward_codes: list[str], month: date) -> list[tuple[str, str, int]]:
    """(major, minor, count) for the month."""
    rows = session.execute(
        select(WardCrimeCount.major, WardCrimeCount.minor, func.sum(WardCrimeCount.count))
        .where(WardCrimeCount.month == month, WardCrimeCount.ward_code.in_(ward_codes))
        .group_by(WardCrimeCount.major, WardCrimeCount.minor)
    )
    return [(major, minor, int(n or 0)) for major, minor, n in rows]


def count_total(session: Session, ward_codes: list[str], month: date, major: str | None = None) -> int | None:
    """The month's total, or None when the month has no rows for these wards."""
    query = select(func.sum(WardCrimeCount.count), func.count()).where(
        WardCrimeCount.month == month, WardCrimeCount.ward_code.in_(ward_codes)
    )
    if major:
        query = query.where(WardCrimeCount.major == major)
    total, rows = session.execute(query).one()
    return int(total or 0) if rows else None


def trend(
    session: Session, ward_codes: list[str], last: date, months: int = 24
) -> list[tuple[date, str, int]]:
    """(month, major, count) for up to `months` months ending at `last`."""
    first = _months_before(last, months - 1)
    rows = session.execute(
        select(WardCrimeCount.month, WardCrimeCount.major, func.sum(WardCrimeCount.count))
        .where(
            WardCrimeCount.ward_code.in_(ward_codes),
            WardCrimeCount.month >= first,
            WardCrimeCount.month <= last,
        )
        .group_by(WardCrimeCount.month, WardCrimeCount.major)
        .order_by(WardCrimeCount.month)
    )
    return [(m, major, int(n or 0)) for m, major, n in rows]


def majors(session: Session) -> list[str]:
    return sorted(session.scalars(select(WardCrimeCount.major).distinct()))


def london_counts(session: Session, month: date, major: str | None = None) -> list[dict[str, Any]]:
    """Every current Met ward with its count for the month (0 when none recorded), one GROUP BY."""
    query = (
        select(WardCrimeCount.ward_code, func.sum(WardCrimeCount.count))
        .where(WardCrimeCount.month == month)
        .group_by(WardCrimeCount.ward_code)
    )
    if major:
        query = query.where(WardCrimeCount.major == major)
    counts = {code: int(n or 0) for code, n in session.execute(query)}
    wards = session.execute(
        select(Ward.code, Ward.name, Borough.name, WardPopulation.population)
        .join(Borough, Borough.code == Ward.borough_code)
        .outerjoin(WardPopulation, WardPopulation.ward_code == Ward.code)
        .where(Ward.generation == CURRENT_GENERATION, Ward.force_id == MET)
    ).all()
    return [
        {
            "code": code,
            "name": name,
            "borough": borough,
            "count": counts.get(code, 0),
            "population": population,
            "rate": rate(counts.get(code, 0), population),
        }
        for code, name, borough, population in wards
    ]


# -- population -----------------------------------------------------------------------------------------


def population(session: Session, ward_codes: list[str]) -> dict[str, Any] | None:
    """Residents of these wards, when every one of them has an estimate."""
    rows = session.execute(
        select(
            WardPopulation.population, WardPopulation.year, WardPopulation.source, WardPopulation.method
        ).where(WardPopulation.ward_code.in_(ward_codes))
    ).all()
    if not rows or len(rows) < len(set(ward_codes)):
        return None
    return {
        "residents": sum(r[0] for r in rows),
        "year": rows[0][1],
        "source": rows[0][2],
        "method": rows[0][3],
    }


def rate(count: int | None, residents: int | None) -> float | None:
    if count is None or not residents:
        return None
    return round(count * 1000 / residents, 1)


def _months_before(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def previous_month(month: date) -> date:
    return _months_before(month, 1)
