"""The Pledge scorecard (issue 6): London, borough and team scorecards, indicator pages, the catalogue,
CSV downloads, JSON twins, and the explanation API, on a tiny world of our own rows.

The world: two Met wards in Westminster (Alpha, a staff-run team; Bravo, a demo team) and one in the City.
Alpha held a public meeting every month of the last 12 complete months but two: an earlier one (explained)
and the last one (not explained). Bravo met every month and published an update last month. London's
imported figures give each status: 999 calls close (with an earlier met figure), urgent calls missed
(explained), a figure with no target, one with no data; survey neighbourhoods give a range.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape
from sqlalchemy import event
from starlette.testclient import TestClient

from portal.app import create_app
from portal.importers.boundaries import import_boundaries
from portal.models import (
    DEMO,
    MET,
    Explanation,
    Meeting,
    Priority,
    PriorityReview,
    Team,
    TeamUpdate,
    record_change,
)
from portal.queries.engagement import london_today
from portal.services import scorecard as sc
from portal.services.compliance import add_months, last_complete_months
from tests.factories import (
    WARDS,
    explanation,
    indicator,
    measure,
    pledge_point,
    survey_neighbourhood,
    wards_file,
)

ALPHA, BRAVO, CITY_WARD = "E05900001", "E05900002", "E05900003"
WESTMINSTER, CITY = "E09000033", "E09000001"
TOKEN = "test-staff-token-0123456789"
JUNE_2009, JAN_2009 = date(2009, 6, 1), date(2009, 1, 1)
SURVEY_2016 = date(2016, 12, 1)
MEETINGS, REVIEWS, UPDATES = sc.MEETINGS, sc.REVIEWS, sc.UPDATES
CALLS, URGENT, NO_TARGET, NO_DATA = "P5-999-10S", "P5-I-CALL-12MIN", "P2-WEB-REVIEW", "P9-UPDATED-28-DAYS"
FAIRLY = "P1-PAS-TREAT-FAIRLY"
EXPLAINED_REASON = "The ward panel hall flooded & no other venue was free."
URGENT_REASON = "Calls rose by a fifth in the heatwave."


def window() -> tuple[date, date]:
    return last_complete_months(london_today())


def at(month: date, day: int = 10, hour: int = 19) -> datetime:
    """A London wall-clock time in a month, as naive UTC (as stored)."""
    local = datetime(month.year, month.month, day, hour, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(UTC).replace(tzinfo=None)


def add_world(session) -> dict[str, Any]:
    first, last = window()
    explained = add_months(last, -4)
    session.add_all([pledge_point(n) for n in range(1, 11)])
    session.get(Team, BRAVO).content_source = DEMO
    session.flush()
    point5 = session.get(type(pledge_point(5)), 5)
    point5.inspection_grade, point5.inspection_source = "FAIR", "HMIC, October 2009"
    session.add_all(
        [
            indicator(MEETINGS, 7, name="Months with a public meeting", position=1),
            indicator(REVIEWS, 7, name="Priority reviews done on time", position=2),
            indicator(UPDATES, 8, name="Months with an update published"),
            indicator(sc.MESSAGES, 4, name="Messages answered within 24 hours"),
            indicator(
                CALLS,
                5,
                name="999 calls answered within 10 seconds",
                target=90.0,
                levels="force",
                source="call_handling",
                position=1,
            ),
            indicator(
                URGENT,
                5,
                name="Urgent calls attended within 12 minutes",
                target=75.0,
                levels="force,borough",
                source="call_handling",
                position=2,
                met_promise="I-call 12 minutes, 75%",
            ),
            indicator(NO_TARGET, 2, name="Websites that passed review", target=None, levels="force"),
            indicator(NO_DATA, 9, name="Victims updated every 28 days", levels="force", source="survey"),
            indicator(
                FAIRLY,
                1,
                name="Residents who agree the police treat everyone fairly",
                target=None,
                levels="neighbourhood",
                source="survey",
                decimals=0,
            ),
        ]
    )
    session.add_all(
        [
            survey_neighbourhood("WM-AN", "Alpha North", WESTMINSTER),
            survey_neighbourhood("WM-BS", "Bravo South", WESTMINSTER),
        ]
    )
    session.flush()
    session.add_all(
        [
            measure(CALLS, MET, JAN_2009, 95.4),  # met
            measure(CALLS, MET, JUNE_2009, 87.1, numerator=871, denominator=1000),  # close (tolerance 4.5)
            measure(URGENT, MET, JUNE_2009, 70.5),  # missed
            measure(URGENT, WESTMINSTER, JUNE_2009, 76.0, level="borough"),  # met
            measure(NO_TARGET, MET, JUNE_2009, 60.0),  # no target
            measure(FAIRLY, "WM-AN", SURVEY_2016, 29.0, level="neighbourhood", period="2016"),
            measure(FAIRLY, "WM-BS", SURVEY_2016, 51.0, level="neighbourhood", period="2016"),
            explanation(URGENT, MET, JUNE_2009, URGENT_REASON, "More cars at peak."),
            explanation(MEETINGS, ALPHA, explained, EXPLAINED_REASON, "A second venue is now booked."),
        ]
    )
    for month in [add_months(first, i) for i in range(12)]:
        if month not in (explained, last):
            session.add(meeting(ALPHA, month))
        session.add(meeting(BRAVO, month))
    session.add(meeting(ALPHA, last, status="cancelled"))  # a cancelled one does not count
    priority = Priority(
        team_id=ALPHA,
        title="Speeding",
        agreed_on=first,
        agreed_how="meeting",
        review_on=last + timedelta(days=60),
    )
    session.add(priority)
    session.flush()
    session.add_all(
        [
            PriorityReview(
                priority_id=priority.id, due_on=last.replace(day=5), reviewed_on=last.replace(day=4)
            ),
            PriorityReview(
                priority_id=priority.id, due_on=last.replace(day=6), reviewed_on=last.replace(day=20)
            ),
        ]
    )
    session.add(
        TeamUpdate(team_id=BRAVO, title="News", body="Body", status="published", published_at=at(last, 3, 12))
    )
    session.add(TeamUpdate(team_id=ALPHA, title="Draft", body="Body", status="draft", published_at=at(last)))
    record_change(session, "test: pledge world")
    return {"first": first, "last": last, "explained": explained}


_UID = iter(range(1, 10_000))


def meeting(team: str, month: date, **extra) -> Meeting:
    starts = at(month)
    return Meeting(
        uid=f"pledge-test-{next(_UID)}@example.org",
        team_id=team,
        type="ward_panel",
        title="Ward panel",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        **extra,
    )


@pytest.fixture
def world(empty_db, tmp_path) -> Iterator[tuple[TestClient, Any, dict]]:
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path, WARDS), generation=2024)
    with empty_db.sessions.begin() as session:
        facts = add_world(session)
    app = create_app(empty_db.settings(warm_caches=False, staff_api_token=TOKEN))
    with TestClient(app, follow_redirects=False) as client:
        yield client, empty_db, facts


def rows_by_code(data: dict) -> dict[str, dict]:
    return {r["indicator"]["code"]: {**r, "point": p} for p in data["points"] for r in p["rows"]}


def row_html(page: str, code: str) -> str:
    """The scorecard's table row for an indicator, and the explanation row after it when there is one."""
    match = re.search(
        rf'<tr [^>]*id="{code}".*?</tr>(\s*<tr [^>]*id="{code}-explanation".*?</tr>)?', page, re.S
    )
    assert match, code
    return match.group(0)


