"""The route inventory covers every route; every state-changing form refuses a POST without a valid CSRF
token (403) and changes nothing, and accepts one with it (not 403)."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func, select

import portal.models  # noqa: F401 - every table in the metadata
from portal.models.base import Base
from tests.routes.test_staff_security import fill, world  # noqa: F401 - the fixture is used below
from tests.security.inventory import ADMIN, PUBLIC, STAFF, STATE, STATE_ROUTES, inventory
from tests.staff_helpers import ALPHA, WESTMINSTER, csrf_from, sign_in

# The number of routes when this test was written: a change makes you look at the inventory again.
KNOWN_ROUTES = 140


def test_every_route_is_classified(app):
    found = inventory(app)
    unclassified = [e.path for e, kind in found.items() if kind is None]
    assert unclassified == [], f"classify these routes in tests/security/inventory.py: {unclassified}"
    kinds = set(found.values())
    assert {PUBLIC, STATE, STAFF, ADMIN} <= kinds
    assert len(found) >= KNOWN_ROUTES
    for endpoint, kind in found.items():
        if kind == PUBLIC:
            assert not endpoint.writes, endpoint
    assert {e.path for e, k in found.items() if k == STATE} >= set(STATE_ROUTES) - {"/api/{path:path}"}


def row_counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def form_posts(app) -> list[str]:
    """Every route a browser form posts to, as a concrete path."""
    paths = []
    for endpoint, _kind in inventory(app).items():
        if not endpoint.writes or STATE_ROUTES.get(endpoint.path, "csrf") != "csrf":
            continue
        paths.append(endpoint)
    return paths


def test_every_form_post_without_a_valid_token_is_refused_and_changes_nothing(world, empty_db):  # noqa: F811
    client, items = world
    assert sign_in(client, "force").status_code == 303
    before = row_counts(empty_db)
    walked = 0
    for endpoint in form_posts(client.app):
        if endpoint.path.startswith("/staff"):
            path = fill(SimpleNamespace(path=endpoint.path.removeprefix("/staff")), items, ALPHA, WESTMINSTER)
        else:
            path = endpoint.path.replace("{code}", ALPHA)
        form = {"email": "someone@example.org", "message": "Hello", "name": "A", "next": "/staff/"}
        for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": ""}):
            response = client.post(path, data={**form, **extra})
            assert response.status_code == 403, f"POST {path} {extra}: {response.status_code}"
            walked += 1
        # The token is right but the request says it came from another site.
        token = csrf_from(client.get("/staff/password"))
        response = client.post(
            path, data={**form, "csrf_token": token}, headers={"origin": "https://evil.example"}
        )
        assert response.status_code == 403, f"cross-site POST {path}: {response.status_code}"
    after = row_counts(empty_db)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert changed == {}, changed
    assert walked >= 3 * 30
    assert client.get("/staff/").status_code == 200  # still signed in: sign-out was refused too


def test_the_public_forms_accept_a_post_with_their_token(world):  # noqa: F811
    client, _items = world
    for path in (f"/contact/team/{ALPHA}", "/contact/problem", "/staff/sign-in"):
        token = csrf_from(client.get(path))
        response = client.post(path, data={"csrf_token": token})
        assert response.status_code not in (403, 500), f"POST {path}: {response.status_code}"


def test_api_writes_need_the_bearer_token_not_a_cookie(world):  # noqa: F811
    client, _items = world
    assert sign_in(client, "force").status_code == 303  # a staff session cookie does not open the API
    for method in ("PUT", "POST", "PATCH", "DELETE"):
        response = client.request(method, "/api/pledge/explanations", json={"reason": "x"})
        assert response.status_code in (401, 403, 405), f"{method}: {response.status_code}"
