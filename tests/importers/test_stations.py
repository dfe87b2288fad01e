import csv

import pytest
from sqlalchemy import func, select

from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.postcodes import import_postcodes
from portal.importers.stations import COLUMNS, display_name, import_stations
from portal.models import Borough, DataLoad, Station
from tests.factories import wards_file, write_postcodes

ALPHA = ["CHARING CROSS POLICE STATION", "WESTMINSTER", "-0.125", "51.505", "keep", "24HR", "24HR"]
BRAVO = ["BRAVO POLICE OFFICE", "WESTMINSTER", "-0.1151", "51.5052", "cut", "DAY TIME", "CLOSED"]
OUTSIDE = [
    "ST JOHN'S WOOD POLICE STATION **",
    "WESTMINSTER",
    "-0.1225",
    "51.4995",
    "keep",
    "DAY TIME",
    "24HR",
]
FAR = ["NORTH BRAVO POLICE OFFICE", "WESTMINSTER", "-0.1175", "51.5085", "keep", "VOLUNTEER", "DAY TIME"]
STATIONS = [ALPHA, BRAVO, OUTSIDE, FAR]


def write_stations(path, rows=STATIONS, header=COLUMNS):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def db(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)
        import_postcodes(session, write_postcodes(tmp_path / "pc.csv"))
    return empty_db


def run(db, path, **kwargs):
    with db.sessions.begin() as session:
        return import_stations(session, path, **kwargs)


def stored(db):
    with db.sessions() as session:
        return {s.name: s for s in session.scalars(select(Station))}


def test_each_station_gets_the_borough_of_the_ward_that_contains_it(db, tmp_path):
    report = run(db, write_stations(tmp_path / "st.csv"))
    rows = stored(db)
    alpha = rows["Charing Cross Police Station"]
    assert alpha.borough_code == "E09000033" and alpha.local_authority == "WESTMINSTER"
    assert (alpha.latitude, alpha.longitude) == (51.505, -0.125)
    assert (alpha.opening_2013, alpha.status_2013, alpha.proposed_2013) == ("24HR", "keep", "24HR")
    assert rows["Bravo Police Office"].borough_code == "E09000033"
    # ~60 m outside every ward: the nearest ward within 1 km gives the borough
    assert rows["St John's Wood Police Station"].borough_code == "E09000033"
    assert (report.rows_read, report.rows_stored, report.rows_rejected) == (4, 4, 0)
    assert "nearest ward within 1 km taken: 1" in report.summary()


def test_each_station_gets_the_nearest_postcode_within_300_m(db, tmp_path):
    report = run(db, write_stations(tmp_path / "st.csv"))
    rows = stored(db)
    assert rows["Charing Cross Police Station"].postcode == "WC2N 5DN"  # same point
    assert rows["Bravo Police Office"].postcode == "WC2N 5DU"  # ~25 m
    assert rows["St John's Wood Police Station"].postcode == "SE1 7PB"  # ~180 m
    assert rows["North Bravo Police Office"].postcode is None  # nearest is ~390 m away
    text = report.summary()
    assert "no postcode within 300 m: 1" in text
    assert "2013 proposal: keep 3, cut 1" in text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("BARKING LEARNING ANNEX", "Barking Learning Annex"),
        ("MARKS GATE POLICE OFFICE", "Marks Gate Police Office"),
        (
            "ST JOHN'S WOOD POLICE STATION & FORMER SECTION HOUSE",
            "St John's Wood Police Station & Former Section House",
        ),
        ("HOLBORN POLICE STATION HQ OFFICES & ARO", "Holborn Police Station HQ Offices & ARO"),
        ("ISLE OF DOGS POLICE STATION", "Isle of Dogs Police Station"),
        ("HILLINGDON (UXBRIDGE) POLICE STATION", "Hillingdon (Uxbridge) Police Station"),
        ("EALING POLICE STATION **", "Ealing Police Station"),
    ],
)
def test_names_are_title_cased_for_display(raw, shown):
    assert display_name(raw) == shown


