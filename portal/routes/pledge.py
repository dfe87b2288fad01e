"""The Pledge scorecard (issue 6; Pledge point 8, "information on how your force is performing", and the
closing promise, "if we fail to meet our Pledge we will always explain why").

Mounted at the top level (`routes`: /pledge, its CSV, the catalogue /pledge/indicators and London's
indicator pages), under /boroughs and /teams (`borough_routes`, `team_routes`: each area's scorecard and
indicator pages) and under /api (`api_routes`: the explanation API, before the API's catch-all). Every page
has its JSON twin and a CSV download; all public GETs are cached (`@cached`).

The figures the portal computes for every team (meetings, priority reviews, updates) are computed once per
content version and London day in each process (`computed_for`), so a team's card does not recompute London.
"""

from __future__ import annotations

import csv
import hmac
import io
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.cache import cached
from portal.db import session_scope
from portal.models import SurveyNeighbourhood
from portal.queries import pledge as queries
from portal.queries.engagement import london_today
from portal.queries.explanations import InvalidExplanation, area_level, record_explanation
from portal.routes import content_changed, twin
from portal.routes.api import CORS, HEADERS
from portal.services.charts import Series, line_chart
from portal.services.scorecard import COMPUTED
from portal.templating import respond, wants_json

ROUTE_PREFIX = {"force": "", "borough": "boroughs:", "team": "teams:"}


# -- areas and links ---------------------------------------------------------------------------------


def _code(request: Request, name: str = "code") -> str:
    return request.path_params[name].strip().upper()[:40]


def _area(request: Request, session, level: str) -> queries.Area:
    if level == "force":
        return queries.london_area(session)
    code = _code(request)[:20]
    if level == "borough":
        area = queries.borough_area(session, code)
        if area is None:
            raise HTTPException(404, f"There is no London borough with the code {code}.")
        if not queries.met_team_count(session, code):
            raise HTTPException(
                404,
                f"{area.name} is policed by the City of London Police, not the Metropolitan Police: its "
                "Pledge figures are not published here.",
            )
        return area
    area = queries.team_area(session, code)
    if area is None:
        raise HTTPException(404, f"There is no Safer Neighbourhood Team with the code {code}.")
    return area


def computed_for(request: Request, session) -> queries.Computed:
    """Every team's computed figures, once per content version and London day in this process."""
    cache = getattr(request.app.state, "page_cache", None)
    key = (cache.version() if cache else None, london_today())
    memo = getattr(request.app.state, "pledge_computed", None)
    if memo is not None and memo[0] == key:
        return memo[1]
    found = queries.compute(session, key[1])
    request.app.state.pledge_computed = (key, found)
    return found


def _path(request: Request, name: str, **params: Any) -> str:
    return str(request.app.url_path_for(name, **params))


def scorecard_url(request: Request, level: str, code: str, suffix: str = "") -> str:
    prefix = ROUTE_PREFIX[level]
    params = {} if level == "force" else {"code": code}
    return _path(request, f"{prefix}pledge{suffix}", **params)


def indicator_url(request: Request, level: str, code: str, indicator: str, suffix: str = "") -> str:
    params = {"indicator": indicator} if level == "force" else {"code": code, "indicator": indicator}
    return _path(request, f"{ROUTE_PREFIX[level]}pledge_indicator{suffix}", **params)


def area_url(request: Request, area: dict[str, Any]) -> str:
    """The area's own page: the team page, the borough page, or the scorecard for London."""
    if area["level"] == "team":
        return _path(request, "teams:team", code=area["code"])
    if area["level"] == "borough":
        return _path(request, "boroughs:borough", code=area["code"])
    return _path(request, "pledge")


def _link_columns(request: Request, context: dict[str, Any]) -> None:
    for column in context["columns"]:
        column["url"] = scorecard_url(request, column["level"], column["code"])


def _link_row(request: Request, area: dict[str, Any], row: dict[str, Any]) -> None:
    code = row["indicator"]["code"]
    row["url"] = indicator_url(request, area["level"], area["code"], code)
    if row["kind"] == "borough_pointer" and area["borough"]:
        row["pointer_url"] = indicator_url(request, "borough", area["borough"]["code"], code)
    for cell in row["cells"]:
        cell["url"] = indicator_url(request, cell["level"], cell["code"], code)


