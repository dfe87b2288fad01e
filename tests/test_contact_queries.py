"""`portal.queries.contact`: taking a submission in, racing duplicates, the status clock and `purge`."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.db import session_scope
from portal.models.contact import OutboxMessage, RateLimitHit, Submission, SubmissionEvent
from portal.queries import contact as queries
from portal.services.auth import token_digest
from tests.staff_helpers import ALPHA, load_staff_areas


@pytest.fixture
def db(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    return empty_db


def args(db, key: str = "k" * 32, **changes):
    values = dict(
        kind="message",
        team_id=ALPHA,
        borough_code=None,
        category="priority",
        body="Speeding on Elm Road",
        happened_on=date(2026, 3, 1),
        place="Elm Road",
        name="Sam",
        email="sam@example.org",
        phone="07700 900982",
        contact_by="email",
        consent=True,
        idempotency_key=key,
        ip="203.0.113.9",
        settings=db.settings(contact_fallback_email="snt-inbox@example.org"),
    )
    values.update(changes)
    return values


def submit(db, **changes):
    with session_scope(db.sessions) as session:
        submission, token, created = queries.submit(session, **args(db, **changes))
        return submission.reference, submission.id, token, created


def count(db, model, *where) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_submission_is_stored_with_its_clock_reference_event_and_e_mails(db):
    now = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    reference, sid, token, created = submit(db, now=now)
    assert created and reference == f"SNT-2026-{sid:06d}"
    with db.sessions() as session:
        s = session.get(Submission, sid)
        assert s.status_token_hash == token_digest(token) and s.status == "received"
        assert s.due_at.replace(tzinfo=UTC) == now + timedelta(hours=24)
        messages = {m.kind: m for m in session.scalars(select(OutboxMessage))}
        assert set(messages) == {"acknowledgement", "team_notification"}
        ack, team = messages["acknowledgement"], messages["team_notification"]
        assert "14:05 on Wednesday 4 March 2026" in ack.body_text and token in ack.body_text
        assert "999" in ack.body_text and reference in ack.subject
        assert team.to_address == "snt-inbox@example.org" and token not in team.body_text
        assert reference in team.body_text and "Speeding on Elm Road" in team.body_text
        assert "A local problem or priority" in team.body_text
        assert ack.message_id != team.message_id


def test_a_repeat_returns_the_same_submission_and_the_same_working_token(db):
    first = submit(db)
    again = submit(db)
    assert again[:3] == first[:3] and again[3] is False
    assert count(db, Submission) == 1 and count(db, OutboxMessage) == 2 and count(db, RateLimitHit) == 2


def test_racing_duplicates_store_one(db):
    """Eight threads submit the same form at once, each in its own session and transaction."""
    barrier, results, failures = threading.Barrier(8), [], []

    def run():
        try:
            barrier.wait()
            results.append(submit(db, key="race" * 8))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    assert len({r[0] for r in results}) == 1 and sum(r[3] for r in results) == 1
    assert count(db, Submission) == 1 and count(db, OutboxMessage) == 2


def test_different_forms_racing_get_different_references(db):
    results = []

    def run(n):
        results.append(submit(db, key=f"form-{n:02d}".ljust(32, "x"), email=f"p{n}@example.org"))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r[0] for r in results}) == 8 and count(db, Submission) == 8


def test_rate_limit_counts_only_accepted_and_says_when_to_try_again(db):
    settings = db.settings(contact_limit_per_address_hour=2)
    now = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    submit(db, key="a" * 32, settings=settings, now=now)
    submit(db, key="b" * 32, settings=settings, now=now + timedelta(minutes=10))
    with pytest.raises(queries.Refused) as refused:
        submit(db, key="c" * 32, settings=settings, now=now + timedelta(minutes=20))
    assert "Try again after 11:00 on Wednesday 1 July 2026" in refused.value.message  # BST
    assert count(db, Submission) == 2 and count(db, RateLimitHit) == 4
    # an hour after the first, one place is free again
    submit(db, key="d" * 32, settings=settings, now=now + timedelta(minutes=61))


def test_the_status_clock_across_the_change_to_summer_time(db):
    received = datetime(2026, 3, 28, 10, 0, tzinfo=UTC)  # Saturday, GMT
    _ref, sid, token, _ = submit(db, now=received)
    with db.sessions() as session:
        due = queries.status_view(session, token, now=received + timedelta(hours=3))
        late = queries.status_view(session, token, now=received + timedelta(hours=27))
    assert due["clock"]["sentence"] == "Due by 11:00 on Sunday 29 March 2026 (21 h left)"
    assert late["clock"]["sentence"].startswith("Overdue by 3 h")
    assert due["received_text"] == "10:00 on Saturday 28 March 2026"
    with session_scope(db.sessions) as session:
        s = session.get(Submission, sid)
        s.responded_at, s.status = received + timedelta(hours=5, minutes=12), "responded"
    with db.sessions() as session:
        answered = queries.status_view(session, token, now=received + timedelta(hours=30))
    assert answered["clock"]["sentence"] == "Answered in 5 h 12 min" and answered["status_text"] == "Answered"


def test_dissatisfaction_stops_the_clock_at_the_first_acknowledgement(db):
    received = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    _ref, sid, token, _ = submit(db, kind="dissatisfaction", category="delay", now=received)
    with session_scope(db.sessions) as session:
        s = session.get(Submission, sid)
        s.acknowledged_at, s.status = received + timedelta(hours=2), "acknowledged"
    with db.sessions() as session:
        view = queries.status_view(session, token, now=received + timedelta(days=3))
    assert view["clock"]["sentence"] == "Acknowledged in 2 h" and view["clock"]["state"] == "on_time"
    with db.sessions() as session:
        assert queries.status_view(session, "unknown") is None


def test_purge_erases_personal_data_and_keeps_the_figures(db):
    old, new = datetime(2025, 1, 1, 9, 0, tzinfo=UTC), datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    _r, old_id, _t, _c = submit(db, key="o" * 32, now=old)
    _r, new_id, _t, _c = submit(db, key="n" * 32, now=new)
    with session_scope(db.sessions) as session:
        session.add(SubmissionEvent(submission_id=old_id, at=old, kind="replied", public_text="Reply to Sam"))
        session.add(SubmissionEvent(submission_id=new_id, at=new, kind="replied", public_text="Kept reply"))
    now = datetime(2026, 5, 2, tzinfo=UTC)
    with session_scope(db.sessions) as session:
        counts = queries.purge(session, days=365, now=now)
    assert counts == {"submissions_erased": 1, "replies_erased": 1, "rate_limit_hits_deleted": 2}
    with session_scope(db.sessions) as session:
        assert queries.purge(session, days=365, now=now) == {
            "submissions_erased": 0,
            "replies_erased": 0,
            "rate_limit_hits_deleted": 0,
        }
    with db.sessions() as session:
        s = session.get(Submission, old_id)
        erased = (s.name, s.email, s.phone, s.body, s.place, s.happened_on)
        assert erased == (None,) * 6 and s.personal_data_erased_at is not None
        assert (s.kind, s.team_id, s.category, s.status) == ("message", ALPHA, "priority", "received")
        assert s.received_at is not None and s.due_at is not None
        texts = session.scalars(select(SubmissionEvent.public_text).order_by(SubmissionEvent.id)).all()
        assert texts == [None, None, None, "Kept reply"]
        kept = session.get(Submission, new_id)
        assert kept.email == "sam@example.org" and kept.personal_data_erased_at is None


def test_purge_command_prints_counts(db):
    from tests.conftest import run_portal

    submit(db, key="p" * 32, now=datetime(2024, 1, 1, tzinfo=UTC))
    done = run_portal(db, "purge", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert "Erased the personal details of 1 submission(s)" in done.stdout
    again = run_portal(db, "purge")
    assert again.returncode == 0 and "of 0 submission(s)" in again.stdout
    with db.sessions() as session:
        assert session.scalars(select(Submission.email)).one() is None
