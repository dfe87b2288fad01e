import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal import demo, demo_engagement
from portal.demo_engagement import LONDON, add_months, reference_month
from portal.importers.boundaries import import_boundaries
from portal.models import (
    AGREED_HOW,
    MEETING_TYPES,
    PRIORITY_STATUSES,
    STAFF,
    DataLoad,
    Meeting,
    Priority,
    PriorityAction,
    Station,
    Team,
    TeamUpdate,
)
from portal.models.crime import CATEGORIES
from tests.factories import wards_file

CHADWELL_HEATH = "E05014058"
TODAY = date(2026, 3, 18)
CURRENT = ("open", "in_progress")


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def month_of(value: datetime) -> date:
    return utc(value).astimezone(LONDON).date().replace(day=1)


# -- on the real data, loaded by setup -------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(loaded_db):
    with loaded_db.sessions() as session:
        teams = {t.id: t for t in session.scalars(select(Team))}
        meetings = session.scalars(select(Meeting)).all()
        priorities = session.scalars(select(Priority)).all()
        actions = session.scalars(select(PriorityAction)).all()
        updates = session.scalars(select(TeamUpdate)).all()
        load = session.scalars(select(DataLoad).where(DataLoad.dataset == demo.DATASET)).one()
    return teams, meetings, priorities, actions, updates, load


def by_team(rows):
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.team_id].append(row)
    return grouped


def test_every_demo_team_has_a_labelled_year_of_engagement(real):
    teams, meetings, priorities, actions, updates, load = real
    demo_teams = {t for t, team in teams.items() if team.is_demo}
    assert len(demo_teams) == 678 and load.sha256 == demo.fingerprint() and demo.VERSION == "demo-v2"
    meetings_of, priorities_of, updates_of = by_team(meetings), by_team(priorities), by_team(updates)
    actions_of = defaultdict(list)
    for action in actions:
        actions_of[action.priority_id].append(action)
    assert set(meetings_of) == demo_teams | {CHADWELL_HEATH}
    assert set(priorities_of) == set(updates_of) == demo_teams
    for team in demo_teams:
        assert 17 <= len(meetings_of[team]) <= 17 * 3, team
        assert 3 <= len(priorities_of[team]) <= 6, team
        assert 2 <= sum(p.status in CURRENT for p in priorities_of[team]) <= 3, team
        published = [u for u in updates_of[team] if u.status == "published"]
        assert 4 <= len(published) <= 8 and len(updates_of[team]) - len(published) <= 2, team
    assert all(m.is_demo for m in meetings if m.team_id != CHADWELL_HEATH)
    assert all(p.is_demo for p in priorities) and all(a.is_demo for a in actions)
    assert all(u.is_demo for u in updates)
    for priority in priorities:
        assert 2 <= len(actions_of[priority.id]) <= 5, priority.id
        assert priority.category in CATEGORIES.values() and priority.status in PRIORITY_STATUSES
        assert priority.agreed_how in AGREED_HOW and priority.raised.startswith("You said: ")
        assert priority.review_on > priority.agreed_on
        assert all(a.acted_on >= priority.agreed_on for a in actions_of[priority.id])
        if priority.status not in CURRENT:
            assert priority.outcome and priority.closed_on and priority.reviewed_on == priority.closed_on
    assert {m.type for m in meetings} == set(MEETING_TYPES)


def test_the_real_data_counts(real):
    _teams, meetings, priorities, actions, updates, _load = real
    demo_meetings = [m for m in meetings if m.is_demo]
    cancelled = sum(m.status == "cancelled" for m in demo_meetings)
    assert 15_000 < len(demo_meetings) < 25_000 and 0.05 < cancelled / len(demo_meetings) < 0.12
    assert all(m.cancelled_reason for m in demo_meetings if m.status == "cancelled")
    assert 2_000 < len(priorities) < 4_200 and 6_000 < len(actions) < 17_000
    assert 2_700 < sum(u.status == "published" for u in updates) < 5_500
    assert 0 < sum(u.status == "draft" for u in updates) < 1_400
    assert any(u.results for u in updates) and any(a.result for a in actions)
    assert {a.actor for a in actions} >= {"Police", "Transport for London", "Neighbourhood Watch"}


