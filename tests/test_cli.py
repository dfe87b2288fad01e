"""The command line, run as a user would: `python -m portal …` in a subprocess."""

import json
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from portal import paths
from portal.models import AuditEntry, Explanation, Measure, StaffUser
from portal.queries import staff as staff_queries
from tests.conftest import portal_env, run_portal
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
    "import-indicators",
    "import-measures",
    "import-survey",
    "explain",
    "create-user",
    "load-demo",
    "reindex",
    "purge",
    "locate",
    "serve",
    "send-mail",
    "sla-sweep",
    "export-static",
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


# -- the Pledge scorecard: catalogue, figures, explanations ---------------------------------------------

CATALOGUE = paths.CONTENT / "pledge" / "indicators.toml"
DOCUMENTS = paths.CONTENT / "pledge" / "measures" / "met_2009_documents.csv"
EXPLANATION = {
    "indicator": "P5-999-10S",
    "area": "metropolitan",
    "month": "2009-06",
    "reason": "Call volumes rose by a fifth in June.",
    "action": "Forty more call handlers start in September.",
    "by": "Jane Smith, Head of Central Communications",
}


def explain(**changes: str) -> list[str]:
    return ["explain", *[part for k, v in {**EXPLANATION, **changes}.items() for part in (f"--{k}", v)]]


def test_explain_records_then_replaces(empty_db):
    done = run_portal(empty_db, "import-indicators", str(CATALOGUE))
    assert done.returncode == 0, done.stderr
    assert "indicators: 82" in done.stdout
    done = run_portal(empty_db, *explain())
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("recorded: explanation for P5-999-10S metropolitan 2009-06")
    done = run_portal(empty_db, *explain(action="Sixty more call handlers."))
    assert done.returncode == 0 and done.stdout.startswith("replaced"), done.stderr
    with empty_db.sessions() as session:
        row = session.scalars(select(Explanation)).one()
    assert (row.month, row.action, row.recorded_by, row.is_demo) == (
        date(2009, 6, 1),
        "Sixty more call handlers.",
        "Jane Smith, Head of Central Communications",
        False,
    )


def test_explain_lists_every_problem_and_exits_2(empty_db):
    run_portal(empty_db, "import-indicators", str(CATALOGUE))
    done = run_portal(
        empty_db, "explain", "--indicator", "P5-NOPE", "--area", "E09999999", "--month", "June", "--by", " "
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "The explanation was not recorded:" in done.stderr
    for line in [
        "--indicator: There is no indicator 'P5-NOPE'",
        "--area: There is no force, borough, team or survey neighbourhood 'E09999999'",
        "--month: Enter the month as YYYY-MM, like 2026-10",
        "--reason: Say why the target was missed",
        "--action: Say what is being done to improve",
        "--by: Say who is recording this (name and role)",
    ]:
        assert f"  - {line}" in done.stderr
    done = run_portal(empty_db, *explain(area="E09000033"))  # no boroughs in this database
    assert done.returncode == 2 and "--area: There is no force, borough" in done.stderr
    with empty_db.sessions() as session:
        assert session.scalars(select(Explanation)).all() == []


def test_import_measures_from_the_command_line(empty_db, tmp_path):
    assert run_portal(empty_db, "import-indicators", str(CATALOGUE), "--dry-run").returncode == 0
    done = run_portal(empty_db, "import-measures", str(DOCUMENTS))
    assert done.returncode == 1 and "line 2: unknown indicator 'P5-999-10S'" in done.stderr  # none loaded yet
    run_portal(empty_db, "import-indicators", str(CATALOGUE))
    done = run_portal(empty_db, "import-measures", str(DOCUMENTS), "--dry-run")
    assert done.returncode == 0 and "rows would be stored (dry run):   6" in done.stdout
    done = run_portal(empty_db, "import-measures", str(DOCUMENTS))
    assert done.returncode == 0 and "rows stored:   6" in done.stdout, done.stderr
    plain = tmp_path / "july.csv"
    plain.write_text(
        "indicator,area,month,value,numerator,denominator,note\nP5-I-CALL-12MIN,metropolitan,2009-07,72,,,\n"
    )
    done = run_portal(empty_db, "import-measures", str(plain), "--source", "Met performance pack, July 2009")
    assert done.returncode == 0, done.stderr
    with empty_db.sessions() as session:
        june = session.scalars(select(Measure).where(Measure.month == date(2009, 6, 1))).all()
        july = session.scalars(select(Measure).where(Measure.month == date(2009, 7, 1))).one()
    assert {m.indicator_code: m.value for m in june} == {"P5-999-10S": 87.1, "P5-I-CALL-12MIN": 70.5}
    assert july.source == "Met performance pack, July 2009"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "indicator,area,month,value,numerator,denominator,note,source\n"
        "P5-999-10S,metropolitan,2009-08,90,,,,CCC\nP5-999-10S,metropolitan,2009-09,190,,,,CCC\n"
    )
    done = run_portal(empty_db, "import-measures", str(bad))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}: refused, nothing was stored" in done.stderr
    assert "line 3: value 190 is a percentage outside 0–100" in done.stderr


