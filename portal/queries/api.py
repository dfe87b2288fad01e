"""Named queries for the data.police.uk-compatible API (`portal/routes/api.py`).

Each returns plain data in police.uk's shapes, or None when the force or neighbourhood does not exist.
Coordinates are strings, as police.uk gives them; `description` and `bio` are HTML built from our plain
text (escaped, paragraphs in <p>…</p>); every other string is plain text.
"""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import Float, String, cast, literal_column, null, select, union_all
from sqlalchemy.orm import Session

from portal.models import CITY, MEETING_TYPES, MET, Force, Team, TeamLink, TeamLocation, TeamMember, Ward
from portal.queries import engagement
from portal.services import calendar
from portal.services import text as text_service

TELEPHONE = "101"  # the national non-emergency number, as police.uk gives for both London forces
UNKNOWN_POPULATION = "0"  # police.uk's population is a string; we hold no population figures

# What police.uk holds about each force beyond the Force table: its public engagement methods.
# Real, public accounts; police.uk lists the telephone as an engagement method with an empty url.
ENGAGEMENT_METHODS: dict[str, list[dict[str, str]]] = {
    MET: [
        {
            "url": "https://www.facebook.com/metpoliceuk",
            "description": "The Metropolitan Police Service on Facebook",
            "title": "Facebook",
        },
        {
            "url": "https://x.com/metpoliceuk",
            "description": "The Metropolitan Police Service on X (Twitter)",
            "title": "Twitter",
        },
        {
            "url": "https://www.youtube.com/metpoliceuk",
            "description": "The Metropolitan Police Service on YouTube",
            "title": "YouTube",
        },
        {"url": "", "description": TELEPHONE, "title": "telephone"},
    ],
    CITY: [
        {
            "url": "https://x.com/CityPolice",
            "description": "The City of London Police on X (Twitter)",
            "title": "Twitter",
        },
        {"url": "", "description": TELEPHONE, "title": "telephone"},
    ],
}


def coordinate(value: float | None) -> str | None:
    """A coordinate as police.uk writes it: a decimal string, at most 6 places, no trailing zeros."""
    if value is None:
        return None
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def html_text(text: str | None) -> str | None:
    """Staff Markdown (or plain text) → police.uk's HTML: sanitised, paragraphs in <p>…</p>, line breaks
    as <br/>."""
    return text_service.api_html(text)


def contact_details(**values: str | None) -> dict[str, str]:
    """police.uk leaves out contact keys it has no value for."""
    return {key: value.strip() for key, value in values.items() if value and value.strip()}


# -- forces ----------------------------------------------------------------------------------------


def list_forces(session: Session) -> list[dict[str, str]]:
    return [{"id": i, "name": n} for i, n in session.execute(select(Force.id, Force.name).order_by(Force.id))]


def get_force(session: Session, force_id: str) -> dict[str, Any] | None:
    row = session.execute(select(Force.id, Force.name, Force.url).where(Force.id == force_id)).first()
    if row is None:
        return None
    return {
        "description": None,
        "url": row.url,
        "engagement_methods": [dict(m) for m in ENGAGEMENT_METHODS.get(row.id, [])],
        "telephone": TELEPHONE,
        "id": row.id,
        "name": row.name,
    }


def force_exists(session: Session, force_id: str) -> bool:
    return session.scalar(select(Force.id).where(Force.id == force_id)) is not None


# -- neighbourhoods --------------------------------------------------------------------------------


def list_neighbourhoods(session: Session, force_id: str) -> list[dict[str, str]] | None:
    """Every team of the force, by name; None for an unknown force, [] for a force with no teams here."""
    if not force_exists(session, force_id):
        return None
    rows = session.execute(select(Team.id, Team.name).where(Team.force_id == force_id))
    # sorted here, not in SQL, so the order is the same on every database whatever its collation
    return [{"id": i, "name": n} for i, n in sorted(rows, key=lambda row: (row.name, row.id))]


def team_exists(session: Session, force_id: str, team_id: str) -> bool:
    found = session.scalar(select(Team.id).where(Team.id == team_id, Team.force_id == force_id))
    return found is not None