# -- London ---------------------------------------------------------------------------------------------


def test_london_scorecard_shows_every_point_status_grade_and_explanation(world):
    client, _db, facts = world
    page = client.get("/pledge")
    assert page.status_code == 200
    html = page.text
    assert "<h1" in html and "Policing Pledge scorecard for London" in html
    titles = re.findall(r'id="point-(\d+)-heading"', html)
    assert titles == [str(n) for n in range(1, 11)]  # the ten promises, in order

    calls = row_html(html, CALLS)
    assert "87.1%" in calls and "At least 90.0%" in calls and ">Close<" in calls
    assert "Getting worse (from 95.4% in January 2009)" in calls
    assert "Data as of June 2009" in calls and "Test source, 2009" in calls
    assert "No explanation has been given yet." in calls  # close, and nobody has explained it

    urgent = row_html(html, URGENT)
    assert ">Missed<" in urgent and URGENT_REASON in urgent
    assert "More cars at peak." in urgent and "No explanation has been given yet." not in urgent

    no_target = row_html(html, NO_TARGET)
    assert "60.0%" in no_target and "No target" in no_target and "-explanation" not in no_target
    no_data = row_html(html, NO_DATA)
    assert ">No data<" in no_data and "-explanation" not in no_data
    messages = row_html(html, sc.MESSAGES)
    assert "No data" in messages  # computed from messages; this test database has none

    survey = row_html(html, FAIRLY)  # neighbourhood-only: the range across neighbourhoods
    assert "from 29% (Alpha North, Westminster) to 51% (Bravo South, Westminster), 2 neighbourhoods" in survey

    meetings = row_html(html, MEETINGS)  # computed: added up over every team, last month 1 of 2
    assert "50.0%" in meetings and "1 of 2 teams" in meetings and "Demo" in meetings
    assert f"Data as of {facts['last']:%B %Y}" in meetings

    # grades: point 5 has a close and a missed figure; point 7 two missed; no target or no data: not graded
    assert re.search(r'id="point-5-heading".*?Grade for London: <strong[^>]*>FAIR<', html, re.S)
    assert re.search(r'id="point-7-heading".*?Grade for London: <strong[^>]*>POOR<', html, re.S)
    assert re.search(r'id="point-1-heading".*?Grade for London: <strong[^>]*>NOT GRADED<', html, re.S)
    inspection = r"Inspectors' grade for the Metropolitan Police \(HMIC, October 2009\): <strong[^>]*>FAIR<"
    assert re.search(inspection, html)
    assert "Demo content" in html and "1 of the 2 teams" in html  # Bravo is a demo team


