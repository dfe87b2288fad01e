"""Borough pages: the teams in each London borough."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.cache import cached
from portal.db import session_scope
from portal.queries import teams as queries
from portal.routes import twin
from portal.templating import respond


@cached
def borough(request: Request) -> Response:
    code = request.path_params["code"].upper()
    with session_scope(request.app.state.sessions) as session:
        context = queries.get_borough(session, code)
    if context is None:
        raise HTTPException(404, f"There is no London borough with the code {code[:20]}.")
    for t in context["teams"]:
        t["url"] = request.app.url_path_for("teams:team", code=t["id"])
    return respond(request, "boroughs/borough.html", context)


@cached
def index(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        boroughs = queries.list_boroughs(session)
    for b in boroughs:
        b["url"] = request.app.url_path_for("boroughs:borough", code=b["code"])
    return respond(request, "boroughs/index.html", {"boroughs": boroughs})


index_routes = twin("/boroughs", index, name="boroughs_index")
routes = [*twin("/{code}", borough, name="borough")]
