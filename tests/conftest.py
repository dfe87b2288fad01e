"""Fixtures shared by the whole suite.

Every database test runs on SQLite, and on PostgreSQL too when PORTAL_TEST_DATABASE_URL names a server
(each session works in its own schema and drops it afterwards). PORTAL_TEST_BACKENDS (comma-separated:
sqlite, postgresql) narrows the set, which CI uses to run the PostgreSQL pass without repeating SQLite.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from starlette.testclient import TestClient

from portal import migrate, paths
from portal.app import create_app
from portal.bundled import load_bundled
from portal.db import make_engine, make_sessionmaker
from portal.services import search
from portal.settings import Settings

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")


def _backends() -> list[str]:
    wanted = os.environ.get("PORTAL_TEST_BACKENDS", "")
    available = ["sqlite"] + (["postgresql"] if PG_URL else [])
    if not wanted:
        return available
    chosen = [b.strip() for b in wanted.split(",") if b.strip()]
    missing = [b for b in chosen if b not in available]
    if missing:
        raise pytest.UsageError(f"PORTAL_TEST_BACKENDS asks for {missing}; set PORTAL_TEST_DATABASE_URL")
    return chosen


BACKENDS = _backends()


@dataclass
class Database:
    backend: str
    url: str
    engine: Engine
    folder: Path  # this database's VAR_DIR (search index, uploads)
    schema: str | None = None

    @property
    def sessions(self):
        return make_sessionmaker(self.engine)

    def settings(self, **changes) -> Settings:
        return Settings(
            **{"database_url": self.url, "var_dir": self.folder, "cache_check_seconds": 0, **changes}
        )


def _pg_admin() -> Engine:
    return create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def new_database(backend: str, folder: Path, name: str) -> Database:
    if backend == "sqlite":
        url = f"sqlite:///{folder / (name + '.sqlite3')}"
        return Database(backend, url, make_engine(url), folder)
    schema = f"t_{name}_{uuid.uuid4().hex[:8]}".lower()
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = (
        make_url(PG_URL)
        .set(drivername="postgresql+psycopg")
        .update_query_dict({"options": f"-csearch_path={schema}"})
    )
    url_text = url.render_as_string(hide_password=False)
    return Database(backend, url_text, make_engine(url_text), folder, schema)


def drop_database(db: Database) -> None:
    db.engine.dispose()
    if db.schema:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def loaded_db(backend, tmp_path_factory) -> Iterator[Database]:
    """Migrated, with all the bundled real data loaded once per session. Treat it as read-only."""
    db = new_database(backend, tmp_path_factory.mktemp("loaded"), "loaded")
    migrate.upgrade(db.engine)
    load_bundled(db.engine, echo=lambda _text: None)
    search.rebuild(db.engine, db.folder, procs=search.BUILD_PROCS)  # as `setup` does, before any app
    yield db
    drop_database(db)


@pytest.fixture
def empty_db(backend, tmp_path) -> Iterator[Database]:
    """A fresh database at the head revision, with no data but the reference rows migrations add."""
    db = new_database(backend, tmp_path, "empty")
    migrate.upgrade(db.engine)
    yield db
    drop_database(db)


@pytest.fixture(scope="session")
def app(loaded_db):
    return create_app(loaded_db.settings())


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


# -- a real server in a subprocess, for browser tests and the CLI ------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(db: Database, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_TEST")}
    env.update(
        DATABASE_URL=db.url,
        VAR_DIR=str(db.folder),
        ENVIRONMENT="development",
        LOG_LEVEL="warning",
        MAP_TILES_URL="",
        **extra,
    )
    return env


def run_portal(db: Database, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "portal", *args],
        cwd=paths.ROOT,
        env=portal_env(db),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def live_server(loaded_db, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port)],
        cwd=paths.ROOT,
        env=portal_env(loaded_db),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.close()
            raise RuntimeError(f"the portal did not start:\n{log_path.read_text()}")
        time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()
