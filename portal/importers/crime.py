"""`import-crimes` (police.uk street-level files) and `import-ward-crime-counts` (London Datastore counts).

Street-level files are streamed: every file is first checked whole in a cheap pass (header, field count,
month, coordinates, crime type, field lengths), so a bad file is refused before anything is deleted; then
each file is read again in chunks of `CHUNK` rows, each chunk's points are placed in the current Met wards
(one STRtree over the full-precision polygons, built once per import) and the chunk is inserted. Memory
stays bounded whatever the file's size.

Decisions:

- The ward comes from the point, never from the LSOA code (2011 LSOAs do not nest in today's wards). A
  point on a boundary shared by two wards takes the ward with the lower code, so results repeat.
- Rows with no location (empty longitude and latitude) and rows outside every Met ward (the City of London's
  wards, outside London) are stored with no ward: the table stays a faithful copy of the published month,
  and `CrimeImport` counts both kinds.
- Rows whose "Falls within" is not the Metropolitan Police Service are skipped and counted (in the report
  and in that month's `CrimeImport.other_force`). A file with no Met row at all is refused: importing
  another force's file must not wipe a Met month.
- Re-importing a month replaces it: the month's Met rows are deleted, in the same transaction, before its
  first file is stored. A file may hold several months (police.uk files hold one); each is replaced. The
  files given to one import are added together, so two borough extracts of one month can be loaded in one
  call; the same file given twice is read once.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Date, delete, func, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from portal.importers.common import ImportFailed, ImportReport, record_load, sha256_of, upsert
from portal.models import CATEGORIES, CURRENT_GENERATION, CrimeImport, StreetCrime, Ward, WardCrimeCount
from portal.models.areas import MET
from portal.models.base import utcnow
from portal.models.crime import MET_FORCE_NAME

CHUNK = 20_000

STREET_COLUMNS = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]
# the other files police.uk publishes, recognised by their header so the refusal can say what the file is
OTHER_POLICE_UK = {
    "a police.uk stop-and-search file": ["Type", "Date", "Part of a policing operation"],
    "a police.uk outcomes file": ["Crime ID", "Month", "Reported by", "Falls within", "Longitude"],
}
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# longest value each column takes (the schema's String lengths), so PostgreSQL never refuses a row mid-import
MAX_LENGTH = {
    "Crime ID": 64,
    "Reported by": 80,
    "Falls within": 80,
    "Location": 200,
    "LSOA code": 9,
    "LSOA name": 100,
    "Last outcome category": 160,
}
AT = {name: i for i, name in enumerate(STREET_COLUMNS)}


@dataclass
class MonthCounts:
    rows: int = 0
    stored: int = 0
    no_location: int = 0
    out_of_area: int = 0
    other_force: int = 0
    sources: list[str] = field(default_factory=list)


@dataclass
class CheckedFile:
    path: Path
    rows: int
    months: set[date]  # the months holding at least one Met row: these are replaced


@functools.lru_cache(maxsize=4096)
def _month(text: str) -> date | None:
    match = MONTH.match(text)
    return date(int(match[1]), int(match[2]), 1) if match else None


def _coordinate(text: str, limit: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


def _first_undecodable_line(path: Path) -> int:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each non-blank data row; the header is checked here."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader, None)
        if header is None:
            raise ImportFailed(
                path, [f"line 1: the file is empty (expected the header {', '.join(STREET_COLUMNS)})"]
            )
        if header != STREET_COLUMNS:
            raise ImportFailed(path, [_header_problem(header)])
        for cells in reader:
            if cells:
                yield reader.line_num, cells


def _header_problem(header: list[str]) -> str:
    expected = f"expected the police.uk street-level columns {', '.join(STREET_COLUMNS)}"
    if header[:3] == OTHER_POLICE_UK["a police.uk stop-and-search file"]:
        return f"line 1: this is a police.uk stop-and-search file ({expected})"
    if "Outcome type" in header and header[:5] == OTHER_POLICE_UK["a police.uk outcomes file"]:
        return f"line 1: this is a police.uk outcomes file ({expected})"
    return f"line 1: the header is {', '.join(header)!r} ({expected})"


def _row_problems(cells: list[str], where: str) -> list[str]:
    """Everything wrong with one row (only called for a row the fast check in `check_street_file` failed)."""
    if len(cells) != len(STREET_COLUMNS):
        return [f"{where}: {len(cells)} fields, expected {len(STREET_COLUMNS)} (is the file truncated?)"]
    problems = []
    if _month(cells[1]) is None:
        problems.append(f"{where}: Month {cells[1]!r} is not a month written YYYY-MM")
    lng, lat = cells[4], cells[5]
    if lng or lat:
        if _coordinate(lng, 180) is None:
            problems.append(f"{where}: Longitude {lng!r} is not a longitude")
        if _coordinate(lat, 90) is None:
            problems.append(f"{where}: Latitude {lat!r} is not a latitude")
    if cells[9] not in CATEGORIES:
        problems.append(
            f"{where}: Crime type {cells[9]!r} is not a police.uk crime type "
            f"(expected one of {', '.join(CATEGORIES)})"
        )
    if not cells[3]:
        problems.append(f"{where}: Falls within is empty")
    for name, limit in MAX_LENGTH.items():
        if len(cells[AT[name]]) > limit:
            problems.append(f"{where}: {name} is {len(cells[AT[name]])} characters long (at most {limit})")
    return problems


def _coordinates_ok(lng: str, lat: str) -> bool:
    if not lng and not lat:
        return True
    try:
        x, y = float(lng), float(lat)
    except ValueError:
        return False
    return -180 <= x <= 180 and -90 <= y <= 90  # NaN fails both; infinities are out of range


def check_street_file(path: Path) -> CheckedFile:
    """The cheap first pass: refuse the whole file on any problem, before anything is stored or deleted.
    Each row gets a fast check; only a row that fails it is examined for what exactly is wrong."""
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    problems: list[str] = []
    months: set[date] = set()
    parsed: dict[str, date | None] = {}
    rows = met_rows = 0
    line = 1
    width = len(STREET_COLUMNS)
    try:
        for line, cells in _rows(path):
            rows += 1
            if len(cells) == width:
                text = cells[1]
                month = parsed[text] if text in parsed else parsed.setdefault(text, _month(text))
                force = cells[3]
                ok = (
                    month is not None
                    and cells[9] in CATEGORIES
                    and force
                    and len(cells[0]) <= 64
                    and len(cells[2]) <= 80
                    and len(force) <= 80
                    and len(cells[6]) <= 200
                    and len(cells[7]) <= 9
                    and len(cells[8]) <= 100
                    and len(cells[10]) <= 160
                    and _coordinates_ok(cells[4], cells[5])
                )
                if ok:
                    if force == MET_FORCE_NAME:
                        met_rows += 1
                        months.add(month)
                    continue
            problems += _row_problems(cells, f"line {line}")
    except UnicodeDecodeError:
        raise ImportFailed(
            path, [f"line {_first_undecodable_line(path)}: not UTF-8 text (police.uk files are UTF-8)"]
        ) from None
    except csv.Error as error:
        raise ImportFailed(path, [f"line {line + 1}: not a readable CSV row ({error})"]) from None
    if problems:
        raise ImportFailed(path, problems)
    if rows == 0:
        raise ImportFailed(path, ["the file has a header but no rows"])
    if met_rows == 0:
        raise ImportFailed(
            path, [f"no row falls within the {MET_FORCE_NAME} (expected the Met's street-level file)"]
        )
    return CheckedFile(path, rows, months)


def bulk_insert(session: Session, table, columns: dict[str, list]) -> int:
    """Insert rows given column by column, fast, in the session's transaction: PostgreSQL's COPY, SQLite's
    executemany with plain tuples. Dates go to SQLite as ISO text, the form SQLAlchemy's Date reads back."""
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        columns = dict(columns)
        for name, values in columns.items():
            if isinstance(table.c[name].type, Date):
                iso = {d: d.isoformat() for d in set(values) if d is not None}
                columns[name] = [iso.get(d) for d in values]
    rows = list(zip(*columns.values(), strict=True))
    if not rows:
        return 0
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 (names from the schema)
        connection.exec_driver_sql(statement, rows)
    return len(rows)


