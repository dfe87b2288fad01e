"""Staff answer a message: sign in → inbox → open the message → reply → the person's status page says
"Answered in …".

Runs against the shared real-data database: the account, the submission (with its events and outbox
e-mails) and the audit entries and sign-in records are removed afterwards."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from portal.models import AuditEntry, SignInAttempt, StaffUser
from portal.models.contact import OutboxMessage, Submission
from portal.models.staff import TEAM_EDITOR
from portal.queries import staff as staff_queries
from portal.queries.contact import token_digest
from tests.test_outbox import make_submission

TEAM = "E05014058"  # Chadwell Heath (Barking and Dagenham)
PASSWORD = "kettle harbour violet lantern"


@pytest.fixture
def message(loaded_db, live_server):
    email = f"inbox-{uuid.uuid4().hex[:8]}@example.org"
    token = secrets.token_urlsafe(32)
    reference = f"SNT-2099-{secrets.randbelow(10**6):06d}"
    with loaded_db.sessions.begin() as session:
        staff_queries.create_user(
            session, email=email, name="Inbox Tester", password=PASSWORD, role=TEAM_EDITOR, team_ids=[TEAM]
        )
        submission = make_submission(
            session, team_id=TEAM, reference=reference, received_at=datetime.now(UTC) - timedelta(hours=2)
        )
        submission.status_token_hash = token_digest(token)
        session.flush()
        submission_id = submission.id
    try:
        yield {"email": email, "token": token, "reference": reference, "id": submission_id}
    finally:
        with loaded_db.sessions.begin() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id == submission_id))
            session.execute(delete(Submission).where(Submission.id == submission_id))  # its events go too
            session.execute(delete(StaffUser).where(StaffUser.email == email))
            session.execute(delete(AuditEntry).where(AuditEntry.actor == email))
            session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
        with loaded_db.sessions() as session:
            assert session.get(Submission, submission_id) is None
            assert session.scalar(select(StaffUser.id).where(StaffUser.email == email)) is None
        time.sleep(1.2)


def test_staff_answer_a_message_and_the_status_page_says_answered(page, message):
    page.goto("/staff/inbox")
    page.wait_for_url("**/staff/sign-in?next=**")
    page.get_by_label("E-mail address").fill(message["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/inbox")
    link = page.get_by_role("link", name=message["reference"])
    expect(link).to_be_visible()
    expect(page.get_by_role("row", name=message["reference"])).to_contain_text("left)")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(message["reference"])
    reply = "Thank you: we have reported the broken street light to the council."
    page.get_by_label("Reply").fill(reply)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("alert")).to_contain_text("Your reply has been recorded")
    expect(page.locator("#clock")).to_contain_text("Answered in 2 h")
    page.goto(f"/contact/status/{message['token']}")
    expect(page.locator("body")).to_contain_text("Answered in 2 h")
    expect(page.locator("body")).to_contain_text(reply)
