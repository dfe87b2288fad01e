from datetime import date

import pytest
import shapely
from sqlalchemy import func, select

from portal import paths
from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.crime import import_crimes, import_ward_crime_counts
from portal.models import CrimeImport, DataLoad, StreetCrime, Ward, WardCrimeCount
from tests.factories import (
    COUNT_HEADER,
    STREET_CRIMES,
    STREET_HEADER,
    count_row,
    street_row,
    wards_file,
    write_street_crimes,
    write_ward_counts,
)

REAL_MONTH = paths.CONTENT / "crime" / "2023-01-metropolitan-street-barking-and-dagenham.csv"
REAL_COUNTS = paths.CONTENT / "crime" / "mps_ward_level_crime_2024-03_to_2025-12.csv"


@pytest.fixture
def db(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)
    return empty_db


def run(db, *paths, **kwargs):
    with db.sessions.begin() as session:
        return import_crimes(session, list(paths), **kwargs)


def crimes(db):
    with db.sessions() as session:
        return list(session.scalars(select(StreetCrime).order_by(StreetCrime.id)))


def imports(db):
    with db.sessions() as session:
        return {(i.month, i.falls_within): i for i in session.scalars(select(CrimeImport))}


def count(db, model):
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


# -- street-level ------------------------------------------------------------------------------------


def test_each_row_gets_the_met_ward_containing_its_point(db, tmp_path):
    report = run(db, write_street_crimes(tmp_path / "2023-01.csv"))
    rows = crimes(db)
    assert [r.ward_code for r in rows] == ["E05900001", "E05900002", "E05900002", None, None, None]
    assert rows[0].category == "burglary" and rows[0].crime_type == "Burglary"
    assert rows[0].month == date(2023, 1, 1) and rows[0].lsoa_code == "E01004736"
    assert rows[1].crime_id is None and rows[1].category == "anti-social-behaviour"
    assert rows[5].longitude is None and rows[5].latitude is None and rows[5].location == "No location"
    assert (report.rows_read, report.rows_stored, report.rows_rejected) == (7, 6, 1)
    assert "1 from another force (skipped)" in report.summary()
    done = imports(db)[(date(2023, 1, 1), "Metropolitan Police Service")]
    assert (done.rows, done.stored, done.no_location, done.out_of_area, done.other_force) == (7, 6, 1, 2, 1)
    assert done.source == "2023-01.csv"
    with db.sessions() as session:
        assert (
            session.scalar(select(DataLoad.dataset).where(DataLoad.source == "2023-01.csv")) == "street-crime"
        )


def test_a_point_on_a_shared_boundary_takes_the_lower_ward_code(db, tmp_path):
    run(db, write_street_crimes(tmp_path / "a.csv", rows=[street_row(-0.12, 51.505)]))
    assert crimes(db)[0].ward_code == "E05900001"


def test_reimport_replaces_the_month_without_duplicates(db, tmp_path):
    path = write_street_crimes(tmp_path / "2023-01.csv")
    run(db, path)
    run(db, path)
    rows = crimes(db)
    assert len(rows) == 6
    assert sum(1 for r in rows if r.category == "anti-social-behaviour") == 2  # both ASB rows, once each
    assert len(imports(db)) == 1


def test_the_same_file_twice_in_one_import_is_read_once(db, tmp_path):
    path = write_street_crimes(tmp_path / "2023-01.csv")
    report = run(db, path, path)
    assert len(crimes(db)) == 6 and "read once" in report.summary()


def test_a_new_month_is_added_and_a_reimported_month_replaced(db, tmp_path):
    run(db, write_street_crimes(tmp_path / "jan.csv"))
    feb = [street_row(-0.125, 51.505, month="2023-02"), street_row(-0.115, 51.505, month="2023-02")]
    run(db, write_street_crimes(tmp_path / "feb.csv", rows=feb))
    assert count(db, StreetCrime) == 8
    run(db, write_street_crimes(tmp_path / "jan2.csv", rows=[street_row(-0.125, 51.505, "Drugs")]))
    rows = crimes(db)
    assert sorted((r.month.month, r.category) for r in rows) == [
        (1, "drugs"),
        (2, "burglary"),
        (2, "burglary"),
    ]
    assert imports(db)[(date(2023, 1, 1), "Metropolitan Police Service")].stored == 1


def test_a_file_with_several_months_replaces_each(db, tmp_path):
    rows = [street_row(-0.125, 51.505, month="2023-01"), street_row(-0.125, 51.505, month="2023-02")]
    run(db, write_street_crimes(tmp_path / "two.csv", rows=rows))
    run(db, write_street_crimes(tmp_path / "two.csv", rows=rows))
    assert count(db, StreetCrime) == 2 and len(imports(db)) == 2


def test_dry_run_stores_nothing(db, tmp_path):
    report = run(db, write_street_crimes(tmp_path / "a.csv"), dry_run=True)
    assert report.rows_stored == 6 and count(db, StreetCrime) == 0 and count(db, CrimeImport) == 0


