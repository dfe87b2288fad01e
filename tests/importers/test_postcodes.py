import pytest
from sqlalchemy import func, select

from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.postcodes import import_postcodes
from portal.models import DataLoad, Postcode
from tests.factories import POSTCODE_HEADER, POSTCODES, postcode_row, wards_file, write_postcodes


@pytest.fixture
def db(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)
    return empty_db


def run(db, path, **kwargs):
    with db.sessions.begin() as session:
        return import_postcodes(session, path, **kwargs)


def stored(db):
    with db.sessions() as session:
        return {p.postcode: p for p in session.scalars(select(Postcode))}


def test_each_postcode_gets_the_ward_that_contains_it(db, tmp_path):
    report = run(db, write_postcodes(tmp_path / "pc.csv.gz", gz=True))
    rows = stored(db)
    assert rows["WC2N 5DN"].ward_code == "E05900001" and rows["WC2N 5DN"].ward_distance_m == 0
    assert rows["WC2N 5DU"].ward_code == "E05900002"
    assert rows["EC4M 7AA"].ward_code == "E05900003"
    assert rows["WC2N 5DN"].legacy_ward_code == "E05000644"  # the 2014 code is kept, not trusted
    assert rows["WC2N 5DN"].outcode == "WC2N"
    assert (report.rows_read, report.rows_stored, report.rows_rejected) == (5, 5, 0)


def test_just_outside_takes_the_nearest_ward_within_a_kilometre(db, tmp_path):
    report = run(db, write_postcodes(tmp_path / "pc.csv"))
    near, far = stored(db)["SE1 7PB"], stored(db)["SE11 4AA"]
    assert near.ward_code == "E05900001" and 50 < near.ward_distance_m < 200
    assert far.ward_code is None and far.ward_distance_m is None
    text = report.summary()
    assert "inside a 2024 ward: 3" in text
    assert "nearest ward within 1 km taken: 1" in text
    assert "no ward within 1 km (stored without a ward): 1" in text


def test_reimport_is_idempotent(db, tmp_path):
    path = write_postcodes(tmp_path / "pc.csv")
    run(db, path)
    run(db, path)
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Postcode)) == len(POSTCODES)


def test_reimport_updates_a_moved_postcode(db, tmp_path):
    run(db, write_postcodes(tmp_path / "a.csv"))
    run(db, write_postcodes(tmp_path / "b.csv", rows=[postcode_row("WC2N 5DN", 51.505, -0.115)]))
    rows = stored(db)
    assert rows["WC2N 5DN"].ward_code == "E05900002" and len(rows) == len(POSTCODES)


def test_postcodes_are_stored_in_normal_form(db, tmp_path):
    run(db, write_postcodes(tmp_path / "pc.csv", rows=[postcode_row("wc2n5dn", 51.505, -0.125)]))
    assert list(stored(db)) == ["WC2N 5DN"]


def test_rows_with_no_position_are_rejected_with_a_reason(db, tmp_path):
    rows = [*POSTCODES, postcode_row("WC2N 9ZZ", 0, 0, pqi="90")]
    report = run(db, write_postcodes(tmp_path / "pc.csv", rows=rows))
    assert report.rows_rejected == 1 and "1 with no position" in report.summary()
    assert "WC2N 9ZZ" not in stored(db)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [*POSTCODES[:2], postcode_row("NOT A PC", 51.5, -0.1)],
            "line 4: 'NOT A PC' is not a full UK postcode",
        ),
        ([postcode_row("WC2N 5DN", "north", -0.1)], "line 2: latitude 'north' is not a number"),
        (
            [[*postcode_row("WC2N 5DN", 51.5, -0.1)[:2], "5.5e", *postcode_row("WC2N 5DN", 51.5, -0.1)[3:]]],
            "line 2: easting '5.5e' is not a number",
        ),
        (
            [postcode_row("WC2N 5DN", 40.0, -0.1)],
            "line 2: latitude/longitude 40.0, -0.1 is not in the United Kingdom",
        ),
        ([POSTCODES[0], POSTCODES[1], POSTCODES[0]], "line 4: WC2N 5DN appears more than once"),
    ],
)
def test_malformed_rows_refuse_the_whole_file(db, tmp_path, rows, expected):
    run(db, write_postcodes(tmp_path / "good.csv", rows=POSTCODES[:1]))
    path = write_postcodes(tmp_path / "bad.csv", rows=rows)
    with pytest.raises(ImportFailed) as refused:
        run(db, path)
    assert str(path) in str(refused.value) and expected in str(refused.value)
    assert list(stored(db)) == ["WC2N 5DN"]  # what was there before is untouched, nothing half-imported
    assert stored(db)["WC2N 5DN"].latitude == 51.505


def test_wrong_header_is_refused_on_line_one(db, tmp_path):
    header = [h if h != "latitude" else "lat" for h in POSTCODE_HEADER]
    with pytest.raises(ImportFailed, match="line 1: the header has no column latitude"):
        run(db, write_postcodes(tmp_path / "pc.csv", header=header))


def test_binary_file_is_refused(db, tmp_path):
    path = tmp_path / "pc.csv"
    path.write_bytes(b"\xff\xfe\x00\x01" * 100)
    with pytest.raises(ImportFailed, match=r"pc\.csv: refused"):
        run(db, path)


def test_no_wards_loaded_is_refused(empty_db, tmp_path):
    with pytest.raises(ImportFailed, match="no 2024 wards are loaded: run import-boundaries first"):
        run(empty_db, write_postcodes(tmp_path / "pc.csv"))


def test_dry_run_stores_nothing(db, tmp_path):
    report = run(db, write_postcodes(tmp_path / "pc.csv"), dry_run=True)
    assert report.rows_stored == len(POSTCODES) and stored(db) == {}
    with db.sessions() as session:
        assert (
            session.scalar(select(func.count()).select_from(DataLoad).where(DataLoad.dataset == "postcodes"))
            == 0
        )