def test_at_least_three_months_of_upcoming_meetings_for_every_demo_team(real):
    teams, meetings, *_ = real
    ref = reference_month()
    ahead = {add_months(ref, n) for n in (1, 2, 3, 4)}
    months = defaultdict(set)
    for m in meetings:
        if m.is_demo and m.status == "scheduled":
            months[m.team_id].add(month_of(m.starts_at))
    for team in (t for t in teams.values() if t.is_demo):
        assert ahead <= months[team.id], team.id


def test_meetings_are_realistic(real):
    _teams, meetings, *_ = real
    for m in (m for m in meetings if m.is_demo):
        local = utc(m.starts_at).astimezone(LONDON)
        assert (local.weekday() < 4 and local.hour >= 18) or (local.weekday() == 5 and local.hour < 12), m.uid
        assert utc(m.ends_at) > utc(m.starts_at)
        assert m.uid.startswith(f"{m.team_id}-{local:%Y%m%d}-") and m.uid.endswith("@pledge-portal.example")
        if m.type == "online":
            assert m.online_url.startswith("https://meet.pledge-portal.example/") and m.venue_name is None
        else:
            assert m.venue_name and m.latitude and m.longitude
        past = month_of(m.starts_at) < reference_month()
        if past and m.status == "scheduled":
            assert 5 <= m.attendance <= 60 and m.minutes
        else:
            assert m.attendance is None and m.minutes is None
    assert len({m.uid for m in meetings}) == len(meetings)
    access = Counter(m.step_free for m in meetings if m.is_demo and m.type != "online")
    assert 0.7 < access[True] / sum(access.values()) < 1
    assert any(m.hearing_loop for m in meetings) and any(m.bsl_on_request for m in meetings)


def test_some_teams_missed_a_month_so_compliance_varies(real):
    teams, meetings, *_ = real
    ref = reference_month()
    past = {add_months(ref, -n) for n in range(1, 13)}
    held = defaultdict(set)
    for m in meetings:
        if m.is_demo and m.status == "scheduled":
            held[m.team_id].add(month_of(m.starts_at))
    missing = [t for t in teams.values() if t.is_demo and not past <= held[t.id]]
    assert 0.01 < len(missing) / 678 < 0.12


def test_priorities_are_agreed_at_the_teams_own_held_meetings(real):
    _teams, meetings, priorities, *_ = real
    meeting = {m.id: m for m in meetings}
    agreed = [p for p in priorities if p.agreed_meeting_id is not None]
    assert len(agreed) > len(priorities) / 2
    for p in agreed:
        m = meeting[p.agreed_meeting_id]
        assert m.team_id == p.team_id and m.status == "scheduled" and p.agreed_how == "meeting"
        assert utc(m.starts_at).astimezone(LONDON).date() == p.agreed_on
        assert m.type in ("ward_panel", "public_meeting") and "new priority" in m.minutes
    assert all(p.agreed_how != "meeting" for p in priorities if p.agreed_meeting_id is None)


def test_some_current_priorities_are_overdue_for_review(real):
    _teams, _meetings, priorities, *_ = real
    ref = reference_month()
    current = [p for p in priorities if p.status in CURRENT]
    overdue = [p for p in current if p.review_on < ref]
    assert 0.03 < len(overdue) / len(current) < 0.2
    assert all(p.review_on > add_months(ref, 1) for p in current if p not in overdue)


