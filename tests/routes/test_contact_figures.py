"""Published figures for messages and reports of dissatisfaction: the two computed scorecard indicators
(pure functions and their wiring in `portal.queries.pledge`), and the public page /contact/figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models.contact import DISSATISFACTION
from portal.queries import inbox as inbox_queries
from portal.queries import pledge
from portal.services import scorecard as sc
from tests.staff_helpers import ALPHA, BRAVO, DELTA, WESTMINSTER, load_staff_areas
from tests.test_outbox import make_submission

# 23:30 BST on Tuesday 30 September 2025, the last day of a BST month (22:30 UTC): September.
LAST_EVENING = datetime(2025, 9, 30, 22, 30, tzinfo=UTC)
# 00:30 BST on Wednesday 1 October 2025 is 23:30 UTC on 30 September: October in London.
FIRST_NIGHT = datetime(2025, 9, 30, 23, 30, tzinfo=UTC)
SEPT, OCT = date(2025, 9, 1), date(2025, 10, 1)
LATER = datetime(2025, 11, 20, tzinfo=UTC)


def row(received, responded=None, acknowledged=None):
    return {"received_at": received, "responded_at": responded, "acknowledged_at": acknowledged}


def test_messages_are_counted_in_the_london_month_they_were_received():
    rows = [
        row(LAST_EVENING, LAST_EVENING + timedelta(hours=23, minutes=59)),  # in time, September
        row(FIRST_NIGHT, FIRST_NIGHT + timedelta(hours=24, minutes=1)),  # late, October (London)
        row(FIRST_NIGHT),  # never answered and past due: missed
    ]
    counts = sc.messages_answered_each_month(rows, SEPT, OCT, LATER)
    assert counts[SEPT] == sc.Count(1, 1)
    assert counts[OCT] == sc.Count(0, 2)


def test_one_not_yet_due_is_not_counted_and_answered_early_counts():
    now = LAST_EVENING + timedelta(hours=2)
    rows = [row(LAST_EVENING), row(LAST_EVENING, LAST_EVENING + timedelta(hours=1))]
    assert sc.messages_answered_each_month(rows, SEPT, SEPT, now)[SEPT] == sc.Count(1, 1)
    # exactly 24 hours is within 24 hours
    assert sc.messages_answered_each_month(
        [row(LAST_EVENING, LAST_EVENING + timedelta(hours=24))], SEPT, SEPT, LATER
    )[SEPT] == sc.Count(1, 1)


def test_dissatisfaction_counts_the_acknowledgement_by_a_person_not_the_answer():
    rows = [
        row(LAST_EVENING, responded=LAST_EVENING + timedelta(hours=1)),  # answered but never acknowledged
        row(LAST_EVENING, acknowledged=LAST_EVENING + timedelta(hours=3)),
    ]
    assert sc.dissatisfaction_acknowledged_each_month(rows, SEPT, SEPT, LATER)[SEPT] == sc.Count(1, 2)
    assert sc.MESSAGES in sc.COMPUTED and sc.DISSATISFACTION in sc.COMPUTED and not sc.NOT_YET_COMPUTED


@pytest.fixture
def areas(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    return empty_db


def test_the_scorecard_computes_both_per_team_and_adds_them_up(areas):
    db = areas
    with session_scope(db.sessions) as session:
        make_submission(
            session,
            team_id=ALPHA,
            borough_code=WESTMINSTER,
            received_at=LAST_EVENING,
            responded_at=LAST_EVENING + timedelta(hours=2),
            status="responded",
        )
        make_submission(session, team_id=BRAVO, borough_code=WESTMINSTER, received_at=FIRST_NIGHT)
        make_submission(
            session,
            team_id=DELTA,
            kind=DISSATISFACTION,
            category="delay",
            received_at=LAST_EVENING,
            acknowledged_at=LAST_EVENING + timedelta(hours=5),
            status="acknowledged",
        )
    with session_scope(db.sessions) as session:
        computed = pledge.compute(session, today=date(2025, 11, 15))
        london = pledge.london_area(session)
        westminster = pledge.borough_area(session, WESTMINSTER)
        alpha = pledge.team_area(session, ALPHA)
    by_month = {f.month: f for f in computed.figures(sc.MESSAGES, london)}
    assert (by_month[SEPT].numerator, by_month[SEPT].denominator) == (1, 1)
    assert (by_month[OCT].numerator, by_month[OCT].denominator) == (0, 1)
    assert {f.month: f.value for f in computed.figures(sc.MESSAGES, alpha)}[SEPT] == 100.0
    assert {f.month: f.denominator for f in computed.figures(sc.MESSAGES, westminster)}[OCT] == 1
    reports = {f.month: f for f in computed.figures(sc.DISSATISFACTION, london)}
    assert (reports[SEPT].numerator, reports[SEPT].denominator) == (1, 1) and reports[OCT].value is None


def test_the_figures_query_by_month_with_medians_and_categories(areas):
    db = areas
    with session_scope(db.sessions) as session:
        make_submission(
            session,
            team_id=ALPHA,
            borough_code=WESTMINSTER,
            received_at=LAST_EVENING,
            responded_at=LAST_EVENING + timedelta(hours=2),
            status="responded",
        )
        make_submission(
            session,
            team_id=ALPHA,
            borough_code=WESTMINSTER,
            received_at=LAST_EVENING,
            responded_at=LAST_EVENING + timedelta(hours=30),
            status="responded",
        )
        make_submission(session, team_id=ALPHA, borough_code=WESTMINSTER, received_at=FIRST_NIGHT)
        make_submission(
            session,
            kind=DISSATISFACTION,
            category="incivility",
            borough_code=WESTMINSTER,
            received_at=LAST_EVENING,
            acknowledged_at=LAST_EVENING + timedelta(minutes=45),
        )
        make_submission(
            session, team_id=DELTA, kind=DISSATISFACTION, category="delay", received_at=FIRST_NIGHT
        )
    with session_scope(db.sessions) as session:
        london = {m["month"]: m for m in inbox_queries.figures(session, today=date(2025, 10, 20))["months"]}
        westminster = {
            m["month"]: m
            for m in inbox_queries.figures(session, borough=WESTMINSTER, today=date(2025, 10, 20))["months"]
        }
        delta = {
            m["month"]: m
            for m in inbox_queries.figures(session, team=DELTA, today=date(2025, 10, 20))["months"]
        }
    sept = london["2025-09"]["messages"]
    assert (sept["received"], sept["within_24_hours"], sept["due"], sept["percent"]) == (2, 1, 2, 50.0)
    assert sept["median_text"] == "16 h"  # of 2 h and 30 h
    assert london["2025-10"]["messages"]["received"] == 1 and london["2025-10"]["messages"]["percent"] == 0.0
    report = london["2025-09"]["dissatisfaction"]
    assert (report["received"], report["percent"], report["median_text"]) == (1, 100.0, "45 min")
    assert {c["category"]: c["count"] for c in report["by_category"]}["incivility"] == 1
    assert westminster["2025-09"]["dissatisfaction"]["received"] == 1  # the borough-level report
    assert westminster["2025-10"]["dissatisfaction"]["received"] == 0
    assert (
        delta["2025-10"]["dissatisfaction"]["received"] == 1 and delta["2025-09"]["messages"]["received"] == 0
    )


@pytest.fixture
def site(areas) -> Iterator[tuple[TestClient, object]]:
    with TestClient(create_app(areas.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, areas


def test_the_public_page_and_its_json_show_no_personal_data(site):
    client, db = site
    now = datetime.now(UTC)
    with session_scope(db.sessions) as session:
        make_submission(
            session,
            team_id=ALPHA,
            borough_code=WESTMINSTER,
            received_at=now - timedelta(hours=3),
            responded_at=now - timedelta(hours=1),
            status="responded",
        )
    page = client.get("/contact/figures")
    assert page.status_code == 200
    assert "How quickly we answer: London" in page.text and "100.0% (1 of 1 answered)" in page.text
    assert "2 h" in page.text and "Westminster" in page.text
    for personal in ("Pat Resident", "resident@example.org", "Acacia Avenue", "SNT-2026"):
        assert personal not in page.text
    data = client.get("/contact/figures.json").json()
    month = sc.local_month(now - timedelta(hours=3)).strftime("%Y-%m")
    months = {m["month"]: m for m in data["months"]}
    assert data["area"]["level"] == "london" and months[month]["messages"]["within_24_hours"] == 1
    assert "Pat Resident" not in str(data) and "resident@example.org" not in str(data)
    team = client.get(f"/contact/figures.json?team={ALPHA}").json()
    assert team["area"]["name"] == "Alpha team"
    assert sum(m["messages"]["received"] for m in team["months"]) == 1
    borough = client.get(f"/contact/figures?borough={WESTMINSTER}")
    assert borough.status_code == 200 and "How quickly we answer: Westminster" in borough.text
    assert (
        client.get("/contact/figures.json?borough=E09000007").json()["months"][0]["messages"]["received"] == 0
    )
    assert client.get("/contact/figures?team=E05999999").status_code == 404
    assert client.get("/contact/figures?borough=nowhere").status_code == 404