def _bad(tmp_path, name, rows=STREET_CRIMES, header=STREET_HEADER, encoding="utf-8"):
    return write_street_crimes(tmp_path / name, rows=rows, header=header, encoding=encoding)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda p: _bad(p, "sas.csv", header=["Type", "Date", "Part of a policing operation", "Latitude"]),
            "line 1: this is a police.uk stop-and-search file (expected the police.uk street-level columns "
            "Crime ID, Month",
        ),
        (
            lambda p: _bad(p, "out.csv", header=[*STREET_HEADER[:9], "Outcome type"]),
            "line 1: this is a police.uk outcomes file",
        ),
        (lambda p: _bad(p, "cols.csv", header=STREET_HEADER[:-1]), "line 1: the header is"),
        (
            lambda p: _bad(p, "short.csv", rows=[*STREET_CRIMES, ["abc", "2023-01", "Metro"]]),
            "line 9: 3 fields",
        ),
        (
            lambda p: _bad(
                p,
                "latin1.csv",
                rows=[*STREET_CRIMES, street_row(-0.12, 51.5, Location="Caf\xe9")],
                encoding="latin-1",
            ),
            "line 9: not UTF-8 text",
        ),
        (
            lambda p: _bad(p, "month.csv", rows=[street_row(-0.12, 51.5, month="2023-13")]),
            "line 2: Month '2023-13'",
        ),
        (
            lambda p: _bad(p, "month2.csv", rows=[street_row(-0.12, 51.5, month="01/2023")]),
            "line 2: Month '01/2023'",
        ),
        (lambda p: _bad(p, "lng.csv", rows=[street_row("west", 51.5)]), "line 2: Longitude 'west' is not a"),
        (
            lambda p: _bad(p, "lat.csv", rows=[street_row(-0.12, None)]),
            "line 2: Latitude '' is not a latitude",
        ),
        (
            lambda p: _bad(p, "type.csv", rows=[*STREET_CRIMES, street_row(-0.12, 51.5, "Fraud")]),
            "line 9: Crime type 'Fraud' is not a police.uk crime type",
        ),
        (
            lambda p: _bad(p, "btp.csv", rows=[street_row(-0.12, 51.5, force="British Transport Police")]),
            "no row falls within the Metropolitan Police Service",
        ),
        (lambda p: _bad(p, "empty.csv", rows=[]), "no rows"),
        (lambda p: p / "missing.csv", "no such file"),
    ],
)
def test_a_bad_file_is_refused_whole_and_nothing_changes(db, tmp_path, make, expected):
    good = write_street_crimes(tmp_path / "good.csv")
    run(db, good)
    before = [(r.id, r.ward_code) for r in crimes(db)]
    bad = make(tmp_path)
    with pytest.raises(ImportFailed) as caught:
        run(
            db,
            write_street_crimes(tmp_path / "2023-02.csv", rows=[street_row(-0.12, 51.5, month="2023-02")]),
            bad,
        )
    assert str(bad) in str(caught.value) and expected in str(caught.value)
    assert [(r.id, r.ward_code) for r in crimes(db)] == before  # not deleted, nothing added
    assert set(imports(db)) == {(date(2023, 1, 1), "Metropolitan Police Service")}


def test_every_problem_line_is_named(db, tmp_path):
    rows = [street_row(-0.12, 51.5), street_row("x", 51.5), street_row(-0.12, 51.5, "Fraud")]
    with pytest.raises(ImportFailed) as caught:
        run(db, write_street_crimes(tmp_path / "a.csv", rows=rows))
    assert [p.split(":")[0] for p in caught.value.problems] == ["line 3", "line 4"]


def test_no_wards_loaded_is_refused(empty_db, tmp_path):
    with empty_db.sessions.begin() as session, pytest.raises(ImportFailed, match="run import-boundaries"):
        import_crimes(session, [write_street_crimes(tmp_path / "a.csv")])


def test_real_month_every_row_gets_the_ward_whose_polygon_holds_it(empty_db):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, paths.GEODATA / "london_wards_2024_wgs84.geojson", generation=2024)
    report = run(empty_db, REAL_MONTH)
    assert report.rows_read == report.rows_stored == 2002
    with empty_db.sessions() as session:
        wards = {
            code: (borough, shapely.from_wkb(wkb))
            for code, borough, wkb in session.execute(
                select(Ward.code, Ward.borough_code, Ward.geometry).where(Ward.generation == 2024)
            )
        }
    rows = crimes(empty_db)
    in_barking = 0
    for row in rows:
        point = shapely.Point(row.longitude, row.latitude)
        holding = sorted(c for c, (_, g) in wards.items() if g.intersects(point))
        assert row.ward_code == (holding[0] if holding else None)
        in_barking += wards[row.ward_code][0] == "E09000002" if row.ward_code else 0
    assert in_barking > 1900  # the file is the borough's LSOAs; a few points lie in the neighbours' wards
    done = imports(empty_db)[(date(2023, 1, 1), "Metropolitan Police Service")]
    assert (done.rows, done.stored, done.no_location, done.out_of_area, done.other_force) == (
        2002,
        2002,
        0,
        0,
        0,
    )
    assert sum(1 for r in rows if r.crime_id is None) == 306  # ASB rows, kept once each
    run(empty_db, REAL_MONTH)
    assert count(empty_db, StreetCrime) == 2002