def test_import_survey_from_the_command_line(empty_db):
    survey = paths.CONTENT / "survey"
    for args in (
        ("import-boundaries", str(paths.GEODATA / "london_boroughs.geojson"), "--level", "borough"),
        ("import-indicators", str(CATALOGUE)),
    ):
        assert run_portal(empty_db, *args).returncode == 0
    done = run_portal(
        empty_db,
        "import-survey",
        str(survey / "2016-police-perceptions.csv"),
        str(survey / "2015-16_to_2020-21_inclusive_neighbourhood_indicators_final_221221.csv"),
    )
    assert done.returncode == 0, done.stderr
    assert "survey neighbourhoods: 106" in done.stdout and "rows stored:   2,342" in done.stdout


# -- staff accounts ------------------------------------------------------------------------------------

STAFF_PASSWORD = "kettle harbour violet lantern"


def create_user(db, *args: str, password: str | None = STAFF_PASSWORD):
    """`create-user` as a script runs it: the password in PORTAL_NEW_PASSWORD, never an argument."""
    env = portal_env(db, **({"PORTAL_NEW_PASSWORD": password} if password is not None else {}))
    return subprocess.run(
        [sys.executable, "-m", "portal", "create-user", *args],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_create_user_makes_an_account_that_can_sign_in(empty_db, tmp_path):
    assert run_portal(empty_db, "import-boundaries", str(wards_file(tmp_path))).returncode == 0
    done = create_user(
        empty_db, "--email", "Sam.Hall@Example.org", "--name", "PC Sam Hall", "--role", "team_editor",
        "--team", "e05900001", "--team", "E05900002",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "created: staff account for sam.hall@example.org (team editor)"
    assert STAFF_PASSWORD not in done.stdout + done.stderr
    done = create_user(
        empty_db, "--email", "boss@example.org", "--name", "Boss", "--role", "borough_admin",
        "--borough", "E09000033",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    with empty_db.sessions() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == "sam.hall@example.org"))
        assert user.team_ids == ["E05900001", "E05900002"] and user.password_hash.startswith("$argon2id$")
        boss = session.scalar(select(StaffUser).where(StaffUser.email == "boss@example.org"))
        assert boss.borough_code == "E09000033"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(user.id))).one()
        assert entry.actor == "command line" and entry.action == "create"
        result = staff_queries.sign_in(session, "sam.hall@example.org", STAFF_PASSWORD, ip="192.0.2.9")
        assert result.ok


def test_create_user_lists_every_problem_and_exits_2(empty_db, tmp_path):
    run_portal(empty_db, "import-boundaries", str(wards_file(tmp_path)))
    done = create_user(
        empty_db, "--email", "not-an-address", "--name", " ", "--role", "team_editor",
        "--team", "E05999999", password="password1234",
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "The account was not created:" in done.stderr
    for line in [
        "--email: Enter an e-mail address, like name@met.police.uk",
        "--name: Enter the person's name",
        "--team: There is no team E05999999",
        "PORTAL_NEW_PASSWORD: Choose a password that is harder to guess.",
    ]:
        assert f"  - {line}" in done.stderr
    assert "password1234" not in done.stderr
    done = create_user(empty_db, "--email", "a@example.org", "--name", "A", "--role", "borough_admin")
    assert done.returncode == 2 and "  - --borough: Choose the borough this admin looks after" in done.stderr
    done = create_user(empty_db, "--email", "a@example.org", "--name", "A", "--role", "emperor")
    assert done.returncode == 2 and "invalid choice: 'emperor'" in done.stderr
    assert "--password" not in run_portal(empty_db, "create-user", "--help").stdout
    with empty_db.sessions() as session:
        assert session.scalars(select(StaffUser)).all() == []


def test_create_user_asks_for_the_password_twice_when_none_is_in_the_environment(
    empty_db, monkeypatch, capsys
):
    import getpass

    from portal import cli

    monkeypatch.delenv("PORTAL_NEW_PASSWORD", raising=False)
    monkeypatch.setenv("DATABASE_URL", empty_db.url)
    monkeypatch.setenv("VAR_DIR", str(empty_db.folder))
    args = ["create-user", "--email", "fay@example.org", "--name", "Fay", "--role", "force_admin"]
    typed = iter([STAFF_PASSWORD, "something else entirely"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    assert cli.main(args) == 2 and "The two passwords are not the same" in capsys.readouterr().err
    typed = iter([STAFF_PASSWORD, STAFF_PASSWORD])
    assert cli.main(args) == 0
    assert capsys.readouterr().out.strip() == "created: staff account for fay@example.org (force admin)"
    with empty_db.sessions() as session:
        assert (
            session.scalar(select(StaffUser.role).where(StaffUser.email == "fay@example.org"))
            == "force_admin"
        )
