"""Crime maps and figures for wards, boroughs and London (issue 5; Pledge point 8: "monthly updates … crime
maps, information on specific crimes and what happened").

Two sources, told apart on every page:
- police.uk street-level rows (where loaded): each crime's category, approximate place and last outcome, so
  a map, a table by category and outcome, and "what happened";
- the London Datastore's ward-level monthly counts (every ward, recent months): totals by major and minor
  category, the trend chart and the London choropleth.

Every page has a JSON twin (same context) and CSV downloads; all are cached (@cached) and aggregate in SQL.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal.cache import cached
from portal.db import session_scope
from portal.models import CATEGORIES, MET
from portal.queries import crime as queries
from portal.routes import twin
from portal.services.charts import Series, line_chart
from portal.services.maps import Tiles, crime_london_map, crime_map, static_prefix
from portal.templating import respond, wants_json

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_MARKERS = 3000  # a borough-month of street-level crime is about 2,000
TREND_MONTHS = 24
TREND_LINES = 5  # the chart draws "All crime" and the largest categories; the CSV has every category
CLASS_COLOURS = ["#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"]
POPULATION_CAVEAT = (
    "Residents are estimates: the GLA's 2015 ward population estimates, carried to today's (2022) wards "
    "by share of area, so treat rates as a rough guide."
)


def month_label(value: date) -> str:
    return f"{value:%B %Y}"


def major_label(major: str) -> str:
    return major[:1].upper() + major[1:].lower() if major.isupper() else major


def parse_month(raw: str | None) -> date | None:
    if raw is None or raw.strip() == "":
        return None
    match = MONTH.match(raw.strip())
    if not match:
        raise HTTPException(400, "Enter the month as a year and month, like 2023-01.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def comparison(total: int, previous: int | None, previous_label: str, what: str) -> str:
    if previous is None:
        return f"We cannot compare with {previous_label}: {what} for that month is not loaded."
    difference = total - previous
    if difference == 0:
        return f"That is the same number as in {previous_label}."
    word = "more" if difference > 0 else "fewer"
    return f"That is {abs(difference):,} {word} than in {previous_label} ({previous:,})."


# -- the ward and borough pages -------------------------------------------------------------------------


def area_context(session, area: dict[str, Any], month_raw: str | None, category_raw: str | None) -> dict:
    """The whole page as JSON-safe data (the HTML adds only the map and the chart)."""
    codes = area["ward_codes"]
    requested = parse_month(month_raw)
    street = queries.street_months(session, codes)
    counts = queries.count_months(session, codes)
    all_months = sorted(set(street) | set(counts), reverse=True)
    month = requested or (all_months[0] if all_months else None)
    context: dict[str, Any] = {
        "area": {k: v for k, v in area.items() if k not in {"geojson", "ward_codes"}},
        "months": [
            {
                "value": queries.month_key(m),
                "label": month_label(m) + (" (street-level, with map)" if m in street else ""),
                "street": m in street,
                "counts": m in counts,
            }
            for m in all_months
        ],
        "street_months": [{"value": queries.month_key(m), "label": month_label(m)} for m in street],
        "month": {"value": queries.month_key(month), "label": month_label(month)} if month else None,
        "source": None,
        "category": None,
        "categories": [],
        "notice": None,
        "summary": None,
        "total": None,
        "previous": None,
        "rate": None,
        "population": None,
        "population_caveat": None,
        "table": [],
        "outcomes": [],
        "no_location": None,
        "crimes": [],
        "trend": None,
    }
    category = (category_raw or "").strip() or None
    if month in street:
        context["source"] = "street"
        context["categories"] = [{"value": slug, "label": name} for name, slug in sorted(CATEGORIES.items())]
        if category and category not in CATEGORIES.values():
            context["notice"] = f"“{category[:60]}” is not a police.uk crime category: showing all crime."
            category = None
        _street(session, context, area, month, category)
    elif month in counts:
        context["source"] = "counts"
        context["categories"] = [{"value": m, "label": major_label(m)} for m in queries.majors(session)]
        if category and category not in {c["value"] for c in context["categories"]}:
            context["notice"] = (
                f"“{category[:60]}” is not a category of the ward-level counts for {month_label(month)}: "
                "showing all crime."
            )
            category = None
        _counts(session, context, area, month, category)
    elif month is not None:
        context["summary"] = f"No crime figures are loaded for {area['label']} for {month_label(month)}."
    else:
        context["summary"] = f"No crime figures are loaded for {area['label']} yet."
    context["category"] = category
    if context["total"] is not None:
        population = queries.population(session, codes)
        if population:
            context["population"] = population
            context["rate"] = queries.rate(context["total"], population["residents"])
            context["population_caveat"] = POPULATION_CAVEAT
    if counts:
        context["trend"] = _trend(session, area, counts[0])
    return context


def _street(session, context: dict, area: dict, month: date, category: str | None) -> None:
    codes = area["ward_codes"]
    rows = queries.street_table(session, codes, month, category)
    by_category: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, int] = {}
    for slug, outcome, n in rows:
        entry = by_category.setdefault(
            slug, {"category": slug, "name": queries.category_name(slug), "count": 0, "outcomes": []}
        )
        entry["count"] += n
        entry["outcomes"].append({"outcome": outcome, "count": n})
        outcomes[outcome] = outcomes.get(outcome, 0) + n
    table = sorted(by_category.values(), key=lambda e: (-e["count"], e["name"]))
    for entry in table:
        entry["outcomes"].sort(key=lambda o: (-o["count"], o["outcome"]))
    total = sum(e["count"] for e in table)
    previous_month = queries.previous_month(month)
    loaded = previous_month in queries.street_months(session, codes)
    previous = queries.street_total(session, codes, previous_month, category) if loaded else None
    if category:
        name = queries.category_name(category)
        count_text = plural(total, f"crime in the category “{name}”", f"crimes in the category “{name}”")
    else:
        count_text = plural(
            total, "crime or anti-social behaviour incident", "crimes and anti-social behaviour incidents"
        )
    verb = "was" if total == 1 else "were"
    context.update(
        total=total,
        table=table,
        outcomes=[
            {"outcome": o, "count": n}
            for o, n in sorted(outcomes.items(), key=lambda item: (-item[1], item[0]))
        ],
        previous={
            "month": queries.month_key(previous_month),
            "label": month_label(previous_month),
            "loaded": loaded,
            "total": previous,
        },
        no_location=queries.no_location_count(session, month, category),
        crimes=queries.street_points(session, codes, month, category, limit=MAX_MARKERS),
        summary=f"In {month_label(month)} there {verb} {count_text} in {area['label']}. "
        + comparison(total, previous, month_label(previous_month), "street-level data"),
    )


def _counts(session, context: dict, area: dict, month: date, major: str | None) -> None:
    codes = area["ward_codes"]
    rows = queries.count_table(session, codes, month)
    by_major: dict[str, dict[str, Any]] = {}
    for m, minor, n in rows:
        if major and m != major:
            continue
        entry = by_major.setdefault(m, {"category": m, "name": major_label(m), "count": 0, "minors": []})
        entry["count"] += n
        entry["minors"].append({"name": major_label(minor), "count": n})
    table = sorted(by_major.values(), key=lambda e: (-e["count"], e["name"]))
    for entry in table:
        entry["minors"].sort(key=lambda o: (-o["count"], o["name"]))
    total = sum(e["count"] for e in table)
    previous_month = queries.previous_month(month)
    loaded = previous_month in queries.count_months(session, None)
    previous = (queries.count_total(session, codes, previous_month, major) or 0) if loaded else None
    if major:
        name = major_label(major)
        count_text = plural(total, f"crime in the category “{name}”", f"crimes in the category “{name}”")
    else:
        count_text = plural(total, "crime", "crimes")
    context.update(
        total=total,
        table=table,
        previous={
            "month": queries.month_key(previous_month),
            "label": month_label(previous_month),
            "loaded": loaded,
            "total": previous,
        },
        summary=f"In {month_label(month)} the Metropolitan Police recorded {count_text} in {area['label']}. "
        + comparison(total, previous, month_label(previous_month), "the ward-level count"),
    )


def _trend(session, area: dict, last: date) -> dict[str, Any]:
    rows = queries.trend(session, area["ward_codes"], last, TREND_MONTHS)
    months = sorted({m for m, _major, _n in rows})
    index = {m: i for i, m in enumerate(months)}
    per_major: dict[str, list[int]] = {}
    totals = [0] * len(months)
    for m, major, n in rows:
        per_major.setdefault(major, [0] * len(months))[index[m]] += n
        totals[index[m]] += n
    largest = sorted(per_major, key=lambda k: (-sum(per_major[k]), k))[:TREND_LINES]
    series = [{"name": "All crime", "values": totals}] + [
        {"name": major_label(k), "values": per_major[k]} for k in largest
    ]
    return {
        "months": [{"value": queries.month_key(m), "label": f"{m:%b %Y}"} for m in months],
        "series": series,
        "all": [
            {"category": major_label(k), "values": v}
            for k, v in sorted(per_major.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        ],
    }


def _chart(trend: dict, label: str) -> Any:
    months = trend["months"]
    totals = trend["series"][0]["values"]
    peak = max(range(len(totals)), key=lambda i: totals[i])
    description = (
        f"All recorded crime went from {totals[0]:,} in {months[0]['label']} to {totals[-1]:,} in "
        f"{months[-1]['label']}; the highest month was {months[peak]['label']} with {totals[peak]:,}. "
        f"Lines for the {len(trend['series']) - 1} largest categories. Every figure is in the table below."
    )
    return line_chart(
        [Series(s["name"], s["values"]) for s in trend["series"]],
        [m["label"] for m in months],
        chart_id="crime-trend",
        title=f"Recorded crime by month in {label}, {months[0]['label']} to {months[-1]['label']}",
        description=description,
    )


def _area_page(request: Request, area: dict[str, Any], kind: str) -> Response:
    params = request.query_params
    with session_scope(request.app.state.sessions) as session:
        context = area_context(session, area, params.get("month"), params.get("category"))
    code = area["code"]
    route = f"{kind}:crime"
    query = {k: v for k, v in (("month", params.get("month")), ("category", context["category"])) if v}
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    context["urls"] = {
        "self": request.app.url_path_for(route, code=code),
        "json": str(request.app.url_path_for(f"{route}_json", code=code)) + suffix,
        "csv": str(request.app.url_path_for(f"{route}_csv", code=code)) + suffix,
        "trend_csv": str(request.app.url_path_for(f"{route}_trend_csv", code=code)),
        "area": request.app.url_path_for("teams:team" if kind == "teams" else "boroughs:borough", code=code),
        "london": request.app.url_path_for("crime_london"),
    }
    if area["kind"] == "borough":
        context["urls"]["wards"] = [
            {"name": w["name"], "url": str(request.app.url_path_for("teams:crime", code=w["code"])) + suffix}
            for w in area["wards"]
        ]
    else:
        context["urls"]["borough"] = request.app.url_path_for("boroughs:crime", code=area["borough"]["code"])
    if wants_json(request):
        return respond(request, "crime/area.html", context)
    html = dict(context)
    if context["source"] == "street" and area["geojson"]:
        shown = len(context["crimes"])
        html["map"] = crime_map(
            area["geojson"],
            f"Map of crime in {area['label']}, {context['month']['label']}",
            context["crimes"],
            context["month"]["label"],
            Tiles.from_settings(request.app.state.settings),
            static=static_prefix(request),
            description=f"{shown:,} crimes shown as markers, grouped where they are close together; "
            "select a group to zoom in and a marker for its category, place, month and last outcome. "
            "The same crimes are counted in the table below.",
        )
    if context["trend"] and context["trend"]["months"]:
        html["chart"] = _chart(context["trend"], area["label"])
    return respond(request, "crime/area.html", html)


def _ward(request: Request) -> dict[str, Any]:
    code = request.path_params["code"].strip().upper()
    with session_scope(request.app.state.sessions) as session:
        area = queries.ward_area(session, code)
    if area is None:
        raise HTTPException(404, f"There is no Safer Neighbourhood Team with the code {code[:20]}.")
    if area["force"] != MET:
        raise HTTPException(
            404,
            f"{area['name']} is in the City of London, which is policed by the City of London Police, not by "
            "a Metropolitan Police Safer Neighbourhood Team.",
        )
    return area


def _borough(request: Request) -> dict[str, Any]:
    code = request.path_params["code"].strip().upper()
    with session_scope(request.app.state.sessions) as session:
        area = queries.borough_area(session, code)
    if area is None:
        raise HTTPException(404, f"There is no London borough with the code {code[:20]}.")
    if not area["ward_codes"]:
        raise HTTPException(
            404, f"{area['name']} is policed by the City of London Police: its crime is not published here."
        )
    return area


@cached
def team_crime(request: Request) -> Response:
    return _area_page(request, _ward(request), "teams")


@cached
def borough_crime(request: Request) -> Response:
    return _area_page(request, _borough(request), "boroughs")


# -- downloads ------------------------------------------------------------------------------------------


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


def _area_csv(request: Request, area: dict[str, Any]) -> Response:
    params = request.query_params
    with session_scope(request.app.state.sessions) as session:
        context = area_context(session, area, params.get("month"), params.get("category"))
    month = context["month"]["value"] if context["month"] else ""
    rows: list[list[Any]] = []
    if context["source"] == "street":
        for entry in context["table"]:
            for o in entry["outcomes"]:
                rows.append(
                    [
                        area["code"],
                        area["name"],
                        month,
                        "street-level",
                        entry["name"],
                        o["outcome"],
                        o["count"],
                    ]
                )
    elif context["source"] == "counts":
        for entry in context["table"]:
            for minor in entry["minors"]:
                rows.append(
                    [
                        area["code"],
                        area["name"],
                        month,
                        "ward counts",
                        entry["name"],
                        minor["name"],
                        minor["count"],
                    ]
                )
    header = ["area_code", "area_name", "month", "source", "category", "outcome_or_subcategory", "count"]
    return csv_response(header, rows, f"crime-{area['code']}-{month or 'none'}.csv")


def _area_trend_csv(request: Request, area: dict[str, Any]) -> Response:
    with session_scope(request.app.state.sessions) as session:
        months = queries.count_months(session, area["ward_codes"])
        rows = queries.trend(session, area["ward_codes"], months[0], TREND_MONTHS) if months else []
    body = [[area["code"], area["name"], queries.month_key(m), major_label(major), n] for m, major, n in rows]
    header = ["area_code", "area_name", "month", "category", "count"]
    return csv_response(header, body, f"crime-trend-{area['code']}.csv")


@cached
def team_crime_csv(request: Request) -> Response:
    return _area_csv(request, _ward(request))


@cached
def team_crime_trend_csv(request: Request) -> Response:
    return _area_trend_csv(request, _ward(request))


@cached
def borough_crime_csv(request: Request) -> Response:
    return _area_csv(request, _borough(request))


@cached
def borough_crime_trend_csv(request: Request) -> Response:
    return _area_trend_csv(request, _borough(request))


# -- London ---------------------------------------------------------------------------------------------


def breaks(values: list[int], classes: int = len(CLASS_COLOURS)) -> list[int]:
    """Upper bounds of up to `classes` quantile classes (ascending, distinct); the last is the maximum."""
    ordered = sorted(values)
    if not ordered:
        return []
    bounds = []
    for k in range(1, classes + 1):
        bound = ordered[min(len(ordered) - 1, max(0, round(k * len(ordered) / classes) - 1))]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def london_context(session, month_raw: str | None, category_raw: str | None) -> dict[str, Any]:
    requested = parse_month(month_raw)
    months = queries.count_months(session)
    month = requested or (months[0] if months else None)
    majors = queries.majors(session)
    category = (category_raw or "").strip() or None
    notice = None
    if category and category not in majors:
        notice = f"“{category[:60]}” is not a category of the ward-level counts: showing all crime."
        category = None
    context: dict[str, Any] = {
        "title": "Crime in London's wards",
        "months": [{"value": queries.month_key(m), "label": month_label(m)} for m in months],
        "month": {"value": queries.month_key(month), "label": month_label(month)} if month else None,
        "categories": [{"value": m, "label": major_label(m)} for m in majors],
        "category": category,
        "category_label": major_label(category) if category else "All crime",
        "notice": notice,
        "wards": [],
        "breaks": [],
        "colours": CLASS_COLOURS,
        "total": None,
        "summary": None,
    }
    if month is None:
        context["summary"] = "No ward-level crime counts are loaded yet."
        return context
    if month not in months:
        context["summary"] = f"No ward-level crime counts are loaded for {month_label(month)}."
        return context
    wards = queries.london_counts(session, month, category)
    wards.sort(key=lambda w: (-w["count"], w["name"], w["borough"]))
    for rank, ward in enumerate(wards, 1):
        ward["rank"] = rank
    context["wards"] = wards
    context["total"] = sum(w["count"] for w in wards)
    context["breaks"] = breaks([w["count"] for w in wards])
    what = "crimes" if not category else f"crimes in the category “{major_label(category)}”"
    top = wards[0] if wards else None
    context["summary"] = (
        f"In {month_label(month)} the Metropolitan Police recorded {context['total']:,} {what} "
        + (
            f"in London's {len(wards)} Met wards; the most were in {top['name']} ({top['borough']}), "
            f"{top['count']:,}."
            if top
            else "."
        )
    )
    return context


def _london_query(request: Request, context: dict) -> str:
    query = {
        "month": context["month"]["value"] if context["month"] else None,
        "category": context["category"],
    }
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in query.items() if v})


@cached
def london(request: Request) -> Response:
    params = request.query_params
    with session_scope(request.app.state.sessions) as session:
        context = london_context(session, params.get("month"), params.get("category"))
    query = _london_query(request, context)
    suffix = f"?{query}" if query else ""
    month_suffix = f"?month={context['month']['value']}" if context["month"] else ""
    for ward in context["wards"]:
        ward["url"] = str(request.app.url_path_for("teams:crime", code=ward["code"])) + month_suffix
    context["urls"] = {
        "json": str(request.app.url_path_for("crime_london_json")) + suffix,
        "csv": str(request.app.url_path_for("crime_london_csv")) + suffix,
        "values": str(request.app.url_path_for("crime_london_values")) + suffix,
    }
    if wants_json(request) or not context["wards"]:
        return respond(request, "crime/london.html", context)
    root = request.scope.get("root_path", "")
    parts = crime_london_map(
        root + str(request.app.url_path_for("wards_geojson")),
        root + context["urls"]["values"],
        Tiles.from_settings(request.app.state.settings),
        static=static_prefix(request),
        description="Wards are shaded by their count, darker for more; select a ward to open its crime page. "
        "Every ward is in the table below, with the same counts.",
    )
    return respond(request, "crime/london.html", {**context, "map": parts})


@cached
def london_values(request: Request) -> Response:
    """The choropleth's values, for static/js/crime.js: {ward code: count}, the class breaks and colours."""
    params = request.query_params
    with session_scope(request.app.state.sessions) as session:
        context = london_context(session, params.get("month"), params.get("category"))
    month_suffix = f"?month={context['month']['value']}" if context["month"] else ""
    template = str(request.app.url_path_for("teams:crime", code="CODE")).replace("CODE", "{code}")
    return JSONResponse(
        {
            "month": context["month"],
            "category": context["category_label"],
            "values": {w["code"]: w["count"] for w in context["wards"]},
            "breaks": context["breaks"],
            "colours": context["colours"],
            "crime_url": template + month_suffix,
        }
    )


