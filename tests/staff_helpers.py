"""Staff test data: three teams in two boroughs and one account per role (shared by the staff tests)."""

from __future__ import annotations

import re
from pathlib import Path

from portal.db import session_scope
from portal.importers.boundaries import import_boundaries
from portal.models.staff import BOROUGH_ADMIN, FORCE_ADMIN, TEAM_EDITOR
from portal.queries import staff as staff_queries
from tests.factories import wards_file

# Two Westminster teams and one in Camden (each ward 0.01° wide, side by side).
STAFF_WARDS = [
    ("E05900001", "Alpha", "E09000033", "Westminster", (-0.13, 51.50, -0.12, 51.51)),
    ("E05900002", "Bravo", "E09000033", "Westminster", (-0.12, 51.50, -0.11, 51.51)),
    ("E05900004", "Delta", "E09000007", "Camden", (-0.14, 51.54, -0.13, 51.55)),
]
ALPHA, BRAVO, DELTA = "E05900001", "E05900002", "E05900004"
WESTMINSTER, CAMDEN = "E09000033", "E09000007"
PASSWORD = "kettle harbour violet lantern"

ACCOUNTS = {
    "editor": {
        "email": "alpha.editor@example.org",
        "name": "Ann Editor",
        "role": TEAM_EDITOR,
        "team_ids": [ALPHA],
    },
    "borough": {
        "email": "westminster.admin@example.org",
        "name": "Bo Admin",
        "role": BOROUGH_ADMIN,
        "borough_code": WESTMINSTER,
    },
    "force": {"email": "force.admin@example.org", "name": "Fay Admin", "role": FORCE_ADMIN},
}


def load_staff_areas(db, folder: Path) -> None:
    with session_scope(db.sessions) as session:
        import_boundaries(session, wards_file(folder, STAFF_WARDS), generation=2024)


def create_accounts(db) -> dict[str, int]:
    ids = {}
    with session_scope(db.sessions) as session:
        for key, account in ACCOUNTS.items():
            ids[key] = staff_queries.create_user(session, password=PASSWORD, **account).id
    return ids


CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response) -> str:
    """The CSRF token in a page's form."""
    match = CSRF_INPUT.search(response.text)
    assert match, "the page has no form with a CSRF token"
    return match[1]


def sign_in(client, key: str = "editor", password: str = PASSWORD):
    """Sign a test client in as one of ACCOUNTS; returns the response to the sign-in POST."""
    token = csrf_from(client.get("/staff/sign-in"))
    return client.post(
        "/staff/sign-in",
        data={"email": ACCOUNTS[key]["email"], "password": password, "csrf_token": token, "next": "/staff/"},
    )


def post_form(client, url: str, data: dict, form_url: str | None = None):
    """GET the form (for its CSRF token, and any hidden `version`), then POST `data` with them."""
    page = client.get(form_url or url)
    assert page.status_code == 200, page.text[:500]
    fields = {"csrf_token": csrf_from(page)}
    version = VERSION_INPUT.search(page.text)
    if version:
        fields["version"] = version[1]
    return client.post(url, data={**fields, **data})


VERSION_INPUT = re.compile(r'name="version" value="([^"]*)"')
