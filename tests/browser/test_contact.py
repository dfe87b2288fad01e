"""A resident messages their team: team page → "Contact the team" → a mistake, explained → fixed → the
reference and "We will answer by …" → the status page with its clock.

Runs against the shared real-data database: the submission, its history, its outbox e-mails and the
rate-limit records it made are removed afterwards."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from portal.models.contact import OutboxMessage, RateLimitHit, Submission

TEAM = "E05014058"  # Chadwell Heath (Barking and Dagenham)


@pytest.fixture
def cleanup(loaded_db):
    with loaded_db.sessions() as session:
        before = set(session.scalars(select(Submission.id)))
        hits_before = set(session.scalars(select(RateLimitHit.id)))
    yield
    with loaded_db.sessions.begin() as session:
        added = [i for i in session.scalars(select(Submission.id)) if i not in before]
        session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id.in_(added)))
        session.execute(delete(Submission).where(Submission.id.in_(added)))  # its events go with it
        new_hits = [i for i in session.scalars(select(RateLimitHit.id)) if i not in hits_before]
        session.execute(delete(RateLimitHit).where(RateLimitHit.id.in_(new_hits)))
    with loaded_db.sessions() as session:
        assert set(session.scalars(select(Submission.id))) == before


def test_message_the_team_and_follow_it(page, cleanup):
    page.goto(f"/teams/{TEAM}")
    page.get_by_role("button", name="Contact the team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Contact the .+ team$"))
    expect(page.get_by_text("In an emergency, call 999", exact=False).first).to_be_visible()

    page.get_by_label("A meeting or getting involved").check()
    page.get_by_label("E-mail address").fill("browser.test@example.org")
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("I agree that the police may contact me").check()
    page.get_by_role("button", name="Send message").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter your message")
    expect(page.get_by_label("E-mail address")).to_have_value("browser.test@example.org")  # kept
    summary.get_by_role("link", name="Enter your message").click()
    expect(page.locator("#body")).to_be_focused()
    page.locator("#body").fill("When is the next ward panel meeting?")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", name="Message sent")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"SNT-\d{4}-\d{6}", reference)
    expect(page.get_by_text("We will answer by", exact=False)).to_be_visible()
    page.reload()  # sends nothing again
    expect(page.locator("#reference")).to_have_text(reference)

    page.locator("#status-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reference {reference}")
    expect(page.locator("#clock")).to_contain_text("Due by")
    expect(page.locator("#status")).to_have_text("Received")
