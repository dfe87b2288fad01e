"""The answer when the database cannot be reached: 503, a friendly page, `Retry-After`."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal.db import database_unavailable
from portal.templating import respond

log = logging.getLogger("portal")


UNAVAILABLE_TITLE = "Sorry, the service is unavailable"
UNAVAILABLE_MESSAGE = (
    "Try again in a few minutes. Nothing you sent has been lost: a form that was not accepted kept "
    "nothing, so go back and send it again (it will be recorded only once). In an emergency, call 999."
)
RETRY_AFTER = "30"


async def service_unavailable(request: Request, exc: Exception) -> Response:
    """The database cannot be reached (down, restarting, the pool exhausted): 503 with Retry-After and a
    page rendered without the database; any other database error is a fault, the 500 page's business.
    Every request's work is one transaction (`session_scope`), so a request that ends here saved
    nothing, or (a commit whose answer was lost) saved it whole, and a form sent again with its
    idempotency key is recorded once."""
    if not database_unavailable(exc):
        raise exc
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    log.warning(
        "database unavailable (503) on %s %s: %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        reason[0] if reason else "",
    )
    headers = {"retry-after": RETRY_AFTER, "cache-control": "no-store"}
    path = request.url.path
    if path == "/api" or path.startswith("/api/"):
        body = {"status": 503, "error": "Service unavailable", "message": UNAVAILABLE_MESSAGE}
        return JSONResponse(body, status_code=503, headers=headers)
    context = {"status": 503, "title": UNAVAILABLE_TITLE, "message": UNAVAILABLE_MESSAGE}
    return respond(request, "errors/error.html", context, status_code=503, headers=headers)
