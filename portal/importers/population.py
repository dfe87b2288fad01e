"""Ward population from the GLA 2015 ward profiles, carried to today's wards by area overlap.

The profiles describe the 2014-era wards. Each profile ward whose code is also a 2018-generation (legacy)
ward is split among today's wards by `WardSuccession` (the share of the old ward's area inside each new
ward; shares are scaled to add up to 1, so no resident is lost to slivers under 1%), and the pieces are
summed per current ward. That assumes residents are spread evenly over each old ward: a stated estimate.

A current ward is given a population only when matched old wards cover at least `MIN_COVERAGE` of its
area; a ward in a borough whose wards were redrawn between 2014 and 2018 (its old codes are not legacy
wards) would otherwise get only the slivers of its neighbours. The import replaces every stored figure.
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from portal.importers.common import ImportFailed, ImportReport, record_load
from portal.models import CURRENT_GENERATION, LEGACY_GENERATION, Ward, WardPopulation, WardSuccession
from portal.models.areas import MET

CODE_COLUMN = "New code"
POPULATION_COLUMN = re.compile(r"^Population - (\d{4})$")
WARD_CODE = re.compile(r"^E05\d{6}$")
MIN_COVERAGE = 0.9
SOURCE = "GLA ward profiles 2015 (London Datastore), carried to the 2024 wards by area overlap"
METHOD = (
    "Estimated: the GLA's 2015 population of each 2014-era ward is shared among today's wards in proportion "
    "to the area of the old ward that lies in each, which assumes residents are spread evenly over the old "
    "ward; treat it as an approximation, not an official figure for the current ward."
)


def read_profiles(path: Path) -> tuple[dict[str, int], int, ImportReport]:
    """{E05 code: population}, the population year, and the report; refused whole on any problem."""
    report = ImportReport(dataset="ward-population", source=str(path))
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    with path.open(newline="", encoding="latin-1") as handle:  # the GLA file is latin-1
        try:
            lines = list(csv.reader(handle, strict=True))
        except csv.Error as error:
            raise ImportFailed(path, [f"not a readable CSV file ({error})"]) from None
    if not lines:
        raise ImportFailed(path, ["line 1: the file is empty"])
    header = [h.strip() for h in lines[0]]
    population = [(i, m[1]) for i, h in enumerate(header) if (m := POPULATION_COLUMN.match(h))]
    if CODE_COLUMN not in header or not population:
        raise ImportFailed(
            path,
            [f"line 1: expected a column {CODE_COLUMN!r} (E05 ward codes) and one 'Population - YYYY'"],
        )
    at_code = header.index(CODE_COLUMN)
    at_population, year = population[0]
    problems: list[str] = []
    figures: dict[str, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        report.rows_read += 1
        if len(cells) != len(header):
            problems.append(f"line {number}: {len(cells)} fields, expected {len(header)}")
            continue
        code = cells[at_code].strip()
        if not WARD_CODE.match(code):
            report.rejected["not a ward (borough, London or England totals)"] += 1
            continue
        try:
            value = float(cells[at_population])
            if not math.isfinite(value) or value < 0:
                raise ValueError
        except ValueError:
            problems.append(f"line {number}: population {cells[at_population]!r} is not a number of people")
            continue
        if code in figures:
            problems.append(f"line {number}: {code} appears more than once")
        figures[code] = round(value)
    if problems:
        raise ImportFailed(path, problems)
    return figures, int(year), report


def carry_to_current(
    session: Session, figures: dict[str, int]
) -> tuple[dict[str, float], dict[str, float], set[str]]:
    """(population per current ward code, share of each current ward's area covered, unmatched old codes)."""
    old, new = aliased(Ward), aliased(Ward)
    pieces = session.execute(
        select(old.code, old.area_m2, new.code, new.area_m2, WardSuccession.share)
        .join(old, old.id == WardSuccession.old_ward_id)
        .join(new, new.id == WardSuccession.new_ward_id)
        .where(old.generation == LEGACY_GENERATION, new.generation == CURRENT_GENERATION)
    ).all()
    total_share: dict[str, float] = defaultdict(float)
    for old_code, _, _, _, share in pieces:
        total_share[old_code] += share
    population: dict[str, float] = defaultdict(float)
    covered: dict[str, float] = defaultdict(float)
    for old_code, old_area, new_code, new_area, share in pieces:
        if old_code not in figures:
            continue
        population[new_code] += figures[old_code] * share / total_share[old_code]
        covered[new_code] += old_area * share / new_area if new_area else 0.0
    return population, covered, set(figures) - set(total_share)


def import_population(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    figures, year, report = read_profiles(path)
    report.dry_run = dry_run
    population, covered, unmatched = carry_to_current(session, figures)
    kept = {code: round(p) for code, p in population.items() if covered[code] >= MIN_COVERAGE}
    partial = len(population) - len(kept)
    met = set(
        session.scalars(select(Ward.code).where(Ward.generation == CURRENT_GENERATION, Ward.force_id == MET))
    )
    report.rows_stored = len(kept)
    report.notes.append(f"profile wards: {len(figures):,}, population year {year}")
    report.notes.append(
        f"old ward codes not among the {LEGACY_GENERATION} wards (not placed): {len(unmatched):,}"
    )
    report.notes.append(
        f"current Met wards given a population: {len(met & set(kept)):,} of {len(met):,}; "
        f"left without one, less than {MIN_COVERAGE:.0%} of their area covered by matched old wards: "
        f"{partial:,}"
    )
    if dry_run:
        return report
    session.execute(delete(WardPopulation))
    if kept:
        session.execute(
            WardPopulation.__table__.insert(),
            [
                {"ward_code": code, "population": value, "year": year, "source": SOURCE, "method": METHOD}
                for code, value in sorted(kept.items())
            ],
        )
    record_load(session, "ward-population", path, report)
    return report
