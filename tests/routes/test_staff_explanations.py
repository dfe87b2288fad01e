"""Staff explain missed Pledge targets (a team's, a borough's, London's), and the dashboard says what needs
attention, through the real app on both backends.

The world: the staff teams (Alpha and Bravo in Westminster, Delta in Camden) and one indicator, "months with
a public meeting" (target 100%). Every team met every one of the last 12 complete months except Alpha last
month, so Alpha, Westminster and London each missed last month; nobody has a meeting next month.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import MET, AuditEntry, Explanation, Meeting, Priority, TeamUpdate, record_change
from portal.queries import pledge
from portal.queries import staff_admin as queries
from portal.queries.engagement import london_today
from portal.services import scorecard as sc
from portal.services.compliance import add_months, last_complete_months
from tests.factories import indicator, pledge_point
from tests.staff_helpers import (
    ALPHA,
    BRAVO,
    CAMDEN,
    DELTA,
    WESTMINSTER,
    create_accounts,
    csrf_from,
    load_staff_areas,
    post_form,
    sign_in,
)

MEETINGS = sc.MEETINGS
REASON = "The ward panel hall flooded & no other venue was free."
ACTION = "A second venue is now booked for every panel."


def at(month: date, day: int = 10, hour: int = 19) -> datetime:
    """A London wall-clock time in a month, as naive UTC (as stored)."""
    local = datetime(month.year, month.month, day, hour, tzinfo=ZoneInfo("Europe/London"))
    return local.astimezone(UTC).replace(tzinfo=None)


_UID = iter(range(1, 100_000))


def meeting(team: str, month: date, **extra) -> Meeting:
    starts = at(month)
    return Meeting(
        uid=f"staff-explain-{next(_UID)}@example.org",
        team_id=team,
        type="ward_panel",
        title="Ward panel",
        starts_at=starts,
        ends_at=starts + timedelta(minutes=90),
        **extra,
    )


@pytest.fixture
def world(empty_db, tmp_path) -> Iterator[tuple[TestClient, object, dict]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    first, last = last_complete_months(london_today())
    with session_scope(empty_db.sessions) as session:
        session.add_all([pledge_point(n) for n in range(1, 11)])
        session.flush()
        session.add(indicator(MEETINGS, 7, name="Months with a public meeting"))
        session.flush()
        for month in [add_months(first, i) for i in range(12)]:
            for team in (ALPHA, BRAVO, DELTA):
                if not (team == ALPHA and month == last):
                    session.add(meeting(team, month))
        record_change(session, "test: explanations world")
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db, {"first": first, "last": last, "month": f"{last:%Y-%m}"}


def form_url(facts, team: str = ALPHA) -> str:
    return f"/staff/teams/{team}/explanations/{MEETINGS}/{facts['month']}"


def explain(client, url: str, reason: str = REASON, action: str = ACTION):
    return post_form(client, url, {"reason": reason, "action": action})


def test_a_team_editor_explains_a_missed_month_and_it_is_published_at_once(world):
    client, db, facts = world
    sign_in(client)
    public = f"/teams/{ALPHA}/pledge/{MEETINGS}"
    assert "No explanation has been given yet." in client.get(public).text  # cached before the change
    overview = client.get(f"/staff/teams/{ALPHA}").text
    assert f'href="/staff/teams/{ALPHA}/explanations"' in overview
    listing = client.get(f"/staff/teams/{ALPHA}/explanations")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    html = listing.text
    month_label = f"{facts['last']:%B %Y}"
    assert "Not explained yet (1)" in html and "Explained (0)" in html
    assert month_label in html and "Months with a public meeting" in html and "Missed" in html
    assert f'href="{form_url(facts)}"' in html
    page = client.get(form_url(facts))
    assert page.status_code == 200 and "No public meeting held" in page.text
    assert "Ann Editor, Team editor" in page.text and 'name="version" value=""' in page.text
    response = explain(client, form_url(facts))
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/teams/{ALPHA}/explanations?saved=explanation"
    done = client.get(response.headers["location"]).text
    assert (
        "Not explained yet (0)" in done and "Explained (1)" in done and "is on the public scorecard" in done
    )
    published = client.get(public).text
    assert "The ward panel hall flooded &amp; no other venue was free." in published
    assert ACTION in published and "Recorded by Ann Editor, Team editor" in published
    assert REASON.replace("&", "&amp;") in client.get(f"/teams/{ALPHA}/pledge").text
    with session_scope(db.sessions) as session:
        row = session.scalars(select(Explanation)).one()
        assert (row.area_code, row.month, row.recorded_by, row.is_demo) == (
            ALPHA,
            facts["last"],
            "Ann Editor, Team editor",
            False,
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "explanation")).one()
        assert (entry.action, entry.team_id, entry.borough_code) == ("create", ALPHA, WESTMINSTER)
        assert (
            entry.entity_id == f"{MEETINGS} {facts['month']}" and json.loads(entry.after)["reason"] == REASON
        )


def test_recording_again_replaces_the_explanation_and_audits_the_change(world):
    client, db, facts = world
    sign_in(client, "borough")
    assert explain(client, form_url(facts)).status_code == 303
    page = client.get(form_url(facts))
    assert REASON.replace("&", "&amp;") in page.text and 'name="version" value="1"' in page.text
    assert "replacing the explanation recorded by Bo Admin, Borough admin" in page.text
    assert explain(client, form_url(facts), action="Panels move to the library.").status_code == 303
    published = client.get(f"/teams/{ALPHA}/pledge/{MEETINGS}").text
    assert "Panels move to the library." in published and ACTION not in published
    with session_scope(db.sessions) as session:
        assert session.scalars(select(Explanation)).one().version == 2
        update = session.scalars(select(AuditEntry).where(AuditEntry.action == "update")).one()
        assert json.loads(update.before) == {"action": ACTION}
        assert json.loads(update.after) == {"action": "Panels move to the library."}


def test_an_empty_explanation_is_refused_with_what_was_typed_kept(world):
    client, db, facts = world
    sign_in(client)
    response = explain(client, form_url(facts), reason="Kept reason", action="  ")
    assert response.status_code == 400 and "There is a problem" in response.text
    assert "Say what is being done to improve" in response.text and 'href="#action"' in response.text
    assert ">Kept reason</textarea>" in response.text
    both = explain(client, form_url(facts), reason="", action="")
    assert both.status_code == 400 and "Say why the target was missed" in both.text
    too_long = explain(client, form_url(facts), reason="x" * 4001)
    assert too_long.status_code == 400 and "Keep it to 4,000 characters or fewer" in too_long.text
    with session_scope(db.sessions) as session:
        assert session.scalars(select(Explanation)).all() == []


def test_two_people_explaining_the_same_month_cannot_overwrite_each_other(world):
    client, _db, facts = world
    sign_in(client)
    url = form_url(facts)
    first, second = client.get(url), client.get(url)

    def save(page, reason):
        data = {"csrf_token": csrf_from(page), "version": "", "reason": reason, "action": ACTION}
        return client.post(url, data=data)

    assert save(first, "The first reason.").status_code == 303
    refused = save(second, "The second reason.")
    assert refused.status_code == 409 and "Someone else saved changes" in refused.text
    assert "The first reason." in refused.text and ">The second reason.</textarea>" in refused.text
    assert 'name="version" value="1"' in refused.text


def test_only_a_missed_month_in_the_window_can_be_explained(world):
    client, _db, facts = world
    sign_in(client)
    met = f"{add_months(facts['last'], -1):%Y-%m}"
    assert client.get(f"/staff/teams/{ALPHA}/explanations/{MEETINGS}/{met}").status_code == 404
    assert client.get(f"/staff/teams/{ALPHA}/explanations/{MEETINGS}/2026-13").status_code == 404
    assert client.get(f"/staff/teams/{ALPHA}/explanations/P5-NOPE/{facts['month']}").status_code == 404
    assert client.get("/staff/teams/E05999999/explanations").status_code == 404


def test_a_team_editor_cannot_explain_another_teams_or_a_boroughs_or_londons_miss(world):
    client, db, facts = world
    sign_in(client)  # Alpha's editor
    borough = f"/staff/boroughs/{WESTMINSTER}/explanations"
    london = "/staff/london/explanations"
    for url in (
        f"/staff/teams/{BRAVO}/explanations",
        form_url(facts, BRAVO),
        borough,
        f"{borough}/{MEETINGS}/{facts['month']}",
        london,
        f"{london}/{MEETINGS}/{facts['month']}",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get(f"/staff/teams/{ALPHA}/explanations"))
    data = {"csrf_token": token, "version": "", "reason": REASON, "action": ACTION}
    for url in (
        form_url(facts, BRAVO),
        f"{borough}/{MEETINGS}/{facts['month']}",
        f"{london}/{MEETINGS}/{facts['month']}",
    ):
        assert client.post(url, data=data).status_code == 403, url
    with session_scope(db.sessions) as session:
        assert session.scalars(select(Explanation)).all() == []


def test_a_borough_admin_explains_their_boroughs_miss_but_not_another_borough_or_london(world):
    client, db, facts = world
    sign_in(client, "borough")
    assert "Borough targets to explain" in client.get("/staff/").text
    url = f"/staff/boroughs/{WESTMINSTER}/explanations"
    listing = client.get(url)
    assert (
        listing.status_code == 200
        and "Westminster" in listing.text
        and "Not explained yet (1)" in listing.text
    )
    assert "1 of 2 teams" in listing.text  # the borough's figure: Alpha missed, Bravo met
    response = explain(client, f"{url}/{MEETINGS}/{facts['month']}", reason="Alpha's hall flooded.")
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=explanation"
    assert "Alpha&#39;s hall flooded." in client.get(f"/boroughs/{WESTMINSTER}/pledge/{MEETINGS}").text
    assert client.get(f"/staff/boroughs/{CAMDEN}/explanations").status_code == 403
    assert client.get("/staff/london/explanations").status_code == 403
    assert client.get("/staff/boroughs/E09999999/explanations").status_code == 404
    with session_scope(db.sessions) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "explanation")).one()
        assert entry.borough_code == WESTMINSTER and entry.team_id is None
    assert "Explained Months with a public meeting for Westminster" in client.get("/staff/audit").text


def test_a_force_admin_explains_londons_miss(world):
    client, _db, facts = world
    sign_in(client, "force")
    assert "London targets to explain" in client.get("/staff/").text
    listing = client.get("/staff/london/explanations")
    assert listing.status_code == 200 and "2 of 3 teams" in listing.text
    camden = client.get(f"/staff/boroughs/{CAMDEN}/explanations")
    assert camden.status_code == 200 and "Every missed target has an explanation" in camden.text
    url = f"/staff/london/explanations/{MEETINGS}/{facts['month']}"
    assert "Fay Admin, Force admin" in client.get(url).text
    assert explain(client, url, reason="One team of three had no venue.").status_code == 303
    assert "One team of three had no venue." in client.get(f"/pledge/indicators/{MEETINGS}").text
    with _db.sessions() as session:
        assert session.scalars(select(Explanation)).one().area_code == MET


# -- the dashboard -------------------------------------------------------------------------------------


def test_the_dashboard_says_what_needs_attention_until_it_is_fixed(world):
    client, db, facts = world
    sign_in(client)
    next_month = add_months(date(london_today().year, london_today().month, 1), 1)
    html = client.get("/staff/").text
    no_meeting = f"No public meeting is scheduled for {next_month:%B %Y}"
    missed = f"Target missed in {facts['last']:%B %Y} with no explanation: Months with a public meeting"
    assert no_meeting in html and missed in html and "No update has been published yet" in html
    assert f'href="{form_url(facts)}">{missed}</a>' in html
    old_day = london_today() - timedelta(days=40)  # over the 30 days, whatever today's date
    with session_scope(db.sessions) as session:
        session.add(meeting(ALPHA, next_month))
        session.add(
            TeamUpdate(
                team_id=ALPHA,
                title="News",
                body="Body",
                status="published",
                published_at=at(old_day, old_day.day),
            )
        )
        record_change(session, "test: a meeting next month")
    assert explain(client, form_url(facts)).status_code == 303
    html = client.get("/staff/").text
    assert no_meeting not in html and missed not in html
    assert f"No update published for 30 days (the last: {old_day.day} {old_day:%B %Y})" in html


def test_stale_items_for_every_team_at_once(world):
    _client, db, facts = world
    today = london_today()
    with session_scope(db.sessions) as session:
        session.add(
            Priority(
                team_id=BRAVO,
                title="Speeding",
                agreed_on=facts["first"],
                agreed_how="meeting",
                review_on=today - timedelta(days=3),
            )
        )
        session.add(meeting(DELTA, add_months(date(today.year, today.month, 1), 1), status="cancelled"))
        session.add(
            TeamUpdate(
                team_id=DELTA,
                title="News",
                body="Body",
                status="published",
                published_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )
    with session_scope(db.sessions) as session:
        found = queries.stale_items(session, [ALPHA, BRAVO, DELTA], today)
        computed = pledge.compute(session, today)
        assert queries.stale_items(session, [ALPHA, BRAVO, DELTA], today, computed=computed) == found
    kinds = {team: [item["kind"] for item in items] for team, items in found.items()}
    assert kinds == {
        ALPHA: ["meetings", "updates", "explanation"],
        BRAVO: ["meetings", "priorities", "updates"],
        DELTA: ["meetings"],  # a cancelled meeting is not a meeting
    }
    assert found[BRAVO][1]["text"].startswith("A current priority is past its review date (")
    assert found[ALPHA][2] | {} == {
        "kind": "explanation",
        "text": f"Target missed in {facts['last']:%B %Y} with no explanation: Months with a public meeting",
        "indicator": MEETINGS,
        "month": facts["month"],
    }


def test_every_explanation_form_refuses_a_post_without_its_csrf_token(world):
    client, db, facts = world
    sign_in(client, "force")
    month = facts["month"]
    for url in (
        form_url(facts),
        f"/staff/boroughs/{WESTMINSTER}/explanations/{MEETINGS}/{month}",
        f"/staff/london/explanations/{MEETINGS}/{month}",
    ):
        assert client.get(url).status_code == 200, url
        data = {"version": "", "reason": REASON, "action": ACTION}
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 403, url
    with session_scope(db.sessions) as session:
        assert session.scalars(select(Explanation)).all() == []
