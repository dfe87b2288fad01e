"""Staff sign-in, sign-out, CSRF, the dashboard and the team details form, through the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import AuditEntry, Team
from tests.staff_helpers import (
    ACCOUNTS,
    ALPHA,
    BRAVO,
    DELTA,
    create_accounts,
    csrf_from,
    load_staff_areas,
    post_form,
    sign_in,
)


@pytest.fixture
def staff_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db


def test_staff_pages_send_you_to_sign_in_and_back(staff_app):
    client, _db = staff_app
    response = client.get(f"/staff/teams/{ALPHA}/details")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/sign-in?next=/staff/teams/{ALPHA}/details"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Sign in to manage your team" in page.text
    assert 'name="next" value="/staff/teams/E05900001/details"' in page.text
    assert "noindex" in page.text


def test_signing_in_sets_a_signed_httponly_lax_session_cookie_and_a_fresh_csrf_token(staff_app):
    client, _db = staff_app
    before = client.cookies.get("portal_csrf") or csrf_from(client.get("/staff/sign-in"))
    old_cookie = client.cookies.get("portal_csrf")
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/staff/"
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("portal_staff="))
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "Secure" not in session  # plain http in tests; Secure over https and in production
    assert any(c.startswith("portal_csrf=") for c in cookies)
    assert client.cookies.get("portal_csrf") != old_cookie and before
    dashboard = client.get("/staff/")
    assert dashboard.status_code == 200 and "Ann Editor" in dashboard.text and "Alpha" in dashboard.text
    assert "Bravo" not in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"


def test_cookies_are_secure_over_https(staff_app):
    client, _db = staff_app
    secure = TestClient(client.app, base_url="https://testserver", follow_redirects=False)
    response = sign_in(secure)
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_a_wrong_password_keeps_the_email_and_says_what_is_wrong(staff_app):
    client, _db = staff_app
    response = sign_in(client, password="not the right one at all")
    assert response.status_code == 400
    assert "The e-mail address or password is not right" in response.text
    assert f'value="{ACCOUNTS["editor"]["email"]}"' in response.text
    assert "portal_staff" not in client.cookies


def test_a_form_without_its_csrf_token_or_from_another_site_is_refused(staff_app):
    client, _db = staff_app
    client.get("/staff/sign-in")
    data = {"email": ACCOUNTS["editor"]["email"], "password": "x"}
    assert client.post("/staff/sign-in", data=data).status_code == 403
    assert client.post("/staff/sign-in", data={**data, "csrf_token": "forged"}).status_code == 403
    token = csrf_from(client.get("/staff/sign-in"))
    other = client.post(
        "/staff/sign-in", data={**data, "csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert other.status_code == 403 and "did not come from this site" in other.text
    fresh = TestClient(client.app, follow_redirects=False)  # a browser without the cookie
    assert fresh.post("/staff/sign-in", data={**data, "csrf_token": token}).status_code == 403


def test_next_never_leads_off_the_site(staff_app):
    client, _db = staff_app
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf_from(client.get("/staff/sign-in"))
        response = client.post(
            "/staff/sign-in",
            data={
                "email": ACCOUNTS["editor"]["email"],
                "password": "kettle harbour violet lantern",
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["location"] == "/staff/"
        client.cookies.clear()


def test_editing_the_team_details_publishes_them_at_once_and_takes_off_the_demo_label(staff_app):
    client, db = staff_app
    sign_in(client)
    assert client.get(f"/teams/{ALPHA}").status_code == 200  # cached before the change
    response = post_form(
        client,
        f"/staff/teams/{ALPHA}/details",
        {
            "description": "Come to our **street briefings** on the first Saturday.",
            "email": "alpha.snt@met.police.uk",
            "telephone": "020 7230 1212",
            "mobile": "",
        },
    )
    assert (
        response.status_code == 303 and response.headers["location"] == f"/staff/teams/{ALPHA}?saved=details"
    )
    public = client.get(f"/teams/{ALPHA}")
    assert "alpha.snt@met.police.uk" in public.text and "<strong>street briefings</strong>" in public.text
    assert client.get(f"/teams/{ALPHA}.json").json()["contacts"]["email"] == "alpha.snt@met.police.uk"
    with session_scope(db.sessions) as session:
        team = session.get(Team, ALPHA)
        assert team.content_source == "staff" and team.version == 2
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "team")).one()
        assert entry.actor == ACCOUNTS["editor"]["email"] and entry.team_id == ALPHA
        assert '"email": "alpha.snt@met.police.uk"' in entry.after


def test_invalid_details_are_refused_with_what_was_typed_kept(staff_app):
    client, _db = staff_app
    sign_in(client)
    response = post_form(
        client,
        f"/staff/teams/{ALPHA}/details",
        {"description": "Kept text", "email": "not an address", "telephone": "call us", "mobile": ""},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text and 'href="#email"' in response.text
    assert "Kept text" in response.text and 'value="not an address"' in response.text
    assert "Enter a telephone number" in response.text


def test_the_second_of_two_concurrent_saves_is_refused_not_silently_applied(staff_app):
    client, _db = staff_app
    sign_in(client)
    url = f"/staff/teams/{ALPHA}/details"
    first_page, second_page = client.get(url), client.get(url)
    base = {"telephone": "020 7230 1212", "mobile": "", "description": ""}

    def save(page, email):
        fields = {"csrf_token": csrf_from(page), "version": "1"}
        assert 'name="version" value="1"' in page.text
        return client.post(url, data={**fields, **base, "email": email})

    assert save(first_page, "first@met.police.uk").status_code == 303
    refused = save(second_page, "second@met.police.uk")
    assert refused.status_code == 409
    assert "Someone else saved changes" in refused.text and "first@met.police.uk" in refused.text
    assert 'value="second@met.police.uk"' in refused.text  # what they typed is kept
    assert "first@met.police.uk" in client.get(f"/teams/{ALPHA}").text


@pytest.mark.parametrize(
    ("key", "team", "allowed"),
    [("editor", BRAVO, False), ("borough", DELTA, False), ("borough", BRAVO, True), ("force", DELTA, True)],
)
def test_people_can_edit_only_the_teams_their_role_allows(staff_app, key, team, allowed):
    client, _db = staff_app
    sign_in(client, key)
    page = client.get(f"/staff/teams/{team}/details")
    assert page.status_code == (200 if allowed else 403)
    token = csrf_from(client.get("/staff/password"))
    post = client.post(
        f"/staff/teams/{team}/details",
        data={
            "csrf_token": token,
            "version": "1",
            "email": "x@met.police.uk",
            "telephone": "",
            "mobile": "",
            "description": "",
        },
    )
    assert post.status_code == (303 if allowed else 403)


def test_signing_out_ends_the_session(staff_app):
    client, _db = staff_app
    sign_in(client)
    token = csrf_from(client.get("/staff/"))
    response = client.post("/staff/sign-out", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/staff/sign-in?signed-out"
    assert "You have signed out" in client.get(response.headers["location"]).text
    assert client.get("/staff/").status_code == 303


def test_changing_your_password(staff_app):
    client, _db = staff_app
    sign_in(client)
    weak = post_form(
        client,
        "/staff/password",
        {"current": "kettle harbour violet lantern", "new": "password1234", "confirm": "password1234"},
    )
    assert weak.status_code == 400 and "harder to guess" in weak.text
    wrong = post_form(
        client,
        "/staff/password",
        {"current": "nope", "new": "orchard lamplight pebble", "confirm": "orchard lamplight pebble"},
    )
    assert wrong.status_code == 400 and "current password is not right" in wrong.text
    done = post_form(
        client,
        "/staff/password",
        {
            "current": "kettle harbour violet lantern",
            "new": "orchard lamplight pebble",
            "confirm": "orchard lamplight pebble",
        },
    )
    assert done.status_code == 303
    client.cookies.clear()
    assert sign_in(client, password="orchard lamplight pebble").status_code == 303
