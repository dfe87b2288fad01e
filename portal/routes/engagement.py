"""Meetings, priorities, "You said, we did" and updates for each team (issue 4; Pledge points 7 and 8).

Mounted under /teams (`team_routes`: pages like /teams/{code}/meetings, each with its JSON twin, and the
team's iCalendar and Atom feeds) and /boroughs (`borough_routes`: the borough's calendar and feed).
Every page and feed is public and cached (`@cached`); links are site-relative paths.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.cache import cached
from portal.db import session_scope
from portal.models import MEETING_TYPES
from portal.queries import engagement as queries
from portal.routes import twin
from portal.services import calendar, feeds
from portal.templating import respond


def _code(request: Request) -> str:
    return request.path_params["code"].strip().upper()[:20]


def _team(session, request: Request) -> dict[str, Any]:
    code = _code(request)
    header = queries.team_header(session, code)
    if header is None:
        raise HTTPException(404, f"There is no Safer Neighbourhood Team with the code {code}.")
    return header


def _path(request: Request, name: str, **params: Any) -> str:
    return request.app.url_path_for(name, **params)


def _team_urls(request: Request, code: str, borough: str, page: str | None = None, **params: Any) -> dict:
    urls = {
        "team": _path(request, "teams:team", code=code),
        "borough": _path(request, "boroughs:borough", code=borough),
        "meetings": _path(request, "teams:meetings", code=code),
        "calendar": _path(request, "teams:meetings_ics", code=code),
        "priorities": _path(request, "teams:priorities", code=code),
        "you_said_we_did": _path(request, "teams:you_said_we_did", code=code),
        "updates": _path(request, "teams:updates", code=code),
        "updates_feed": _path(request, "teams:updates_atom", code=code),
        "borough_calendar": _path(request, "boroughs:meetings_ics", code=borough),
        "borough_feed": _path(request, "boroughs:updates_atom", code=borough),
    }
    if page:
        urls["self"] = _path(request, f"teams:{page}", code=code, **params)
        urls["json"] = _path(request, f"teams:{page}_json", code=code, **params)
    return urls


def _link_meeting(request: Request, code: str, meeting: dict[str, Any]) -> dict[str, Any]:
    meeting["url"] = _path(request, "teams:meeting", code=code, id=meeting["id"])
    meeting["calendar_url"] = _path(request, "teams:meeting_ics", code=code, id=meeting["id"])
    return meeting


def _link_priority(request: Request, code: str, priority: dict[str, Any]) -> dict[str, Any]:
    priority["url"] = _path(request, "teams:priority", code=code, id=priority["id"])
    if priority["agreed_meeting"]:
        priority["agreed_meeting"]["url"] = _path(
            request, "teams:meeting", code=code, id=priority["agreed_meeting"]["id"]
        )
    return priority


def _link_update(request: Request, update: dict[str, Any]) -> dict[str, Any]:
    update["url"] = _path(request, "teams:updates", code=update["team_id"]) + f"#update-{update['id']}"
    return update


def link_engagement(request: Request, code: str, section: dict[str, Any]) -> dict[str, Any]:
    """Adds the URLs to the team page's engagement section (`queries.team_engagement`)."""
    for m in section["next_meetings"]:
        _link_meeting(request, code, m)
    for p in section["current_priorities"]:
        _link_priority(request, code, p)
    for u in section["latest_updates"]:
        _link_update(request, u)
    return section


# -- meetings ----------------------------------------------------------------------------------------


@cached
def meetings(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        context.update(queries.meetings_page(session, context["team"]["id"]))
    code = context["team"]["id"]
    for m in context["upcoming"] + context["past"]:
        _link_meeting(request, code, m)
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "meetings")
    return respond(request, "engagement/meetings.html", context)


@cached
def meeting(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        code = context["team"]["id"]
        found = queries.get_meeting(session, code, request.path_params["id"])
        if found is None:
            raise HTTPException(404, "There is no such meeting for this team.")
        context["meeting"] = _link_meeting(request, code, queries.meeting_dict(found))
        context["meeting"]["past"] = queries._naive(found.ends_at) < queries.utc_now()
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "meeting", id=found.id)
    return respond(request, "engagement/meeting.html", context)


