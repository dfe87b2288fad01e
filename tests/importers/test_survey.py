"""The MOPAC Public Attitude Survey files (`import-survey`): the real files, and small edits of them."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import paths
from portal.bundled import bundles
from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.importers.pledge import files_fingerprint, import_indicators
from portal.importers.survey import import_survey
from portal.models import DataLoad, Measure, SurveyNeighbourhood

PERCEPTIONS = paths.CONTENT / "survey" / "2016-police-perceptions.csv"
ETHNIC = paths.CONTENT / "survey" / "2015-16_to_2020-21_inclusive_neighbourhood_indicators_final_221221.csv"
CATALOGUE = paths.CONTENT / "pledge" / "indicators.toml"
NEIGHBOURHOODS = 106
FIGURES_2016 = NEIGHBOURHOODS * 11  # eleven questions evidence a Pledge point; none is N/A
FIGURES_ETHNIC = 98 * 12  # 112 rows, 14 without figures; four questions for three groups
SKIPPED = 14


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def value(session, code: str, area: str, month: date) -> Measure:
    return session.scalars(
        select(Measure).where(
            Measure.indicator_code == code, Measure.area_code == area, Measure.month == month
        )
    ).one()


@pytest.fixture
def survey_db(empty_db):
    """The real London boroughs and the shipped catalogue."""
    with empty_db.sessions.begin() as session:
        import_boundaries(session, paths.GEODATA / "london_boroughs.geojson", level="borough")
        import_indicators(session, CATALOGUE)
    return empty_db


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def edited(tmp_path: Path, source: Path, line: int, column: int, text: str) -> Path:
    """A copy of a real file with one cell changed (`line` counted from 1, as in the messages)."""
    rows = rows_of(source)
    rows[line - 1][column] = text
    return write_rows(tmp_path / source.name, rows)


def test_the_real_files_import(survey_db):
    with survey_db.sessions.begin() as session:
        report = import_survey(session, PERCEPTIONS, ETHNIC)
    assert report.rows_stored == FIGURES_2016 + FIGURES_ETHNIC
    assert report.rejected == {"neighbourhood rows with no figures (skipped)": SKIPPED}
    summary = report.summary()
    assert (
        "no figures for Bexley - South, Bromley - South-West" in summary
        and "Westminster - West End" in summary
    )
    assert "left out (not a Pledge measure): How well do you think the police tackle gun crime?" in summary
    with survey_db.sessions.begin() as session:
        assert count(session, SurveyNeighbourhood) == NEIGHBOURHOODS
        barking = session.get(SurveyNeighbourhood, "KG-KB")
        assert (barking.name, barking.borough_code) == ("Barking", "E09000002")
        assert session.get(SurveyNeighbourhood, "XB-XG").name == "Greenford/Northolt"
        good_job = value(session, "P8-PAS-GOOD-JOB", "KG-KB", date(2016, 12, 1))
        assert (good_job.value, good_job.level, good_job.period) == (71, "neighbourhood", "2016")
        assert (
            "MOPAC Public Attitude Survey 2016" in good_job.source
            and good_job.source_file == PERCEPTIONS.name
        )
        assert "% Excellent or Good" in good_job.note and "December 2016" in good_job.note
        assert value(session, "P2-PAS-KNOW-HOW-TO-CONTACT", "KG-KB", date(2016, 12, 1)).value == 29
        assert value(session, "P3-PAS-VISIBLE-PATROLS", "CW-CS", date(2016, 12, 1)).value == 65
        black = value(session, "P1-PAS-FAIR-BLACK", "KG-KB", date(2021, 3, 1))
        assert (black.value, black.period, black.source_file) == (
            78,
            "April 2015 to March 2021 (pooled)",
            ETHNIC.name,
        )
        # "Enfield - Edmonton & South" is the 2016 file's "Enfield - Edmonton and South" (YE-YP)
        assert value(session, "P1-PAS-STOP-SEARCH-ASIAN", "YE-YP", date(2021, 3, 1)).value > 0
        assert count(session, Measure) == FIGURES_2016 + FIGURES_ETHNIC
        assert session.scalars(select(func.min(Measure.value))).one() >= 0
        load = session.scalars(select(DataLoad).where(DataLoad.dataset == "survey")).one()
        assert load.sha256 == files_fingerprint([PERCEPTIONS, ETHNIC])


def test_reimporting_is_idempotent_and_a_dry_run_stores_nothing(survey_db):
    with survey_db.sessions.begin() as session:
        dry = import_survey(session, PERCEPTIONS, ETHNIC, dry_run=True)
        assert count(session, Measure) == 0 and count(session, SurveyNeighbourhood) == 0
    assert dry.rows_stored == FIGURES_2016 + FIGURES_ETHNIC and "would be stored (dry run)" in dry.summary()
    for _ in range(2):
        with survey_db.sessions.begin() as session:
            import_survey(session, PERCEPTIONS, ETHNIC)
    with survey_db.sessions.begin() as session:
        assert count(session, Measure) == FIGURES_2016 + FIGURES_ETHNIC
        assert count(session, SurveyNeighbourhood) == NEIGHBOURHOODS


def test_na_and_blank_cells_are_no_figure_not_errors(survey_db, tmp_path):
    perceptions = edited(tmp_path, PERCEPTIONS, 3, 3, "N/A")  # Barking's "good job"
    rows = rows_of(perceptions)
    rows[3][4] = ""  # Dagenham's "things that matter"
    write_rows(perceptions, rows)
    with survey_db.sessions.begin() as session:
        report = import_survey(session, perceptions, ETHNIC)
        assert count(session, Measure) == FIGURES_2016 + FIGURES_ETHNIC - 2
        assert (
            session.scalars(
                select(Measure).where(
                    Measure.indicator_code == "P8-PAS-GOOD-JOB", Measure.area_code == "KG-KB"
                )
            ).all()
            == []
        )
    assert "cells with no figure (N/A or blank) among the questions taken: 2" in report.summary()


@pytest.mark.parametrize(
    ("which", "line", "column", "text", "message"),
    [
        ("perceptions", 3, 3, "seventy", "line 3: value 'seventy' is not a number"),
        ("perceptions", 5, 4, "101", "line 5: value 101 is a percentage outside 0–100"),
        (
            "perceptions",
            3,
            0,
            "Barking and Dagenhem - Barking",
            "line 3: borough 'Barking and Dagenhem' is not in the borough table",
        ),
        ("perceptions", 3, 0, "Barking", "line 3: neighbourhood 'Barking' is not written 'Borough - Name'"),
        ("perceptions", 4, 1, "KG-KB", "line 4: sector code KG-KB is already on line 3"),
        ("perceptions", 4, 1, "KGKR", "line 4: sector code 'KGKR' is not like KG-KB"),
        (
            "perceptions",
            1,
            3,
            "How good?",
            "line 1: expected one column 'Taking everything into account how good a job",
        ),
        ("ethnic", 4, 1, "-5", "line 4: value -5 is a percentage outside 0–100"),
        ("ethnic", 4, 12, "much", "line 4: value 'much' is not a number"),
        (
            "ethnic",
            4,
            0,
            "Barking and Dagenham - Nowhere",
            "line 4: neighbourhood 'Barking and Dagenham - Nowhere' is not in the 2016 file",
        ),
        ("ethnic", 2, 5, "Mixed", "lines 1-2: column 6 ('The police in your area treat everyone fairly"),
    ],
)
def test_a_bad_figure_or_name_refuses_both_files(survey_db, tmp_path, which, line, column, text, message):
    source = PERCEPTIONS if which == "perceptions" else ETHNIC
    changed = edited(tmp_path, source, line, column, text)
    files = (changed, ETHNIC) if which == "perceptions" else (PERCEPTIONS, changed)
    with survey_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_survey(session, *files)
    assert failed.value.path == str(changed)
    assert any(p.startswith(message) for p in failed.value.problems), failed.value.problems
    with survey_db.sessions.begin() as session:
        assert count(session, Measure) == 0 and count(session, SurveyNeighbourhood) == 0


def test_the_survey_needs_the_catalogue(empty_db):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, paths.GEODATA / "london_boroughs.geojson", level="borough")
    with empty_db.sessions.begin() as session, pytest.raises(ImportFailed) as failed:
        import_survey(session, PERCEPTIONS, ETHNIC)
    assert failed.value.problems[0].startswith("the catalogue has no indicator P1-PAS-APPROACHABLE")
    assert failed.value.problems[0].endswith("run import-indicators first")


def test_the_shipped_files_are_bundled_with_their_provenance():
    found = {b.dataset: b for b in bundles()}
    assert set(found["survey"].depends_on) == {"boundaries-borough", "pledge-indicators"}
    assert found["survey"].fingerprint() == files_fingerprint([PERCEPTIONS, ETHNIC])
    assert set(found["pledge-measures"].depends_on) == {"pledge-indicators", "boundaries-borough"}
    assert "pledge-indicators" in found["demo-content"].depends_on
    order = list(found)
    assert order.index("pledge-indicators") < order.index("pledge-measures") < order.index("demo-content")
    provenance = (paths.CONTENT / "PROVENANCE.md").read_text()
    for name in (PERCEPTIONS.name, ETHNIC.name, "indicators.toml", "met_2009_documents.csv"):
        assert name in provenance, name
    assert "Open Government Licence" in provenance


def test_setup_loaded_the_survey(loaded_db):
    with loaded_db.sessions() as session:
        assert count(session, SurveyNeighbourhood) == NEIGHBOURHOODS
        assert value(session, "P8-PAS-GOOD-JOB", "KG-KB", date(2016, 12, 1)).value == 71