def _urls(request: Request, area: dict[str, Any], indicator: str | None = None) -> dict[str, Any]:
    level, code = area["level"], area["code"]
    urls: dict[str, Any] = {
        "scorecard": scorecard_url(request, level, code),
        "london": _path(request, "pledge"),
        "catalogue": _path(request, "pledge_indicators"),
        "area": area_url(request, area),
    }
    if area["borough"]:
        urls["borough"] = _path(request, "boroughs:borough", code=area["borough"]["code"])
        urls["borough_scorecard"] = scorecard_url(request, "borough", area["borough"]["code"])
    if indicator:
        urls["self"] = indicator_url(request, level, code, indicator)
        urls["json"] = indicator_url(request, level, code, indicator, "_json")
        urls["csv"] = indicator_url(request, level, code, indicator, "_csv")
    else:
        urls["self"] = urls["scorecard"]
        urls["json"] = scorecard_url(request, level, code, "_json")
        urls["csv"] = scorecard_url(request, level, code, "_csv")
    return urls


# -- scorecards --------------------------------------------------------------------------------------


def scorecard_context(request: Request, level: str) -> dict[str, Any]:
    with session_scope(request.app.state.sessions) as session:
        area = _area(request, session, level)
        context = queries.scorecard(session, area, computed_for(request, session))
    _link_columns(request, context)
    for part in context["parts"]:
        part["url"] = scorecard_url(request, part["level"], part["code"])
    for point in context["points"]:
        for row in point["rows"]:
            _link_row(request, context["area"], row)
    context["urls"] = _urls(request, context["area"])
    return context


def _scorecard_page(request: Request, level: str) -> Response:
    return respond(request, "pledge/scorecard.html", scorecard_context(request, level))


@cached
def london(request: Request) -> Response:
    return _scorecard_page(request, "force")


@cached
def borough(request: Request) -> Response:
    return _scorecard_page(request, "borough")


@cached
def team(request: Request) -> Response:
    return _scorecard_page(request, "team")


# -- indicator pages ---------------------------------------------------------------------------------


def indicator_context(request: Request, level: str) -> dict[str, Any]:
    raw = request.path_params["indicator"].strip()[:40]
    with session_scope(request.app.state.sessions) as session:
        area = _area(request, session, level)
        context = None
        for code in dict.fromkeys([raw, raw.upper()]):  # as given, then in capitals
            if queries.get_indicator(session, code) is not None:
                computed = computed_for(request, session) if code in COMPUTED else None
                context = queries.indicator_page(session, area, code, computed)
                break
    if context is None:
        raise HTTPException(404, f"There is no Pledge indicator with the code {raw}.")
    code = context["indicator"]["code"]
    _link_columns(request, context)
    _link_row(request, context["area"], context["row"])
    context["urls"] = _urls(request, context["area"], code)
    context["urls"]["scorecard_row"] = context["urls"]["scorecard"] + f"#{code}"
    return context


def _chart(context: dict[str, Any]) -> Markup | None:
    if not context["trend_possible"]:
        return None
    ind = context["indicator"]
    rows = list(reversed(context["table"]))  # oldest first
    labels = [r["period"] or r["short_label"] for r in rows]
    series = [Series(context["series"][0]["label"], [r["value"] for r in rows])]
    for i, other in enumerate(context["series"][1:]):
        series.append(Series(other["label"], [r["comparisons"][i]["value"] for r in rows]))
    if ind["target"] is not None:
        series.append(Series(f"Target ({ind['target_text'].lower()})", [ind["target"]] * len(rows)))
    shown = [r for r in rows if r["value"] is not None]
    first, last = shown[0], shown[-1]
    who = context["series"][0]["label"]
    description = (
        f"{who}: {first['value_text']} in {first['period'] or first['month_label']}, "
        f"{last['value_text']} in {last['period'] or last['month_label']}"
    )
    if len(context["series"]) > 1:
        description += "; with " + " and ".join(s["label"] for s in context["series"][1:]) + " for comparison"
    description += ". Every figure is in the table below."
    return line_chart(
        series,
        labels,
        chart_id="pledge-trend",
        title=f"{ind['name']}: {who}, {labels[0]} to {labels[-1]}",
        description=description,
    )