def test_how_we_grade_prints_the_services_rules(world):
    client, _db, _facts = world
    html = client.get("/pledge").text
    section = html[html.index('id="how-we-grade"') :]
    for _grade, rule in sc.GRADE_RULES:
        assert str(escape(rule)) in section
    for rule in sc.STATUS_RULES.values():
        assert str(escape(rule)) in section
    data = client.get("/pledge.json").json()
    assert [g["rule"] for g in data["rules"]["grades"]] == [rule for _g, rule in sc.GRADE_RULES]


def test_london_json_twin_has_the_same_figures(world):
    client, _db, facts = world
    data = client.get("/pledge.json").json()
    assert data["area"] == {
        "level": "force",
        "code": MET,
        "name": "Metropolitan Police Service",
        "label": "London",
        "borough": None,
        "demo": False,
    }
    rows = rows_by_code(data)
    calls = rows[CALLS]
    assert calls["status"] == sc.CLOSE and calls["latest"]["value"] == 87.1
    assert calls["latest"]["month"] == "2009-06" and calls["latest"]["fraction_text"] == "871 of 1,000"
    assert calls["trend"] == sc.WORSENING and calls["previous"]["month"] == "2009-01"
    assert calls["needs_explanation"] is True and calls["explanation"] is None
    assert rows[URGENT]["explanation"]["reason"] == URGENT_REASON
    assert rows[URGENT]["explanation"]["recorded_at"].endswith("Z")
    assert rows[NO_TARGET]["status"] == sc.NO_TARGET and rows[NO_DATA]["status"] == sc.NO_DATA
    assert rows[sc.MESSAGES]["kind"] == "own" and rows[sc.MESSAGES]["status"] == sc.NO_DATA
    meetings = rows[MEETINGS]
    assert (meetings["latest"]["numerator"], meetings["latest"]["denominator"]) == (1, 2)
    assert meetings["latest"]["month"] == f"{facts['last']:%Y-%m}" and meetings["demo"] is True
    reviews = rows[REVIEWS]  # Alpha's two reviews due last month: one on time, one late
    assert reviews["latest"]["value"] == 50.0 and reviews["status"] == sc.MISSED
    assert {p["number"]: p["grade"] for p in data["points"]}[5] == sc.FAIR
    assert data["demo"]["teams"] == 1 and data["demo"]["of"] == 2


