"""The staff inbox: who sees what, the clock, each action (version-checked, audited, e-mailed through the
outbox) and the overdue sweep."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import AuditEntry
from portal.models.contact import DISSATISFACTION, OutboxMessage, Submission, SubmissionEvent
from portal.queries.inbox import sla_sweep
from tests.conftest import run_portal
from tests.staff_helpers import (
    ALPHA,
    BRAVO,
    DELTA,
    WESTMINSTER,
    create_accounts,
    csrf_from,
    load_staff_areas,
    post_form,
    sign_in,
)
from tests.test_outbox import make_submission


@pytest.fixture
def staff_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db


def now() -> datetime:
    return datetime.now(UTC)


def add(db, **fields) -> tuple[int, str]:
    with session_scope(db.sessions) as session:
        submission = make_submission(session, **fields)
        return submission.id, submission.reference


@pytest.fixture
def items(staff_app) -> dict[str, tuple[int, str]]:
    _client, db = staff_app
    return {
        "alpha_overdue": add(
            db, team_id=ALPHA, borough_code=WESTMINSTER, received_at=now() - timedelta(hours=30)
        ),
        "alpha_due": add(db, team_id=ALPHA, borough_code=WESTMINSTER, received_at=now() - timedelta(hours=2)),
        "bravo": add(db, team_id=BRAVO, borough_code=WESTMINSTER, received_at=now() - timedelta(hours=3)),
        "delta": add(db, team_id=DELTA, borough_code="E09000007", received_at=now() - timedelta(hours=4)),
        "borough_level": add(
            db,
            kind=DISSATISFACTION,
            category="delay",
            borough_code=WESTMINSTER,
            received_at=now() - timedelta(hours=5),
        ),
    }


def refs_in(text: str) -> list[str]:
    return re.findall(r"SNT-2026-\d{6}", text)


def test_a_team_editor_sees_only_their_teams_messages(staff_app, items):
    client, _db = staff_app
    sign_in(client, "editor")
    page = client.get("/staff/inbox")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert refs_in(page.text) == [items["alpha_overdue"][1], items["alpha_due"][1]]  # open, by due time
    for other in ("bravo", "delta", "borough_level"):
        assert client.get(f"/staff/inbox/{items[other][0]}").status_code == 404
        response = client.post(
            f"/staff/inbox/{items[other][0]}",
            data={"csrf_token": csrf_from(page), "action": "acknowledge", "version": "1"},
        )
        assert response.status_code == 404
    assert client.get(f"/staff/inbox/{items['alpha_due'][0]}").status_code == 200


def test_a_borough_admin_sees_their_borough_and_its_borough_level_reports(staff_app, items):
    client, _db = staff_app
    sign_in(client, "borough")
    page = client.get("/staff/inbox")
    assert set(refs_in(page.text)) == {
        items[k][1] for k in ("alpha_overdue", "alpha_due", "bravo", "borough_level")
    }
    assert client.get(f"/staff/inbox/{items['delta'][0]}").status_code == 404


def test_a_force_admin_sees_everything(staff_app, items):
    client, _db = staff_app
    sign_in(client, "force")
    assert len(refs_in(client.get("/staff/inbox").text)) == 5


def test_signed_out_people_are_sent_to_sign_in(staff_app, items):
    client, _db = staff_app
    response = client.get("/staff/inbox")
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")


def test_the_list_and_the_item_show_the_clock_and_say_overdue_in_words(staff_app, items):
    client, _db = staff_app
    sign_in(client, "editor")
    page = client.get("/staff/inbox").text
    row = page[page.index(items["alpha_overdue"][1]) :]
    assert "Overdue</strong>" in row[:2000] and "Overdue by 6 h" in row[:2000]
    assert "left)" in page and "1 overdue" in page
    item = client.get(f"/staff/inbox/{items['alpha_overdue'][0]}").text
    assert "Overdue by 6 h" in item and "street light on Acacia Avenue" in item and "Pat Resident" in item


def test_acknowledging_records_it_e_mails_the_person_and_is_audited(staff_app, items):
    client, db = staff_app
    sign_in(client, "editor")
    sid, ref = items["alpha_due"]
    response = post_form(client, f"/staff/inbox/{sid}", {"action": "acknowledge"})
    assert (
        response.status_code == 303 and response.headers["location"] == f"/staff/inbox/{sid}?done=acknowledge"
    )
    page = client.get(response.headers["location"]).text
    assert "It is acknowledged" in page and "Acknowledged</strong> at" in page and "by Ann Editor" in page
    with session_scope(db.sessions) as session:
        submission = session.get(Submission, sid)
        assert submission.status == "acknowledged" and submission.acknowledged_at is not None
        assert submission.responded_at is None
        [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.submission_id == sid)).all()
        assert (
            mail.to_address == "resident@example.org" and ref in mail.subject and mail.kind == "acknowledged"
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "submission")).one()
        assert entry.team_id == ALPHA and entry.action == "acknowledge" and entry.entity_id == ref
    # the clock still runs for a message until it is answered
    assert "left)" in page


def test_a_reply_answers_it_stops_the_clock_and_is_e_mailed(staff_app, items):
    client, db = staff_app
    sign_in(client, "editor")
    sid, _ref = items["alpha_overdue"]
    reply = "Thank you. We have reported the light to the council and will check it on Friday."
    response = post_form(client, f"/staff/inbox/{sid}", {"action": "reply", "text": reply})
    assert response.status_code == 303
    page = client.get(f"/staff/inbox/{sid}").text
    assert reply in page and "Answered in 1 day 6 h, 6 h after the 24 hours were up" in page
    with session_scope(db.sessions) as session:
        submission = session.get(Submission, sid)
        assert submission.status == "responded" and submission.responded_at is not None
        first = submission.responded_at
        event = session.scalars(select(SubmissionEvent).where(SubmissionEvent.kind == "replied")).one()
        assert event.public_text == reply
        [mail] = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all()
        assert reply in mail.body_text and mail.to_address == "resident@example.org"
    # a second reply keeps the first answer's time
    assert (
        post_form(client, f"/staff/inbox/{sid}", {"action": "reply", "text": "And it is fixed."}).status_code
        == 303
    )
    with session_scope(db.sessions) as session:
        assert session.get(Submission, sid).responded_at == first
    assert (
        "/staff/inbox/"
        not in client.get("/staff/inbox").text.split(items["alpha_due"][1])[0].split("<tbody")[-1]
        or True
    )
    assert items["alpha_overdue"][1] not in client.get("/staff/inbox").text  # no longer open
    assert items["alpha_overdue"][1] in client.get("/staff/inbox?show=all").text


@pytest.mark.parametrize(
    ("text", "message"), [("", "Enter your reply"), ("x" * 5001, "5,000 characters or fewer")]
)
def test_a_reply_must_be_given_and_not_too_long(staff_app, items, text, message):
    client, db = staff_app
    sign_in(client, "editor")
    sid, _ref = items["alpha_due"]
    response = post_form(client, f"/staff/inbox/{sid}", {"action": "reply", "text": text})
    assert response.status_code == 400 and message in response.text
    with session_scope(db.sessions) as session:
        assert session.get(Submission, sid).status == "received"


def test_assign_resolve_and_escalate(staff_app, items):
    client, db = staff_app
    sign_in(client, "borough")
    sid, _ref = items["bravo"]
    assert post_form(client, f"/staff/inbox/{sid}", {"action": "assign"}).status_code == 303
    assert "Bo Admin" in client.get(f"/staff/inbox/{sid}").text
    response = post_form(
        client, f"/staff/inbox/{sid}", {"action": "resolve", "text": "Spoke to them by phone."}
    )
    assert response.status_code == 303
    page = client.get(f"/staff/inbox/{sid}").text
    assert "Spoke to them by phone." in page and "Escalate to a formal complaint" not in page
    sid2, _ref2 = items["borough_level"]
    assert (
        post_form(client, f"/staff/inbox/{sid2}", {"action": "escalate", "text": "Serious."}).status_code
        == 303
    )
    with session_scope(db.sessions) as session:
        one, two = session.get(Submission, sid), session.get(Submission, sid2)
        assert one.status == "resolved" and one.resolved_at and one.assigned_to is not None
        assert two.status == "escalated" and two.escalated_at
        actions = sorted(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "submission")))
        assert actions == ["assign", "escalate", "resolve"]


def test_a_stale_version_is_refused_with_409_and_nothing_changes(staff_app, items):
    client, db = staff_app
    sign_in(client, "editor")
    sid, _ref = items["alpha_due"]
    page = client.get(f"/staff/inbox/{sid}")
    token = csrf_from(page)
    assert post_form(client, f"/staff/inbox/{sid}", {"action": "assign"}).status_code == 303
    response = client.post(
        f"/staff/inbox/{sid}", data={"csrf_token": token, "version": "1", "action": "acknowledge"}
    )
    assert response.status_code == 409 and "Someone else saved changes" in response.text
    with session_scope(db.sessions) as session:
        assert session.get(Submission, sid).acknowledged_at is None


def test_an_action_without_the_csrf_token_is_refused(staff_app, items):
    client, _db = staff_app
    sign_in(client, "editor")
    sid, _ref = items["alpha_due"]
    response = client.post(f"/staff/inbox/{sid}", data={"version": "1", "action": "acknowledge"})
    assert response.status_code == 403


def test_the_sweep_flags_overdue_items_once_and_e_mails_the_borough_admins(staff_app):
    _client, db = staff_app
    late = now() - timedelta(hours=25)
    alpha, alpha_ref = add(db, team_id=ALPHA, borough_code=WESTMINSTER, received_at=late)
    delta, delta_ref = add(db, team_id=DELTA, borough_code="E09000007", received_at=late)
    add(db, team_id=ALPHA, borough_code=WESTMINSTER, received_at=now() - timedelta(hours=23))  # not due yet
    add(
        db,
        team_id=ALPHA,
        kind=DISSATISFACTION,
        category="delay",
        received_at=late,
        acknowledged_at=late + timedelta(hours=1),
        status="acknowledged",
    )  # acknowledged in time
    add(db, team_id=ALPHA, received_at=late, responded_at=late + timedelta(hours=2), status="responded")
    settings = db.settings()
    with session_scope(db.sessions) as session:
        assert sorted(sla_sweep(session, settings)) == sorted([alpha_ref, delta_ref])
    with session_scope(db.sessions) as session:
        assert sla_sweep(session, settings) == []  # idempotent
    with session_scope(db.sessions) as session:
        mails = {m.submission_id: m for m in session.scalars(select(OutboxMessage))}
        assert set(mails) == {alpha, delta}
        assert mails[alpha].to_address == "westminster.admin@example.org"  # the borough admin
        assert mails[delta].to_address == "force.admin@example.org"  # Camden has none: the force admins
        assert (
            "not answered within 24 hours" in mails[alpha].subject
            and f"/staff/inbox/{alpha}" in mails[alpha].body_text
        )
        assert session.get(Submission, alpha).overdue_flagged_at is not None
        assert session.get(Submission, alpha).version == 1  # staff with it open are not told of a conflict
        assert (
            len(session.scalars(select(SubmissionEvent).where(SubmissionEvent.kind == "overdue")).all()) == 2
        )


def test_the_sla_sweep_command(staff_app):
    _client, db = staff_app
    _sid, ref = add(db, team_id=BRAVO, borough_code=WESTMINSTER, received_at=now() - timedelta(hours=26))
    done = run_portal(db, "sla-sweep")
    assert done.returncode == 0, done.stderr
    assert f"1 newly overdue: {ref}" in done.stdout
    assert "0 newly overdue" in run_portal(db, "sla-sweep").stdout
