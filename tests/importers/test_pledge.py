"""The Pledge catalogue (`import-indicators`) and published figures (`import-measures`), on the shipped files
and on small hand-made ones."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from portal import paths
from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.pledge import (
    BUNDLED_MEASURES_DATASET,
    MEASURES_DATASET,
    files_fingerprint,
    import_indicators,
    import_measure_files,
    import_measures,
)
from portal.models import DataLoad, Explanation, Indicator, Measure, PledgePoint
from portal.models.pledge import LEVELS, SOURCES, UNITS
from portal.services import scorecard
from tests.factories import wards_file

CATALOGUE = paths.CONTENT / "pledge" / "indicators.toml"
DOCUMENTS = paths.CONTENT / "pledge" / "measures" / "met_2009_documents.csv"
COMPUTED = [*scorecard.COMPUTED, *scorecard.NOT_YET_COMPUTED]

# The Met Promise diagnostic list ("Appendix 1 - Diagnostic tools already available"), measure by measure
# as the document words them. Every one must be an indicator.
DIAGNOSTICS = [
    "Satisfaction with treatment",
    "Police took account of personal circumstances",
    "Police were fair",
    "Police took the matter seriously",
    "Satisfaction with ease of contact",
    "Satisfied with police actions",
    "Spoke to someone in a reasonable time",
    "999 calls answered within 10 seconds",
    "Non-emergency calls answered within 30 seconds",
    "Queued at a front counter less than 10 minutes",
    "First person was able to take all the details",
    "Timeframe given for visit",
    "One or more follow up calls to chase visit",
    "Times when Front Offices were closed during opening hours",
    "Appointments compliance",
    "Call backs made by CCC (to get more information)-right first time",
    "Satisfaction with investigation",
    "Satisfied with response time",
    "'I call despatch within 12mins",
    "S' call despatch within 60 mins",
    "Police not yet arrived calls as % of all calls",
    "Given practical help",
    "Officer taking report appeared capable",
    "Explained what was happening and why",
    "Managed to contact first time they tried",
    "Abstraction rate for Safer Neighbourhood Teams",
    "Regular review of SNT websites",
    "Regular review of SNT Problem Solving",
    "Qualitative review of SNT meetings and public engagement",
    "Review of Single Patrol",
    "Satisfaction with follow up",
    "Contact details provided",
    "Aware of next steps that would be taken",
    "Victim expected further contact",
    "Victim received further contact",
    "Victim knew how to contact police back",
    "Victim tried to contact police but failed",
    "Victim informed of what the police would do",
    "Information was provided quickly",
    "Questions were answered adequately",
    "Updates provided without asking",
    "Kept updated with every 28 days",
    "Kept updated after significant events (arrest, charge etc.)",
    "RTC contact within 10 days",
    "Number of complaints for failures in duty per 10 officers",
    "Number of complaints for failures in duty per 10 staff",
    "Number of complaints for malpractice per 10 officers",
    "Number of complaints for malpractice per 10 staff",
    "Number of complaints for incivility per 10 officers",
    "Number of complaints for incivility per 10 staff",
    "Number of complaints for discriminatory behaviour per 10 officers",
    "Number of complaints for discriminatory behaviour per 10 staff",
]
# Targets the documents set (Met Promise, MPA 2008; Policing Pledge).
TARGETS = {
    "P5-999-10S": 90,
    "P6-NON-EMERGENCY-30S": 90,
    "P5-I-CALL-12MIN": 75,
    "P3-TIME-ON-PATCH": 80,
    **dict.fromkeys(COMPUTED, 100),
}


# -- helpers ------------------------------------------------------------------------------------------------


def shipped() -> dict:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    return repr(value)


def write_catalogue(path: Path, data: dict) -> Path:
    """A small TOML writer for the catalogue's shape: arrays of flat tables."""
    out = []
    for name, tables in data.items():
        for table in tables:
            out.append(f"[[{name}]]")
            out += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
            out.append("")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def indicator(data: dict, code: str) -> dict:
    return next(i for i in data["indicator"] if i["code"] == code)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def catalogue_db(empty_db, tmp_path):
    """Tiny wards (teams E05900001/2 in Westminster, E09000033; one City ward) and the shipped catalogue."""
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)
        import_indicators(session, CATALOGUE)
    return empty_db


