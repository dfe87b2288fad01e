"""`import-indicators` and `import-measures`: the Pledge scorecard's catalogue and the figures others publish.

The catalogue (`content/pledge/indicators.toml`) holds the ten Pledge points and every indicator. It is
checked field by field and refused whole, each problem named by point or indicator code. Points and
indicators are upserted; an indicator no longer in the file is deleted only when no measure or explanation
refers to it, otherwise the import is refused.

A measures file is a CSV with the columns indicator, area, month (YYYY-MM), value, numerator, denominator,
note, and optionally source and period. Every row is checked (`MeasureRows`, shared with the survey
importer); any problem refuses the file, with line numbers, and nothing is stored. Figures are upserted on
(indicator, area, month).
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.importers.common import ImportFailed, ImportReport, record_load, sha256_of, upsert
from portal.models import DataLoad
from portal.models.base import utcnow
from portal.models.pledge import (
    DIRECTIONS,
    GRADES,
    LEVELS,
    SOURCES,
    UNITS,
    Explanation,
    Indicator,
    Measure,
    PledgePoint,
)
from portal.queries.explanations import area_level, parse_month
from portal.services import scorecard

DATASET = "pledge-indicators"
MEASURES_DATASET = "measures"  # a file loaded with `import-measures`
BUNDLED_MEASURES_DATASET = "pledge-measures"  # the figures shipped in content/pledge/measures/
POINTS = range(1, 11)
CODE = re.compile(r"^P(10|[1-9])-[A-Z0-9]+(?:-[A-Z0-9]+)*$")
MAX_CODE = 40
COMPUTED = (*scorecard.COMPUTED, *scorecard.NOT_YET_COMPUTED)
COMPUTED_LEVELS = ("force", "borough", "team")
# text fields: (required, maximum length or None)
POINT_TEXT = {
    "title": (True, 120),
    "promise": (True, None),
    "portal_does": (True, None),
    "inspection_source": (False, 300),
}
INDICATOR_TEXT = {
    "name": (True, 200),
    "question": (True, None),
    "calculation": (True, None),
    "target_source": (False, 300),
    "met_promise": (False, 300),
}
POINT_KEYS = {"number", "inspection_grade", *POINT_TEXT}
INDICATOR_KEYS = {
    "code",
    "pledge_point",
    "unit",
    "target",
    "tolerance",
    "direction",
    "levels",
    "source",
    "decimals",
    *INDICATOR_TEXT,
}
COLUMNS = ("indicator", "area", "month", "value", "numerator", "denominator", "note")
OPTIONAL_COLUMNS = ("source", "period")
PERCENT_SLACK = 0.05  # how far a percentage may stray from 100 × numerator ÷ denominator (rounding)
MAX_SOURCE, MAX_PERIOD = 300, 60


# -- the catalogue ---------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _texts(table: Mapping, fields: Mapping, where: str, problems: list[str]) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for field, (required, limit) in fields.items():
        value = table.get(field)
        values[field] = None
        if value is None:
            if required:
                problems.append(f"{where}: {field} is missing")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {field} must be some text")
        elif limit and len(value.strip()) > limit:
            problems.append(f"{where}: {field} is {len(value.strip())} characters, at most {limit}")
        else:
            values[field] = value.strip()
    return values


def _unknown_keys(table: Mapping, known: set[str], where: str, problems: list[str]) -> None:
    for key in sorted(set(table) - known):
        problems.append(f"{where}: unknown field {key!r}")


def _check_point(table: Any, index: int, problems: list[str]) -> dict | None:
    if not isinstance(table, dict):
        problems.append(f"point #{index}: not a table")
        return None
    number = table.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number not in POINTS:
        problems.append(f"point #{index}: number {number!r} is not a whole number from 1 to 10")
        return None
    where = f"point {number}"
    _unknown_keys(table, POINT_KEYS, where, problems)
    row: dict[str, Any] = {"number": number, **_texts(table, POINT_TEXT, where, problems)}
    grade = table.get("inspection_grade")
    if grade is not None and grade not in GRADES:
        problems.append(f"{where}: inspection_grade {grade!r} is not one of {', '.join(GRADES)}")
    if grade is not None and not row["inspection_source"]:
        problems.append(f"{where}: inspection_grade needs an inspection_source (who graded it, when)")
    row["inspection_grade"] = grade
    return row


def _check_indicator(table: Any, index: int, points: set[int], problems: list[str]) -> dict | None:
    if not isinstance(table, dict):
        problems.append(f"indicator #{index}: not a table")
        return None
    code = table.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.append(f"indicator #{index}: code is missing")
        return None
    code = code.strip()
    where = f"indicator {code}"
    before = len(problems)
    match = CODE.match(code)
    if not match or len(code) > MAX_CODE:
        problems.append(
            f"{where}: code must look like P<point>-<SHORT-NAME> (capitals, digits, hyphens; "
            f"at most {MAX_CODE} characters)"
        )
    _unknown_keys(table, INDICATOR_KEYS, where, problems)
    point = table.get("pledge_point")
    if not isinstance(point, int) or isinstance(point, bool) or point not in POINTS:
        problems.append(f"{where}: pledge_point {point!r} is not a whole number from 1 to 10")
    elif point not in points:
        problems.append(f"{where}: pledge_point {point} has no [[point]] table")
    elif match and int(match[1]) != point:
        problems.append(f"{where}: the code says point {match[1]} but pledge_point is {point}")
    row: dict[str, Any] = {
        "code": code,
        "pledge_point": point,
        **_texts(table, INDICATOR_TEXT, where, problems),
    }
    for field, allowed in (("unit", UNITS), ("direction", DIRECTIONS), ("source", SOURCES)):
        value = table.get(field)
        if value not in allowed:
            problems.append(f"{where}: {field} {value!r} is not one of {', '.join(allowed)}")
        row[field] = value
    levels = table.get("levels")
    if (
        not isinstance(levels, list)
        or not levels
        or any(level not in LEVELS for level in levels)
        or len(set(levels)) != len(levels)
    ):
        problems.append(f"{where}: levels {levels!r} must be a list of different ones of {', '.join(LEVELS)}")
    else:
        row["levels"] = ",".join(level for level in LEVELS if level in levels)
    target, tolerance = table.get("target"), table.get("tolerance")
    if target is not None and not _is_number(target):
        problems.append(f"{where}: target {target!r} is not a number")
    elif target is not None and row["unit"] == "percent" and not 0 <= target <= 100:
        problems.append(f"{where}: target {target} is a percentage outside 0–100")
    if target is not None and not row["target_source"]:
        problems.append(f"{where}: a target needs a target_source (which document sets it, and where)")
    if target is None and row["target_source"]:
        problems.append(f"{where}: target_source is given but there is no target")
    if tolerance is not None and (not _is_number(tolerance) or tolerance < 0):
        problems.append(f"{where}: tolerance {tolerance!r} is not a number of 0 or more")
    elif tolerance is not None and target is None:
        problems.append(f"{where}: tolerance is given but there is no target")
    decimals = table.get("decimals", 1)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 3:
        problems.append(f"{where}: decimals {decimals!r} is not a whole number from 0 to 3")
    row.update(target=target, tolerance=tolerance, decimals=decimals)
    return row if len(problems) == before else None


def _check_computed(rows: dict[str, dict], named: set[str], problems: list[str]) -> None:
    for code in COMPUTED:
        row = rows.get(code)
        if row is None and code in named:
            continue  # in the file, with its own problems already listed
        if row is None:
            problems.append(
                f"indicator {code}: missing; the portal computes it (portal/services/scorecard.py)"
            )
            continue
        wanted = {"source": "portal", "unit": "percent", "direction": "higher"}
        for field, value in wanted.items():
            if row[field] != value:
                problems.append(f"indicator {code}: {field} must be {value!r}, the portal computes it")
        if row["levels"] != ",".join(COMPUTED_LEVELS):
            problems.append(f"indicator {code}: levels must be {', '.join(COMPUTED_LEVELS)}")
    for code, row in rows.items():
        if row["source"] == "portal" and code not in COMPUTED:
            problems.append(f"indicator {code}: source 'portal', but the portal does not compute it")


def read_catalogue(path: Path) -> tuple[list[dict], list[dict]]:
    """(points, indicators) as table rows, in file order; refused whole on any problem."""
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ImportFailed(path, [f"not a readable TOML file ({error})"]) from None
    problems = [
        f"unknown table {key!r} (expected [[point]] and [[indicator]])"
        for key in data
        if key not in ("point", "indicator")
    ]
    tables = {name: data.get(name, []) for name in ("point", "indicator")}
    for name, items in tables.items():
        if not isinstance(items, list):
            problems.append(f"{name} must be an array of tables, written [[{name}]]")
            tables[name] = []
    points: dict[int, dict] = {}
    for index, table in enumerate(tables["point"], start=1):
        row = _check_point(table, index, problems)
        if row and row["number"] in points:
            problems.append(f"point {row['number']}: appears more than once")
        elif row:
            points[row["number"]] = row
    missing = [str(n) for n in POINTS if n not in points]
    for number in missing:
        problems.append(f"point {number}: no [[point]] table (every point from 1 to 10 is needed)")
    indicators: dict[str, dict] = {}
    named: set[str] = set()  # codes in the file, valid or not
    for index, table in enumerate(tables["indicator"], start=1):
        row = _check_indicator(table, index, set(points), problems)
        code = row["code"] if row else (table.get("code") if isinstance(table, dict) else None)
        if isinstance(code, str):
            named.add(code.strip())
        if code in indicators:
            problems.append(f"indicator {code}: appears more than once")
        elif row:
            row["position"] = index
            indicators[code] = row
    _check_computed(indicators, named, problems)
    uncovered = [
        str(n) for n in POINTS if n in points and all(r["pledge_point"] != n for r in indicators.values())
    ]
    if not problems:
        problems += [f"point {number}: no indicator (every point needs at least one)" for number in uncovered]
    if problems:
        raise ImportFailed(path, problems)
    return [points[n] for n in POINTS], list(indicators.values())


def _removal_problems(session: Session, keep: set[str]) -> tuple[list[str], list[str]]:
    """(codes to delete, problems) for stored indicators that are no longer in the file."""
    gone = sorted(set(session.scalars(select(Indicator.code))) - keep)
    problems = []
    for code in gone:
        measures = session.scalar(select(func.count()).where(Measure.indicator_code == code))
        explanations = session.scalar(select(func.count()).where(Explanation.indicator_code == code))
        if measures or explanations:
            problems.append(
                f"indicator {code}: no longer in the file, but {measures} measure(s) and {explanations} "
                "explanation(s) refer to it; keep it in the file, or delete those first"
            )
    return gone, problems


def import_indicators(session: Session, path: Path, dry_run: bool = False) -> ImportReport:
    path = Path(path)
    points, indicators = read_catalogue(path)
    gone, problems = _removal_problems(session, {row["code"] for row in indicators})
    if problems:
        raise ImportFailed(path, problems)
    report = ImportReport(dataset=DATASET, source=str(path), dry_run=dry_run)
    report.rows_read = report.rows_stored = len(points) + len(indicators)
    targeted = sum(1 for row in indicators if row["target"] is not None)
    report.notes.append(
        f"Pledge points: {len(points)}; indicators: {len(indicators)} ({targeted} with a target)"
    )
    report.notes.append(
        f"indicators removed (no longer in the file): {len(gone)}" + (f": {', '.join(gone)}" if gone else "")
    )
    if dry_run:
        return report
    upsert(session, PledgePoint.__table__, points, key=["number"])
    upsert(session, Indicator.__table__, indicators, key=["code"])
    if gone:
        session.execute(delete(Indicator).where(Indicator.code.in_(gone)))
    record_load(session, DATASET, path, report)
    return report


# -- measures --------------------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class MeasureRows:
    """Checks published figures row by row and collects the rows to store, or the problems ("line N: …").
    Used by `import-measures` and by the survey importer, so every figure passes the same rules.

    `areas` names area codes known ahead of the database (survey neighbourhoods created by the same import).
    """

    def __init__(
        self,
        session: Session,
        source_file: str,
        *,
        source: str | None = None,
        areas: Mapping[str, str] | None = None,
        today: date | None = None,
    ):
        self.session = session
        self.source_file = source_file
        self.default_source = (source or "").strip() or None
        self.today = today or date.today()
        self.levels: dict[str, str | None] = dict(areas or {})
        self.indicators = {i.code: i for i in session.scalars(select(Indicator))}
        self.seen: dict[tuple[str, str, date], int] = {}
        self.rows: list[dict] = []
        self.problems: list[str] = []

    def _level(self, code: str) -> str | None:
        if code not in self.levels:
            self.levels[code] = area_level(self.session, code)
        return self.levels[code]

    def check(self, line: int, fields: Mapping[str, str | None]) -> bool:
        """Check one row (a mapping of column name to cell text); True when it was taken."""
        cell = {k: (v or "").strip() for k, v in fields.items()}
        problems: list[str] = []
        indicator, level, month = self._where(line, cell, problems)
        value, numerator, denominator = self._figures(cell, indicator, problems)
        source = cell.get("source") or self.default_source
        if not source:
            problems.append("no source (add a source column, or give one for the whole file)")
        elif len(source) > MAX_SOURCE:
            problems.append(f"source is {len(source)} characters, at most {MAX_SOURCE}")
        period = cell.get("period") or None
        if period and len(period) > MAX_PERIOD:
            problems.append(f"period is {len(period)} characters, at most {MAX_PERIOD}")
        if problems:
            self.problems += [f"line {line}: {p}" for p in problems]
            return False
        self.rows.append(
            {
                "indicator_code": indicator.code,
                "area_code": cell["area"],
                "month": month,
                "level": level,
                "period": period,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "note": cell.get("note") or None,
                "source": source,
                "source_file": self.source_file,
            }
        )
        return True

    def _where(
        self, line: int, cell: Mapping[str, str], problems: list[str]
    ) -> tuple[Indicator | None, str | None, date | None]:
        """The indicator, the area's level and the month, each None when wrong; a repeat is a problem."""
        code, area = cell.get("indicator", ""), cell.get("area", "")
        indicator = self.indicators.get(code)
        if not code:
            problems.append("no indicator")
        elif indicator is None:
            problems.append(f"unknown indicator {code!r}")
        level = self._level(area) if area else None
        if not area:
            problems.append("no area")
        elif level is None:
            problems.append(f"unknown area {area!r} (not a force, borough, team or survey neighbourhood)")
        elif indicator is not None and level not in indicator.level_list:
            problems.append(f"{code} is not measured for a {level} (only: {indicator.levels})")
        month = parse_month(cell.get("month"))
        if month is None:
            problems.append(f"month {cell.get('month', '')!r} is not a month (write YYYY-MM, like 2009-06)")
        elif month > date(self.today.year, self.today.month, 1):
            problems.append(f"month {month:%Y-%m} is in the future")
        if code and area and month is not None:
            first = self.seen.setdefault((code, area, month), line)
            if first != line:
                problems.append(f"{code} for {area} in {month:%Y-%m} is already on line {first}")
        return indicator, level, month

    def _figures(
        self, cell: Mapping[str, str], indicator: Indicator | None, problems: list[str]
    ) -> tuple[float | None, float | None, float | None]:
        """The value, numerator and denominator; a percentage must agree with its parts."""
        percent = indicator is not None and indicator.unit == "percent"
        value = _number(cell.get("value", ""))
        if value is None:
            problems.append(f"value {cell.get('value', '')!r} is not a number")
        elif percent and not 0 <= value <= 100:
            problems.append(f"value {value:g} is a percentage outside 0–100")
        elif value < 0:
            problems.append(f"value {value:g} is negative")
        parts: list[float | None] = []
        for name in ("numerator", "denominator"):
            text = cell.get(name, "")
            number = _number(text) if text else None
            if text and number is None:
                problems.append(f"{name} {text!r} is not a number")
            elif number is not None and number < 0:
                problems.append(f"{name} {number:g} is negative")
                number = None
            parts.append(number)
        numerator, denominator = parts
        if bool(cell.get("numerator")) != bool(cell.get("denominator")):
            problems.append("give both numerator and denominator, or neither")
        elif numerator is None or denominator is None or not percent:
            pass
        elif denominator == 0:
            problems.append("denominator is 0: nothing was counted, so leave the row out")
        elif numerator > denominator:
            problems.append(f"numerator {numerator:g} is more than denominator {denominator:g}")
        elif value is not None and abs(value - 100 * numerator / denominator) > PERCENT_SLACK:
            problems.append(
                f"value {value:g} disagrees with 100 × numerator ÷ denominator = "
                f"{100 * numerator / denominator:.2f} (by more than {PERCENT_SLACK})"
            )
        return value, numerator, denominator