# -- ward crime counts -------------------------------------------------------------------------------


def run_counts(db, path, **kwargs):
    with db.sessions.begin() as session:
        return import_ward_crime_counts(session, path, **kwargs)


def counts(db):
    with db.sessions() as session:
        return {
            (c.ward_code, c.month.strftime("%Y%m"), c.major, c.minor): c.count
            for c in session.scalars(select(WardCrimeCount))
        }


def test_ward_counts_are_stored_per_month_without_zeros(db, tmp_path):
    rows = [count_row(counts=(3, 0)), count_row("E05900002", "ROBBERY", "PERSONAL PROPERTY", (0, 5))]
    report = run_counts(db, write_ward_counts(tmp_path / "c.csv", rows))
    assert counts(db) == {
        ("E05900001", "202401", "BURGLARY", "DOMESTIC BURGLARY"): 3,
        ("E05900002", "202402", "ROBBERY", "PERSONAL PROPERTY"): 5,
    }
    assert report.rows_read == 2 and report.rows_stored == 2 and "crimes: 8" in report.summary()


def test_new_months_extend_and_the_same_months_replace(db, tmp_path):
    run_counts(db, write_ward_counts(tmp_path / "a.csv", [count_row(counts=(1, 2))]))
    run_counts(
        db, write_ward_counts(tmp_path / "b.csv", [count_row(counts=(7, 4))], months=("202402", "202403"))
    )
    assert counts(db) == {
        ("E05900001", "202401", "BURGLARY", "DOMESTIC BURGLARY"): 1,
        ("E05900001", "202402", "BURGLARY", "DOMESTIC BURGLARY"): 7,
        ("E05900001", "202403", "BURGLARY", "DOMESTIC BURGLARY"): 4,
    }
    run_counts(
        db, write_ward_counts(tmp_path / "b.csv", [count_row(counts=(7, 4))], months=("202402", "202403"))
    )
    assert sum(counts(db).values()) == 12


def test_unknown_wards_are_stored_and_reported(db, tmp_path):
    report = run_counts(db, write_ward_counts(tmp_path / "a.csv", [count_row("E05999999", counts=(2, 2))]))
    assert sum(counts(db).values()) == 4
    assert "ward codes not among the current Met wards (stored, shown on no team page): 1" in report.summary()


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([count_row()], ["Major", "Minor", "Ward", "Code", "Borough", "202401"], "line 1: the header starts"),
        ([count_row()], [*COUNT_HEADER, "2024-01", "202402"], "line 1: '2024-01' is not a month column"),
        ([count_row()], [*COUNT_HEADER, "202413", "202402"], "line 1: '202413' is not a month column"),
        ([count_row(), count_row(counts=(1, -2))], None, "line 3: 202402 count '-2' is not a whole number"),
        ([count_row(counts=(1, "1.5"))], None, "line 2: 202402 count '1.5'"),
        ([count_row(ward="00ABFX")], None, "line 2: WardCode '00ABFX' is not a ward code"),
        (
            [count_row(), count_row()],
            None,
            "line 3: E05900001 BURGLARY / DOMESTIC BURGLARY appears more than once",
        ),
        ([count_row(), count_row()[:6]], None, "line 3: 6 fields, expected the header's 7 (truncated?)"),
        ([count_row(major="")], None, "line 2: MajorText is empty"),
    ],
)
def test_a_bad_count_file_is_refused_whole(db, tmp_path, rows, header, expected):
    run_counts(db, write_ward_counts(tmp_path / "good.csv", [count_row(counts=(1, 1))]))
    bad = write_ward_counts(tmp_path / "bad.csv", rows, header=header)
    with pytest.raises(ImportFailed) as caught:
        run_counts(db, bad)
    assert str(bad) in str(caught.value) and expected in str(caught.value)
    assert sum(counts(db).values()) == 2


def test_real_ward_counts_total_the_file(db):
    import pandas as pd

    frame = pd.read_csv(REAL_COUNTS, dtype={"WardCode": str})
    months = [c for c in frame.columns if c.isdigit()]
    report = run_counts(db, REAL_COUNTS)
    with db.sessions() as session:
        total = session.scalar(select(func.sum(WardCrimeCount.count)))
        per_month = dict(
            session.execute(
                select(WardCrimeCount.month, func.sum(WardCrimeCount.count)).group_by(WardCrimeCount.month)
            ).all()
        )
    assert total == int(frame[months].to_numpy().sum())
    assert {m.strftime("%Y%m"): int(v) for m, v in per_month.items()} == {
        m: int(frame[m].sum()) for m in months
    }
    assert report.rows_read == len(frame) and report.rows_stored == count(db, WardCrimeCount)
