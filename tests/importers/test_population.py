"""Ward population from the GLA profiles, carried to today's tiny wards by area share."""

import csv

import pytest
from sqlalchemy import select

from portal import paths
from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.population import import_population
from portal.models import DataLoad, WardPopulation
from tests.factories import WARDS, ward_feature, write_geojson

SPLIT = -0.13 + 0.01 / 0.6  # Old West spans Alpha (-0.13..-0.12) and 40% of its width in Bravo
LEGACY = [
    (
        "E05800001",
        "Old West",
        "E09000033",
        "Westminster",
        (-0.13, 51.50, SPLIT, 51.51),
    ),  # 60% Alpha, 40% Bravo
    ("E05800002", "Old East", "E09000033", "Westminster", (SPLIT, 51.50, -0.11, 51.51)),  # the rest of Bravo
]
HEADER = ["Ward name", "Old code", "New code", "Population - 2015", "Children aged 0-15 - 2015"]


def write_profiles(path, rows):
    with path.open("w", newline="", encoding="latin-1") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


PROFILES = [
    ["City of London", "00AA", "E09000001", "8100.0", "650.0"],
    ["Westminster - Old West", "00BKAA", "E05800001", "1000.0", "100.0"],
    ["Westminster - Old East", "00BKAB", "E05800002", "500.0", "50.0"],
    ["Westminster - Gone", "00BKAC", "E05800009", "700.0", "70.0"],  # not a legacy ward: not placed
    ["Westminster", "00BK", "E09000033", "9999.0", "1.0"],
]


@pytest.fixture
def db(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(
            session,
            write_geojson(tmp_path / "now.geojson", [ward_feature(*w) for w in WARDS]),
            generation=2024,
        )
        import_boundaries(
            session,
            write_geojson(tmp_path / "old.geojson", [ward_feature(*w) for w in LEGACY]),
            generation=2018,
        )
    return empty_db


def run(db, path, **kwargs):
    with db.sessions.begin() as session:
        return import_population(session, path, **kwargs)


def populations(db):
    with db.sessions() as session:
        return {p.ward_code: p for p in session.scalars(select(WardPopulation))}


def test_an_old_ward_split_60_40_gives_60_40_of_its_population(db, tmp_path):
    report = run(db, write_profiles(tmp_path / "p.csv", PROFILES))
    got = populations(db)
    assert set(got) == {"E05900001", "E05900002"}
    assert got["E05900001"].population == pytest.approx(600, abs=2)
    assert got["E05900002"].population == pytest.approx(400 + 500, abs=2)
    assert got["E05900001"].year == 2015 and "area" in got["E05900001"].method
    text = report.summary()
    assert "not among the 2018 wards (not placed): 1" in text
    assert "current Met wards given a population: 2 of 2" in text
    with db.sessions() as session:
        assert session.scalar(select(DataLoad.dataset).where(DataLoad.source == "p.csv")) == "ward-population"


def test_a_ward_mostly_outside_the_matched_old_wards_gets_none(db, tmp_path):
    run(db, write_profiles(tmp_path / "p.csv", PROFILES[:2]))  # Old East missing: Bravo only 40% covered
    assert set(populations(db)) == {"E05900001"}


def test_reimport_replaces(db, tmp_path):
    run(db, write_profiles(tmp_path / "p.csv", PROFILES))
    rows = [[*r[:3], "2000.0", *r[4:]] if r[2] == "E05800001" else r for r in PROFILES]
    run(db, write_profiles(tmp_path / "p.csv", rows))
    assert populations(db)["E05900001"].population == pytest.approx(1200, abs=3)


@pytest.mark.parametrize(
    ("rows", "header", "expected"),
    [
        ([PROFILES[1]], ["Ward", "Code", "Population"], "line 1: expected a column 'New code'"),
        ([PROFILES[1], ["x", "y", "E05800002", "many", "1"]], HEADER, "line 3: population 'many'"),
        ([PROFILES[1], PROFILES[1]], HEADER, "line 3: E05800001 appears more than once"),
        ([PROFILES[1], PROFILES[1][:3]], HEADER, "line 3: 3 fields, expected 5"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_changes(db, tmp_path, rows, header, expected):
    run(db, write_profiles(tmp_path / "good.csv", PROFILES))
    path = tmp_path / "bad.csv"
    with path.open("w", newline="", encoding="latin-1") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    with pytest.raises(ImportFailed) as caught:
        run(db, path)
    assert str(path) in str(caught.value) and expected in str(caught.value)
    assert len(populations(db)) == 2


def test_real_profiles_reach_most_current_wards(loaded_db):
    got = populations(loaded_db)
    assert 500 <= len(got) <= 679
    assert all(p.year == 2015 and p.population > 0 for p in got.values())
    assert 5_000 < got["E05014058"].population < 25_000  # Chadwell Heath
    assert sum(p.population for p in got.values()) > 6_000_000


def test_real_profiles_file_is_latin_1_with_a_population_column():
    header = (paths.CONTENT / "reference" / "gla_ward_profiles_2015.csv").read_bytes().split(b"\n")[0]
    assert b"New code" in header and b"Population - 2015" in header