def read_measures(
    session: Session, path: Path, *, source: str | None = None, today: date | None = None
) -> tuple[list[dict], ImportReport]:
    """Every row of a measures file, checked; refused whole on any problem."""
    path = Path(path)
    report = ImportReport(dataset=MEASURES_DATASET, source=str(path))
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle, strict=True))
    except (UnicodeDecodeError, csv.Error, OSError) as error:
        raise ImportFailed(path, [f"not a readable CSV file ({error})"]) from None
    expected = ", ".join(COLUMNS) + " (and optionally " + ", ".join(OPTIONAL_COLUMNS) + ")"
    if not lines or not any(c.strip() for c in lines[0]):
        raise ImportFailed(path, [f"line 1: the file is empty (expected a header: {expected})"])
    header = [h.strip().lower() for h in lines[0]]
    problems = [
        f"line 1: the header has no column {c!r} (expected {expected})" for c in COLUMNS if c not in header
    ]
    problems += [
        f"line 1: unknown column {h!r} (expected {expected})"
        for h in header
        if h not in (*COLUMNS, *OPTIONAL_COLUMNS)
    ]
    problems += [
        f"line 1: column {h!r} appears more than once" for h in sorted(set(header)) if header.count(h) > 1
    ]
    if problems:
        raise ImportFailed(path, problems)
    checker = MeasureRows(session, path.name, source=source, today=today)
    for number, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        report.rows_read += 1
        if len(cells) != len(header):
            checker.problems.append(f"line {number}: {len(cells)} fields, expected {len(header)}")
            continue
        checker.check(number, dict(zip(header, cells, strict=True)))
    if not report.rows_read:
        checker.problems.append("line 2: no figures after the header")
    if checker.problems:
        raise ImportFailed(path, checker.problems)
    report.rows_stored = len(checker.rows)
    return checker.rows, report