# -- a team and a borough ---------------------------------------------------------------------------------


def test_team_scorecard_with_comparisons_and_a_missing_explanation(world):
    client, _db, facts = world
    page = client.get(f"/teams/{ALPHA}/pledge")
    assert page.status_code == 200
    html = page.text
    assert "Policing Pledge scorecard for the Alpha team" in html
    header = re.search(r"<thead.*?</thead>", html[html.index('id="point-7-heading"') :], re.S).group(0)
    assert "Alpha team" in header and "Westminster" in header and "London" in header
    meetings = row_html(html, MEETINGS)
    cells = re.findall(r'<td class="govuk-table__cell portal-pledge-cell">(.*?)</td>', meetings, re.S)
    assert "0.0%" in cells[0] and "No public meeting held" in cells[0]
    assert "50.0%" in cells[1] and "50.0%" in cells[2]  # Westminster and London, the same month
    assert ">Missed<" in meetings and "No explanation has been given yet." in meetings
    explained = facts["explained"]
    link = f'href="/teams/{ALPHA}/pledge/{MEETINGS}#explanation-{explained:%Y-%m}"'
    assert link in meetings and f"{explained:%B %Y}" in meetings and "(explained)" in meetings
    assert "Demo content" not in html  # Alpha's own records are not demo content…
    assert "Demo" in cells[1]  # …but Westminster's total includes Bravo's

    # imported figures measured only above a team: the nearest area with a figure, and it does not grade
    urgent = row_html(html, URGENT)
    assert "Not measured for each team" in urgent and "76.0%" in urgent and ">Met<" in urgent
    data = client.get(f"/teams/{ALPHA}/pledge.json").json()
    rows = rows_by_code(data)
    assert rows[URGENT]["kind"] == "higher" and rows[URGENT]["scope"]["code"] == WESTMINSTER
    assert rows[CALLS]["scope"]["code"] == MET and rows[CALLS]["status"] == sc.CLOSE
    point5 = next(p for p in data["points"] if p["number"] == 5)
    assert point5["grade"] == sc.NOT_GRADED  # nothing measured for the team itself
    assert rows[MEETINGS]["history"][:2] == [sc.MISSED, sc.MET]
    assert [c["level"] for c in rows[MEETINGS]["cells"]] == ["team", "borough", "force"]

    survey = row_html(html, FAIRLY)  # we do not know a ward's survey neighbourhood
    assert f'href="/boroughs/{WESTMINSTER}/pledge/{FAIRLY}"' in survey
    assert "each neighbourhood in Westminster" in survey


def test_grades_excellent_and_good_and_the_demo_banner(world):
    client, _db, _facts = world
    html = client.get(f"/teams/{BRAVO}/pledge").text
    assert re.search(r'id="point-7-heading".*?Grade for Bravo team: <strong[^>]*>EXCELLENT<', html, re.S)
    assert re.search(r'id="point-8-heading".*?Grade for Bravo team: <strong[^>]*>GOOD<', html, re.S)
    assert "demonstration content, not a real team" in html  # the team's demo banner
    assert "figures are computed from are demonstration content, not real records" in html
    assert "Update published" in row_html(html, UPDATES)


def test_borough_scorecard_lists_its_neighbourhoods(world):
    client, _db, _facts = world
    html = client.get(f"/boroughs/{WESTMINSTER}/pledge").text
    assert "Policing Pledge scorecard for Westminster" in html
    urgent = row_html(html, URGENT)
    assert "76.0%" in urgent and "70.5%" in urgent and ">Met<" in urgent  # Westminster, then London
    table = re.search(rf'<table [^>]*id="{FAIRLY}-neighbourhoods".*?</table>', html, re.S).group(0)
    assert "Alpha North" in table and "29%" in table and "Bravo South" in table and "51%" in table
    assert "from 29% (Alpha North) to 51% (Bravo South), 2 neighbourhoods" in html
    assert "Demo content" in html
    parts = html[html.index('id="parts"') :]  # each team's scorecard
    assert f'href="/teams/{ALPHA}/pledge">Alpha<' in parts and f'href="/teams/{BRAVO}/pledge">Bravo<' in parts
    london = client.get("/pledge").text
    assert f'href="/boroughs/{WESTMINSTER}/pledge">Westminster<' in london[london.index('id="parts"') :]


