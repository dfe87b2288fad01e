"""Staff accounts (force admins only) and the audit log (admins), through the real app on both backends."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import AuditEntry, StaffSession, StaffUser
from portal.models.base import utcnow
from portal.queries import staff as staff_queries
from tests.staff_helpers import (
    ACCOUNTS,
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

NEW_PASSWORD = "orchard pebble tundra saucepan"


@pytest.fixture
def staff_app(empty_db, tmp_path) -> Iterator[tuple[TestClient, object, dict[str, int]]]:
    load_staff_areas(empty_db, tmp_path)
    ids = create_accounts(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, empty_db, ids


def other_client(client: TestClient) -> TestClient:
    """A second browser on the same app."""
    return TestClient(client.app, follow_redirects=False)


def entries(db, **where) -> list[AuditEntry]:
    with session_scope(db.sessions) as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            query = query.where(getattr(AuditEntry, key) == value)
        found = session.scalars(query).all()
        session.expunge_all()
        return found


def account(db, email: str) -> StaffUser:
    with session_scope(db.sessions) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        user.team_ids  # noqa: B018 - load the teams before the session closes
        session.expunge_all()
        return user


NEW_EDITOR = {
    "name": "Nia Newcomer",
    "email": "nia.newcomer@example.org",
    "role": "team_editor",
    "borough_code": "",
    "teams": [BRAVO],
}


# -- staff accounts ------------------------------------------------------------------------------------


def test_a_force_admin_creates_an_account_that_can_sign_in_and_it_is_audited(staff_app):
    client, db, _ids = staff_app
    sign_in(client, "force")
    listing = client.get("/staff/users")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    for key in ("editor", "borough", "force"):
        assert ACCOUNTS[key]["email"] in listing.text
    assert "Westminster" in listing.text and "Alpha" in listing.text and "Never" in listing.text
    response = post_form(client, "/staff/users/new", {**NEW_EDITOR, "password": NEW_PASSWORD})
    assert response.status_code == 303, response.text[:2000]
    user = account(db, NEW_EDITOR["email"])
    assert response.headers["location"] == f"/staff/users/{user.id}?saved=created"
    assert user.role == "team_editor" and user.team_ids == [BRAVO] and user.is_active
    page = client.get(response.headers["location"])
    assert "The account has been created" in page.text and "Nia Newcomer" in page.text
    created = entries(db, action="create", entity="user")[-1]
    assert created.actor == ACCOUNTS["force"]["email"] and created.entity_id == str(user.id)
    assert json.loads(created.after)["teams"] == [BRAVO]
    assert NEW_PASSWORD not in (created.after or "") and "argon2" not in (created.after or "")
    newcomer = other_client(client)
    token = csrf_from(newcomer.get("/staff/sign-in"))
    signed = newcomer.post(
        "/staff/sign-in",
        data={"email": NEW_EDITOR["email"], "password": NEW_PASSWORD, "csrf_token": token, "next": "/staff/"},
    )
    assert signed.status_code == 303
    assert newcomer.get(f"/staff/teams/{BRAVO}/details").status_code == 200
    assert newcomer.get(f"/staff/teams/{ALPHA}/details").status_code == 403


def test_a_generated_password_is_shown_once_and_works(staff_app):
    client, db, _ids = staff_app
    sign_in(client, "force")
    values = {**NEW_EDITOR, "role": "borough_admin", "borough_code": WESTMINSTER, "teams": []}
    response = post_form(client, "/staff/users/new", {**values, "password": ""})
    assert response.status_code == 200 and "This password is shown only once" in response.text
    password = response.text.split('id="generated-password">')[1].split("<")[0]
    assert len(password) == 19 and staff_queries.auth.password_problem(password) is None
    user = account(db, NEW_EDITOR["email"])
    assert user.role == "borough_admin" and user.borough_code == WESTMINSTER and user.team_ids == []
    assert password not in client.get(f"/staff/users/{user.id}").text
    newcomer = other_client(client)
    token = csrf_from(newcomer.get("/staff/sign-in"))
    data = {"email": NEW_EDITOR["email"], "password": password, "csrf_token": token, "next": "/staff/"}
    assert newcomer.post("/staff/sign-in", data=data).status_code == 303


def test_a_refused_account_keeps_what_was_typed_but_never_the_password(staff_app):
    client, db, _ids = staff_app
    sign_in(client, "force")
    response = post_form(
        client,
        "/staff/users/new",
        {
            "name": "Typed Name",
            "email": ACCOUNTS["editor"]["email"],  # taken
            "role": "team_editor",
            "borough_code": "",
            "teams": [],
            "password": "password1234",
        },
    )
    assert response.status_code == 400 and "There is a problem" in response.text
    assert "There is already an account with this e-mail address" in response.text
    assert "Choose at least one team this editor looks after" in response.text
    assert "harder to guess" in response.text
    assert 'value="Typed Name"' in response.text and 'value="team_editor" checked' in response.text
    assert "password1234" not in response.text
    borough = post_form(
        client,
        "/staff/users/new",
        {**NEW_EDITOR, "role": "borough_admin", "borough_code": "", "password": NEW_PASSWORD},
    )
    assert borough.status_code == 400 and "Choose the borough this admin looks after" in borough.text
    assert 'href="#borough_code"' in borough.text and NEW_PASSWORD not in borough.text
    assert f'value="{BRAVO}" selected' in borough.text  # the teams chosen are kept too
    assert entries(db, action="create", entity="user")[-1].actor == "command line"  # the fixture's only


def test_editing_an_account_changes_what_the_person_may_edit_at_once(staff_app):
    client, db, ids = staff_app
    editor = other_client(client)
    sign_in(editor, "editor")
    assert editor.get(f"/staff/teams/{BRAVO}/details").status_code == 403
    sign_in(client, "force")
    url = f"/staff/users/{ids['editor']}"
    page = client.get(url)
    assert page.status_code == 200 and 'name="version" value="1"' in page.text  # signing in does not move it
    assert f'value="{ALPHA}" selected' in page.text
    data = {"name": "Ann Editor-Jones", "role": "team_editor", "borough_code": "", "teams": [ALPHA, BRAVO]}
    response = post_form(client, url, data)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=updated"
    assert editor.get(f"/staff/teams/{BRAVO}/details").status_code == 200
    updated = entries(db, action="update", entity="user")[-1]
    assert json.loads(updated.before) == {"name": "Ann Editor", "teams": [ALPHA]}
    assert json.loads(updated.after) == {"name": "Ann Editor-Jones", "teams": [ALPHA, BRAVO]}
    promoted = post_form(client, url, {**data, "role": "borough_admin", "borough_code": "E09000007"})
    assert promoted.status_code == 303
    user = account(db, ACCOUNTS["editor"]["email"])
    assert (user.role, user.borough_code, user.team_ids) == ("borough_admin", "E09000007", [])
    assert editor.get(f"/staff/teams/{DELTA}/details").status_code == 200
    assert editor.get(f"/staff/teams/{ALPHA}/details").status_code == 403


def test_a_refused_edit_keeps_the_typed_values(staff_app):
    client, _db, ids = staff_app
    sign_in(client, "force")
    response = post_form(
        client,
        f"/staff/users/{ids['editor']}",
        {"name": "Kept Name", "role": "team_editor", "borough_code": "", "teams": ["E05999999"]},
    )
    assert response.status_code == 400 and "There is no team E05999999" in response.text
    assert 'value="Kept Name"' in response.text


def test_two_admins_editing_one_account_cannot_overwrite_each_other(staff_app):
    client, _db, ids = staff_app
    sign_in(client, "force")
    url = f"/staff/users/{ids['editor']}"
    first, second = client.get(url), client.get(url)
    base = {"role": "team_editor", "borough_code": "", "teams": [ALPHA]}

    def save(page, name):
        return client.post(url, data={"csrf_token": csrf_from(page), "version": "1", **base, "name": name})

    assert save(first, "First Name").status_code == 303
    refused = save(second, "Second Name")
    assert refused.status_code == 409 and "Someone else saved changes" in refused.text
    assert "First Name" in refused.text and 'value="Second Name"' in refused.text
    assert 'name="version" value="2"' in refused.text


def test_deactivating_ends_the_persons_sessions_and_reactivating_lets_them_back(staff_app):
    client, db, ids = staff_app
    editor = other_client(client)
    sign_in(editor, "editor")
    assert editor.get("/staff/").status_code == 200
    sign_in(client, "force")
    url = f"/staff/users/{ids['editor']}"
    response = post_form(client, f"{url}/active", {"active": "no"}, form_url=url)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=deactivated"
    assert editor.get("/staff/").status_code == 303  # signed out
    with session_scope(db.sessions) as session:
        assert session.scalars(select(StaffSession).where(StaffSession.user_id == ids["editor"])).all() == []
    assert sign_in(other_client(client), "editor").status_code == 400
    assert "Deactivated" in client.get("/staff/users").text
    assert entries(db, action="deactivate")[-1].entity_id == str(ids["editor"])
    response = post_form(client, f"{url}/active", {"active": "yes"}, form_url=url)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=reactivated"
    assert sign_in(other_client(client), "editor").status_code == 303
    assert [e.action for e in entries(db, entity_id=str(ids["editor"]), entity="user")][-2:] == [
        "reactivate",
        "sign_in",
    ]


def test_an_admin_reset_unlocks_the_account_and_ends_its_sessions(staff_app):
    client, db, ids = staff_app
    editor = other_client(client)
    sign_in(editor, "editor")
    with session_scope(db.sessions) as session:
        user = session.get(StaffUser, ids["editor"])
        user.locked_until = utcnow() + timedelta(minutes=10)
    sign_in(client, "force")
    url = f"/staff/users/{ids['editor']}"
    assert "Locked after failed sign-ins" in client.get(url).text
    assert "Locked" in client.get("/staff/users").text
    weak = post_form(client, f"{url}/password", {"password": "password1234"}, form_url=url)
    assert weak.status_code == 400 and "harder to guess" in weak.text and "password1234" not in weak.text
    response = post_form(client, f"{url}/password", {"password": NEW_PASSWORD}, form_url=url)
    assert response.status_code == 303 and response.headers["location"] == f"{url}?saved=password"
    assert editor.get("/staff/").status_code == 303
    assert sign_in(other_client(client), "editor").status_code == 400  # the old password
    assert sign_in(other_client(client), "editor", password=NEW_PASSWORD).status_code == 303
    entry = entries(db, action="change_password")[-1]
    assert entry.actor == ACCOUNTS["force"]["email"] and entry.before is None and entry.after is None
    generated = post_form(client, f"{url}/password", {"password": ""}, form_url=url)
    assert generated.status_code == 200 and "This password is shown only once" in generated.text


def test_the_last_active_force_admin_cannot_demote_or_deactivate_themselves(staff_app):
    client, db, ids = staff_app
    sign_in(client, "force")
    url = f"/staff/users/{ids['force']}"
    demote = post_form(client, url, {"name": "Fay Admin", "role": "team_editor", "teams": [ALPHA]})
    assert demote.status_code == 400 and "You are the only active force admin" in demote.text
    deactivate = post_form(client, f"{url}/active", {"active": "no"}, form_url=url)
    assert deactivate.status_code == 400 and "You are the only active force admin" in deactivate.text
    assert account(db, ACCOUNTS["force"]["email"]).role == "force_admin"
    # with a second force admin, the first may step down
    promote = post_form(client, f"/staff/users/{ids['borough']}", {"name": "Bo Admin", "role": "force_admin"})
    assert promote.status_code == 303
    assert (
        post_form(client, url, {"name": "Fay Admin", "role": "team_editor", "teams": [ALPHA]}).status_code
        == 303
    )
    assert client.get("/staff/users").status_code == 403  # no longer a force admin, at once


USER_ROUTES = ["/staff/users", "/staff/users/new", "/staff/users/{id}"]
USER_POSTS = [
    "/staff/users/new",
    "/staff/users/{id}",
    "/staff/users/{id}/active",
    "/staff/users/{id}/password",
]


@pytest.mark.parametrize("key", ["editor", "borough"])
def test_only_force_admins_reach_any_staff_account_page(staff_app, key):
    client, db, ids = staff_app
    sign_in(client, key)
    target = ids["force"]
    for path in USER_ROUTES:
        assert client.get(path.format(id=target)).status_code == 403, path
    token = csrf_from(client.get("/staff/password"))
    data = {
        "csrf_token": token,
        "version": "1",
        "name": "Took Over",
        "email": "x@example.org",
        "role": "force_admin",
        "active": "no",
        "password": NEW_PASSWORD,
    }
    for path in USER_POSTS:
        assert client.post(path.format(id=target), data=data).status_code == 403, path
    assert "Staff accounts" not in client.get("/staff/").text
    user = account(db, ACCOUNTS["force"]["email"])
    assert user.is_active and user.version == 1 and user.name == "Fay Admin"
    assert account(db, ACCOUNTS[key]["email"]).role != "force_admin"


def test_account_pages_need_a_sign_in(staff_app):
    client, _db, ids = staff_app
    assert client.get("/staff/users").status_code == 303
    assert client.get(f"/staff/users/{ids['editor']}").headers["location"].startswith("/staff/sign-in")
    assert client.get("/staff/users/999999").status_code == 303
    sign_in(client, "force")
    assert client.get("/staff/users/999999").status_code == 404


# -- the audit log -------------------------------------------------------------------------------------


def edit_details(client, team: str, email: str):
    return post_form(
        client,
        f"/staff/teams/{team}/details",
        {"description": "", "email": email, "telephone": "", "mobile": ""},
    )


def test_the_audit_log_shows_each_admin_what_they_may_see(staff_app):
    client, _db, _ids = staff_app
    force = other_client(client)
    sign_in(force, "force")
    for team, email in (
        (ALPHA, "alpha@met.police.uk"),
        (BRAVO, "bravo@met.police.uk"),
        (DELTA, "delta@x.uk"),
    ):
        assert edit_details(force, team, email).status_code == 303
    page = force.get("/staff/audit")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert html.index("Updated Delta team details") < html.index("Updated Alpha team details")  # newest first
    assert "Fay Admin" in html and "delta@x.uk" in html and "Created force admin account" in html
    assert "(none)" in html and "→" in html  # the changed field, before and after
    assert "Audit log" in force.get("/staff/").text and "Staff accounts" in force.get("/staff/").text
    filtered = force.get(f"/staff/audit?team={ALPHA}").text
    assert "Updated Alpha team details" in filtered and "Updated Bravo team details" not in filtered
    assert f'<option value="{ALPHA}" selected>' in filtered

    borough = other_client(client)
    sign_in(borough, "borough")
    html = borough.get("/staff/audit").text
    assert "Updated Alpha team details" in html and "Updated Bravo team details" in html
    assert "Updated Delta team details" not in html and "Created force admin account" not in html
    assert "westminster.admin@example.org signed in" in html  # their own actions
    assert "Staff accounts" not in borough.get("/staff/").text and "Audit log" in html
    assert borough.get(f"/staff/audit?team={DELTA}").status_code == 403
    assert borough.get("/staff/audit?team=E05999999").status_code == 404
    assert borough.get(f"/staff/audit.csv?team={DELTA}").status_code == 403

    editor = other_client(client)
    sign_in(editor, "editor")
    assert editor.get("/staff/audit").status_code == 403
    assert editor.get("/staff/audit.csv").status_code == 403
    assert "Audit log" not in editor.get("/staff/").text


def test_the_audit_log_downloads_as_csv(staff_app):
    client, db, _ids = staff_app
    sign_in(client, "borough")
    assert edit_details(client, ALPHA, "alpha@met.police.uk").status_code == 303
    with session_scope(db.sessions) as session:  # text a spreadsheet would run as a formula
        staff_queries.audit(
            session, None, "update", "team", ALPHA, summary="=1+1", team_id=ALPHA, borough_code=WESTMINSTER
        )
    response = client.get(f"/staff/audit.csv?team={ALPHA}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="audit-e05900001.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2 and rows[0]["summary"] == "'=1+1"  # newest first, defused
    assert rows[1]["team"] == ALPHA and rows[1]["actor"] == ACCOUNTS["borough"]["email"]
    assert json.loads(rows[1]["after"])["email"] == "alpha@met.police.uk"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows[1]["at_utc"]) and rows[1]["at_london"]
    assert len(list(csv.DictReader(io.StringIO(client.get("/staff/audit.csv").text)))) == 3  # + sign-in


def test_the_audit_log_pages(staff_app):
    client, db, _ids = staff_app
    with session_scope(db.sessions) as session:
        for n in range(55):
            staff_queries.audit(
                session, None, "update", "team", ALPHA, summary=f"Entry {n:02d}", team_id=ALPHA
            )
    sign_in(client, "force")
    first = client.get(f"/staff/audit?team={ALPHA}")
    assert "Entry 54" in first.text and "Entry 05" in first.text and "Entry 04" not in first.text
    assert f'href="/staff/audit?team={ALPHA}&amp;page=2"' in first.text and "Newer entries" not in first.text
    second = client.get(f"/staff/audit?team={ALPHA}&page=2")
    assert "Entry 04" in second.text and "Entry 00" in second.text and "Entry 05" not in second.text
    assert "Newer entries" in second.text and "Older entries" not in second.text
    assert client.get("/staff/audit?page=nonsense").status_code == 200
    assert "There are no more entries" in client.get("/staff/audit?page=99").text


def test_every_account_form_refuses_a_post_without_its_csrf_token(staff_app):
    client, db, ids = staff_app
    sign_in(client, "force")
    client.get("/staff/users/new")  # the browser has its CSRF cookie
    data = {**NEW_EDITOR, "password": NEW_PASSWORD, "version": "1", "active": "no"}
    target = ids["editor"]
    for path in USER_POSTS:
        url = path.format(id=target)
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 403, url
    user = account(db, ACCOUNTS["editor"]["email"])
    assert user.is_active and user.version == 1 and user.name == "Ann Editor"
    with session_scope(db.sessions) as session:
        assert session.scalar(select(StaffUser).where(StaffUser.email == NEW_EDITOR["email"])) is None