@cached
def london_csv(request: Request) -> Response:
    params = request.query_params
    with session_scope(request.app.state.sessions) as session:
        context = london_context(session, params.get("month"), params.get("category"))
    month = context["month"]["value"] if context["month"] else ""
    rows = [
        [
            w["rank"],
            w["code"],
            w["name"],
            w["borough"],
            month,
            context["category_label"],
            w["count"],
            w["population"] or "",
            "" if w["rate"] is None else w["rate"],
        ]
        for w in context["wards"]
    ]
    header = [
        "rank",
        "ward_code",
        "ward_name",
        "borough",
        "month",
        "category",
        "count",
        "residents",
        "rate_per_1000",
    ]
    return csv_response(header, rows, f"crime-london-{month or 'none'}.csv")


team_routes = [
    *twin("/{code}/crime", team_crime, name="crime"),
    Route("/{code}/crime.csv", team_crime_csv, name="crime_csv"),
    Route("/{code}/crime-trend.csv", team_crime_trend_csv, name="crime_trend_csv"),
]
borough_routes = [
    *twin("/{code}/crime", borough_crime, name="crime"),
    Route("/{code}/crime.csv", borough_crime_csv, name="crime_csv"),
    Route("/{code}/crime-trend.csv", borough_crime_trend_csv, name="crime_trend_csv"),
]
routes = [
    Route("/crime/values.json", london_values, name="crime_london_values"),
    Route("/crime.csv", london_csv, name="crime_london_csv"),
    *twin("/crime", london, name="crime_london"),
]