# -- indicator pages --------------------------------------------------------------------------------------


def test_team_indicator_page_explains_each_missed_month_with_chart_and_table(world):
    client, _db, facts = world
    page = client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}")
    assert page.status_code == 200
    html = page.text
    assert "Months with a public meeting" in html and f"What does {MEETINGS} measure?" in html
    assert f"How {MEETINGS} is calculated." in html and "Test target setter" in html
    explained, last = facts["explained"], facts["last"]
    block = re.search(rf'id="explanation-{explained:%Y-%m}".*?</div>\s*</div>', html, re.S).group(0)
    assert str(escape(EXPLAINED_REASON)) in block and "A second venue is now booked." in block
    block = re.search(rf'id="explanation-{last:%Y-%m}".*?</div>', html, re.S).group(0)
    assert "No explanation has been given yet." in block
    assert '<svg class="portal-chart"' in html and 'role="img"' in html  # the chart…
    table = re.search(r'<table [^>]*id="figures-table".*?</table>', html, re.S).group(0)
    months = re.findall(r'<tr [^>]*id="month-(\d{4}-\d{2})"', table)
    assert len(months) == 12 and months[0] == f"{last:%Y-%m}"  # …and every figure in a table
    row = re.search(rf'id="month-{explained:%Y-%m}".*?</tr>', table, re.S).group(0)
    assert "Missed" in row and ">Yes<" in row and "50.0%" in row  # Westminster that month: Alpha 0, Bravo 1
    row = re.search(rf'id="month-{last:%Y-%m}".*?</tr>', table, re.S).group(0)
    assert "No public meeting held" in row and '<td class="govuk-table__cell">No</td>' in row

    data = client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}.json").json()
    assert [m["month"] for m in data["missed"]] == [f"{last:%Y-%m}", f"{explained:%Y-%m}"]
    assert data["missed"][1]["explanation"]["reason"] == EXPLAINED_REASON
    assert [s["label"] for s in data["series"]] == ["Alpha team", "Westminster", "London"]
    assert data["computed"]["to"] == f"{last:%Y-%m}"


def test_imported_indicator_pages_show_every_figure(world):
    client, _db, _facts = world
    html = client.get(f"/pledge/indicators/{CALLS}").text
    assert '<svg class="portal-chart"' in html  # two figures: a trend
    table = re.search(r'<table [^>]*id="figures-table".*?</table>', html, re.S).group(0)
    assert re.findall(r'id="month-(\d{4}-\d{2})"', table) == ["2009-06", "2009-01"]
    html = client.get(f"/pledge/indicators/{URGENT}").text
    assert "Only one figure, so no trend yet." in html and "<svg" not in html
    assert URGENT_REASON in html and "I-call 12 minutes, 75%" in html
    html = client.get(f"/boroughs/{WESTMINSTER}/pledge/{URGENT}").text
    table = re.search(r'<table [^>]*id="figures-table".*?</table>', html, re.S).group(0)
    assert "76.0%" in table and "70.5%" in table  # Westminster, with London for the same month
    html = client.get(f"/pledge/indicators/{FAIRLY}").text
    table = re.search(r'<table [^>]*id="neighbourhoods-table".*?</table>', html, re.S).group(0)
    assert "Alpha North" in table and "Westminster" in table and "51%" in table
    html = client.get(f"/teams/{ALPHA}/pledge/{FAIRLY}").text
    assert f'href="/boroughs/{WESTMINSTER}/pledge/{FAIRLY}"' in html


def test_catalogue_lists_every_indicator(world):
    client, _db, _facts = world
    html = client.get("/pledge/indicators").text
    for code in [MEETINGS, REVIEWS, UPDATES, CALLS, URGENT, NO_TARGET, NO_DATA, FAIRLY, sc.MESSAGES]:
        assert f'href="/pledge/indicators/{code}"' in html and f"How {code} is calculated." in html
    assert "I-call 12 minutes, 75%" in html and "Survey neighbourhood" in html
    data = client.get("/pledge/indicators.json").json()
    assert sum(len(p["indicators"]) for p in data["points"]) == data["count"] == 9


