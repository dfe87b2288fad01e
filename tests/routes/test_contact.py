"""The public contact forms, confirmation and status pages, through the real app on tiny wards."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models.contact import OutboxMessage, RateLimitHit, Submission, SubmissionEvent
from portal.queries import contact as queries
from tests.staff_helpers import ALPHA, WESTMINSTER, csrf_from, load_staff_areas

KEY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')
FORM = f"/contact/team/{ALPHA}"


@pytest.fixture
def contact_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object]]:
    load_staff_areas(empty_db, tmp_path)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db


def fields(client: TestClient, url: str = FORM) -> dict[str, str]:
    page = client.get(url)
    assert page.status_code == 200, page.text[:300]
    return {"csrf_token": csrf_from(page), "idempotency_key": KEY_INPUT.search(page.text)[1]}


def good(**changes) -> dict[str, str]:
    data = {
        "category": "priority",
        "body": "Cars speed along Elm Road every evening.\nPlease look at it.",
        "happened-day": "",
        "happened-month": "",
        "happened-year": "",
        "place": "Elm Road",
        "name": "Sam Resident",
        "email": "sam@example.org",
        "phone": "",
        "contact_by": "email",
        "consent": "yes",
        "website": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def send(client, url=FORM, **changes):
    return client.post(url, data={**fields(client, url), **good(**changes)})


def count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_form_has_the_warnings_the_honeypot_and_is_not_cached(contact_app):
    client, _db = contact_app
    page = client.get(FORM)
    again = client.get(FORM)  # with the cookie now
    assert page.status_code == again.status_code == 200
    assert again.headers["cache-control"] == "no-store"
    assert "Contact the Alpha team" in page.text
    assert "call 999" in page.text and "https://www.met.police.uk/ro/report/" in page.text
    assert 'href="https://www.bbc.co.uk/weather"' in page.text and "Leave this site" in page.text
    assert re.search(r'aria-hidden="true">\s*<label for="website">', page.text)
    assert 'name="website" value="" autocomplete="off" tabindex="-1"' in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["x-robots-tag"] == "noindex"
    for topic in ("A local problem or priority", "Thanks or praise"):
        assert topic in page.text


def test_a_good_message_is_stored_with_its_outbox_and_confirmed_after_a_redirect(contact_app):
    client, db = contact_app
    response = send(client)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/contact/sent/")
    confirmation = client.get(location)
    again = client.get(location)  # a reload shows it again and sends nothing
    assert confirmation.status_code == again.status_code == 200
    reference = re.search(r"SNT-\d{4}-\d{6}", confirmation.text)[0]
    assert "We will answer by " in confirmation.text and "/contact/status/" in confirmation.text
    assert confirmation.headers["referrer-policy"] == "no-referrer"
    assert confirmation.headers["cache-control"] == "no-store"
    with db.sessions() as session:
        (submission,) = session.scalars(select(Submission)).all()
        assert submission.reference == reference and submission.team_id == ALPHA
        assert submission.borough_code == WESTMINSTER and submission.consent
        assert submission.status == "received"
        outbox = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.kind for m in outbox] == ["acknowledgement"]  # the team has no e-mail, no fallback
        ack = outbox[0]
        assert ack.to_address == "sam@example.org" and reference in ack.subject
        token = location.rsplit("/", 1)[1]
        assert f"/contact/status/{token}" in ack.body_text and "999" in ack.body_text
        assert re.fullmatch(r"<[0-9a-f-]{36}@pledge-portal>", ack.message_id)
        assert [e.kind for e in session.scalars(select(SubmissionEvent))] == ["received"]
        keys = session.scalars(select(RateLimitHit.key)).all()
        assert sorted(k.split(":")[0] for k in keys) == ["address", "ip"]
        assert all("sam@example.org" not in k and "testclient" not in k for k in keys)
    assert count(db, Submission) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"body": ""}, "body", "Enter your message"),
        ({"body": "x" * 5001}, "body", "5,000 characters or fewer"),
        ({"email": "not-an-address"}, "email", "Enter an e-mail address in the correct format"),
        ({"email": "", "phone": ""}, "email", "Enter your e-mail address"),
        ({"contact_by": "phone", "email": ""}, "phone", "Enter your phone number"),
        ({"consent": None}, "consent", "Confirm that we may contact you"),
        ({"category": "nonsense"}, "category", "Choose what your message is about"),
        ({"contact_by": None}, "contact_by", "Choose how you would like us to contact you"),
        ({"happened-day": "31", "happened-month": "2", "happened-year": "2026"}, "happened-day", "real date"),
        ({"happened-day": "3", "happened-month": "", "happened-year": "2026"}, "happened-day", "whole date"),
        ({"happened-day": "1", "happened-month": "1", "happened-year": "2999"}, "happened-day", "the past"),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
    ],
)
def test_each_mistake_is_explained_and_everything_typed_is_kept(contact_app, changes, field, message):
    client, db = contact_app
    response = send(client, **{"place": "By the <bus stop>", **changes})
    assert response.status_code == 400
    assert "There is a problem" in response.text and f'href="#{field}"' in response.text
    assert message in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error: " in response.text
    assert 'value="By the &lt;bus stop&gt;"' in response.text  # kept, and escaped
    if changes.get("body", "-"):
        assert (changes.get("body") or good()["body"])[:200] in response.text
    assert count(db, Submission) == 0


def test_no_contact_needs_no_consent_and_no_address(contact_app):
    client, db = contact_app
    response = send(client, contact_by="none", email="", consent=None, name="")
    assert response.status_code == 303
    with db.sessions() as session:
        submission = session.scalars(select(Submission)).one()
        assert not submission.consent and submission.email is None
    assert count(db, OutboxMessage) == 0  # no address to acknowledge, and no team address


def test_unknown_team_is_404(contact_app):
    client, _db = contact_app
    assert client.get("/contact/team/E05999999").status_code == 404


def test_missing_csrf_token_is_refused(contact_app):
    client, db = contact_app
    data = {**fields(client), **good()}
    del data["csrf_token"]
    assert client.post(FORM, data=data).status_code == 403
    assert count(db, Submission) == 0


def test_the_honeypot_refuses_and_stores_nothing(contact_app):
    client, db = contact_app
    response = send(client, website="http://spam.example")
    assert response.status_code == 400 and "We could not accept this form" in response.text
    assert count(db, Submission) == 0 and count(db, RateLimitHit) == 0


def test_the_same_form_sent_twice_is_one_submission_with_one_reference(contact_app):
    client, db = contact_app
    data = {**fields(client), **good()}
    first, second = client.post(FORM, data=data), client.post(FORM, data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]  # the same working status link
    assert count(db, Submission) == 1 and count(db, OutboxMessage) == 1


def test_concurrent_submits_of_one_form_store_one(contact_app):
    client, db = contact_app
    data = {**fields(client), **good()}
    results: list[int] = []
    barrier = threading.Barrier(6)

    def post():
        barrier.wait()  # the requests run in the app's worker threads, side by side
        results.append(client.post(FORM, data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [303] * 6
    assert count(db, Submission) == 1 and count(db, OutboxMessage) == 1


def test_rate_limit_survives_a_restart_and_says_why(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    settings = empty_db.settings(warm_caches=False, contact_limit_per_address_hour=2)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        for n in range(2):
            assert send(client, email=f"p{n}@example.org").status_code == 303
    with TestClient(create_app(settings), follow_redirects=False) as client:  # a new app: a restart
        response = send(client, email="p9@example.org")
        assert response.status_code == 429
        assert "this network address has sent 2 messages in the last 1 h" in response.text
        assert "Try again after " in response.text and int(response.headers["retry-after"]) > 0
        assert 'value="p9@example.org"' in response.text
    assert count(empty_db, Submission) == 2


def test_rate_limit_per_email_address(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    settings = empty_db.settings(warm_caches=False, contact_limit_per_email_day=1)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert send(client, email="Same@Example.org").status_code == 303
        response = send(client, email="same@example.org")
        assert response.status_code == 429 and "this e-mail address has sent 1 message" in response.text


def test_when_the_outbox_cannot_be_written_nothing_is_kept_and_no_reference_is_shown(
    contact_app, monkeypatch
):
    client, db = contact_app

    def broken(*_args, **_kwargs):
        raise RuntimeError("outbox broken")

    monkeypatch.setattr(queries, "build_messages", broken)
    response = send(client)
    assert response.status_code == 500
    assert "your message was not sent" in response.text and "SNT-" not in response.text
    assert count(db, Submission) == 0 and count(db, OutboxMessage) == 0
    assert count(db, SubmissionEvent) == 0 and count(db, RateLimitHit) == 0


def test_the_problem_form_takes_a_team_or_a_borough(contact_app):
    client, db = contact_app
    page = client.get("/contact/problem")
    assert page.status_code == 200 and "Tell us about a problem with our service" in page.text
    assert "https://www.met.police.uk/fo/feedback/" in page.text and "Westminster" in page.text
    url = "/contact/problem"
    assert send(client, url, category="delay", team=ALPHA).status_code == 303
    assert send(client, url, category="incivility", borough=WESTMINSTER).status_code == 303
    bad = send(client, url, category="delay", team="E05999999")
    assert bad.status_code == 400 and "Choose a team from the list" in bad.text
    missing = send(client, url, category="", body="")
    assert "Choose what the problem was" in missing.text and "Enter what happened" in missing.text
    with db.sessions() as session:
        rows = session.execute(select(Submission.kind, Submission.team_id, Submission.borough_code)).all()
    assert sorted(rows, key=str) == sorted(
        [("dissatisfaction", ALPHA, WESTMINSTER), ("dissatisfaction", None, WESTMINSTER)], key=str
    )


def test_the_status_page_shows_the_clock_and_keeps_private(contact_app):
    client, _db = contact_app
    location = send(client).headers["location"]
    token = location.rsplit("/", 1)[1]
    page = client.get(f"/contact/status/{token}")
    assert page.status_code == 200
    assert "Due by " in page.text and "Received" in page.text and "Elm Road every evening" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["x-robots-tag"] == "noindex"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "sam@example.org" not in page.text  # nothing beyond what was asked for
    data = client.get(f"/contact/status/{token}", headers={"accept": "application/json"}).json()
    assert data["clock"]["state"] == "due" and data["reference"].startswith("SNT-")
    missing = client.get("/contact/status/not-a-real-token")
    assert missing.status_code == 404 and "We cannot find a message with this link" in missing.text


def test_the_team_page_links_to_the_form_and_the_footer_to_the_problem_form(contact_app):
    client, _db = contact_app
    page = client.get(f"/teams/{ALPHA}")
    assert f'href="/contact/team/{ALPHA}"' in page.text
    assert 'href="/contact/problem"' in page.text


def test_reply_text_is_shown_on_the_status_page(contact_app):
    client, db = contact_app
    token = send(client).headers["location"].rsplit("/", 1)[1]
    with session_scope(db.sessions) as session:
        submission = session.scalars(select(Submission)).one()
        now = datetime.now(UTC)
        submission.status, submission.responded_at = "responded", now
        session.add(
            SubmissionEvent(
                submission_id=submission.id,
                at=now,
                kind="replied",
                public_text="We will patrol there.",
                staff_note="secret note",
            )
        )
    page = client.get(f"/contact/status/{token}")
    assert "We will patrol there." in page.text and "secret note" not in page.text
    assert "Answered in " in page.text
