"""A search index that is missing, damaged or left locked when the portal starts: the real server (a
uvicorn subprocess) logs a warning, rebuilds it from the database and answers searches."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from portal import paths
from portal.services import search
from tests.conftest import run_portal
from tests.faults.server import PortalServer
from tests.staff_helpers import load_staff_areas

REBUILT = "the search index is missing or unreadable"


@pytest.fixture
def indexed(empty_db, tmp_path) -> Iterator:
    """Three small wards, with the index `setup` would have built."""
    load_staff_areas(empty_db, tmp_path)
    search.rebuild(empty_db.engine, empty_db.folder)
    yield empty_db


def live(db) -> Path:
    root = search.index_root(db.folder)
    return root / os.readlink(root / "live")


def assert_search_works(server: PortalServer) -> None:
    found = httpx.get(server.base + "/search.json", params={"q": "alpha"}, timeout=30)
    assert found.status_code == 200, found.text[:300]
    titles = [r["title"] for r in found.json()["found"]["results"]]
    assert any("Alpha" in t for t in titles), titles
    finder = httpx.get(server.base + "/find", params={"q": "alpah"}, timeout=30)  # a typo: the name finder
    assert finder.status_code == 200 and "Alpha" in finder.text
    assert httpx.get(server.base + "/healthz", timeout=30).json()["search"] == "ok"


def start(db, tmp_path) -> PortalServer:
    return PortalServer(db, tmp_path / "server.log").start()


def _delete(db) -> None:
    shutil.rmtree(search.index_root(db.folder))


def _truncate(db) -> None:
    for f in live(db).iterdir():
        f.write_bytes(f.read_bytes()[: f.stat().st_size // 3])


def _garbage(db) -> None:
    for f in live(db).iterdir():
        f.write_bytes(os.urandom(max(64, f.stat().st_size)))


def _bytes_changed_in_the_middle(db) -> None:
    """The hardest case: same size, the files still open, but whoosh would answer from wrong data."""
    for f in live(db).iterdir():
        if f.suffix == ".seg":
            data = bytearray(f.read_bytes())
            middle = len(data) // 5
            data[middle : middle + 512] = os.urandom(512)
            f.write_bytes(bytes(data))


def _dangling_link(db) -> None:
    shutil.rmtree(live(db))


@pytest.mark.parametrize(
    "damage",
    [_delete, _truncate, _garbage, _bytes_changed_in_the_middle, _dangling_link],
    ids=lambda d: d.__name__,
)
def test_a_missing_or_damaged_index_is_rebuilt_at_start(indexed, tmp_path, damage):
    damage(indexed)
    server = start(indexed, tmp_path)
    try:
        assert_search_works(server)
    finally:
        server.stop()
    assert REBUILT in server.log() and "rebuilding it from the database" in server.log()
    search.verify(live(indexed))  # what it rebuilt is whole, with its checksums


LOCKER = """
import sys, time
from pathlib import Path
from whoosh import index
from portal.services import search

root = search.index_root(Path(sys.argv[1]))
unfinished = root / f"build-{time.time_ns()}"
unfinished.mkdir()
(unfinished / "_MAIN_0.toc").write_bytes(b"half")
with search._lock(root, ".rebuild-lock"), search._lock(root):
    writer = index.open_dir(root / "live").writer()  # whoosh's own write lock on the live index
    print("locked", flush=True)
    time.sleep(600)
"""


def test_locks_left_by_a_killed_process_do_not_block_start_search_or_reindex(indexed, tmp_path):
    locker = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(indexed.folder)], cwd=paths.ROOT, stdout=subprocess.PIPE, text=True
    )
    assert locker.stdout.readline().strip() == "locked"
    locker.send_signal(signal.SIGKILL)
    locker.communicate(timeout=30)
    root = search.index_root(indexed.folder)
    assert (root / ".rebuild-lock").exists() and (root / ".lock").exists()
    assert (live(indexed) / "MAIN_WRITELOCK").exists()
    assert len(list(root.glob("build-*"))) == 2  # the live index and the unfinished one

    server = start(indexed, tmp_path)
    try:
        assert_search_works(server)
    finally:
        server.stop()
    assert "left by an index rebuild that did not finish" in server.log()
    assert list(root.glob("build-*")) == [live(indexed)]
    done = run_portal(indexed, "reindex")  # whoosh's write lock is free too
    assert done.returncode == 0, done.stderr
    search.verify(live(indexed))