# -- downloads --------------------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def test_scorecard_csv_is_what_the_page_shows(world):
    client, _db, facts = world
    rows = {r["code"]: r for r in read_csv(client.get(f"/teams/{ALPHA}/pledge.csv"))}
    assert len(rows) == 9
    meetings = rows[MEETINGS]
    assert meetings["area"] == ALPHA and meetings["month"] == f"{facts['last']:%Y-%m}"
    assert float(meetings["value"]) == 0.0 and meetings["status"] == "missed"
    assert (meetings["numerator"], meetings["denominator"]) == ("0", "1")
    assert float(meetings["borough_value"]) == 50.0 and float(meetings["london_value"]) == 50.0
    assert meetings["explanation"] == "No explanation has been given yet." and meetings["action"] == ""
    assert meetings["target"] == "100.0" and meetings["direction"] == "higher"
    assert meetings["data_as_of"].startswith(f"Data as of {facts['last']:%B %Y}")
    urgent = rows[URGENT]
    assert urgent["area"] == WESTMINSTER and urgent["status"] == "met" and urgent["london_value"] == "70.5"
    london = {r["code"]: r for r in read_csv(client.get("/pledge.csv"))}
    assert london[URGENT]["explanation"] == URGENT_REASON
    assert london[URGENT]["action"] == "More cars at peak." and london[CALLS]["trend"] == "worsening"
    assert london[MEETINGS]["demo"] == "yes" and london[CALLS]["demo"] == "no"
    assert "2 neighbourhoods" in london[FAIRLY]["note"]
    borough = read_csv(client.get(f"/boroughs/{WESTMINSTER}/pledge.csv"))
    assert {r["code"] for r in borough} == set(rows)


def test_indicator_csv_is_the_pages_table(world):
    client, _db, facts = world
    rows = read_csv(client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}.csv"))
    assert len(rows) == 12 and rows[0]["month"] == f"{facts['last']:%Y-%m}"
    explained = next(r for r in rows if r["month"] == f"{facts['explained']:%Y-%m}")
    assert explained["explanation_given"] == "yes" and explained["explanation"] == EXPLAINED_REASON
    assert explained["comparison_area"] == "Westminster" and float(explained["comparison_value"]) == 50.0
    assert rows[0]["explanation_given"] == "no"
    assert rows[0]["explanation"] == "No explanation has been given yet."
    assert sum(r["explanation_given"] == "" for r in rows) == 10  # met months need none
    london = read_csv(client.get(f"/pledge/indicators/{CALLS}.csv"))
    assert [(r["month"], r["value"], r["status"]) for r in london] == [
        ("2009-06", "87.1", "close"),
        ("2009-01", "95.4", "met"),
    ]


# -- errors and assets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/pledge/indicators/NOPE", "There is no Pledge indicator with the code NOPE."),
        (f"/teams/{ALPHA}/pledge/NOPE", "There is no Pledge indicator with the code NOPE."),
        ("/teams/E05999999/pledge", "There is no Safer Neighbourhood Team with the code E05999999."),
        (f"/teams/{CITY_WARD}/pledge", f"There is no Safer Neighbourhood Team with the code {CITY_WARD}."),
        ("/boroughs/E09999999/pledge", "There is no London borough with the code E09999999."),
        (f"/boroughs/{CITY}/pledge", "policed by the City of London Police"),
        ("/boroughs/E09999999/pledge.csv", "There is no London borough"),
        (f"/boroughs/{WESTMINSTER}/pledge/NOPE.csv", "There is no Pledge indicator"),
    ],
)
def test_unknown_areas_and_indicators_are_clear_404s(world, path, words):
    client, _db, _facts = world
    page = client.get(path)
    assert page.status_code == 404 and words in page.text and "Page not found" in page.text
    assert client.get(path.removesuffix(".csv") + ".json").status_code == 404


