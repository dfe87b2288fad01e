"""Keeping search current (issue 9): atomic rebuilds, recovery from a broken index, staff edits indexed at
once, and two app instances (two nodes, each with its own index on local disk) on one database converging.

These run on a small database (three teams) so that each rebuild takes moments, not a minute.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import ContentChange, DataLoad, Meeting, record_change
from portal.services import search
from portal.services.search import SearchIndex
from tests.routes.test_staff_engagement import add_meeting, add_update
from tests.staff_helpers import ALPHA, BRAVO, create_accounts, load_staff_areas, sign_in


@pytest.fixture
def small_db(empty_db, tmp_path):
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    search.rebuild(empty_db.engine, empty_db.folder)
    return empty_db


def node(db, folder, sync_seconds: float = 0) -> TestClient:
    """One web node: its own VAR_DIR (so its own search index) on the shared database."""
    settings = db.settings(var_dir=folder, warm_caches=False, search_sync_seconds=sync_seconds)
    return TestClient(create_app(settings), follow_redirects=False)


def titles(client: TestClient, query: str) -> list[str]:
    response = client.get("/search.json", params={"q": query})
    assert response.status_code == 200, response.text
    return [r["title"] for r in response.json()["found"]["results"]]


def add_meeting_row(db, title: str, team: str = ALPHA) -> int:
    """A meeting written straight to the database, with its content change, as an import or another
    node's edit would leave it."""
    with session_scope(db.sessions) as session:
        start = datetime(2026, 12, 1, 19, 0)
        meeting = Meeting(
            uid=f"{title}@test",
            team_id=team,
            type="ward_panel",
            title=title,
            starts_at=start,
            ends_at=start.replace(hour=20),
        )
        session.add(meeting)
        session.flush()
        record_change(session, f"test meeting {meeting.id}", scope=f"team:{team}")
        return meeting.id


# -- rebuilding ------------------------------------------------------------------------------------------


def test_rebuild_swaps_atomically_and_open_indexes_follow(small_db, tmp_path):
    search.rebuild(small_db.engine, tmp_path)
    first = SearchIndex(tmp_path)
    before = os.readlink(tmp_path / "index" / "live")
    assert [h.name for h in first.search("Alpha")] == ["Alpha"]
    add_meeting_row(small_db, "Quinquereme ward panel")
    search.rebuild(small_db.engine, tmp_path)
    after = os.readlink(tmp_path / "index" / "live")
    assert after != before
    assert [r.title for r in first.site("quinquereme").results] == ["Quinquereme ward panel"]
    assert first._target == after  # reopened on the new index
    first.close()
    builds = sorted(p.name for p in (tmp_path / "index").glob("build-*"))
    assert len(builds) <= 2  # the live one and the previous one


# whoosh itself leaves the corrupt file's handle open when it fails to read it
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_missing_or_corrupt_index_is_rebuilt_when_opened(small_db, tmp_path):
    opened = SearchIndex.open(small_db.engine, tmp_path)  # nothing there yet
    assert opened.search("Bravo")
    opened.close()
    live = tmp_path / "index" / os.readlink(tmp_path / "index" / "live")
    for file in live.iterdir():
        file.write_bytes(b"garbage")
    reopened = SearchIndex.open(small_db.engine, tmp_path)
    assert reopened.search("Bravo") and reopened.site("Bravo").total
    reopened.close()


def test_reindex_command_prints_what_it_indexed(small_db):
    from tests.conftest import run_portal

    done = run_portal(small_db, "reindex")
    assert done.returncode == 0, done.stderr
    assert "3 team" in done.stdout and "2 borough" in done.stdout
    assert "MB in" in done.stdout


# -- staying current -------------------------------------------------------------------------------------


def test_a_staff_edit_is_searchable_at_once_on_the_node_that_made_it(small_db, tmp_path):
    with node(small_db, small_db.folder) as client:
        assert titles(client, "sousaphone") == []
        assert sign_in(client).status_code == 303
        add_meeting(client, small_db, title="Sousaphone amnesty ward panel")
        add_update(client, small_db, action="publish", title="Sousaphones returned", body="All 12 of them.")
        add_update(client, small_db, action="draft", title="Sousaphone draft", body="Not yet public.")
        found = titles(client, "sousaphone")
        assert sorted(found) == ["Sousaphone amnesty ward panel", "Sousaphones returned"]  # drafts are not


def test_a_change_on_another_node_reaches_this_nodes_index(small_db, tmp_path):
    with (
        node(small_db, tmp_path / "a") as a,
        node(small_db, tmp_path / "b", sync_seconds=0.2) as b,
    ):
        assert titles(a, "ophicleide") == titles(b, "ophicleide") == []
        assert sign_in(a).status_code == 303
        add_meeting(a, small_db, title="Ophicleide ward panel")
        assert titles(a, "ophicleide") == ["Ophicleide ward panel"]  # at once where it was made
        deadline = time.monotonic() + 15
        while titles(b, "ophicleide") != ["Ophicleide ward panel"]:  # the other node, by its sync
            assert time.monotonic() < deadline, "node b never saw the change"
            time.sleep(0.1)


