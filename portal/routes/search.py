"""Site search: /search (and its JSON twin /search.json) over every public page, and the OpenSearch
description that lets a browser add the portal as a search engine.

The search itself runs on this process's open index (see `portal.services.search`): no database query
and nothing built inside the request.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.routes import twin
from portal.routes.home import _located
from portal.services import calendar
from portal.services.postcode import parse as parse_postcode
from portal.services.search import MAX_PAGE, MAX_QUERY, PER_PAGE, Found, QueryError, SearchIndex
from portal.services.search_documents import KINDS
from portal.templating import respond

OPENSEARCH = "application/opensearchdescription+xml"
DESCRIPTION = (
    "Search London's Safer Neighbourhood Teams: meetings, priorities, updates and the Policing Pledge."
)


def _when(kind: str, value: datetime | None) -> str | None:
    if value is None:
        return None
    local = calendar.london(value)
    if kind == "meeting":
        return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"
    if kind == "explanation":
        return f"{local:%B %Y}"
    return f"{local.day} {local:%B %Y}"


def _url(request: Request, **params: object) -> str:
    query = {k: v for k, v in params.items() if v not in (None, "", 1)}
    path = request.app.url_path_for("search")
    return f"{path}?{urlencode(query)}" if query else str(path)


async def search(request: Request) -> Response:
    index: SearchIndex = request.app.state.search
    params = request.query_params
    text = " ".join(params.get("q", "").split())
    kind = params.get("type", "") or None
    borough = params.get("borough", "") or None
    boroughs = index.boroughs()
    context: dict = {
        "query": text[:MAX_QUERY],
        "type": kind,
        "borough": borough,
        "kinds": KINDS,
        "boroughs": boroughs,
        "errors": {},
    }
    problems = {}
    if kind is not None and kind not in KINDS:
        problems["type"] = "Choose a type of result from the list"
    if borough is not None and borough not in dict(boroughs):
        problems["borough"] = "Choose a borough from the list"
    page_text = params.get("page", "1")
    page = int(page_text) if page_text.isdigit() else 0
    if not 1 <= page <= MAX_PAGE:
        problems["page"] = f"Choose a page from 1 to {MAX_PAGE}"
    if "q" not in params and not problems:  # the search page itself, before any search
        return respond(request, "search/results.html", {**context, "found": None})
    if not problems and parse_postcode(text) is not None:
        return _located(request, request.app.state.geo.locate(text))  # straight to the team or wards
    found = None
    if not problems:
        try:
            found = index.site(text, kind=kind, borough=borough, page=page, correct=not params.get("exact"))
        except QueryError as error:
            problems["q"] = str(error)
    if problems:
        return respond(request, "search/results.html", {**context, "found": None, "errors": problems}, 400)
    assert found is not None
    if page > 1 and page > found.pages:
        message = f"There {'is' if found.pages == 1 else 'are'} only {found.pages} page"
        message += "" if found.pages == 1 else "s"
        return respond(
            request,
            "search/results.html",
            {**context, "found": None, "errors": {"page": f"{message} of results"}},
            404,
        )
    return respond(request, "search/results.html", _results(request, context, found, kind, borough))


def _results(request: Request, context: dict, found: Found, kind: str | None, borough: str | None) -> dict:
    results = []
    for result in found.results:
        item = result.as_dict()
        item["when"] = _when(result.kind, result.date)
        results.append(item)
    pages = {}
    if found.page > 1:
        pages["previous"] = _url(request, q=found.query, type=kind, borough=borough, page=found.page - 1)
    if found.page < found.pages:
        pages["next"] = _url(request, q=found.query, type=kind, borough=borough, page=found.page + 1)
    filters = [
        {
            "type": k,
            "label": KINDS[k][1],
            "count": n,
            "url": _url(request, q=found.query, type=k, borough=borough),
            "current": k == kind,
        }
        for k, n in found.counts.items()
    ]
    return {
        **context,
        "found": {**found.as_dict(), "results": results},
        "first": (found.page - 1) * PER_PAGE + 1 if found.results else 0,
        "pagination": pages,
        "filters": filters,
        "all_url": _url(request, q=found.query, borough=borough),
        "suggestion_url": _url(request, q=found.suggestion, type=kind, borough=borough)
        if found.suggestion
        else None,
        "typed_url": _url(request, q=found.typed, type=kind, borough=borough, exact=1)
        if found.typed
        else None,
    }


async def opensearch(request: Request) -> Response:
    site = request.app.state.settings.site_url
    search_path = request.app.url_path_for("search")
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>Pledge Portal</ShortName>
  <Description>{DESCRIPTION}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Image width="16" height="16" type="image/svg+xml">{xml_escape(site)}/static/favicon.svg</Image>
  <Url type="text/html" method="get" template="{xml_escape(site)}{search_path}?q={{searchTerms}}"/>
  <Url type="application/json" method="get" template="{xml_escape(site)}{search_path}.json?q={{searchTerms}}"
  />
  <Url type="{OPENSEARCH}" rel="self" template="{xml_escape(site)}/opensearch.xml"/>
</OpenSearchDescription>
"""
    return Response(body, media_type=OPENSEARCH, headers={"cache-control": "public, max-age=86400"})


routes = [*twin("/search", search, name="search"), Route("/opensearch.xml", opensearch, name="opensearch")]