MEASURE_HEADER = "indicator,area,month,value,numerator,denominator,note,source,period"


def write_measures(path: Path, *rows: str, header: str = MEASURE_HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# -- the catalogue ---------------------------------------------------------------------------------------


def test_the_shipped_catalogue_loads_with_every_point_graded_and_covered(empty_db):
    with empty_db.sessions.begin() as session:
        report = import_indicators(session, CATALOGUE)
        points = {p.number: p for p in session.scalars(select(PledgePoint))}
        indicators = list(session.scalars(select(Indicator)))
    assert sorted(points) == list(range(1, 11))
    assert {n: p.inspection_grade for n, p in points.items()} == {
        n: "GOOD" if n in (1, 9) else "FAIR" for n in range(1, 11)
    }
    assert all(
        p.title and p.promise and p.portal_does and "HMIC" in p.inspection_source for p in points.values()
    )
    assert "at least 80% of their time" in points[3].promise and "within 24 hours" in points[4].promise
    assert {i.pledge_point for i in indicators} == set(range(1, 11))
    assert report.rows_stored == 10 + len(indicators) and "indicators: 82" in report.summary()
    for row in indicators:
        assert row.code.startswith(f"P{row.pledge_point}-") and len(row.code) <= 40
        assert row.unit in UNITS and row.source in SOURCES and row.direction in ("higher", "lower")
        assert row.level_list and set(row.level_list) <= set(LEVELS)
        assert (row.target is None) == (row.target_source is None), row.code
        assert row.name and row.question and row.calculation
    positions = [i.position for i in sorted(indicators, key=lambda i: i.position)]
    assert positions == sorted(set(positions))


def test_every_met_promise_diagnostic_is_an_indicator(empty_db):
    with empty_db.sessions.begin() as session:
        import_indicators(session, CATALOGUE)
        carried = {i.met_promise: i for i in session.scalars(select(Indicator)) if i.met_promise}
    assert len(DIAGNOSTICS) == 52
    assert set(DIAGNOSTICS) <= set(carried), set(DIAGNOSTICS) - set(carried)
    assert carried["Abstraction rate for Safer Neighbourhood Teams"].code == "P3-TIME-ON-PATCH"
    complaints = [i for i in carried.values() if i.met_promise.startswith("Number of complaints")]
    assert len(complaints) == 8 and all(
        i.pledge_point == 10 and i.unit == "rate" and i.direction == "lower" for i in complaints
    )


def test_targets_only_where_a_document_sets_one(empty_db):
    with empty_db.sessions.begin() as session:
        import_indicators(session, CATALOGUE)
        rows = {i.code: i for i in session.scalars(select(Indicator))}
    for code, target in TARGETS.items():
        assert rows[code].target == target and rows[code].target_source, code
    assert "Met Promise" in rows["P5-999-10S"].target_source and "90%" in rows["P5-999-10S"].target_source
    assert "every message" in rows["P4-MESSAGES-24H"].target_source
    survey = [i for i in rows.values() if i.source == "survey" and "neighbourhood" in i.level_list]
    assert len(survey) == 23 and all(i.target is None and i.level_list == ["neighbourhood"] for i in survey)
    assert all(rows[code].target is None for code in ("P6-S-CALL-60MIN", "P1-FRONT-COUNTER-QUEUE"))


def test_the_computed_indicators_are_the_portals(empty_db):
    with empty_db.sessions.begin() as session:
        import_indicators(session, CATALOGUE)
        for code in COMPUTED:
            row = session.get(Indicator, code)
            assert (row.source, row.levels, row.unit, row.target, row.direction) == (
                "portal",
                "force,borough,team",
                "percent",
                100,
                "higher",
            ), code
        portal = session.scalars(select(Indicator.code).where(Indicator.source == "portal")).all()
    assert sorted(portal) == sorted(COMPUTED)


def test_reimporting_the_catalogue_changes_nothing(empty_db):
    def snapshot(session):
        return [
            {c.name: getattr(row, c.name) for c in Indicator.__table__.columns}
            for row in session.scalars(select(Indicator).order_by(Indicator.code))
        ]

    with empty_db.sessions.begin() as session:
        import_indicators(session, CATALOGUE)
        before = snapshot(session)
    with empty_db.sessions.begin() as session:
        import_indicators(session, CATALOGUE)
        assert snapshot(session) == before and count(session, PledgePoint) == 10
        assert session.scalar(select(func.count()).where(DataLoad.dataset == "pledge-indicators")) == 2


def test_a_dry_run_stores_nothing(empty_db):
    with empty_db.sessions.begin() as session:
        report = import_indicators(session, CATALOGUE, dry_run=True)
        assert count(session, Indicator) == 0 and count(session, PledgePoint) == 0
    assert "would be stored (dry run)" in report.summary()


def _edit(change):
    def apply(data):
        change(data)
        return data

    return apply


BAD_CATALOGUES = [
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(unit="percentage")),
        "indicator P5-999-10S: unit 'percentage' is not one of percent, minutes, count, rate",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(direction="up")),
        "indicator P5-999-10S: direction 'up' is not one of higher, lower",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(source="rumour")),
        "indicator P5-999-10S: source 'rumour' is not one of survey",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(levels=["ward"])),
        "indicator P5-999-10S: levels ['ward'] must be a list of different ones of force",
    ),
    (_edit(lambda d: indicator(d, "P5-999-10S").update(levels=[])), "indicator P5-999-10S: levels []"),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(target="90%")),
        "indicator P5-999-10S: target '90%' is not a number",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(target=120)),
        "indicator P5-999-10S: target 120 is a percentage outside 0–100",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").pop("target_source")),
        "indicator P5-999-10S: a target needs a target_source",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(tolerence=2)),
        "indicator P5-999-10S: unknown field 'tolerence'",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(tolerance=-1)),
        "indicator P5-999-10S: tolerance -1 is not a number of 0 or more",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(pledge_point=6)),
        "indicator P5-999-10S: the code says point 5 but pledge_point is 6",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(code="P5-999 calls")),
        "indicator P5-999 calls: code must look like P<point>-<SHORT-NAME>",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(name="")),
        "indicator P5-999-10S: name must be some text",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").pop("calculation")),
        "indicator P5-999-10S: calculation is missing",
    ),
    (
        _edit(lambda d: d["indicator"].append(copy.deepcopy(indicator(d, "P5-999-10S")))),
        "indicator P5-999-10S: appears more than once",
    ),
    (
        _edit(lambda d: d.update(point=[p for p in d["point"] if p["number"] != 4])),
        "point 4: no [[point]] table",
    ),
    (
        _edit(lambda d: d["point"][0].update(inspection_source=5)),
        "point 1: inspection_source must be some text",
    ),
    (_edit(lambda d: d["point"][0].update(title="x" * 121)), "point 1: title is 121 characters, at most 120"),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(decimals=5)),
        "indicator P5-999-10S: decimals 5 is not a whole number from 0 to 3",
    ),
    (
        _edit(lambda d: indicator(d, "P6-S-CALL-60MIN").update(target_source="the Pledge")),
        "indicator P6-S-CALL-60MIN: target_source is given but there is no target",
    ),
    (
        _edit(lambda d: d["point"][0].update(inspection_grade="OK")),
        "point 1: inspection_grade 'OK' is not one of EXCELLENT, GOOD, FAIR, POOR",
    ),
    (
        _edit(lambda d: d["point"][0].update(number=11)),
        "point #1: number 11 is not a whole number from 1 to 10",
    ),
    (
        _edit(lambda d: d.update(indicator=[i for i in d["indicator"] if i["code"] != "P7-MEETING-MONTHLY"])),
        "indicator P7-MEETING-MONTHLY: missing; the portal computes it",
    ),
    (
        _edit(lambda d: indicator(d, "P4-MESSAGES-24H").update(source="inspection")),
        "indicator P4-MESSAGES-24H: source must be 'portal'",
    ),
    (
        _edit(lambda d: indicator(d, "P5-999-10S").update(source="portal")),
        "indicator P5-999-10S: source 'portal', but the portal does not compute it",
    ),
    (
        _edit(lambda d: d.update(indicator=[i for i in d["indicator"] if i["pledge_point"] != 2])),
        "point 2: no indicator",
    ),
]


