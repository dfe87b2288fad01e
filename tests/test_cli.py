"""The command line, run as a user would: `python -m portal …` in a subprocess."""

import json

import pytest

from tests.conftest import run_portal
from tests.factories import wards_file, write_postcodes

COMMANDS = [
    "setup",
    "migrate",
    "init-db",
    "import-boundaries",
    "import-postcodes",
    "import-stations",
    "import-crimes",
    "import-ward-crime-counts",
    "load-demo",
    "reindex",
    "locate",
    "serve",
]


def test_every_command_is_listed_and_parsed():
    from portal.cli import COMMANDS as REGISTERED
    from portal.cli import build_parser

    choices = set(build_parser()._subparsers._group_actions[0].choices)
    assert choices == set(REGISTERED) == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(loaded_db, command):
    done = run_portal(loaded_db, command, "--help")
    assert done.returncode == 0 and "usage: python -m portal" in done.stdout


@pytest.mark.parametrize("query", ["rm6 4ab", "RM64AB", " Rm6  4AB "])
def test_locate_found_prints_json_and_exits_0(loaded_db, query):
    done = run_portal(loaded_db, "locate", query)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["result"] == "ward" and data["postcode"] == "RM6 4AB" and data["ward"]["team"]


def test_locate_point(loaded_db):
    done = run_portal(loaded_db, "locate", "51.5834,0.1386")
    assert done.returncode == 0 and json.loads(done.stdout)["ward"]["name"] == "Chadwell Heath"


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ("M1 1AE", 1, "M1 1AE is outside London"),
        ("SW1A 9ZZ", 1, "We could not find the postcode SW1A 9ZZ"),
        ("55.95,-3.19", 1, "That place is outside London"),
        ("not a postcode", 2, "Enter a full UK postcode, like SW1A 2AA"),
        ("95,200", 2, "Enter a latitude between -90 and 90"),
    ],
)
def test_locate_not_found_or_bad_input(loaded_db, query, code, message):
    done = run_portal(loaded_db, "locate", query)
    assert done.returncode == code and message in done.stderr
    assert json.loads(done.stdout)["found"] is False


def test_locate_city_of_london_is_found_with_its_force(loaded_db):
    done = run_portal(loaded_db, "locate", "EC2V 7HH")
    data = json.loads(done.stdout)
    assert (
        done.returncode == 0 and data["result"] == "city" and data["ward"]["force"]["id"] == "city-of-london"
    )


def test_imports_from_the_command_line_with_a_summary(empty_db, tmp_path):
    done = run_portal(empty_db, "import-boundaries", str(wards_file(tmp_path)), "--generation", "2024")
    assert done.returncode == 0, done.stderr
    assert "rows read:     3" in done.stdout and "Safer Neighbourhood Teams: 2" in done.stdout
    done = run_portal(empty_db, "import-postcodes", str(write_postcodes(tmp_path / "pc.csv")))
    assert done.returncode == 0, done.stderr
    assert "rows stored:   5" in done.stdout and "nearest ward within 1 km taken: 1" in done.stdout


def test_a_refused_file_exits_1_naming_file_and_line(empty_db, tmp_path):
    run_portal(empty_db, "import-boundaries", str(wards_file(tmp_path)))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "postcode,pqi,easting,northing,latitude,longitude,district_code_2014,ward_code_2014\n"
        "WC2N 5DN,10,530000,180000,51.505,-0.125,E09000033,E05000644\n"
        "WC2N 5DU,10,530000,180000,fifty,-0.115,E09000033,E05000644\n"
    )
    done = run_portal(empty_db, "import-postcodes", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}: refused, nothing was stored" in done.stderr and "line 3: latitude 'fifty'" in done.stderr
