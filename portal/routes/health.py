"""`GET /healthz`, the load balancer's health check: can this node reach the database, and is its search
index open? 200 `{"status": "ok", "database": "ok", "search": "ok"}`, else 503 naming the part that
failed. Never cached, never indexed, no cookie, no page template (so it works whatever is down)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.errors import RETRY_AFTER

log = logging.getLogger("portal.health")
HEADERS = {"cache-control": "no-store", "x-robots-tag": "noindex"}


def _database(request: Request) -> str:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
    except Exception as error:
        log.warning("health check: the database is unavailable: %s", type(error).__name__)
        return "unavailable"
    return "ok"


def _search(request: Request) -> str:
    index = getattr(request.app.state, "search", None)
    if index is None:
        return "not open"
    try:
        if index.current().doc_count() == 0:
            return "empty"
    except Exception as error:
        log.warning("health check: the search index is unreadable: %s", type(error).__name__)
        return "unreadable"
    return "ok"


async def healthz(request: Request) -> Response:
    parts = {
        "database": await run_in_threadpool(_database, request),
        "search": await run_in_threadpool(_search, request),
    }
    healthy = all(value == "ok" for value in parts.values())
    body = {"status": "ok" if healthy else "unavailable", **parts}
    headers = HEADERS if healthy else {**HEADERS, "retry-after": RETRY_AFTER}
    return JSONResponse(body, status_code=200 if healthy else 503, headers=headers)


routes = [Route("/healthz", healthz, methods=["GET", "HEAD"], name="healthz")]