def _indicator_page(request: Request, level: str) -> Response:
    context = indicator_context(request, level)
    if wants_json(request):
        return respond(request, "pledge/indicator.html", context)
    return respond(request, "pledge/indicator.html", {**context, "chart": _chart(context)})


@cached
def london_indicator(request: Request) -> Response:
    return _indicator_page(request, "force")


@cached
def borough_indicator(request: Request) -> Response:
    return _indicator_page(request, "borough")


@cached
def team_indicator(request: Request) -> Response:
    return _indicator_page(request, "team")


@cached
def indicators(request: Request) -> Response:
    """The catalogue: every indicator of the ten points, with how it is calculated."""
    with session_scope(request.app.state.sessions) as session:
        points = queries.catalogue(session)
    for point in points:
        for ind in point["indicators"]:
            ind["url"] = _path(request, "pledge_indicator", indicator=ind["code"])
    context = {
        "points": points,
        "count": sum(len(p["indicators"]) for p in points),
        "rules": queries.rules(),
        "urls": {
            "self": _path(request, "pledge_indicators"),
            "json": _path(request, "pledge_indicators_json"),
            "london": _path(request, "pledge"),
        },
    }
    return respond(request, "pledge/catalogue.html", context)


# -- downloads ---------------------------------------------------------------------------------------


def csv_response(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _cell_value(row: dict[str, Any], level: str) -> Any:
    cell = next((c for c in row["cells"] if c["level"] == level), None)
    if cell is None or cell.get("figure") is None:
        return ""
    return cell["figure"]["value"]


SCORECARD_HEADER = [
    "point",
    "code",
    "name",
    "area",
    "area_name",
    "month",
    "value",
    "unit",
    "numerator",
    "denominator",
    "target",
    "direction",
    "status",
    "trend",
    "borough_value",
    "london_value",
    "source",
    "explanation",
    "action",
    "period",
    "data_as_of",
    "demo",
    "note",
]


def _scorecard_csv(request: Request, level: str) -> Response:
    context = scorecard_context(request, level)
    area = context["area"]
    rows = []
    for point in context["points"]:
        for row in point["rows"]:
            ind, latest = row["indicator"], row["latest"] or {}
            explanation = row["explanation"] or {}
            reason = explanation.get("reason") or (
                context["no_explanation"] if row["needs_explanation"] else ""
            )
            note = row["message"] or (row["range"]["text"] if row["range"] else "")
            rows.append(
                [
                    point["number"],
                    ind["code"],
                    ind["name"],
                    (row["scope"] or area)["code"],
                    (row["scope"] or area)["name"],
                    _blank(latest.get("month")),
                    _blank(latest.get("value")),
                    ind["unit"],
                    _blank(latest.get("numerator")),
                    _blank(latest.get("denominator")),
                    _blank(ind["target"]),
                    ind["direction"],
                    _blank(row["status"]),
                    _blank(row["trend"]),
                    _cell_value(row, "borough"),
                    _cell_value(row, "force"),
                    latest.get("source") or ind["source_label"],
                    reason,
                    explanation.get("action", ""),
                    _blank(latest.get("period")),
                    _blank(latest.get("as_of")),
                    "yes" if row["demo"] or explanation.get("demo") else "no",
                    note,
                ]
            )
    return csv_response(SCORECARD_HEADER, rows, f"pledge-scorecard-{area['code']}.csv")


INDICATOR_HEADER = [
    "area",
    "area_name",
    "code",
    "month",
    "value",
    "unit",
    "numerator",
    "denominator",
    "target",
    "status",
    "explanation_given",
    "explanation",
    "action",
    "comparison_area",
    "comparison_value",
    "second_comparison_area",
    "second_comparison_value",
    "source",
    "period",
    "data_as_of",
    "demo",
]


def _indicator_csv(request: Request, level: str) -> Response:
    context = indicator_context(request, level)
    ind, scope = context["indicator"], context["scope"] or context["area"]
    rows = []
    for r in context["table"]:
        explanation = r["explanation"] or {}
        comparisons = [(c["label"], _blank(c["value"])) for c in r["comparisons"]][:2]
        comparisons += [("", "")] * (2 - len(comparisons))
        rows.append(
            [
                scope["code"],
                scope["name"],
                ind["code"],
                r["month"],
                _blank(r["value"]),
                ind["unit"],
                _blank(r["numerator"]),
                _blank(r["denominator"]),
                _blank(ind["target"]),
                r["status"],
                ("yes" if r["explained"] else "no") if r["needs_explanation"] else "",
                explanation.get("reason", context["no_explanation"] if r["needs_explanation"] else ""),
                explanation.get("action", ""),
                *comparisons[0],
                *comparisons[1],
                r["source"],
                _blank(r["period"]),
                r["as_of"],
                "yes" if r["demo"] or explanation.get("demo") else "no",
            ]
        )
    if context["neighbourhoods"]:
        for n in context["neighbourhoods"]:
            rows.append(
                [
                    n["code"],
                    n["name"],
                    ind["code"],
                    n["month"],
                    _blank(n["value"]),
                    ind["unit"],
                    _blank(n["numerator"]),
                    _blank(n["denominator"]),
                    _blank(ind["target"]),
                    n["status"],
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    n["source"],
                    _blank(n["period"]),
                    n["as_of"],
                    "no",
                ]
            )
    filename = f"pledge-{ind['code']}-{context['area']['code']}.csv"
    return csv_response(INDICATOR_HEADER, rows, filename)


@cached
def london_csv(request: Request) -> Response:
    return _scorecard_csv(request, "force")


@cached
def borough_csv(request: Request) -> Response:
    return _scorecard_csv(request, "borough")


@cached
def team_csv(request: Request) -> Response:
    return _scorecard_csv(request, "team")


@cached
def london_indicator_csv(request: Request) -> Response:
    return _indicator_csv(request, "force")


@cached
def borough_indicator_csv(request: Request) -> Response:
    return _indicator_csv(request, "borough")


@cached
def team_indicator_csv(request: Request) -> Response:
    return _indicator_csv(request, "team")


# -- the explanation API -----------------------------------------------------------------------------

API_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    422: "Unprocessable content",
}
FIELDS = {  # the body's fields → record_explanation's arguments
    "indicator": "indicator_code",
    "area": "area_code",
    "month": "month",
    "reason": "reason",
    "action": "action",
    "recorded_by": "recorded_by",
}
NO_STORE = {"Cache-Control": "no-store"}
ALLOW = "GET, HEAD, PUT, OPTIONS"