def test_sync_applies_only_the_changed_scope_and_remembers_what_it_saw(small_db):
    folder = small_db.folder
    add_meeting_row(small_db, "Sackbut ward panel", team=BRAVO)
    assert search.sync(small_db.engine, folder) == "updated 1 scope(s)"
    assert search.sync(small_db.engine, folder) == "none"  # nothing new
    index = SearchIndex(folder)
    assert [r.title for r in index.site("sackbut").results] == ["Sackbut ward panel"]
    index.close()


def test_a_change_committed_out_of_id_order_is_still_applied(small_db):
    """PostgreSQL hands out ids at insert: a slow transaction can commit an id lower than one seen."""
    folder = small_db.folder
    add_meeting_row(small_db, "Serpent ward panel")
    with session_scope(small_db.sessions) as session:
        latest = session.scalar(select(func.max(ContentChange.id)))
        session.add(ContentChange(id=latest + 5, reason="later id, committed first", scope="areas"))
    assert search.sync(small_db.engine, folder).startswith("updated")
    with session_scope(small_db.sessions) as session:  # now the earlier id commits
        meeting = Meeting(
            uid="crumhorn@test",
            team_id=BRAVO,
            type="ward_panel",
            title="Crumhorn ward panel",
            starts_at=datetime(2026, 12, 2, 19),
            ends_at=datetime(2026, 12, 2, 20),
        )
        session.add(meeting)
        session.add(ContentChange(id=latest + 2, reason="earlier id, committed late", scope=f"team:{BRAVO}"))
    assert search.sync(small_db.engine, folder) == "updated 1 scope(s)"
    index = SearchIndex(folder)
    assert [r.title for r in index.site("crumhorn").results] == ["Crumhorn ward panel"]
    index.close()


def loaded(dataset: str) -> DataLoad:
    now = datetime.now(UTC).replace(tzinfo=None)
    return DataLoad(
        dataset=dataset,
        source="test",
        sha256="0" * 64,
        rows_read=0,
        rows_stored=0,
        rows_rejected=0,
        loaded_at=now,
    )


def test_an_import_of_searched_data_rebuilds_and_others_do_not(small_db):
    folder = small_db.folder
    before = os.readlink(folder / "index" / "live")
    with session_scope(small_db.sessions) as session:
        session.add(loaded("street-crime"))
    assert search.sync(small_db.engine, folder) == "updated 0 scope(s)"
    assert os.readlink(folder / "index" / "live") == before
    with session_scope(small_db.sessions) as session:
        session.add(loaded("demo-content"))
    assert search.sync(small_db.engine, folder, allow_rebuild=False) == "rebuild needed"
    assert search.sync(small_db.engine, folder) == "rebuilt"
    assert os.readlink(folder / "index" / "live") != before
    assert search.sync(small_db.engine, folder) == "none"


def test_typed_html_is_escaped_in_results_and_snippets(small_db):
    with node(small_db, small_db.folder) as client:
        assert sign_in(client).status_code == 303
        add_meeting(client, small_db, title="<script>alert(1)</script> Bassoon panel")
        body = "<img src=x onerror=alert(1)> bassoon"
        add_update(client, small_db, action="publish", title="Bassoon news", body=body)
        page = client.get("/search", params={"q": "bassoon"})
        assert page.status_code == 200
        assert "<script>alert(1)</script>" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Bassoon panel" in page.text
        assert "<mark>bassoon</mark>" in page.text or "<mark>Bassoon</mark>" in page.text


@pytest.fixture
def sync_thread_node(small_db, tmp_path) -> Iterator[TestClient]:
    with node(small_db, tmp_path / "c", sync_seconds=0.1) as client:
        yield client


def test_the_background_sync_survives_a_broken_database_connection(small_db, sync_thread_node, caplog):
    """A sync that fails (here: the content_change table briefly unreadable) is logged and retried."""
    from sqlalchemy import text

    client = sync_thread_node
    with small_db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE content_change RENAME TO content_change_away"))
    time.sleep(0.4)
    with small_db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE content_change_away RENAME TO content_change"))
    add_meeting_row(small_db, "Shawm ward panel")
    deadline = time.monotonic() + 15
    while titles(client, "shawm") != ["Shawm ward panel"]:
        assert time.monotonic() < deadline, "the sync thread did not recover"
        time.sleep(0.1)
    assert "search sync failed" in caplog.text


def test_two_processes_rebuilding_at_once_do_not_break_each_other(small_db, tmp_path):
    """Two workers of one node starting on a missing index, or a `reindex` during a background rebuild:
    one waits for the other, and the index they leave works."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_rebuild_in_child, args=(small_db.url, str(tmp_path))) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    index = SearchIndex.open(small_db.engine, tmp_path)
    assert index.site("Alpha").total and [h.name for h in index.search("Bravo")] == ["Bravo"]
    index.close()
    builds = list((tmp_path / "index").glob("build-*"))
    assert all((p / "applied.json").exists() for p in builds) and len(builds) <= 2


def _rebuild_in_child(url: str, folder: str) -> None:
    from pathlib import Path

    from portal.db import make_engine

    engine = make_engine(url)
    search.rebuild(engine, Path(folder))
    engine.dispose()
