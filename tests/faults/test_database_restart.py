"""PostgreSQL stopped mid-traffic (`pg_ctl stop -m immediate`, as a crash) and started again: while it is
down the portal answers 503 with the friendly page and Retry-After (JSON under /api), `/healthz` says the
database is unavailable and a form sent then keeps nothing; once it is back the same portal process
recovers by itself. A PRIVATE cluster made with initdb in a temporary folder, on its own port: the shared
server is never touched."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, text

from portal.db import make_engine
from portal.errors import UNAVAILABLE_TITLE
from portal.models.contact import Submission
from tests.conftest import BACKENDS, Database, free_port, portal_env
from tests.faults.server import PortalServer
from tests.routes.test_contact import KEY_INPUT, good
from tests.staff_helpers import csrf_from

TEAM = "E05014058"  # Chadwell Heath, in the bundled data
FORM = f"/contact/team/{TEAM}"
RECOVERY_SECONDS = 60  # a deadline for the condition "recovered", polled; not a timed assertion

pytestmark = [
    pytest.mark.skipif(
        not (shutil.which("initdb") and shutil.which("pg_ctl")),
        reason="initdb and pg_ctl (PostgreSQL server binaries) are needed for a private cluster",
    ),
    # Its own cluster, whatever the backend: run it once, in the PostgreSQL pass (about 5 minutes).
    pytest.mark.skipif(
        "postgresql" not in BACKENDS, reason="runs in the PostgreSQL pass (set PORTAL_TEST_DATABASE_URL)"
    ),
]


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the postgres user then."""
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: cannot run initdb as another user")
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class Cluster:
    def __init__(self, folder: Path):
        self.folder, self.data, self.port = folder, folder / "data", free_port()

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        command = [
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "pg.log"),
            "-w",
            "-o",
            options,
            *args,
        ]
        done = subprocess.run(_as_postgres(command), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/portal"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder)
    done = subprocess.run(
        _as_postgres(["initdb", "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"initdb failed: {done.stderr.strip()[-300:]}")
    cluster.pg_ctl("start")
    try:
        admin = make_engine(f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres")
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CREATE DATABASE portal"))
        admin.dispose()
        yield cluster
    finally:
        subprocess.run(
            _as_postgres(["pg_ctl", "-D", str(cluster.data), "-m", "immediate", "stop"]), timeout=120
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def portal_db(cluster, tmp_path_factory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("restart")
    db = Database("postgresql", cluster.url, make_engine(cluster.url), folder)
    done = subprocess.run(
        [sys.executable, "-m", "portal", "setup"],
        env=portal_env(db),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    yield db
    db.engine.dispose()


def submissions(db: Database, key: str) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).where(Submission.idempotency_key == key))


def assert_friendly_503(response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "30"
    assert UNAVAILABLE_TITLE in response.text and "Nothing you sent has been lost" in response.text
    assert "Traceback" not in response.text


def test_postgresql_restarted_mid_traffic(cluster, portal_db, tmp_path):
    server = PortalServer(portal_db, tmp_path / "server.log", SEARCH_SYNC_SECONDS="1").start()
    try:
        web = httpx.Client(base_url=server.base, timeout=30, follow_redirects=False)
        team = web.get(f"/teams/{TEAM}")
        assert team.status_code == 200 and "Chadwell Heath" in team.text
        assert web.get("/api/metropolitan/E05014058").status_code == 200
        assert web.get("/find", params={"q": "RM6 4AB"}).status_code in (200, 303)
        page = web.get(FORM)
        assert page.status_code == 200
        form = {**good(), "csrf_token": csrf_from(page), "idempotency_key": KEY_INPUT.search(page.text)[1]}
        assert web.post(FORM, data=form).status_code == 303
        assert web.get("/healthz").status_code == 200

        cluster.pg_ctl("stop", "-m", "immediate")  # a crash: connections cut, nothing flushed politely

        assert_friendly_503(web.get(FORM))
        assert_friendly_503(web.get("/about/data"))
        api = web.get("/api/metropolitan/E05000026/people")
        assert api.status_code == 503 and api.headers["retry-after"] == "30"
        assert api.json()["error"] == "Service unavailable"
        health = web.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "unavailable"
        cached = web.get(f"/teams/{TEAM}")  # already in the page cache: still served
        assert cached.status_code == 200 and "Chadwell Heath" in cached.text
        during = {**form, "idempotency_key": secrets.token_urlsafe(24)}
        assert_friendly_503(web.post(FORM, data=during))

        cluster.pg_ctl("start")
        deadline = time.monotonic() + RECOVERY_SECONDS
        while web.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the portal did not recover after PostgreSQL came back"
            time.sleep(0.5)
        assert server.process.poll() is None and server.starts == 1  # the same process, never restarted
        assert submissions(portal_db, during["idempotency_key"]) == 0  # the 503 kept nothing
        assert web.get("/about/data").status_code == 200
        again = web.post(FORM, data=during)  # sent again, as the page said
        assert again.status_code == 303
        assert web.post(FORM, data=during).headers["location"] == again.headers["location"]
        assert submissions(portal_db, during["idempotency_key"]) == 1
        assert submissions(portal_db, form["idempotency_key"]) == 1
        assert re.search(r"SNT-\d{4}-\d{6}", web.get(again.headers["location"]).text)
        web.close()
    finally:
        server.stop()