def test_pages_link_their_downloads_twins_and_stylesheet(world):
    client, _db, _facts = world
    for path in ["/pledge", f"/boroughs/{WESTMINSTER}/pledge", f"/teams/{ALPHA}/pledge"]:
        html = client.get(path).text
        assert f'href="{path}.csv"' in html and f'href="{path}.json"' in html
        assert (
            'href="/static/css/pledge.css"' in html
            and client.get("/static/css/pledge.css").status_code == 200
        )
        assert html.count("<h1") == 1
    assert client.get("/static/css/pledge.css").status_code == 200
    html = client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}").text
    assert f'href="/teams/{ALPHA}/pledge/{MEETINGS}.csv"' in html
    assert f'href="/teams/{ALPHA}/pledge#{MEETINGS}"' in html
    assert f'href="/teams/{ALPHA}/pledge"' in client.get(f"/teams/{ALPHA}").text  # the team page links here
    assert f'href="/boroughs/{WESTMINSTER}/pledge"' in client.get(f"/boroughs/{WESTMINSTER}").text
    assert 'href="/pledge"' in client.get("/").text  # and every page's footer


def test_london_loads_each_teams_records_in_one_query_per_kind(world):
    client, _db, _facts = world
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = client.app.state.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.app.state.pledge_computed = None  # forget the memo: compute again
        assert client.get("/pledge.json?fresh=1").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    for table in ("meeting", "team_update", "priority_review"):
        found = [s for s in statements if re.search(rf"\bFROM {table}\b", s)]
        assert len(found) == 1, (table, statements)
    assert len(statements) < 20


# -- the explanation API ----------------------------------------------------------------------------------


def put(client, body, token: str | None = TOKEN, **kwargs):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if isinstance(body, str | bytes):
        return client.put("/api/pledge/explanations", content=body, headers=headers, **kwargs)
    return client.put("/api/pledge/explanations", json=body, headers=headers, **kwargs)


def good_body(facts: dict, **changes) -> dict:
    return {
        "indicator": MEETINGS,
        "area": ALPHA,
        "month": f"{facts['last']:%Y-%m}",
        "reason": "Both sergeants were on leave and the panel chair was ill.",
        "action": "A deputy chair now stands in, and the date is set a year ahead.",
        "recorded_by": "Insp Jo Test, Westminster",
        **changes,
    }


def test_the_api_is_off_without_a_token(empty_db):
    app = create_app(empty_db.settings(warm_caches=False))
    with TestClient(app) as client:
        response = put(client, {"indicator": MEETINGS})
        assert response.status_code == 403 and "switched off" in response.json()["message"]
        assert put(client, {}, token=None).status_code == 403
        assert response.headers["cache-control"] == "no-store"


def test_the_api_needs_the_right_token(world):
    client, _db, facts = world
    for token in (None, "wrong-token-but-long-enough", TOKEN + "x", TOKEN[:-1]):
        response = put(client, good_body(facts), token=token)
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["error"] == "Unauthorized"
    basic = client.put("/api/pledge/explanations", json=good_body(facts), headers={"authorization": TOKEN})
    assert basic.status_code == 401


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', b"\xff\xfe", ""])
def test_a_body_that_is_not_a_json_object_is_a_400(world, body):
    client, _db, _facts = world
    response = put(client, body)
    assert response.status_code == 400 and "JSON object" in response.json()["message"]


def test_invalid_explanations_are_a_422_with_every_problem(world):
    client, _db, facts = world
    response = put(
        client,
        {"indicator": "NOPE", "area": "E05999999", "month": "2026-13", "reason": " ", "recorded_by": 7},
    )
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert set(problems) == {"indicator", "area", "month", "reason", "action", "recorded_by"}
    assert problems["recorded_by"] == "Give this as text" and "YYYY-MM" in problems["month"]
    response = put(client, good_body(facts, indicator=CALLS))  # 999 calls are not measured for a team
    assert response.status_code == 422 and "only: force" in response.json()["problems"]["area"]
    future = add_months(london_today(), 2)
    response = put(client, good_body(facts, month=f"{future:%Y-%m}"))
    assert response.json()["problems"] == {"month": "The month cannot be in the future"}
    with _db_session(world) as session:
        assert session.query(Explanation).filter_by(area_code=ALPHA).count() == 1  # nothing recorded


