"""Engine and session factory. Nothing here runs at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

CONNECT_TIMEOUT = 5  # seconds: how long a new connection may take before the request gets a 503


def make_engine(url: str, connect_timeout: float = CONNECT_TIMEOUT) -> Engine:
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # Sessions in UTC: a time passed without a zone is read as UTC, as SQLite stores it. Added to any
    # `options` the URL already carries (such as a search_path).
    parsed = make_url(url)
    options = " ".join(filter(None, [parsed.query.get("options", ""), "-c timezone=UTC"]))
    parsed = parsed.update_query_dict({"options": options})
    # pool_pre_ping: a connection the server dropped (a restart, a fail-over) is noticed and replaced
    # before use, so the portal recovers by itself once the database is back. connect_timeout: while it
    # is unreachable, a request waits this long at most (libpq takes whole seconds, at least 2).
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": max(2, round(connect_timeout))},
    )


def database_unavailable(error: BaseException) -> bool:
    """True for the errors that mean the database cannot be reached now (down, restarting, a dropped
    connection, the pool exhausted), as opposed to a fault in a query or the data."""
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