class MetWards:
    """The current Met wards' full-precision polygons in one STRtree, built once per import."""

    def __init__(self, session: Session):
        rows = session.execute(
            select(Ward.code, Ward.geometry)
            .where(Ward.generation == CURRENT_GENERATION, Ward.force_id == MET)
            .order_by(Ward.code)
        ).all()
        if not rows:
            raise ImportFailed(
                "street-crime", [f"no {CURRENT_GENERATION} wards are loaded: run import-boundaries first"]
            )
        self.codes = np.array([r[0] for r in rows], dtype=object)
        geometries = shapely.from_wkb([r[1] for r in rows])
        shapely.prepare(geometries)
        self.tree = shapely.STRtree(geometries)

    def place(self, lng: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The ward code for each point (None: no point, or in no Met ward); lowest code on a boundary."""
        codes = np.full(len(lng), None, dtype=object)
        located = np.flatnonzero(~np.isnan(lng))
        if located.size == 0:
            return codes
        points = shapely.points(lng[located], lat[located])
        found, ward = self.tree.query(points, predicate="intersects")
        order = np.lexsort((ward, found))  # by point, then lowest ward index (= lowest code)
        found, ward = found[order], ward[order]
        first = np.unique(found, return_index=True)[1]
        codes[located[found[first]]] = self.codes[ward[first]]
        return codes


def _chunks(path: Path) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for _line, cells in _rows(path):
        chunk.append(cells)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _store_chunk(
    session: Session | None, cells: list[list[str]], wards: MetWards, counts: dict[date, MonthCounts]
) -> int:
    met = [c for c in cells if c[3] == MET_FORCE_NAME]
    for c in cells:
        if c[3] != MET_FORCE_NAME:
            counts.setdefault(_month(c[1]), MonthCounts()).other_force += 1
    if not met:
        return 0
    lng = np.array([float(c[4]) if c[4] else np.nan for c in met])
    lat = np.array([float(c[5]) if c[5] else np.nan for c in met])
    codes = wards.place(lng, lat)
    months = [_month(c[1]) for c in met]
    located = ~np.isnan(lng)
    for month, has_point, ward in zip(months, located.tolist(), codes.tolist(), strict=True):
        tally = counts[month]
        tally.stored += 1
        if not has_point:
            tally.no_location += 1
        elif ward is None:
            tally.out_of_area += 1
    if session is None:
        return len(met)
    columns = list(zip(*met, strict=True))
    return bulk_insert(
        session,
        StreetCrime.__table__,
        {
            "month": months,
            "crime_id": [v or None for v in columns[0]],
            "reported_by": list(columns[2]),
            "falls_within": list(columns[3]),
            "longitude": [
                float(x) if ok else None for x, ok in zip(lng.tolist(), located.tolist(), strict=True)
            ],
            "latitude": [
                float(y) if ok else None for y, ok in zip(lat.tolist(), located.tolist(), strict=True)
            ],
            "location": [v or None for v in columns[6]],
            "lsoa_code": [v or None for v in columns[7]],
            "lsoa_name": [v or None for v in columns[8]],
            "category": [CATEGORIES[v] for v in columns[9]],
            "crime_type": list(columns[9]),
            "outcome": [v or None for v in columns[10]],
            "context": [v or None for v in columns[11]],
            "ward_code": codes.tolist(),
        },
    )


def import_crimes(session: Session, paths: list[Path], *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dataset="street-crime", source=", ".join(str(p) for p in paths), dry_run=dry_run)
    files: list[CheckedFile] = []
    seen: set[str] = set()
    for path in paths:
        digest = sha256_of(path) if path.exists() and len(paths) > 1 else str(path)
        if digest in seen:
            report.notes.append(f"{path}: the same file was given twice; read once")
            continue
        seen.add(digest)
        files.append(check_street_file(path))  # every file checked before anything is deleted
    wards = MetWards(session)
    counts: dict[date, MonthCounts] = {}
    replaced: set[date] = set()
    for checked in files:
        for month in sorted(checked.months - replaced):
            counts[month] = MonthCounts()
            if not dry_run:
                session.execute(
                    delete(StreetCrime).where(
                        StreetCrime.month == month, StreetCrime.falls_within == MET_FORCE_NAME
                    )
                )
            replaced.add(month)
        for month in checked.months:
            counts[month].sources.append(checked.path.name)
        with tqdm(total=checked.rows, desc=f"storing {checked.path.name}", unit="row", disable=None) as bar:
            for chunk in _chunks(checked.path):
                for c in chunk:
                    counts.setdefault(_month(c[1]), MonthCounts()).rows += 1
                report.rows_read += len(chunk)
                report.rows_stored += _store_chunk(None if dry_run else session, chunk, wards, counts)
                bar.update(len(chunk))
    for month, tally in sorted(counts.items()):
        if month not in replaced:
            report.rejected[f"from another force in {month:%Y-%m}, a month with no Met row (skipped)"] += (
                tally.other_force
            )
            continue
        if tally.other_force:
            report.rejected["from another force (skipped)"] += tally.other_force
        report.notes.append(
            f"{month:%Y-%m}: {tally.rows:,} rows, {tally.stored:,} stored, {tally.no_location:,} with no "
            f"location, {tally.out_of_area:,} outside every Met ward, {tally.other_force:,} other force"
        )
    total = Counter()
    for tally in counts.values():
        total.update(no_location=tally.no_location, out_of_area=tally.out_of_area)
    report.notes.append(
        f"stored with no ward: {total['no_location']:,} with no location, {total['out_of_area']:,} outside "
        "every Met ward (the City of London's wards, or outside London)"
    )
    if dry_run:
        return report
    upsert(
        session,
        CrimeImport.__table__,
        [
            {
                "month": month,
                "falls_within": MET_FORCE_NAME,
                "source": ", ".join(tally.sources)[:300],
                "rows": tally.rows,
                "stored": tally.stored,
                "no_location": tally.no_location,
                "out_of_area": tally.out_of_area,
                "other_force": tally.other_force,
                "imported_at": utcnow(),
            }
            for month, tally in sorted(counts.items())
            if month in replaced
        ],
        ["month", "falls_within"],
    )
    for checked in files:
        record_load(session, "street-crime", checked.path, report)
    return report


# -- London Datastore: MPS recorded crime by ward, one column per month ---------------------------------

COUNT_COLUMNS = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
MONTH_COLUMN = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
WARD_CODE = re.compile(r"^E05\d{6}$")
INSERT_BATCH = 50_000


def read_ward_crime_counts(path: Path) -> tuple[pd.DataFrame, list[date], ImportReport]:
    """The file as long rows (ward_code, month, major, minor, count), zero counts included; refused whole on
    any problem."""
    report = ImportReport(dataset="ward-crime-counts", source=str(path))
    if not path.exists():
        raise ImportFailed(path, ["no such file"])
    expected = f"expected {', '.join(COUNT_COLUMNS)}, then one column per month written YYYYMM"
    lines: list[int] = []
    cells: list[list[str]] = []
    problems: list[tuple[int, str]] = []
    number = 1
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader, None)
            if header is None:
                raise ImportFailed(path, [f"line 1: the file is empty ({expected})"])
            for row in reader:
                number = reader.line_num
                if not row:
                    continue
                if len(row) != len(header):
                    problems.append(
                        (
                            number,
                            f"{len(row)} fields, expected the header's {len(header)} (truncated?)",
                        )
                    )
                    continue
                lines.append(number)
                cells.append(row)
    except UnicodeDecodeError:
        raise ImportFailed(path, [f"line {_first_undecodable_line(path)}: not UTF-8 text"]) from None
    except csv.Error as error:
        raise ImportFailed(path, [f"line {number + 1}: not a readable CSV row ({error})"]) from None
    if len(set(header)) != len(header):
        raise ImportFailed(path, [f"line 1: a column appears twice ({expected})"])
    frame = pd.DataFrame(cells, columns=header, dtype=object)
    header = list(frame.columns)
    if header[: len(COUNT_COLUMNS)] != COUNT_COLUMNS:
        raise ImportFailed(path, [f"line 1: the header starts {', '.join(header[:5])!r} ({expected})"])
    month_columns = header[len(COUNT_COLUMNS) :]
    bad = [c for c in month_columns if not MONTH_COLUMN.match(c)]
    if bad or not month_columns:
        shown = ", ".join(repr(c) for c in bad[:5]) if bad else "no month column"
        raise ImportFailed(path, [f"line 1: {shown} is not a month column written YYYYMM ({expected})"])
    months = {c: date(int(c[:4]), int(c[4:]), 1) for c in month_columns}
    report.rows_read = len(frame) + len(problems)
    line = pd.Series(lines, index=frame.index, dtype="int64")
    for i in frame.index[~frame["WardCode"].str.match(WARD_CODE)]:
        problems.append(
            (line[i], f"WardCode {frame.at[i, 'WardCode']!r} is not a ward code (E05 and 6 digits)")
        )
    for column in ("MajorText", "MinorText"):
        for i in frame.index[frame[column].str.strip() == ""]:
            problems.append((line[i], f"{column} is empty"))
    for column, limit in (("MajorText", 80), ("MinorText", 120)):
        for i in frame.index[frame[column].str.len() > limit]:
            problems.append((line[i], f"{column} is longer than {limit} characters"))
    duplicated = frame.duplicated(["WardCode", "MajorText", "MinorText"], keep="first")
    for i in frame.index[duplicated]:
        problems.append(
            (
                line[i],
                f"{frame.at[i, 'WardCode']} {frame.at[i, 'MajorText']} / {frame.at[i, 'MinorText']} "
                "appears more than once",
            )
        )
    cells = frame[month_columns]
    not_count = ~cells.apply(lambda c: c.str.fullmatch(r"\d+"))
    if not_count.to_numpy().any():
        rows, cols = np.nonzero(not_count.to_numpy())
        for r, c in zip(rows, cols, strict=True):
            i = frame.index[r]
            value = cells.iat[r, c]
            problems.append(
                (line[i], f"{month_columns[c]} count {value!r} is not a whole number of crimes (0 or more)")
            )
    if problems:
        problems.sort()
        raise ImportFailed(path, [f"line {n}: {text}" for n, text in problems])
    long = frame.melt(
        id_vars=["WardCode", "MajorText", "MinorText"],
        value_vars=month_columns,
        var_name="month",
        value_name="count",
    )
    long = pd.DataFrame(
        {
            "ward_code": long["WardCode"],
            "month": long["month"].map(months),
            "major": long["MajorText"],
            "minor": long["MinorText"],
            "count": long["count"].astype("int64"),
        }
    )
    return long, sorted(months.values()), report


def import_ward_crime_counts(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Months in the file replace the same months stored; other months stay. Zero counts are not stored (a
    missing row is a zero), so totals are unchanged and a third of the cells are not written."""
    long, months, report = read_ward_crime_counts(path)
    report.dry_run = dry_run
    total = int(long["count"].sum())
    nonzero = long[long["count"] > 0]
    report.rows_stored = len(nonzero)
    current = set(
        session.scalars(select(Ward.code).where(Ward.generation == CURRENT_GENERATION, Ward.force_id == MET))
    )
    unknown = sorted(set(long["ward_code"]) - current)
    report.notes.append(
        f"months: {len(months)}, {months[0]:%Y-%m} to {months[-1]:%Y-%m} (these months replace any stored)"
    )
    report.notes.append(
        f"cells: {len(long):,}, zero (not stored): {len(long) - len(nonzero):,}; crimes: {total:,}"
    )
    if unknown:
        crimes = int(long.loc[long["ward_code"].isin(unknown), "count"].sum())
        report.notes.append(
            f"ward codes not among the current Met wards (stored, shown on no team page): {len(unknown)} "
            f"({', '.join(unknown[:5])}{'…' if len(unknown) > 5 else ''}), {crimes:,} crimes"
        )
    if dry_run:
        return report
    session.execute(delete(WardCrimeCount).where(WardCrimeCount.month.in_(months)))
    with tqdm(total=len(nonzero), desc="storing ward crime counts", unit="row", disable=None) as bar:
        for start in range(0, len(nonzero), INSERT_BATCH):
            batch = nonzero.iloc[start : start + INSERT_BATCH]
            stored = bulk_insert(
                session,
                WardCrimeCount.__table__,
                {c: batch[c].tolist() for c in ("ward_code", "month", "major", "minor", "count")},
            )
            bar.update(stored)
    stored = session.scalar(select(func.count()).select_from(WardCrimeCount))
    report.notes.append(f"ward crime count rows held now (all months): {stored:,}")
    record_load(session, "ward-crime-counts", path, report)
    return report
