"""Published figures for messages and reports of dissatisfaction: /contact/figures (and .json), for
London, a borough (?borough=E09…) or one team (?team=E05…), month by month. No personal data: counts,
shares within 24 hours, median times and categories only."""

from __future__ import annotations

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.models import MET, Borough, Team
from portal.queries import inbox as inbox_queries
from portal.routes.staff import run_db
from portal.templating import respond


async def contact_figures(request: Request) -> Response:
    team_code = request.query_params.get("team", "").strip().upper()[:20] or None
    borough_code = request.query_params.get("borough", "").strip().upper()[:20] or None

    def load(session):
        boroughs = [
            {"code": code, "name": name}
            for code, name in session.execute(
                select(Borough.code, Borough.name)
                .where(Borough.code.in_(select(Team.borough_code).where(Team.force_id == MET)))
                .order_by(Borough.name)
            )
        ]
        area = {"level": "london", "code": None, "name": "London"}
        if team_code:
            team = session.get(Team, team_code)
            if team is None:
                return None
            area = {"level": "team", "code": team.id, "name": f"{team.name} team"}
            data = inbox_queries.figures(session, team=team.id)
        elif borough_code:
            name = next((b["name"] for b in boroughs if b["code"] == borough_code), None)
            if name is None:
                return None
            area = {"level": "borough", "code": borough_code, "name": name}
            data = inbox_queries.figures(session, borough=borough_code)
        else:
            data = inbox_queries.figures(session)
        return {"area": area, "boroughs": boroughs, **data}

    context = await run_db(request, load)
    if context is None:
        raise HTTPException(404, "There is no such borough or team.")
    base = str(request.app.url_path_for("contact:figures"))
    for borough in context["boroughs"]:
        borough["url"] = f"{base}?borough={borough['code']}"
    context["urls"] = {"london": base, "json": str(request.app.url_path_for("contact:figures_json"))}
    return respond(request, "contact/figures.html", context)


routes = [
    Route("/figures", contact_figures, name="figures"),
    Route("/figures.json", contact_figures, name="figures_json"),
]