def get_neighbourhood(session: Session, force_id: str, team_id: str) -> dict[str, Any] | None:
    """Two queries: the team with its ward and force, then its links and locations in one UNION ALL."""
    row = session.execute(
        select(
            Team.id,
            Team.name,
            Team.description,
            Team.email,
            Team.telephone,
            Team.mobile,
            Ward.centroid_lat,
            Ward.centroid_lng,
            Force.url,
        )
        .join(Ward, Ward.id == Team.ward_id)
        .join(Force, Force.id == Team.force_id)
        .where(Team.id == team_id, Team.force_id == force_id)
    ).first()
    if row is None:
        return None
    links = select(
        literal_column("'link'").label("kind"),
        TeamLink.position,
        TeamLink.id,
        TeamLink.title.label("name"),
        TeamLink.url,
        TeamLink.description,
        cast(null(), String).label("type"),
        cast(null(), String).label("address"),
        cast(null(), String).label("postcode"),
        cast(null(), Float).label("latitude"),
        cast(null(), Float).label("longitude"),
    ).where(TeamLink.team_id == row.id)
    locations = select(
        literal_column("'location'").label("kind"),
        TeamLocation.position,
        TeamLocation.id,
        TeamLocation.name,
        cast(null(), String).label("url"),
        TeamLocation.description,
        TeamLocation.type,
        TeamLocation.address,
        TeamLocation.postcode,
        TeamLocation.latitude,
        TeamLocation.longitude,
    ).where(TeamLocation.team_id == row.id)
    parts = session.execute(union_all(links, locations).order_by("kind", "position", "id")).all()
    return {
        "url_force": row.url or "",
        "contact_details": contact_details(email=row.email, telephone=row.telephone, mobile=row.mobile),
        "name": row.name,
        "links": [
            {"url": p.url or "", "description": p.description, "title": p.name}
            for p in parts
            if p.kind == "link"
        ],
        "centre": {"latitude": coordinate(row.centroid_lat), "longitude": coordinate(row.centroid_lng)},
        "locations": [
            {
                "name": p.name,
                "longitude": coordinate(_float(p.longitude)),
                "postcode": p.postcode,
                "address": p.address,
                "latitude": coordinate(_float(p.latitude)),
                "type": p.type,
                "description": html_text(p.description),  # staff Markdown, as HTML like `description`
            }
            for p in parts
            if p.kind == "location"
        ],
        "description": html_text(row.description),
        "id": row.id,
        "population": UNKNOWN_POPULATION,
    }


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def get_people(session: Session, force_id: str, team_id: str) -> list[dict[str, Any]] | None:
    rows = session.execute(
        select(Team.id, TeamMember.name, TeamMember.rank, TeamMember.bio)
        .outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.id == team_id, Team.force_id == force_id)
        .order_by(TeamMember.position, TeamMember.id)
    ).all()
    if not rows:
        return None
    return [
        {"name": r.name, "rank": r.rank or None, "bio": html_text(r.bio), "contact_details": {}}
        for r in rows
        if r.name is not None
    ]


def get_boundary(session: Session, force_id: str, team_id: str) -> list[dict[str, str]] | None:
    """The outer ring of the ward's display geometry; for a MultiPolygon, the largest polygon's."""
    geojson = session.scalar(
        select(Ward.display_geojson)
        .join(Team, Team.ward_id == Ward.id)
        .where(Team.id == team_id, Team.force_id == force_id)
    )
    if geojson is None:
        return None
    geometry = shapely.from_geojson(geojson) if geojson.strip() else None
    polygons = [] if geometry is None else _polygons(geometry)
    if not polygons:
        return []
    ring = max(polygons, key=lambda p: p.area).exterior
    return [{"latitude": coordinate(lat), "longitude": coordinate(lng)} for lng, lat, *_ in ring.coords]


def _polygons(geometry) -> list:
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [p for g in geometry.geoms for p in _polygons(g)]
    return []


# -- events and priorities -------------------------------------------------------------------------

# police.uk's event types are short words ("meeting"); ours map onto them
EVENT_TYPES = {"surgery": "surgery", "street_briefing": "street briefing", "mobile_police_station": "mobile"}


def _local(value) -> str:
    """police.uk's local date-time without a zone: London time, "YYYY-MM-DDTHH:MM:SS"."""
    return calendar.london(value).replace(tzinfo=None).isoformat(timespec="seconds")


def get_events(session: Session, force_id: str, team_id: str) -> list[dict[str, Any]] | None:
    """Upcoming meetings that are not cancelled, soonest first, with the team's contact details."""
    team = session.execute(
        select(Team.email, Team.telephone, Team.mobile).where(Team.id == team_id, Team.force_id == force_id)
    ).first()
    if team is None:
        return None
    contacts = contact_details(email=team.email, telephone=team.telephone, mobile=team.mobile)
    return [
        {
            "contact_details": dict(contacts),
            "description": html_text(calendar.description_text(m, MEETING_TYPES.get(m.type))),
            "title": m.title,
            "address": calendar.location_text(m) or None,
            "type": EVENT_TYPES.get(m.type, "meeting"),
            "start_date": _local(m.starts_at),
            "end_date": _local(m.ends_at) if m.ends_at else None,
        }
        for m in engagement.api_events(session, team_id)
    ]


def _midnight(value) -> str | None:
    return None if value is None else f"{value.isoformat()}T00:00:00"


def get_priorities(session: Session, force_id: str, team_id: str) -> list[dict[str, Any]] | None:
    """Current priorities, latest agreed first, each with its latest action (police.uk gives one)."""
    if not team_exists(session, force_id, team_id):
        return None
    found = []
    for p in engagement.api_priorities(session, team_id):
        latest = max(p.actions, key=lambda a: (a.acted_on, a.id)) if p.actions else None
        action = None
        if latest is not None:
            action = latest.description + (f"\n\nResult: {latest.result}" if latest.result else "")
            action = html_text(f"{latest.actor}: {action}")
        issue = p.title + (f"\n\n{p.detail}" if p.detail else "")
        found.append(
            {
                "action": action,
                "issue-date": _midnight(p.agreed_on),
                "action-date": _midnight(latest.acted_on) if latest else None,
                "issue": html_text(issue),
            }
        )
    return found