def api_error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"status": status, "error": API_TITLES.get(status, "Error"), "message": message, **extra}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **(headers or {})})


def authorised(request: Request) -> Response | None:
    """None when the request carries the staff token; else the 403 (API off) or 401 to answer."""
    token = request.app.state.settings.staff_api_token
    if not token:
        return api_error(
            403,
            "The explanation API is switched off on this site: STAFF_API_TOKEN is not set.",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return api_error(
            401,
            "Send the staff token as `Authorization: Bearer <token>`.",
            headers={"WWW-Authenticate": 'Bearer realm="pledge-explanations"'},
        )
    return None


def page_for(request: Request, session, indicator: str, area: str) -> str | None:
    """The indicator page where an explanation shows (a survey neighbourhood's: its borough's)."""
    level = area_level(session, area)
    if level == "neighbourhood":
        borough = session.get(SurveyNeighbourhood, area)
        level, area = "borough", borough.borough_code
    if level is None:
        return None
    return indicator_url(request, level, area, indicator)


async def put_explanation(request: Request) -> Response:
    refused = authorised(request)
    if refused is not None:
        return refused
    try:
        body = await request.json()
    except Exception:  # not JSON at all, or not UTF-8
        body = None
    if not isinstance(body, dict):
        return api_error(
            400,
            "The body must be a JSON object with indicator, area, month (YYYY-MM), reason, action and "
            "recorded_by.",
        )
    wrong_type = {
        field: "Give this as text"
        for field in FIELDS
        if body.get(field) is not None and not isinstance(body.get(field), str)
    }
    values = {arg: body.get(field) if field not in wrong_type else "" for field, arg in FIELDS.items()}

    def store() -> tuple[dict[str, Any], bool]:
        with session_scope(request.app.state.sessions) as session:
            area = (values["area_code"] or "").strip()
            # codes in any letter case, as the pages and the GET take them: e05014058, METROPOLITAN
            values["area_code"] = next(
                (c for c in (area, area.upper(), area.lower()) if area_level(session, c)), area
            )
            code = (values["indicator_code"] or "").strip()
            if code and queries.get_indicator(session, code) is None:
                values["indicator_code"] = code.upper()
            row, created = record_explanation(session, **values, today=london_today())
            result = queries.explanation_dict(row)
            result["page"] = page_for(request, session, row.indicator_code, row.area_code)
        return result, created

    try:
        result, created = await run_in_threadpool(store)
    except InvalidExplanation as exc:
        problems = {**exc.problems, **wrong_type}
        message = "The explanation was not recorded: " + str(InvalidExplanation(problems))
        return api_error(422, message, problems=problems)
    await content_changed(request)  # this process shows it at once; others within CACHE_CHECK_SECONDS
    return JSONResponse(result, status_code=201 if created else 200, headers=NO_STORE)


def list_explanations(request: Request) -> Response:
    area = (request.query_params.get("area") or "").strip().upper()[:20]
    if not area:
        return api_error(400, "area is required: a force id, borough (E09…), ward (E05…) or survey code.")
    if not area.isprintable():  # a NUL byte is refused by PostgreSQL (found by the schemathesis fuzz run)
        return api_error(400, "area must be a force id, borough (E09…), ward (E05…) or survey code.")
    with session_scope(request.app.state.sessions) as session:
        level = area_level(session, area) or area_level(session, area.lower())
        if level is None:
            return api_error(404, f"There is no force, borough, team or survey neighbourhood {area}.")
        if level == "force":
            area = area.lower()
        found = queries.explanation_list(session, area)
    return JSONResponse(found, headers=HEADERS)


async def explanations_endpoint(request: Request) -> Response:
    if request.method == "OPTIONS":
        allow = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS"}
        return Response(status_code=204, headers=allow)
    if request.method == "PUT":
        return await put_explanation(request)
    if request.method in ("GET", "HEAD"):
        return await run_in_threadpool(list_explanations, request)
    return api_error(405, f"Use GET to list explanations, PUT to record one ({ALLOW}).", {"Allow": ALLOW})


explanations = cached(explanations_endpoint)


async def openapi(request: Request) -> Response:
    from portal import api_openapi

    return JSONResponse(api_openapi.pledge_document(), headers=HEADERS)


# -- routes ------------------------------------------------------------------------------------------

routes = [
    Route("/pledge.csv", london_csv, name="pledge_csv"),
    *twin("/pledge", london, name="pledge"),
    *twin("/pledge/indicators", indicators, name="pledge_indicators"),
    Route("/pledge/indicators/{indicator}.csv", london_indicator_csv, name="pledge_indicator_csv"),
    *twin("/pledge/indicators/{indicator}", london_indicator, name="pledge_indicator"),
]
borough_routes = [
    Route("/{code}/pledge.csv", borough_csv, name="pledge_csv"),
    *twin("/{code}/pledge", borough, name="pledge"),
    Route("/{code}/pledge/{indicator}.csv", borough_indicator_csv, name="pledge_indicator_csv"),
    *twin("/{code}/pledge/{indicator}", borough_indicator, name="pledge_indicator"),
]
team_routes = [
    Route("/{code}/pledge.csv", team_csv, name="pledge_csv"),
    *twin("/{code}/pledge", team, name="pledge"),
    Route("/{code}/pledge/{indicator}.csv", team_indicator_csv, name="pledge_indicator_csv"),
    *twin("/{code}/pledge/{indicator}", team_indicator, name="pledge_indicator"),
]
api_routes = [
    Route("/pledge/openapi.json", openapi, name="pledge_openapi"),
    Route(
        "/pledge/explanations",
        explanations,
        name="pledge_explanations",
        methods=["GET", "HEAD", "PUT", "OPTIONS", "POST", "PATCH", "DELETE"],
    ),
]