def test_chadwell_heath_has_its_real_events_and_nothing_invented(real):
    _teams, meetings, priorities, _actions, updates, _load = real
    events = sorted((m for m in meetings if m.team_id == CHADWELL_HEATH), key=lambda m: m.uid)
    assert [
        (m.uid, m.type, m.title, m.venue_name, m.venue_address, utc(m.starts_at), m.is_demo) for m in events
    ] == [
        (
            "E05014058-20111102-1@pledge-portal.example",
            "surgery",
            "Aikman Avenue beat surgery",
            "Library",
            "Aikman Avenue",
            datetime(2011, 11, 2, 10, 0, tzinfo=UTC),
            False,
        ),
        (
            "E05014058-20111102-2@pledge-portal.example",
            "surgery",
            "Bateman Road beat surgery",
            "Hand in Hand",
            "Bateman Road",
            datetime(2011, 11, 2, 18, 30, tzinfo=UTC),
            False,
        ),
    ]
    assert all(m.minutes is None and "desc" not in (m.how_to_join or "") for m in events)
    assert not [p for p in priorities if p.team_id == CHADWELL_HEATH]
    assert not [u for u in updates if u.team_id == CHADWELL_HEATH]


def test_police_uk_times_are_london_time_stored_as_utc(tmp_path):
    path = tmp_path / "events.json"
    event = {"title": "Summer surgery", "address": "Hall, High Road", "start_date": "2011-07-02T10:00:00"}
    path.write_text("\ufeff" + json.dumps([event, {**event, "title": "Second"}]), encoding="utf-8")
    first, second = demo_engagement.police_uk_meetings(path, "E05000001")
    assert first["starts_at"] == datetime(2011, 7, 2, 9, 0, tzinfo=UTC)  # BST
    assert (first["venue_name"], first["venue_address"], first["is_demo"]) == ("Hall", "High Road", False)
    assert {first["uid"], second["uid"]} == {
        "E05000001-20110702-1@pledge-portal.example",
        "E05000001-20110702-2@pledge-portal.example",
    }


def test_months_and_reference_dates():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 3, 1), -12) == date(2025, 3, 1)
    assert reference_month(date(2026, 3, 18)) == date(2026, 3, 1)
    assert demo_engagement.london_to_utc(date(2026, 7, 1), 18, 30) == datetime(2026, 7, 1, 17, 30, tzinfo=UTC)


# -- on tiny wards: determinism, re-runs, and what is never touched ---------------------------------------


@pytest.fixture
def db(empty_db, tmp_path):
    with empty_db.sessions.begin() as session:
        import_boundaries(session, wards_file(tmp_path), generation=2024)  # teams Alpha and Bravo
        session.add(
            Station(
                name="Charing Cross Police Station",
                local_authority="WESTMINSTER",
                borough_code="E09000033",
                latitude=51.509,
                longitude=-0.124,
                postcode="WC2N 4JP",
                opening_2013="24HR",
                status_2013="keep",
                proposed_2013="24HR",
            )
        )
    return empty_db


def load(db, seed=7, today=TODAY):
    with db.sessions.begin() as session:
        return demo.load_demo(session, seed=seed, today=today)


def snapshot(db, team_ids=("E05900001", "E05900002")):
    """Every engagement row of these teams, without database ids or creation times."""
    with db.sessions() as session:
        meetings = session.scalars(
            select(Meeting).where(Meeting.team_id.in_(team_ids)).order_by(Meeting.uid)
        ).all()
        uid = {m.id: m.uid for m in meetings}
        skip = {"id", "created_at", "updated_at", "priority_id"}

        def values(row):
            return {
                k: (utc(v) if isinstance(v, datetime) else v)
                for k, v in vars(row).items()
                if not k.startswith("_") and k not in skip and k != "actions"
            }

        priorities = session.scalars(
            select(Priority).where(Priority.team_id.in_(team_ids)).order_by(Priority.team_id, Priority.id)
        ).all()
        updates = session.scalars(
            select(TeamUpdate).where(TeamUpdate.team_id.in_(team_ids)).order_by(TeamUpdate.id)
        ).all()
        return {
            "meetings": [values(m) for m in meetings],
            "priorities": [
                {
                    **values(p),
                    "agreed_meeting_id": uid.get(p.agreed_meeting_id),
                    "actions": [values(a) for a in p.actions],
                }
                for p in priorities
            ],
            "updates": [values(u) for u in updates],
        }