@pytest.mark.parametrize(("change", "message"), BAD_CATALOGUES)
def test_a_bad_catalogue_is_refused_whole_naming_the_indicator_or_point(empty_db, tmp_path, change, message):
    path = write_catalogue(tmp_path / "bad.toml", change(shipped()))
    with empty_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_indicators(session, path)
    assert any(p.startswith(message) for p in failed.value.problems), failed.value.problems
    assert "refused, nothing was stored" in str(failed.value)
    with empty_db.sessions.begin() as session:
        assert count(session, Indicator) == 0 and count(session, PledgePoint) == 0


def test_the_writer_round_trips_the_shipped_catalogue(tmp_path):
    assert tomllib.loads(write_catalogue(tmp_path / "same.toml", shipped()).read_text()) == shipped()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[point]\nnumber = 1\n", "not a readable TOML file"),
        ("[[meeting]]\nwhen = 1\n", "unknown table 'meeting'"),
    ],
)
def test_an_unreadable_catalogue_is_refused(empty_db, tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with empty_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_indicators(session, path)
    assert any(message in p for p in failed.value.problems)


def test_an_indicator_left_out_is_deleted_only_when_nothing_refers_to_it(catalogue_db, tmp_path):
    data = shipped()
    data["indicator"] = [
        i for i in data["indicator"] if i["code"] not in ("P6-RIGHT-FIRST-TIME", "P5-999-10S")
    ]
    smaller = write_catalogue(tmp_path / "smaller.toml", data)
    with catalogue_db.sessions.begin() as session:
        import_measures(
            session, write_measures(tmp_path / "m.csv", "P5-999-10S,metropolitan,2009-06,87.1,,,,HMIC,")
        )
    with catalogue_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_indicators(session, smaller)
    assert failed.value.problems == [
        "indicator P5-999-10S: no longer in the file, but 1 measure(s) and 0 explanation(s) refer to it; "
        "keep it in the file, or delete those first"
    ]
    with catalogue_db.sessions.begin() as session:
        assert session.get(Indicator, "P6-RIGHT-FIRST-TIME") is not None  # nothing was changed
        session.execute(delete(Measure))
        session.add(
            Explanation(
                indicator_code="P5-999-10S",
                area_code="metropolitan",
                month=date(2009, 6, 1),
                reason="r",
                action="a",
                recorded_by="b",
            )
        )
    with catalogue_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_indicators(session, smaller)
    assert "0 measure(s) and 1 explanation(s)" in failed.value.problems[0]
    data["indicator"].append(indicator(shipped(), "P5-999-10S"))
    with catalogue_db.sessions.begin() as session:
        report = import_indicators(session, write_catalogue(tmp_path / "keep.toml", data))
        assert session.get(Indicator, "P6-RIGHT-FIRST-TIME") is None
        assert session.get(Indicator, "P5-999-10S") is not None
    assert "removed (no longer in the file): 1: P6-RIGHT-FIRST-TIME" in report.summary()


# -- measures ----------------------------------------------------------------------------------------------


def test_the_documents_figures_import(catalogue_db):
    with catalogue_db.sessions.begin() as session:
        report = import_measure_files(session, [DOCUMENTS])
        rows = {(m.indicator_code, m.month): m for m in session.scalars(select(Measure))}
        load = session.scalars(select(DataLoad).where(DataLoad.dataset == BUNDLED_MEASURES_DATASET)).one()
    assert report.rows_stored == len(rows) == 6 and load.sha256 == files_fingerprint([DOCUMENTS])
    june = rows[("P5-999-10S", date(2009, 6, 1))]
    assert (june.value, june.level, june.area_code, june.source_file) == (
        87.1,
        "force",
        "metropolitan",
        DOCUMENTS.name,
    )
    assert "HMIC" in june.source and "October 2009" in june.source
    assert rows[("P5-I-CALL-12MIN", date(2009, 6, 1))].value == 70.5
    assert rows[("P5-999-10S", date(2008, 1, 1))].value == 85.5
    emails = rows[("P4-EMAILS-24H-TESTED", date(2009, 10, 1))]
    assert emails.value == 63 and emails.period == "April to October 2009 (HMIC inspection)"
    assert "does not say when the testing was done" in emails.note
    assert rows[("P4-PHONE-24H-TESTED", date(2009, 10, 1))].value == 78
    assert {m.area_code for m in rows.values()} == {"metropolitan"}  # the Met's own figures only


def test_a_measures_file_imports_at_every_level_and_reimports_idempotently(catalogue_db, tmp_path):
    path = write_measures(
        tmp_path / "figures.csv",
        "P5-999-10S,metropolitan,2009-07,88.25,,,,Met CCC,",
        "P5-I-CALL-12MIN,E09000033,2009-07,75,750,1000,a note,,",
        "P3-TIME-ON-PATCH,E05900001,2009-07,81.5,,,,,July 2009",
        "P10-COMPLAINTS-INCIVILITY-OFFICERS,metropolitan,2009-07,0.31,31,1000,,,",
    )
    for _ in range(2):
        with catalogue_db.sessions.begin() as session:
            report = import_measures(session, path, source="Met performance pack, July 2009")
    with catalogue_db.sessions.begin() as session:
        rows = {m.indicator_code: m for m in session.scalars(select(Measure))}
        loads = session.scalars(select(DataLoad).where(DataLoad.dataset == MEASURES_DATASET)).all()
    assert report.rows_read == report.rows_stored == 4 and len(rows) == 4 and len(loads) == 2
    assert {code: row.level for code, row in rows.items()} == {
        "P5-999-10S": "force",
        "P5-I-CALL-12MIN": "borough",
        "P3-TIME-ON-PATCH": "team",
        "P10-COMPLAINTS-INCIVILITY-OFFICERS": "force",
    }
    assert rows["P5-999-10S"].source == "Met CCC"  # the row's own source wins
    assert rows["P5-I-CALL-12MIN"].source == "Met performance pack, July 2009"
    assert (rows["P5-I-CALL-12MIN"].numerator, rows["P5-I-CALL-12MIN"].denominator) == (750, 1000)
    assert rows["P5-I-CALL-12MIN"].note == "a note" and rows["P5-999-10S"].note is None
    assert rows["P3-TIME-ON-PATCH"].period == "July 2009" and rows["P5-999-10S"].period is None
    # a corrected figure replaces the old one
    write_measures(path, "P5-999-10S,metropolitan,2009-07,88.3,,,,Met CCC,")
    with catalogue_db.sessions.begin() as session:
        import_measures(session, path)
        assert (
            session.scalars(select(Measure.value).where(Measure.indicator_code == "P5-999-10S")).one() == 88.3
        )
        assert count(session, Measure) == 4


def test_a_dry_run_checks_but_stores_nothing(catalogue_db):
    with catalogue_db.sessions.begin() as session:
        report = import_measures(session, DOCUMENTS, dry_run=True)
        assert report.rows_stored == 6 and count(session, Measure) == 0
        assert session.scalar(select(func.count()).where(DataLoad.dataset == MEASURES_DATASET)) == 0


GOOD = "P5-999-10S,metropolitan,2009-06,87.1,,,,HMIC,"
BAD_ROWS = [
    ("P9-NOTHING,metropolitan,2009-06,50,,,,HMIC,", "line 3: unknown indicator 'P9-NOTHING'"),
    (",metropolitan,2009-06,50,,,,HMIC,", "line 3: no indicator"),
    (
        "P5-I-CALL-12MIN,E09999999,2009-06,50,,,,HMIC,",
        "line 3: unknown area 'E09999999' (not a force, borough, team or survey neighbourhood)",
    ),
    ("P5-I-CALL-12MIN,,2009-06,50,,,,HMIC,", "line 3: no area"),
    (
        "P5-999-10S,E09000033,2009-06,87.1,,,,HMIC,",
        "line 3: P5-999-10S is not measured for a borough (only: force)",
    ),
    (
        "P5-I-CALL-12MIN,E05900001,2009-06,70,,,,HMIC,",
        "line 3: P5-I-CALL-12MIN is not measured for a team (only: force,borough)",
    ),
    ("P5-I-CALL-12MIN,metropolitan,2009-13,70,,,,HMIC,", "line 3: month '2009-13' is not a month"),
    ("P5-I-CALL-12MIN,metropolitan,June 2009,70,,,,HMIC,", "line 3: month 'June 2009' is not a month"),
    ("P5-I-CALL-12MIN,metropolitan,2999-01,70,,,,HMIC,", "line 3: month 2999-01 is in the future"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,seventy,,,,HMIC,", "line 3: value 'seventy' is not a number"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,nan,,,,HMIC,", "line 3: value 'nan' is not a number"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,inf,,,,HMIC,", "line 3: value 'inf' is not a number"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,,,,,HMIC,", "line 3: value '' is not a number"),
    (
        "P5-I-CALL-12MIN,metropolitan,2009-06,100.5,,,,HMIC,",
        "line 3: value 100.5 is a percentage outside 0–100",
    ),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,-1,,,,HMIC,", "line 3: value -1 is a percentage outside 0–100"),
    ("P1-FRONT-COUNTER-CLOSED,metropolitan,2009-06,-3,,,,HMIC,", "line 3: value -3 is negative"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,0,-5,10,,HMIC,", "line 3: numerator -5 is negative"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,0,0,-10,,HMIC,", "line 3: denominator -10 is negative"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,50,many,10,,HMIC,", "line 3: numerator 'many' is not a number"),
    (
        "P5-I-CALL-12MIN,metropolitan,2009-06,100,12,10,,HMIC,",
        "line 3: numerator 12 is more than denominator 10",
    ),
    (
        "P5-I-CALL-12MIN,metropolitan,2009-06,70.5,700,1000,,HMIC,",
        "line 3: value 70.5 disagrees with 100 × numerator ÷ denominator = 70.00 (by more than 0.05)",
    ),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,0,0,0,,HMIC,", "line 3: denominator is 0"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,70,7,,,HMIC,", "line 3: give both numerator and denominator"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,70,,,,,", "line 3: no source (add a source column"),
    ("P5-I-CALL-12MIN,metropolitan,2009-06,70,,,,HMIC", "line 3: 8 fields, expected 9"),
    (
        "P5-999-10S,metropolitan,2009-06,88,,,,Other,",
        "line 3: P5-999-10S for metropolitan in 2009-06 is already on line 2",
    ),
    (
        f"P5-I-CALL-12MIN,metropolitan,2009-06,70,,,,{'x' * 301},",
        "line 3: source is 301 characters, at most 300",
    ),
    (
        f"P5-I-CALL-12MIN,metropolitan,2009-06,70,,,,HMIC,{'y' * 61}",
        "line 3: period is 61 characters, at most 60",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_a_bad_row_refuses_the_whole_file_with_its_line(catalogue_db, tmp_path, row, message):
    path = write_measures(tmp_path / "bad.csv", GOOD, row, "P5-I-CALL-12MIN,metropolitan,2009-05,72,,,,HMIC,")
    with catalogue_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_measures(session, path)
    assert any(p.startswith(message) for p in failed.value.problems), failed.value.problems
    assert len(failed.value.problems) == 1, failed.value.problems
    with catalogue_db.sessions.begin() as session:
        assert count(session, Measure) == 0
        assert session.scalar(select(func.count()).where(DataLoad.dataset == MEASURES_DATASET)) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty (expected a header: indicator, area, month"),
        (MEASURE_HEADER + "\n", "line 2: no figures after the header"),
        (
            "indicator,area,month,value,numerator,note\n" + GOOD,
            "line 1: the header has no column 'denominator'",
        ),
        (MEASURE_HEADER + ",colour\n" + GOOD + ",red", "line 1: unknown column 'colour'"),
    ],
)
def test_a_bad_file_is_refused(catalogue_db, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with catalogue_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_measures(session, path)
    assert any(p.startswith(message) for p in failed.value.problems), failed.value.problems
    with catalogue_db.sessions.begin() as session:
        assert count(session, Measure) == 0


def test_the_source_can_come_from_the_command_and_optional_columns_may_be_left_out(catalogue_db, tmp_path):
    path = write_measures(
        tmp_path / "plain.csv",
        "P5-999-10S,metropolitan,2009-06,87.1,871,1000,",
        header="indicator,area,month,value,numerator,denominator,note",
    )
    with catalogue_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_measures(session, path)
    assert failed.value.problems[0].startswith("line 2: no source")
    with catalogue_db.sessions.begin() as session:
        import_measures(session, path, source="HMIC, October 2009")
        row = session.scalars(select(Measure)).one()
    assert (row.source, row.period, row.value) == ("HMIC, October 2009", None, 87.1)


def test_the_shipped_figures_are_loaded_by_setup(loaded_db):
    with loaded_db.sessions() as session:
        june = session.scalars(
            select(Measure).where(
                Measure.indicator_code == "P5-999-10S",
                Measure.area_code == "metropolitan",
                Measure.month == date(2009, 6, 1),
            )
        ).one()
        assert june.value == 87.1 and june.source_file == DOCUMENTS.name
        assert count(session, Indicator) == len(shipped()["indicator"])
