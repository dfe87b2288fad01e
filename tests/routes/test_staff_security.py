"""Every staff route × every role × a team, borough or item it may or may not touch: 403 wherever the role
does not allow it, for GET and POST alike; every state-changing staff form refused without its CSRF token;
anonymous visitors sent to sign in; and script payloads in every stored text field come out inert on the
public and staff pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from portal.app import create_app
from portal.db import session_scope
from portal.models import (
    Explanation,
    Meeting,
    Priority,
    PriorityAction,
    StaffUser,
    Team,
    TeamLocation,
    TeamMember,
    TeamUpdate,
)
from tests.factories import indicator, pledge_point
from tests.staff_helpers import (
    ACCOUNTS,
    ALPHA,
    BRAVO,
    CAMDEN,
    DELTA,
    WESTMINSTER,
    create_accounts,
    csrf_from,
    load_staff_areas,
    sign_in,
)
from tests.test_outbox import make_submission

TEAM_BOROUGH = {ALPHA: WESTMINSTER, BRAVO: WESTMINSTER, DELTA: CAMDEN}
ROLES = ("editor", "borough", "force")


def staff_routes(app) -> list[Route]:
    mount = next(r for r in app.routes if isinstance(r, Mount) and r.name == "staff")
    return [r for r in mount.routes if isinstance(r, Route)]


def _items(db) -> dict[str, dict[str, int]]:
    """One member, past meeting, priority and draft update per team: {team: {kind: id}}."""
    now = datetime.now(UTC).replace(tzinfo=None)
    found: dict[str, dict[str, int]] = {}
    with session_scope(db.sessions) as session:
        for team in TEAM_BOROUGH:
            member = TeamMember(team_id=team, name="PC Item", rank="PC", position=0)
            meeting = Meeting(
                uid=f"security-{team}",
                team_id=team,
                type="ward_panel",
                title="Ward panel",
                starts_at=now - timedelta(days=3),
                ends_at=now - timedelta(days=3, hours=-1),
            )
            priority = Priority(
                team_id=team,
                title="Speeding",
                agreed_on=date.today() - timedelta(days=30),
                agreed_how="meeting",
                review_on=date.today() + timedelta(days=60),
            )
            update = TeamUpdate(team_id=team, title="Draft", body="Body", status="draft")
            session.add_all([member, meeting, priority, update])
            session.flush()
            submission = make_submission(session, team_id=team, borough_code=TEAM_BOROUGH[team])
            session.flush()
            found[team] = {
                "member": member.id,
                "meeting": meeting.id,
                "priority": priority.id,
                "update": update.id,
                "submission": submission.id,
            }
        found["users"] = {
            k: session.scalar(select(StaffUser.id).where(StaffUser.email == a["email"]))
            for k, a in ACCOUNTS.items()
        }
    return found


@pytest.fixture
def world(empty_db, tmp_path) -> Iterator[tuple[TestClient, dict]]:
    load_staff_areas(empty_db, tmp_path)
    create_accounts(empty_db)
    items = _items(empty_db)
    with TestClient(create_app(empty_db.settings(warm_caches=False)), follow_redirects=False) as client:
        yield client, items


def fill(route: Route, items: dict, team: str, borough: str) -> str:
    """A concrete path for the route, about `team` (or `borough`), with an item of that team."""
    path = route.path
    kind = next((k for k in ("meeting", "priorit", "update", "member", "user") if f"/{k}" in path), None)
    if "{submission_id" in path:
        path = re.sub(r"\{submission_id(:int)?\}", str(items[team]["submission"]), path)
    if "{member_id" in path:
        path = re.sub(r"\{member_id(:int)?\}", str(items[team]["member"]), path)
    if "{id" in path:
        if kind == "user":
            ident = items["users"]["editor"]
        else:
            ident = items[team]["priority" if kind == "priorit" else kind]
        path = re.sub(r"\{id(:int)?\}", str(ident), path)
    path = path.replace("{indicator}", "P7-MEETING-MONTHLY").replace("{month}", "2026-01")
    code = borough if path.startswith("/boroughs/") else team
    return "/staff" + path.replace("{code}", code)


def allowed(role: str, path: str, team: str, borough: str) -> bool:
    path = path.removeprefix("/staff")
    if path.startswith("/users"):
        return role == "force"
    if path.startswith("/audit"):
        return role in ("borough", "force")
    if path.startswith("/london"):
        return role == "force"
    if path.startswith("/boroughs/"):
        return role == "force" or (role == "borough" and borough == WESTMINSTER)
    if path.startswith(("/teams/", "/inbox/")):
        return (
            role == "force"
            or (role == "borough" and TEAM_BOROUGH[team] == WESTMINSTER)
            or (role == "editor" and team == ALPHA)
        )
    return True


OPEN_TO_ANYONE = {"/sign-in"}


def test_the_role_matrix_covers_every_staff_route(world):
    client, items = world
    routes = staff_routes(client.app)
    assert len(routes) >= 40, "every staff route is walked below"
    checked = 0
    for role in ROLES:
        client.cookies.clear()
        assert sign_in(client, role).status_code == 303
        token = csrf_from(client.get("/staff/password"))
        for route in routes:
            if route.path in OPEN_TO_ANYONE or route.path == "/sign-out":
                continue
            for team, borough in ((ALPHA, WESTMINSTER), (BRAVO, WESTMINSTER), (DELTA, CAMDEN)):
                path = fill(route, items, team, borough)
                may = allowed(role, path, team, borough)
                for method in sorted(route.methods - {"HEAD"}):
                    if method == "GET":
                        response = client.get(path)
                    else:
                        response = client.post(path, data={"csrf_token": token})
                    checked += 1
                    where = f"{role} {method} {path}"
                    assert response.status_code != 500, where
                    # Another team's inbox item is not even said to exist (404); everything else is 403.
                    denied = {403, 404} if "/inbox/" in path else {403}
                    if may:
                        assert response.status_code not in denied, where
                    else:
                        assert response.status_code in denied, f"{where}: {response.status_code}"
    assert checked > 500


def test_anonymous_visitors_are_sent_to_sign_in_and_cannot_post(world):
    client, items = world
    for route in staff_routes(client.app):
        if route.path in OPEN_TO_ANYONE:
            continue
        path = fill(route, items, ALPHA, WESTMINSTER)
        if "GET" in route.methods:
            response = client.get(path)
            assert response.status_code == 303 and "/staff/sign-in?next=" in response.headers["location"], (
                path
            )
        if "POST" in route.methods and route.path != "/sign-out":
            token = csrf_from(client.get("/staff/sign-in"))
            assert client.post(path, data={"csrf_token": token}).status_code == 401, path


def test_every_staff_form_refuses_a_post_without_its_csrf_token(world):
    client, items = world
    assert sign_in(client, "force").status_code == 303
    posted = 0
    for route in staff_routes(client.app):
        if "POST" not in route.methods:
            continue
        path = fill(route, items, ALPHA, WESTMINSTER)
        for data in ({}, {"csrf_token": "forged-token"}):
            response = client.post(path, data=data)
            assert response.status_code == 403, f"POST {path} without a valid token: {response.status_code}"
            posted += 1
    assert posted >= 40
    assert client.get("/staff/").status_code == 200  # still signed in: nothing above signed out


PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    '" onmouseover="alert(1)',
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
]
PAYLOAD = " ".join(PAYLOADS)


class LiveMarkup(HTMLParser):
    """What a browser would run: event-handler attributes, javascript: links, iframes, and scripts that
    carry the payload (the pages' own map scripts do not)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


def live_markup(body: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(body)
    parser.close()
    return parser.found


HTML_FIELDS = {"description", "bio", "issue", "action"}


def html_fields(value) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in HTML_FIELDS and isinstance(v, str)]
        return found + [x for v in value.values() for x in html_fields(v)]
    if isinstance(value, list):
        return [x for v in value for x in html_fields(v)]
    return []


def test_script_payloads_in_every_text_field_are_inert_on_every_page(world):
    client, items = world
    alpha = items[ALPHA]
    with session_scope(client.app.state.sessions) as session:
        session.add(pledge_point(7))
        session.flush()
        session.add(
            indicator("P7-MEETING-MONTHLY", 7, source="portal", levels="force,borough,team", target=100.0)
        )
        session.flush()
        team = session.get(Team, ALPHA)
        team.description, team.content_source = PAYLOAD, "staff"
        member = session.get(TeamMember, alpha["member"])
        member.name, member.role, member.bio = "PC " + PAYLOADS[0], PAYLOAD[:120], PAYLOAD
        session.add(
            TeamLocation(
                team_id=ALPHA,
                position=0,
                type="station",
                name=PAYLOAD,
                address=PAYLOAD,
                opening=PAYLOAD,
                description=PAYLOAD,
            )
        )
        meeting = session.get(Meeting, alpha["meeting"])
        for field in (
            "title",
            "venue_name",
            "venue_address",
            "access_notes",
            "attendees",
            "how_to_join",
            "minutes",
        ):
            setattr(meeting, field, PAYLOAD[:200] if field in ("title", "venue_name") else PAYLOAD)
        priority = session.get(Priority, alpha["priority"])
        for field in ("title", "place"):
            setattr(priority, field, PAYLOAD[:200])
        for field in ("detail", "raised", "agreed_note", "outcome"):
            setattr(priority, field, PAYLOAD)
        session.add(
            PriorityAction(
                priority_id=priority.id,
                acted_on=date.today(),
                actor=PAYLOAD[:120],
                description=PAYLOAD,
                result=PAYLOAD,
            )
        )
        update = session.get(TeamUpdate, alpha["update"])
        update.title, update.body, update.results = PAYLOAD[:200], PAYLOAD, PAYLOAD
        update.status, update.published_at = (
            "published",
            datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1),
        )
        last_month = date.today().replace(day=1) - timedelta(days=1)
        session.add(
            Explanation(
                indicator_code="P7-MEETING-MONTHLY",
                area_code=ALPHA,
                month=last_month.replace(day=1),
                reason=PAYLOAD,
                action=PAYLOAD,
                recorded_by=PAYLOAD[:120],
            )
        )
    client.app.state.page_cache.changed()
    public = [
        f"/teams/{ALPHA}",
        f"/teams/{ALPHA}/meetings",
        f"/teams/{ALPHA}/meetings/{alpha['meeting']}",
        f"/teams/{ALPHA}/priorities",
        f"/teams/{ALPHA}/priorities/{alpha['priority']}",
        f"/teams/{ALPHA}/you-said-we-did",
        f"/teams/{ALPHA}/updates",
        f"/teams/{ALPHA}/updates.atom",
        f"/teams/{ALPHA}/pledge",
        f"/teams/{ALPHA}/pledge/P7-MEETING-MONTHLY",
        f"/api/metropolitan/{ALPHA}",
        f"/api/metropolitan/{ALPHA}/people",
        f"/api/metropolitan/{ALPHA}/priorities",
        f"/api/metropolitan/{ALPHA}/events",
    ]
    assert sign_in(client, "editor").status_code == 303
    staff = [
        f"/staff/teams/{ALPHA}/details",
        f"/staff/teams/{ALPHA}/members",
        f"/staff/teams/{ALPHA}/members/{alpha['member']}",
        f"/staff/teams/{ALPHA}/base",
        f"/staff/teams/{ALPHA}/meetings",
        f"/staff/teams/{ALPHA}/meetings/{alpha['meeting']}",
        f"/staff/teams/{ALPHA}/priorities",
        f"/staff/teams/{ALPHA}/priorities/{alpha['priority']}",
        f"/staff/teams/{ALPHA}/updates",
        f"/staff/teams/{ALPHA}/updates/{alpha['update']}",
        f"/staff/teams/{ALPHA}/updates/{alpha['update']}/preview",
        f"/staff/teams/{ALPHA}/explanations",
    ]
    shown = 0
    for path in public + staff:
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        body = response.text
        if response.headers["content-type"].startswith("application/json"):
            # JSON strings are data, not markup, except the fields police.uk defines as HTML.
            body = "\n".join(html_fields(response.json()))
        assert live_markup(body) == [], path
        shown += "alert" in body  # the payload is shown, as text
    assert shown >= len(public + staff) - 2
