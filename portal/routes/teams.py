"""Team pages, keyed by ward GSS code."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from portal.db import session_scope
from portal.queries.teams import get_team_by_ward_code
from portal.routes import twin
from portal.services.geo import GeoIndex
from portal.templating import respond


def team(request: Request) -> Response:
    code = request.path_params["code"].upper()
    with session_scope(request.app.state.sessions) as session:
        context = get_team_by_ward_code(session, code)
    if context is None:
        geo: GeoIndex = request.app.state.geo
        ward = geo.ward(code)
        if ward is not None and not ward.has_met_team:
            raise HTTPException(
                404,
                f"{ward.name} is in the City of London, which is policed by the City of "
                "London Police, not by a Metropolitan Police Safer Neighbourhood Team.",
            )
        raise HTTPException(404, f"There is no Safer Neighbourhood Team with the code {code[:20]}.")
    context["links"] = {
        "self": request.app.url_path_for("teams:team", code=code),
        "json": request.app.url_path_for("teams:team_json", code=code),
    }
    return respond(request, "teams/team.html", context)


routes = [*twin("/{code}", team, name="team")]
