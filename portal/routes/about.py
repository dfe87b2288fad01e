"""About the portal and its data (with the licence attribution the data requires)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.db import session_scope
from portal.queries.system import list_data_loads
from portal.routes import twin
from portal.templating import respond


def data(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        loads = list_data_loads(session)
    return respond(request, "about/data.html", {"loads": loads})


def accessibility(request: Request) -> Response:
    return respond(request, "about/accessibility.html", {})


routes = [*twin("/data", data, name="data")]
top_routes = [Route("/accessibility", accessibility, name="accessibility")]