def _calendar(body: bytes, filename: str) -> Response:
    return Response(
        body,
        media_type=calendar.CONTENT_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _event(request: Request, meeting, code: str) -> Any:
    url = _path(request, "teams:meeting", code=code, id=meeting.id)
    return calendar.meeting_event(meeting, url=url, type_label=MEETING_TYPES.get(meeting.type))


@cached
def team_calendar(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        header = _team(session, request)
        code = header["team"]["id"]
        events = [_event(request, m, code) for m in queries.team_meetings(session, code)]
    name = f"{header['team']['name']} Safer Neighbourhood Team meetings"
    return _calendar(calendar.calendar_bytes(name, events), f"{code}-meetings.ics")


@cached
def meeting_calendar(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        header = _team(session, request)
        code = header["team"]["id"]
        found = queries.get_meeting(session, code, request.path_params["id"])
        if found is None:
            raise HTTPException(404, "There is no such meeting for this team.")
        event = _event(request, found, code)
    name = f"{header['team']['name']} Safer Neighbourhood Team meetings"
    return _calendar(calendar.calendar_bytes(name, [event]), f"{code}-meeting-{found.id}.ics")


@cached
def borough_calendar(request: Request) -> Response:
    code = _code(request)
    with session_scope(request.app.state.sessions) as session:
        borough = queries.borough_header(session, code)
        if borough is None:
            raise HTTPException(404, f"There is no London borough with the code {code}.")
        events = []
        for m, team_name in queries.borough_meetings(session, code):
            event = _event(request, m, m.team_id)
            event["summary"] = f"{team_name}: {event['summary']}"
            events.append(event)
    name = f"Safer Neighbourhood Team meetings in {borough['name']}"
    return _calendar(calendar.calendar_bytes(name, events), f"{code}-meetings.ics")


# -- priorities --------------------------------------------------------------------------------------


@cached
def priorities(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        context.update(queries.priorities_page(session, context["team"]["id"]))
    code = context["team"]["id"]
    for p in context["current"] + context["past"]:
        _link_priority(request, code, p)
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "priorities")
    return respond(request, "engagement/priorities.html", context)


@cached
def priority(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        code = context["team"]["id"]
        found = queries.get_priority(session, code, request.path_params["id"])
        if found is None:
            raise HTTPException(404, "There is no such priority for this team.")
        item = queries.priority_dicts(session, [found], queries.london_today())[0]
    context["priority"] = _link_priority(request, code, item)
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "priority", id=item["id"])
    return respond(request, "engagement/priority.html", context)


@cached
def you_said_we_did(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        page = queries.priorities_page(session, context["team"]["id"])
    code = context["team"]["id"]
    items = [p for p in page["current"] + page["past"] if p["raised"] or p["actions"] or p["outcome"]]
    context["items"] = [_link_priority(request, code, p) for p in items]
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "you_said_we_did")
    return respond(request, "engagement/you_said_we_did.html", context)


# -- updates -----------------------------------------------------------------------------------------


@cached
def updates(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        context = _team(session, request)
        context["updates"] = queries.team_updates(session, context["team"]["id"])
    code = context["team"]["id"]
    for u in context["updates"]:
        _link_update(request, u)
    context["urls"] = _team_urls(request, code, context["borough"]["code"], "updates")
    return respond(request, "engagement/updates.html", context)


def _atom(body: bytes) -> Response:
    return Response(body, media_type=feeds.CONTENT_TYPE)


@cached
def team_feed(request: Request) -> Response:
    with session_scope(request.app.state.sessions) as session:
        header = _team(session, request)
        code = header["team"]["id"]
        items = [_link_update(request, u) for u in queries.team_updates(session, code, 50)]
    name = f"{header['team']['name']} Safer Neighbourhood Team"
    return _atom(
        feeds.atom_feed(
            feed_id=feeds.tag("teams", code, "updates"),
            title=f"{name}: updates",
            subtitle=f"News from the {name} ({header['borough']['name']})",
            self_url=_path(request, "teams:updates_atom", code=code),
            html_url=_path(request, "teams:updates", code=code),
            updates=items,
        )
    )


@cached
def borough_feed(request: Request) -> Response:
    code = _code(request)
    with session_scope(request.app.state.sessions) as session:
        borough = queries.borough_header(session, code)
        if borough is None:
            raise HTTPException(404, f"There is no London borough with the code {code}.")
        items = [_link_update(request, u) for u in queries.borough_updates(session, code)]
    return _atom(
        feeds.atom_feed(
            feed_id=feeds.tag("boroughs", code, "updates"),
            title=f"Safer Neighbourhood Teams in {borough['name']}: updates",
            subtitle=f"News from every Safer Neighbourhood Team in {borough['name']}",
            self_url=_path(request, "boroughs:updates_atom", code=code),
            html_url=_path(request, "boroughs:borough", code=code),
            updates=items,
        )
    )


team_routes: list = [
    Route("/{code}/meetings.ics", team_calendar, name="meetings_ics"),
    Route("/{code}/meetings/{id:int}.ics", meeting_calendar, name="meeting_ics"),
    *twin("/{code}/meetings/{id:int}", meeting, name="meeting"),
    *twin("/{code}/meetings", meetings, name="meetings"),
    *twin("/{code}/priorities/{id:int}", priority, name="priority"),
    *twin("/{code}/priorities", priorities, name="priorities"),
    *twin("/{code}/you-said-we-did", you_said_we_did, name="you_said_we_did"),
    Route("/{code}/updates.atom", team_feed, name="updates_atom"),
    *twin("/{code}/updates", updates, name="updates"),
]
borough_routes: list = [
    Route("/{code}/meetings.ics", borough_calendar, name="meetings_ics"),
    Route("/{code}/updates.atom", borough_feed, name="updates_atom"),
]