def store_measures(session: Session, rows: Sequence[dict]) -> None:
    """Upsert checked rows on (indicator, area, month)."""
    now = utcnow()
    upsert(
        session,
        Measure.__table__,
        [{**row, "imported_at": now} for row in rows],
        key=["indicator_code", "area_code", "month"],
    )


def files_fingerprint(paths: Iterable[Path]) -> str:
    """One file: its SHA-256 (as `record_load` stores); several: a SHA-256 over their names and hashes."""
    paths = list(paths)
    if len(paths) == 1:
        return sha256_of(paths[0])
    listing = "\n".join(f"{p.name} {sha256_of(p)}" for p in paths)
    return hashlib.sha256(listing.encode()).hexdigest()


def record_files_load(session: Session, dataset: str, paths: Sequence[Path], report: ImportReport) -> None:
    """`record_load` for a data set read from several files, fingerprinted together."""
    session.add(
        DataLoad(
            dataset=dataset,
            source=", ".join(p.name for p in paths)[:300],
            sha256=files_fingerprint(paths),
            rows_read=report.rows_read,
            rows_stored=report.rows_stored,
            rows_rejected=report.rows_rejected,
        )
    )
    session.flush()


def import_measures(
    session: Session, path: Path, *, source: str | None = None, dry_run: bool = False
) -> ImportReport:
    path = Path(path)
    rows, report = read_measures(session, path, source=source)
    report.dry_run = dry_run
    indicators, areas = {r["indicator_code"] for r in rows}, {r["area_code"] for r in rows}
    report.notes.append(f"indicators: {len(indicators)}; areas: {len(areas)}")
    if dry_run:
        return report
    store_measures(session, rows)
    record_load(session, MEASURES_DATASET, path, report)
    return report


def import_measure_files(
    session: Session, paths: Sequence[Path], *, dataset: str = BUNDLED_MEASURES_DATASET, dry_run: bool = False
) -> ImportReport:
    """Several measures files as one data set (the shipped figures): every file is checked before any is
    stored; a figure in two files takes the later file's value."""
    paths = [Path(p) for p in paths]
    report = ImportReport(dataset=dataset, source=", ".join(str(p) for p in paths), dry_run=dry_run)
    checked = []
    for path in paths:
        rows, one = read_measures(session, path)
        checked.append(rows)
        report.rows_read += one.rows_read
        report.rows_stored += one.rows_stored
    report.notes.append(f"files: {len(paths)}")
    if dry_run:
        return report
    for rows in checked:
        store_measures(session, rows)
    record_files_load(session, dataset, paths, report)
    return report
