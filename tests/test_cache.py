"""Whole-page cache: served from memory while content is unchanged, rebuilt after any change, ETag/304."""

import pytest
from starlette.testclient import TestClient

from portal.app import create_app
from portal.models import Team, record_change


@pytest.fixture
def fresh(loaded_db):
    with TestClient(create_app(loaded_db.settings()), follow_redirects=False) as client:
        yield client


def test_second_request_is_served_from_the_cache(fresh):
    cache = fresh.app.state.page_cache
    first, second = fresh.get("/teams/E05011237"), fresh.get("/teams/E05011237")
    assert first.text == second.text and (cache.misses, cache.hits) == (1, 1)
    assert second.headers["etag"] == first.headers["etag"] and second.headers["content-type"].startswith(
        "text/html"
    )
    assert second.headers["x-content-type-options"] == "nosniff"  # middleware still applies


def test_html_and_json_are_cached_separately(fresh):
    html, data = (
        fresh.get("/teams/E05011237"),
        fresh.get("/teams/E05011237", headers={"accept": "application/json"}),
    )
    assert html.headers["content-type"].startswith("text/html") and data.json()["team"]["id"] == "E05011237"
    assert fresh.get("/teams/E05011237", headers={"accept": "application/json"}).json() == data.json()


def test_a_change_invalidates_cached_pages(fresh, loaded_db):
    before = fresh.get("/teams/E05011237.json").json()["team"]["name"]
    with loaded_db.sessions.begin() as session:
        session.get(Team, "E05011237").name = "Chadwell (renamed)"
        record_change(session, "test: rename", scope="team:E05011237")
    try:
        assert fresh.get("/teams/E05011237.json").json()["team"]["name"] == "Chadwell (renamed)"
    finally:
        with loaded_db.sessions.begin() as session:
            session.get(Team, "E05011237").name = before
            record_change(session, "test: rename back", scope="team:E05011237")
    assert fresh.get("/teams/E05011237.json").json()["team"]["name"] == before


def test_conditional_get_answers_304(fresh):
    etag = fresh.get("/boroughs/E09000002").headers["etag"]
    response = fresh.get("/boroughs/E09000002", headers={"if-none-match": etag})
    assert response.status_code == 304 and response.content == b"" and response.headers["etag"] == etag
    assert fresh.get("/boroughs/E09000002", headers={"if-none-match": '"other"'}).status_code == 200


def test_errors_are_not_cached(fresh):
    cache = fresh.app.state.page_cache
    fresh.get("/teams/E05999999")
    fresh.get("/teams/E05999999")
    assert cache.hits == 0


def test_a_setting_controls_how_often_the_version_is_checked(loaded_db):
    app = create_app(loaded_db.settings(cache_check_seconds=3600))
    with TestClient(app) as client:
        client.get("/teams/E05011237.json")
        with loaded_db.sessions.begin() as session:
            record_change(session, "test: unseen for an hour", scope="crime")
        client.get("/teams/E05011237.json")
        assert app.state.page_cache.hits == 1  # the change is not seen until the next check
        app.state.page_cache.changed()
        client.get("/teams/E05011237.json")
        assert app.state.page_cache.misses == 2


def test_pages_expire_with_time_even_without_changes(fresh):
    cache = fresh.app.state.page_cache
    fresh.get("/teams/E05011237")
    cache.max_age = 0  # "upcoming meetings" and "review overdue" move on with the clock
    fresh.get("/teams/E05011237")
    assert (cache.hits, cache.misses) == (0, 2)