def test_reimport_is_idempotent_and_updates_by_name(db, tmp_path):
    run(db, write_stations(tmp_path / "a.csv"))
    first_id = stored(db)["Bravo Police Office"].id
    changed = [*BRAVO[:4], "keep", "24HR", "24HR"]
    run(db, write_stations(tmp_path / "b.csv", rows=[ALPHA, changed, OUTSIDE, FAR]))
    rows = stored(db)
    assert len(rows) == len(STATIONS)
    assert rows["Bravo Police Office"].status_2013 == "keep" and rows["Bravo Police Office"].id == first_id
    with db.sessions() as session:
        loads = session.scalars(select(DataLoad).where(DataLoad.dataset == "stations")).all()
    assert len(loads) == 2 and loads[-1].source == "b.csv" and len(loads[-1].sha256) == 64


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([ALPHA, [*BRAVO[:3], "north", *BRAVO[4:]]], "line 3: latitude 'north' is not a number"),
        (
            [ALPHA, [*BRAVO[:2], "-2.24", "53.48", *BRAVO[4:]]],
            "line 3: latitude/longitude 53.48, -2.24 is not in London",
        ),
        ([["", *ALPHA[1:]]], "line 2: the name is empty"),
        ([ALPHA, [*BRAVO[:4], "maybe", *BRAVO[5:]]], "line 3: status 'maybe' is not keep or cut"),
        (
            [ALPHA, BRAVO, ALPHA],
            "line 4: 'Charing Cross Police Station' appears more than once (first on line 2)",
        ),
    ],
)
def test_malformed_rows_refuse_the_whole_file(db, tmp_path, rows, expected):
    run(db, write_stations(tmp_path / "good.csv", rows=[FAR]))
    path = write_stations(tmp_path / "bad.csv", rows=rows)
    with pytest.raises(ImportFailed) as refused:
        run(db, path)
    assert str(path) in str(refused.value) and expected in str(refused.value)
    assert list(stored(db)) == ["North Bravo Police Office"]  # nothing half-imported
    with db.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(DataLoad).where(DataLoad.dataset == "stations"))
            == 1
        )


def test_wrong_header_is_refused_on_line_one(db, tmp_path):
    header = [h if h != "status" else "proposal" for h in COLUMNS]
    with pytest.raises(ImportFailed, match="line 1: the header has no column status"):
        run(db, write_stations(tmp_path / "st.csv", header=header))
    assert stored(db) == {}


def test_no_wards_loaded_is_refused(empty_db, tmp_path):
    with pytest.raises(ImportFailed, match="no 2024 wards are loaded: run import-boundaries first"):
        run(empty_db, write_stations(tmp_path / "st.csv"))


def test_no_postcodes_loaded_is_refused(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)
    with pytest.raises(ImportFailed, match="no postcodes are loaded: run import-postcodes first"):
        run(empty_db, write_stations(tmp_path / "st.csv"))
    assert stored(empty_db) == {}


def test_dry_run_stores_nothing(db, tmp_path):
    report = run(db, write_stations(tmp_path / "st.csv"), dry_run=True)
    assert report.dry_run and report.rows_stored == len(STATIONS) and stored(db) == {}
    with db.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(DataLoad).where(DataLoad.dataset == "stations"))
            == 0
        )


def test_real_stations_all_have_a_london_borough(loaded_db):
    with loaded_db.sessions() as session:
        stations = session.scalars(select(Station)).all()
        boroughs = set(session.scalars(select(Borough.code)))
    assert len(stations) == 137
    assert all(s.borough_code in boroughs and s.borough_code != "E09000001" for s in stations)
    assert len({s.borough_code for s in stations}) == 32  # every Met borough has a front counter
    marks_gate = next(s for s in stations if s.name == "Marks Gate Police Office")
    assert marks_gate.borough_code == "E09000002" and marks_gate.postcode.startswith("RM6 ")