def _db_session(world):
    _client, db, _facts = world
    return db.sessions()


def test_recording_an_explanation_shows_at_once_and_replacing_it_too(world):
    client, _db, facts = world
    before = client.get(f"/teams/{ALPHA}/pledge")  # cached now
    assert "No explanation has been given yet." in row_html(before.text, MEETINGS)
    response = put(client, good_body(facts))
    assert response.status_code == 201
    body = response.json()
    assert body["indicator"] == MEETINGS and body["area"] == ALPHA and body["demo"] is False
    assert body["month"] == f"{facts['last']:%Y-%m}" and body["recorded_at"].endswith("Z")
    assert body["page"] == f"/teams/{ALPHA}/pledge/{MEETINGS}"
    row = row_html(client.get(f"/teams/{ALPHA}/pledge").text, MEETINGS)
    assert "Both sergeants were on leave and the panel chair was ill." in row
    assert "A deputy chair now stands in" in row and "Insp Jo Test, Westminster" in row
    assert "No explanation has been given yet." not in row

    response = put(client, good_body(facts, reason="The hall was double-booked.", area=ALPHA.lower()))
    assert response.status_code == 200 and response.json()["reason"] == "The hall was double-booked."
    page = client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}").text
    assert "The hall was double-booked." in page and "Both sergeants" not in page
    listed = client.get(f"/api/pledge/explanations?area={ALPHA.lower()}")
    assert listed.status_code == 200 and listed.headers["access-control-allow-origin"] == "*"
    assert [(e["indicator"], e["month"]) for e in listed.json()] == [
        (MEETINGS, f"{facts['last']:%Y-%m}"),
        (MEETINGS, f"{facts['explained']:%Y-%m}"),
    ]
    assert listed.json()[0]["indicator_name"] == "Months with a public meeting"


def test_force_explanations_by_api(world):
    client, _db, _facts = world
    body = {
        "indicator": CALLS,
        "area": MET.upper(),
        "month": "2009-06",
        "reason": "A new telephone system failed for two days.",
        "action": "It has a standby now.",
        "recorded_by": "Ch Supt Test, Met Command and Control",
    }
    assert put(client, body).status_code == 201
    assert "A new telephone system failed for two days." in row_html(client.get("/pledge").text, CALLS)
    listed = client.get("/api/pledge/explanations?area=metropolitan").json()
    assert {e["indicator"] for e in listed} == {CALLS, URGENT}


def test_listing_explanations_needs_a_known_area(world):
    client, _db, _facts = world
    assert client.get("/api/pledge/explanations").status_code == 400
    response = client.get("/api/pledge/explanations?area=E05999999")
    assert response.status_code == 404 and response.json()["error"] == "Not found"
    assert client.get(f"/api/pledge/explanations?area={BRAVO}").json() == []
    response = client.delete("/api/pledge/explanations")
    assert response.status_code == 405 and "PUT" in response.headers["allow"]


def test_the_api_is_documented(world):
    client, _db, _facts = world
    document = client.get("/api/pledge/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    operations = document["paths"]["/pledge/explanations"]
    assert set(operations) == {"get", "put"}
    assert set(operations["put"]["responses"]) == {"200", "201", "400", "401", "403", "422"}
    assert document["components"]["securitySchemes"]["staffToken"]["scheme"] == "bearer"
    refs = re.findall(r'"\$ref": "#/components/(\w+)/([\w]+)"', __import__("json").dumps(document))
    for kind, name in refs:
        assert name in document["components"][kind], name
    assert "Pledge explanations" in client.get("/api/").text


def test_the_token_setting():
    from portal.settings import Settings, SettingsError

    assert Settings.from_env({}).staff_api_token == ""  # off unless set
    assert Settings.from_env({"STAFF_API_TOKEN": f" {TOKEN} "}).staff_api_token == TOKEN
    assert TOKEN not in repr(Settings.from_env({"STAFF_API_TOKEN": TOKEN}))
    with pytest.raises(SettingsError, match="at least 16 characters"):
        Settings.from_env({"STAFF_API_TOKEN": "short"})
