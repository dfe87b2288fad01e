"""What search indexes: one document per public page or part of a page, built from the database.

Every document belongs to a *scope*, the unit that is re-indexed together after a change:
`team:<code>` (the team with its members, base, meetings, priorities and updates), `pledge` (the ten
promises, the indicators and the explanations of missed targets), `areas` (the boroughs) and `pages` (the
static content pages). A staff edit re-indexes its team's scope; an import rebuilds everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time
from html import unescape
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import paths
from portal.models import (
    MEETING_TYPES,
    PRIORITY_STATUSES,
    Borough,
    Explanation,
    Indicator,
    Meeting,
    PledgePoint,
    Priority,
    PriorityAction,
    Team,
    TeamLocation,
    TeamMember,
    TeamUpdate,
    Ward,
)

# What a result is, in the words the results page uses (singular, plural), in the order of the filter.
KINDS: dict[str, tuple[str, str]] = {
    "team": ("Team", "Teams"),
    "borough": ("Borough", "Boroughs"),
    "meeting": ("Meeting", "Meetings"),
    "priority": ("Priority", "Priorities"),
    "update": ("Update", "Updates"),
    "indicator": ("Pledge measure", "Pledge measures"),
    "explanation": ("Explanation of a missed target", "Explanations"),
    "page": ("Page", "Pages"),
}
# A document's weight against others matching as well: a team or borough whose name is the query should
# come before the dozens of meetings and updates that mention it.
KIND_BOOST = {"team": 1.5, "borough": 1.5, "indicator": 1.25, "page": 1.25}

# The static content pages: their text is read from the template, tags and template code removed.
PAGES: list[tuple[str, str, str]] = [
    ("/pledge", "pledge/scorecard.html", "The Policing Pledge scorecard for London"),
    ("/pledge/indicators", "pledge/catalogue.html", "How each Pledge promise is measured"),
    ("/about/data", "about/data.html", "About the data"),
    ("/api", "api/index.html", "The open data API"),
    ("/contact/figures", "contact/figures.html", "How quickly messages are answered"),
]

TEAM_PREFIX = "team:"


def team_scope(code: str) -> str:
    return f"{TEAM_PREFIX}{code}"


def _text(*parts: object) -> str:
    return "\n".join(str(p) for p in parts if p)


def _at(value: date | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time())


def documents(session: Session, scopes: set[str] | None = None) -> Iterator[dict]:
    """Every document, or only those of the given scopes."""
    teams = None
    if scopes is not None:
        teams = [s.removeprefix(TEAM_PREFIX) for s in scopes if s.startswith(TEAM_PREFIX)]
    if scopes is None or "areas" in scopes:
        yield from _boroughs(session)
    if teams is None or teams:
        yield from _teams(session, teams)
    if scopes is None or "pledge" in scopes:
        yield from _pledge(session)
    if scopes is None or "pages" in scopes:
        yield from _pages()


def _boroughs(session: Session) -> Iterator[dict]:
    counts: dict[str, int] = {}
    for (code,) in session.execute(select(Team.borough_code)):
        counts[code] = counts.get(code, 0) + 1
    for code, name in session.execute(select(Borough.code, Borough.name)):
        teams = counts.get(code, 0)
        yield {
            "key": f"borough:{code}",
            "kind": "borough",
            "scope": "areas",
            "code": code,
            "name": name,
            "borough": name,
            "borough_code": code,
            "content": "",
            "title": name,
            "body": f"The London borough of {name}: its {teams} Safer Neighbourhood Teams, crime and Pledge "
            "scorecard.",
            "place": name,
            "spell": name,
            "path": f"/boroughs/{code}",
            "area": "London",
            "_boost": KIND_BOOST["borough"],
        }


def _teams(session: Session, codes: list[str] | None) -> Iterator[dict]:
    def only(query, column):
        return query if codes is None else query.where(column.in_(codes))

    rows = session.execute(
        only(
            select(Team.id, Team.name, Team.description, Team.borough_code, Borough.name, Ward.name)
            .join(Borough, Borough.code == Team.borough_code)
            .join(Ward, Ward.id == Team.ward_id),
            Team.id,
        )
    ).all()
    if not rows:
        return
    teams = {row[0]: row for row in rows}
    members: dict[str, list[str]] = {}
    member_names: dict[str, list[str]] = {}
    for team_id, name, rank, role in session.execute(
        only(
            select(TeamMember.team_id, TeamMember.name, TeamMember.rank, TeamMember.role).order_by(
                TeamMember.team_id, TeamMember.position
            ),
            TeamMember.team_id,
        )
    ):
        members.setdefault(team_id, []).append(f"{rank} {name}, {role}" if role else f"{rank} {name}")
        member_names.setdefault(team_id, []).extend([name, role or ""])
    bases: dict[str, list[str]] = {}
    for team_id, name, address, postcode in session.execute(
        only(
            select(TeamLocation.team_id, TeamLocation.name, TeamLocation.address, TeamLocation.postcode),
            TeamLocation.team_id,
        )
    ):
        bases.setdefault(team_id, []).append(", ".join(p for p in (name, address, postcode) if p))

    for code, name, description, borough_code, borough, ward in rows:
        body = _text(
            description,
            "Team: " + "; ".join(members[code]) if code in members else "",
            "Base: " + "; ".join(bases[code]) if code in bases else "",
        )
        yield {
            "key": f"team:{code}",
            "kind": "team",
            "scope": team_scope(code),
            "code": code,
            "name": name,
            "borough": borough,
            "borough_code": borough_code,
            "content": " ".join(member_names.get(code, [])),
            "title": f"{name} Safer Neighbourhood Team",
            "body": body or f"The Safer Neighbourhood Team for {ward} ward in {borough}.",
            "place": f"{name} {ward} {borough}",
            "spell": _text(name, body),
            "path": f"/teams/{code}",
            "area": borough,
            "_boost": KIND_BOOST["team"],
        }

    def context(code: str) -> dict:
        _, name, _, borough_code, borough, _ = teams[code]
        return {
            "scope": team_scope(code),
            "code": code,
            "borough_code": borough_code,
            "place": f"{name} {borough}",
            "area": f"{name}, {borough}",
        }

    for meeting in session.scalars(only(select(Meeting), Meeting.team_id)):
        venue = ", ".join(p for p in (meeting.venue_name, meeting.venue_address, meeting.venue_postcode) if p)
        body = _text(
            MEETING_TYPES.get(meeting.type, ""),
            f"At {venue}" if venue else "",
            "Online" if meeting.online_url and not venue else "",
            f"Cancelled: {meeting.cancelled_reason or ''}" if meeting.status == "cancelled" else "",
            meeting.attendees,
            meeting.how_to_join,
            meeting.access_notes,
            meeting.minutes,
        )
        yield {
            **context(meeting.team_id),
            "key": f"meeting:{meeting.id}",
            "kind": "meeting",
            "title": meeting.title,
            "body": body,
            "spell": _text(meeting.title, body),
            "path": f"/teams/{meeting.team_id}/meetings/{meeting.id}",
            "date": meeting.starts_at,
        }

    actions: dict[int, list[str]] = {}
    for priority_id, actor, description, result in session.execute(
        only(
            select(
                PriorityAction.priority_id,
                PriorityAction.actor,
                PriorityAction.description,
                PriorityAction.result,
            )
            .join(Priority, Priority.id == PriorityAction.priority_id)
            .order_by(PriorityAction.priority_id, PriorityAction.acted_on),
            Priority.team_id,
        )
    ):
        actions.setdefault(priority_id, []).append(_text(f"{actor}: {description}", result))
    for priority in session.scalars(only(select(Priority), Priority.team_id)):
        body = _text(
            priority.detail,
            f"You said: {priority.raised}" if priority.raised else "",
            priority.place,
            f"Status: {PRIORITY_STATUSES.get(priority.status, priority.status)}",
            *actions.get(priority.id, []),
            priority.outcome,
        )
        yield {
            **context(priority.team_id),
            "key": f"priority:{priority.id}",
            "kind": "priority",
            "title": priority.title,
            "body": body,
            "spell": _text(priority.title, body),
            "path": f"/teams/{priority.team_id}/priorities/{priority.id}",
            "date": _at(priority.agreed_on),
        }

    for update in session.scalars(
        only(
            select(TeamUpdate).where(TeamUpdate.status == "published", TeamUpdate.published_at.is_not(None)),
            TeamUpdate.team_id,
        )
    ):
        body = _text(update.body, update.results)
        yield {
            **context(update.team_id),
            "key": f"update:{update.id}",
            "kind": "update",
            "title": update.title,
            "body": body,
            "spell": _text(update.title, body),
            "path": f"/teams/{update.team_id}/updates#update-{update.id}",
            "date": update.published_at,
        }


def _pledge(session: Session) -> Iterator[dict]:
    points = {p.number: p for p in session.scalars(select(PledgePoint))}
    for point in points.values():
        body = _text(point.promise, point.portal_does)
        yield {
            "key": f"pledge:{point.number}",
            "kind": "page",
            "scope": "pledge",
            "title": f"Pledge point {point.number}: {point.title}",
            "body": body,
            "spell": _text(point.title, body),
            "path": f"/pledge#point-{point.number}",
            "area": "The Policing Pledge",
            "_boost": KIND_BOOST["page"],
        }
    names = {}
    for indicator in session.scalars(select(Indicator)):
        names[indicator.code] = indicator.name
        point = points.get(indicator.pledge_point)
        body = _text(
            indicator.question, indicator.calculation, indicator.met_promise, indicator.target_source
        )
        yield {
            "key": f"indicator:{indicator.code}",
            "kind": "indicator",
            "scope": "pledge",
            "code": indicator.code,
            "title": indicator.name,
            "body": body,
            "spell": _text(indicator.name, body),
            "path": f"/pledge/indicators/{indicator.code}",
            "area": f"Pledge point {point.number}: {point.title}" if point else "The Policing Pledge",
            "_boost": KIND_BOOST["indicator"],
        }
    teams = {
        code: (name, borough_code, borough)
        for code, name, borough_code, borough in session.execute(
            select(Team.id, Team.name, Team.borough_code, Borough.name).join(
                Borough, Borough.code == Team.borough_code
            )
        )
    }
    boroughs = dict(session.execute(select(Borough.code, Borough.name)).all())
    for explanation in session.scalars(select(Explanation)):
        area_code, indicator = explanation.area_code, explanation.indicator_code
        if area_code in teams:
            name, borough_code, borough = teams[area_code]
            where = {"code": area_code, "borough_code": borough_code, "place": f"{name} {borough}"}
            area = f"{name}, {borough}"
            path = f"/teams/{area_code}/pledge/{indicator}"
        elif area_code in boroughs:
            where = {"borough_code": area_code, "place": boroughs[area_code]}
            area = boroughs[area_code]
            path = f"/boroughs/{area_code}/pledge/{indicator}"
        else:
            where, area, path = {"place": "London"}, "London", f"/pledge/indicators/{indicator}"
        month = f"{explanation.month:%B %Y}"
        body = _text(explanation.reason, explanation.action, f"Recorded by {explanation.recorded_by}")
        yield {
            **where,
            "key": f"explanation:{explanation.id}",
            "kind": "explanation",
            "scope": "pledge",
            "title": f"{names.get(indicator, indicator)}: why the target was missed in {month}",
            "body": body,
            "spell": body,
            "path": path,
            "area": area,
            "date": _at(explanation.month),
        }


_BLOCK = re.compile(r"{%\s*block content\s*%}(.*?){%\s*endblock", re.S)
_CODE = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def page_text(template: Path) -> str:
    """The words a reader sees on a static page: its content block without template code or tags."""
    source = template.read_text()
    match = _BLOCK.search(source)
    text = _TAG.sub(" ", _SCRIPT.sub(" ", _CODE.sub(" ", match.group(1) if match else source)))
    return re.sub(r"\s+", " ", unescape(text)).strip()


def _pages() -> Iterator[dict]:
    for path, template, title in PAGES:
        body = page_text(paths.TEMPLATES / template)
        yield {
            "key": f"page:{path}",
            "kind": "page",
            "scope": "pages",
            "title": title,
            "body": body,
            "spell": _text(title, body),
            "path": path,
            "area": "About this site",
            "_boost": KIND_BOOST["page"],
        }
