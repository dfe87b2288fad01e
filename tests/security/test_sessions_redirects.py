"""Session fixation (the session and CSRF cookies are new at sign-in and at sign-out, and a cookie from
before sign-in, or from a signed-out session, opens nothing) and open redirects (`next=` never leaves the
site)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from portal.security import CSRF_COOKIE, SESSION_COOKIE, SESSION_SALT, safe_next
from portal.services import auth
from tests.routes.test_staff_security import world  # noqa: F401 - the fixture is used below
from tests.staff_helpers import ACCOUNTS, PASSWORD, csrf_from, sign_in


def fresh(client: TestClient, cookies: dict[str, str]) -> TestClient:
    other = TestClient(client.app, follow_redirects=False)
    for name, value in cookies.items():
        other.cookies.set(name, value)
    return other


def test_sign_in_issues_a_new_session_and_a_planted_one_opens_nothing(world):  # noqa: F811
    client, _items = world
    secret = client.app.state.settings.secret_key
    planted = auth.sign(secret, SESSION_SALT, auth.new_token())  # validly signed, but no session of ours
    client.cookies.set(SESSION_COOKIE, planted)
    assert client.get("/staff/").status_code == 303  # a planted cookie is not a session
    form_page = client.get("/staff/sign-in")
    old_token = csrf_from(form_page)
    response = sign_in(client, "editor")
    assert response.status_code == 303
    session = response.cookies.get(SESSION_COOKIE)
    assert session and session != planted
    assert response.cookies.get(CSRF_COOKIE)  # a new CSRF token too
    client.cookies.clear()
    client.cookies.update(response.cookies)
    assert client.get("/staff/").status_code == 200
    # The attacker's copy of the planted cookie is still nothing after the victim signed in.
    assert fresh(client, {SESSION_COOKIE: planted}).get("/staff/").status_code == 303
    # The CSRF token of the page seen before sign-in no longer works.
    assert client.post("/staff/password", data={"csrf_token": old_token}).status_code == 403


def test_each_sign_in_gets_its_own_session(world):  # noqa: F811
    client, _items = world
    first = sign_in(client, "editor")
    client.cookies.clear()
    second = sign_in(client, "editor")
    assert first.status_code == second.status_code == 303
    assert first.cookies.get(SESSION_COOKIE) != second.cookies.get(SESSION_COOKIE)


def test_sign_out_ends_the_session_on_the_server(world):  # noqa: F811
    client, _items = world
    assert sign_in(client, "editor").status_code == 303
    session = client.cookies.get(SESSION_COOKIE)
    csrf_cookie = client.cookies.get(CSRF_COOKIE)
    token = csrf_from(client.get("/staff/password"))
    response = client.post("/staff/sign-out", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.cookies.get(SESSION_COOKIE) in (None, "", '""')
    assert client.cookies.get(CSRF_COOKIE) != csrf_cookie
    # Someone who kept a copy of the cookie cannot use it.
    copy = fresh(client, {SESSION_COOKIE: session})
    assert copy.get("/staff/").status_code == 303


EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/%2F/evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example/",
    "http:evil.example",
    "///evil.example/",
    "data:text/html,<script>alert(1)</script>",
]


def stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        parts.scheme in ("", "http")
        and parts.netloc in ("", "testserver")
        and location.startswith("/")
        and not location.startswith(("//", "/\\", "/%2F", "/%2f", "/\t"))
        and "evil.example" not in location
    )


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leads_off_the_site(world, target):  # noqa: F811
    client, _items = world
    # Anonymous: the form carries a safe `next`.
    page = client.get("/staff/sign-in", params={"next": target})
    assert page.status_code == 200
    assert "evil.example" not in page.text and "javascript:" not in page.text.lower()
    # Signing in with the target in the form.
    token = csrf_from(page)
    account = ACCOUNTS["editor"]
    response = client.post(
        "/staff/sign-in",
        data={"email": account["email"], "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert response.status_code == 303
    assert stays_on_site(response.headers["location"]), response.headers["location"]
    # Already signed in: the GET redirects at once, on the site.
    again = client.get("/staff/sign-in", params={"next": target})
    assert again.status_code == 303
    assert stays_on_site(again.headers["location"]), again.headers["location"]


def test_a_safe_next_is_followed(world):  # noqa: F811
    client, _items = world
    page = client.get("/staff/sign-in", params={"next": "/staff/password"})
    account = ACCOUNTS["editor"]
    response = client.post(
        "/staff/sign-in",
        data={
            "email": account["email"],
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "next": "/staff/password",
        },
    )
    assert response.headers["location"] == "/staff/password"


@pytest.mark.parametrize("target", [*EVIL, "/%2f%2fevil.example", "/%5Cevil.example", "/ok\n/x"])
def test_safe_next_refuses_every_off_site_form(target):
    assert safe_next(target, "/staff/") == "/staff/"


@pytest.mark.parametrize("target", ["/staff/password", "/staff/teams/E05000001?saved=details", "/staff/"])
def test_safe_next_keeps_a_path_on_the_site(target):
    assert safe_next(target, "/staff/") == target
