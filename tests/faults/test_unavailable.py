"""The database unreachable: 503 with a friendly page (JSON under /api) and Retry-After, rendered without
the database; `/healthz` names the failing part; a form whose transaction broke half-way kept nothing;
pages already in the page cache are still served. Real SQLite and PostgreSQL throughout: an address where
no database answers, or a real engine whose statements fail as a dropped connection's do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.errors import UNAVAILABLE_TITLE
from portal.models.contact import OutboxMessage, RateLimitHit, Submission, SubmissionEvent
from portal.security import CSRF_COOKIE, CSRF_SALT
from portal.services import auth
from portal.settings import Settings
from tests.conftest import free_port
from tests.routes.test_contact import FORM, fields, good
from tests.staff_helpers import ALPHA, load_staff_areas


def unreachable_url(backend: str, tmp_path) -> str:
    if backend == "sqlite":
        folder = tmp_path / "not-a-database"  # a folder where the file should be: it cannot be opened
        (folder / "x").mkdir(parents=True)
        return f"sqlite:///{folder}"
    return f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"  # nothing listens there


@pytest.fixture
def down_client(backend, tmp_path) -> TestClient:
    settings = Settings(database_url=unreachable_url(backend, tmp_path), var_dir=tmp_path, warm_caches=False)
    # Without its lifespan (which would refuse to start on a database it cannot reach): a node whose
    # database went away after it started.
    return TestClient(create_app(settings), follow_redirects=False, raise_server_exceptions=False)


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "30"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/html")
    assert f'<h1 class="govuk-heading-l">{UNAVAILABLE_TITLE}</h1>' in response.text
    assert "Nothing you sent has been lost" in response.text
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def test_pages_answer_503_with_the_friendly_page_when_the_database_is_unreachable(down_client):
    for path in (f"/teams/{ALPHA}", "/teams/E05014058", "/boroughs", "/about/data", "/contact/problem"):
        assert_unavailable_page(down_client.get(path))


def test_the_api_answers_503_json(down_client):
    for path in ("/api/metropolitan/E05014058", "/api/locate-neighbourhood?q=51.5834,0.1386"):
        response = down_client.get(path)
        assert response.status_code == 503, path
        assert response.headers["retry-after"] == "30"
        body = response.json()
        assert body["status"] == 503 and body["error"] == "Service unavailable"
        assert "Try again in a few minutes" in body["message"]


def test_a_json_twin_answers_503_json(down_client):
    response = down_client.get(f"/teams/{ALPHA}.json")
    assert response.status_code == 503
    assert response.json()["title"] == UNAVAILABLE_TITLE


def test_a_form_post_answers_503_not_500(down_client):
    token = auth.new_token()
    down_client.cookies.set(
        CSRF_COOKIE, auth.sign(down_client.app.state.settings.secret_key, CSRF_SALT, token)
    )
    response = down_client.post(FORM, data={"csrf_token": token, "idempotency_key": "k" * 32, **good()})
    assert_unavailable_page(response)


def test_healthz_names_the_database(down_client):
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "search": "not open"}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["retry-after"] == "30"


def test_healthz_is_ok_and_never_cached(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "search": "ok"}
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert client.head("/healthz").status_code == 200


# -- a real database whose connection breaks -----------------------------------------------------------


class Breaker:
    """Makes every statement on an engine (or only those containing `only`) fail as a dropped
    connection does: the driver's own OperationalError, raised where the driver would raise it."""

    def __init__(self, engine):
        self.engine, self.only, self.on = engine, None, False
        event.listen(engine, "before_cursor_execute", self._check)

    def _check(self, connection, _cursor, statement, *_args):
        if self.on and (self.only is None or self.only in statement):
            raise connection.dialect.loaded_dbapi.OperationalError(
                "server closed the connection unexpectedly"
            )

    def close(self):
        event.remove(self.engine, "before_cursor_execute", self._check)


@pytest.fixture
def breakable(empty_db, tmp_path) -> Iterator[tuple[TestClient, Breaker, object]]:
    load_staff_areas(empty_db, tmp_path)
    app = create_app(empty_db.settings(warm_caches=False))
    with TestClient(app, follow_redirects=False) as client:
        breaker = Breaker(app.state.engine)
        yield client, breaker, empty_db
        breaker.close()


def count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_submission_whose_connection_breaks_half_way_kept_nothing_and_resends_once(breakable):
    client, breaker, db = breakable
    form = {**fields(client), **good()}
    breaker.only, breaker.on = "INSERT INTO outbox_message", True  # after the submission's own insert
    response = client.post(FORM, data=form)
    assert_unavailable_page(response)
    for model in (Submission, SubmissionEvent, OutboxMessage, RateLimitHit):
        assert count(db, model) == 0, model.__name__
    breaker.on = False
    again = client.post(FORM, data=form)  # the browser sends the same form again
    assert again.status_code == 303
    assert client.post(FORM, data=form).headers["location"] == again.headers["location"]
    assert count(db, Submission) == 1 and count(db, OutboxMessage) == 1


def test_cached_pages_are_still_served_while_the_database_is_down(breakable):
    client, breaker, _db = breakable
    cached = client.get(f"/teams/{ALPHA}")
    assert cached.status_code == 200
    breaker.on = True
    again = client.get(f"/teams/{ALPHA}")
    assert again.status_code == 200 and again.text == cached.text
    assert_unavailable_page(client.get("/boroughs"))  # not cached yet
    assert client.get("/healthz").status_code == 503
    breaker.on = False
    assert client.get("/boroughs").status_code == 200
    assert client.get("/healthz").json()["database"] == "ok"


def test_other_database_errors_stay_500s(backend, tmp_path):
    from sqlalchemy.exc import IntegrityError
    from starlette.routing import Route

    def duplicate(_request):
        raise IntegrityError("INSERT …", {}, Exception("duplicate key value violates unique constraint"))

    app = create_app(Settings(database_url=unreachable_url(backend, tmp_path), var_dir=tmp_path))
    app.router.routes.append(Route("/duplicate", duplicate))
    response = TestClient(app, raise_server_exceptions=False).get("/duplicate")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "retry-after" not in response.headers
