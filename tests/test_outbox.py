"""The e-mail outbox delivered to a real SMTP server on loopback (aiosmtpd): headers and body, sent once
however often or concurrently `deliver_due` runs, failures retried with backoff, and a submission committed
with its e-mail delivered later by another process."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal import paths
from portal.db import make_engine, session_scope
from portal.models.contact import MESSAGE, OutboxMessage, Submission, SubmissionEvent
from portal.queries import outbox
from portal.services import sla
from tests.conftest import free_port, portal_env

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Collector:
    """An SMTP handler that keeps what it receives, or refuses it with a temporary error."""

    def __init__(self):
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 try later"
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.controller = controller
    yield handler
    with contextlib.suppress(AssertionError, RuntimeError):  # already stopped by the test
        handler.controller.stop()


_counter = iter(range(1, 10**6))


def make_submission(
    session,
    *,
    team_id=None,
    borough_code=None,
    kind=MESSAGE,
    category="priority",
    received_at=NOW,
    email="resident@example.org",
    reference=None,
    **fields,
) -> Submission:
    """A submission as `submit()` would leave it, written directly (with its 'received' event)."""
    n = next(_counter)
    token = uuid.uuid4().hex
    submission = Submission(
        reference=reference or f"SNT-2026-{n:06d}",
        kind=kind,
        team_id=team_id,
        borough_code=borough_code,
        category=category,
        body="The street light on Acacia Avenue has been out for a week.",
        name="Pat Resident",
        email=email,
        contact_by="email" if email else "none",
        consent=True,
        received_at=received_at,
        due_at=sla.due_at(received_at),
        status_token_hash=hashlib.sha256(token.encode()).hexdigest(),
        idempotency_key=uuid.uuid4().hex,
        **fields,
    )
    submission.events.append(SubmissionEvent(kind="received", at=received_at))
    session.add(submission)
    session.flush()
    return submission


def add_mail(session, settings, n: int = 1, *, submission_id=None, now=NOW) -> list[str]:
    ids = []
    for i in range(n):
        row = outbox.enqueue(
            session,
            settings,
            kind="acknowledgement",
            to=f"person{i}@example.org",
            subject=f"Your message {i}",
            body=f"Thank you for your message number {i}.\nWe will answer within 24 hours.",
            submission_id=submission_id,
            now=now,
        )
        ids.append(row.message_id)
    return ids


def rows(db) -> list[OutboxMessage]:
    with session_scope(db.sessions) as session:
        found = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()
        return found


def mail_settings(db, smtp, **changes):
    return db.settings(smtp_host="127.0.0.1", smtp_port=smtp.controller.port, **changes)


def test_due_messages_are_sent_with_their_headers_and_body_and_marked_sent(empty_db, smtp):
    settings = mail_settings(empty_db, smtp, mail_from="Pledge Portal <no-reply@pledge.example>")
    with session_scope(empty_db.sessions) as session:
        ids = add_mail(session, settings, 2)
        outbox.enqueue(
            session,
            settings,
            kind="later",
            to="x@example.org",
            subject="Not yet",
            body="-",
            now=NOW + timedelta(hours=1),
        )
    report = outbox.deliver_due(empty_db.engine, settings, now=NOW)
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(m["Message-ID"] for m in smtp.messages) == sorted(ids)
    first = next(m for m in smtp.messages if m["To"] == "person0@example.org")
    assert first["From"] == "Pledge Portal <no-reply@pledge.example>"
    assert first["Subject"] == "Your message 0"
    assert first["Date"] and first["Date"].endswith("+0000")
    assert "We will answer within 24 hours." in first.get_payload(decode=True).decode()
    assert smtp.envelopes[0][1] in (["person0@example.org"], ["person1@example.org"])
    saved = rows(empty_db)
    assert [r.sent_at is not None for r in saved] == [True, True, False]
    assert saved[0].attempts == 1 and saved[0].claimed_until is None and saved[0].last_error is None


def test_running_twice_sends_each_message_once(empty_db, smtp):
    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        add_mail(session, settings, 3)
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW).sent == 3
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=5)).sent == 0
    assert len(smtp.messages) == 3


def test_two_concurrent_senders_send_each_message_once(empty_db, smtp):
    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        ids = add_mail(session, settings, 12)
    reports = []
    start = threading.Barrier(2)

    def sender():
        engine = make_engine(empty_db.url)  # its own connections, like a second process
        start.wait()
        reports.append(outbox.deliver_due(engine, settings, now=NOW))
        engine.dispose()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.sent for r in reports) == 12 and sum(r.failed for r in reports) == 0
    assert sorted(m["Message-ID"] for m in smtp.messages) == sorted(ids)


def test_a_claimed_message_is_left_to_its_sender_until_the_claim_expires(empty_db, smtp):
    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        add_mail(session, settings, 1)
    assert len(outbox.claim(empty_db.engine, NOW, 10)) == 1  # a sender that then died
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=1)).sent == 0
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=3)).sent == 1
    assert len(smtp.messages) == 1


def test_a_temporary_refusal_is_retried_with_backoff_and_sent_later(empty_db, smtp):
    settings = mail_settings(empty_db, smtp, mail_max_attempts=2)
    with session_scope(empty_db.sessions) as session:
        add_mail(session, settings, 1)
    smtp.refuse = True
    report = outbox.deliver_due(empty_db.engine, settings, now=NOW)
    assert (report.sent, report.failed, report.failing) == (0, 1, [])
    [row] = rows(empty_db)
    assert row.attempts == 1 and row.sent_at is None and "451 try later" in row.last_error
    assert sla.aware(row.next_attempt_at) == NOW + timedelta(minutes=1)
    # not due again before the backoff is up
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(seconds=30)).failed == 0
    report = outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=1))
    assert report.failed == 1 and len(report.failing) == 1  # reached MAIL_MAX_ATTEMPTS: still kept
    [row] = rows(empty_db)
    assert row.attempts == 2 and sla.aware(row.next_attempt_at) == NOW + timedelta(minutes=3)
    smtp.refuse = False
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=3)).sent == 1
    [row] = rows(empty_db)
    assert row.sent_at is not None and row.attempts == 3 and len(smtp.messages) == 1


def test_a_server_that_is_down_is_recorded_and_the_message_sent_when_it_is_back(empty_db, smtp):
    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        add_mail(session, settings, 2)
    smtp.controller.stop()
    report = outbox.deliver_due(empty_db.engine, settings, now=NOW)
    assert (report.sent, report.failed) == (0, 2)
    assert all(r.attempts == 1 and r.last_error and r.sent_at is None for r in rows(empty_db))
    smtp.controller = Controller(smtp, hostname="127.0.0.1", port=smtp.controller.port)
    smtp.controller.start()
    assert outbox.deliver_due(empty_db.engine, settings, now=NOW + timedelta(minutes=2)).sent == 2
    assert len(smtp.messages) == 2


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [outbox.backoff(n).total_seconds() / 60 for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_committed_submission_is_e_mailed_once_by_a_later_process(empty_db, smtp):
    """The web process commits the submission with its outbox e-mail and is killed before any e-mail
    goes; `python -m portal send-mail` in another process delivers it, once."""
    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        submission = make_submission(session)
        [message_id] = add_mail(
            session, settings, 1, submission_id=submission.id, now=sla.aware(datetime.now(UTC))
        )
    empty_db.engine.dispose()  # nothing of the first process remains
    env = portal_env(empty_db, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.controller.port))
    for expected in ("1 sent, 0 failed", "0 sent, 0 failed"):
        done = subprocess.run(
            [sys.executable, "-m", "portal", "send-mail"],
            cwd=paths.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout
    assert [m["Message-ID"] for m in smtp.messages] == [message_id]


def test_send_mail_loop_stops_cleanly_on_sigterm(empty_db, smtp):
    import signal
    import time

    settings = mail_settings(empty_db, smtp)
    with session_scope(empty_db.sessions) as session:
        add_mail(session, settings, 1, now=datetime.now(UTC) - timedelta(seconds=5))
    env = portal_env(empty_db, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.controller.port))
    worker = subprocess.Popen(
        [sys.executable, "-m", "portal", "send-mail", "--loop", "--interval", "0.2"],
        cwd=paths.ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(smtp.messages) == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "1 sent, 0 failed" in out