def counts(db):
    with db.sessions() as session:
        return [
            session.scalar(select(func.count()).select_from(m))
            for m in (Meeting, Priority, PriorityAction, TeamUpdate)
        ]


def test_the_same_seed_and_month_give_identical_rows(db):
    report = load(db)
    first = snapshot(db)
    load(db, today=date(2026, 3, 2))  # another day of the same month
    assert snapshot(db) == first
    assert len(first["meetings"]) >= 34 and len(first["priorities"]) >= 6 and first["updates"]
    assert "demo meetings:" in report.summary() and "demo priorities:" in report.summary()
    assert "engagement laid out around March 2026" in report.summary()


def test_a_different_seed_gives_different_rows(db):
    load(db, seed=7)
    first = snapshot(db)
    load(db, seed=8)
    second = snapshot(db)
    assert [m["title"] for m in second["meetings"]] != [m["title"] for m in first["meetings"]]
    assert [p["title"] for p in second["priorities"]] != [p["title"] for p in first["priorities"]]


def test_a_months_meetings_keep_their_details_when_the_reference_month_moves(db):
    load(db, today=date(2026, 3, 18))
    march = [m for m in snapshot(db)["meetings"] if month_of(m["starts_at"]) == date(2026, 6, 1)]
    load(db, today=date(2026, 4, 18))
    april = [m for m in snapshot(db)["meetings"] if month_of(m["starts_at"]) == date(2026, 6, 1)]
    assert [(m["uid"], m["title"], m["venue_name"]) for m in march] == [
        (m["uid"], m["title"], m["venue_name"]) for m in april
    ]


def test_upcoming_meetings_and_foreign_keys_on_tiny_wards(db):
    load(db)
    rows = snapshot(db)
    ref = reference_month(TODAY)
    for team in ("E05900001", "E05900002"):
        months = {month_of(m["starts_at"]) for m in rows["meetings"] if m["team_id"] == team}
        assert {add_months(ref, n) for n in range(-12, 5)} == months
    uids = {m["uid"]: m["team_id"] for m in rows["meetings"]}
    for p in rows["priorities"]:
        assert p["agreed_meeting_id"] is None or uids[p["agreed_meeting_id"]] == p["team_id"]
    base = [m for m in rows["meetings"] if m["venue_name"] == "Charing Cross Police Station"]
    assert all(m["venue_postcode"] == "WC2N 4JP" for m in base)


def test_rerunning_replaces_demo_rows_and_keeps_the_others(db):
    load(db)
    before = counts(db)
    with db.sessions.begin() as session:
        own = Meeting(
            uid="own@example.org",
            team_id="E05900002",
            type="surgery",
            title="Our own surgery",
            starts_at=datetime(2026, 3, 20, 10, tzinfo=UTC),
            ends_at=datetime(2026, 3, 20, 11, tzinfo=UTC),
        )
        session.add(own)
        session.flush()
        session.add(
            Priority(
                team_id="E05900002",
                title="Our own priority",
                agreed_on=date(2026, 3, 20),
                agreed_how="meeting",
                agreed_meeting_id=own.id,
                review_on=date(2026, 6, 20),
            )
        )
    load(db)
    assert counts(db) == [before[0] + 1, before[1] + 1, before[2], before[3]]
    with db.sessions() as session:
        kept = session.scalars(select(Priority).where(Priority.title == "Our own priority")).one()
        assert kept.agreed_meeting_id is not None and not kept.is_demo


def test_staff_teams_are_never_touched(db):
    load(db)
    with db.sessions.begin() as session:
        alpha = session.get(Team, "E05900001")
        alpha.content_source = STAFF
    alpha_before = snapshot(db, ("E05900001",))
    report = load(db, seed=8)
    assert snapshot(db, ("E05900001",)) == alpha_before  # the old rows stay, however made
    with db.sessions() as session:
        assert session.scalar(select(func.count()).where(Meeting.team_id == "E05900002")) >= 17
    assert "teams filled with demo content: 1" in report.summary()
