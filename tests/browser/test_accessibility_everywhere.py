"""axe-core on every HTML GET route of the app, with real parameters from the loaded database, and in the
states people meet: form errors shown, empty results, the 404 page, staff pages signed in (with errors).

The URL list is keyed by the app's own route table: a new HTML route without an entry here fails
`test_every_html_route_has_an_entry`, so it cannot ship unchecked."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select

from portal.models import AuditEntry, Meeting, Priority, SignInAttempt, StaffUser, TeamMember
from portal.models.contact import OutboxMessage, Submission
from portal.models.engagement import TeamUpdate
from portal.models.staff import FORCE_ADMIN
from portal.queries import staff as staff_queries
from portal.queries.contact import token_digest
from tests.browser.axe import assert_accessible
from tests.test_outbox import make_submission

TEAM = "E05011237"  # Chadwell: the demo content (members, meetings, priorities, updates)
REAL = "E05014058"  # Chadwell Heath: the real police.uk record, no meetings recorded
BOROUGH = "E09000002"  # Barking and Dagenham
PASSWORD = "kettle harbour violet lantern"
NOT_HTML = (".json", ".csv", ".ics", ".atom", ".jpg", ".xml", ".geojson")
NOT_PAGES = {"/healthz"}  # the load balancer's health check answers JSON


def html_route_paths(app) -> set[str]:
    """Every GET route path of the app that answers with an HTML page (by its template, e.g.
    `/teams/{code}/meetings/{id:int}`)."""
    from starlette.routing import Mount, Route

    def walk(routes, prefix=""):
        for route in routes:
            if isinstance(route, Mount):
                if route.path != "/static":
                    yield from walk(route.routes or [], prefix + route.path)
            elif isinstance(route, Route) and "GET" in (route.methods or {"GET"}):
                yield prefix + route.path

    paths = set()
    for path in walk(app.routes):
        if path.endswith(NOT_HTML) or path in NOT_PAGES or (path.startswith("/api/") and path != "/api/"):
            continue  # data for software, not pages (the API answers JSON)
        paths.add(path)
    return paths


# Route path → the resident-side URLs checked on it; `{x}` fields are filled from the database (`ids`).
PUBLIC: dict[str, list[str]] = {
    "/": ["/"],
    "/find": ["/find?q=RM6+4A", "/find?q=RM6", "/find?q=xyzzyqwv", "/find?q=SW1A+9ZZ"],
    "/search": ["/search", "/search?q=", "/search?q=xyzzyqwv", "/search?q=ward+panel"],
    "/map": ["/map"],
    "/teams": ["/teams"],
    "/boroughs": ["/boroughs"],
    "/crime": ["/crime"],
    "/pledge": ["/pledge"],
    "/pledge/indicators": ["/pledge/indicators"],
    "/pledge/indicators/{indicator}": ["/pledge/indicators/P7-MEETING-MONTHLY"],
    "/accessibility": ["/accessibility"],
    "/teams/{code}": [f"/teams/{TEAM}", f"/teams/{REAL}", "/teams/E05000347"],
    "/teams/{code}/meetings": [f"/teams/{TEAM}/meetings", f"/teams/{REAL}/meetings"],  # REAL: none
    "/teams/{code}/meetings/{id:int}": [f"/teams/{TEAM}/meetings/{{meeting}}"],
    "/teams/{code}/priorities": [f"/teams/{TEAM}/priorities", f"/teams/{REAL}/priorities"],
    "/teams/{code}/priorities/{id:int}": [f"/teams/{TEAM}/priorities/{{priority}}"],
    "/teams/{code}/you-said-we-did": [f"/teams/{TEAM}/you-said-we-did"],
    "/teams/{code}/updates": [f"/teams/{TEAM}/updates", f"/teams/{REAL}/updates"],
    "/teams/{code}/crime": [f"/teams/{TEAM}/crime", f"/teams/{REAL}/crime?month=2019-03"],  # no data
    "/teams/{code}/pledge": [f"/teams/{TEAM}/pledge"],
    "/teams/{code}/pledge/{indicator}": [f"/teams/{TEAM}/pledge/P7-MEETING-MONTHLY"],
    "/boroughs/{code}": [f"/boroughs/{BOROUGH}"],
    "/boroughs/{code}/crime": [f"/boroughs/{BOROUGH}/crime"],
    "/boroughs/{code}/pledge": [f"/boroughs/{BOROUGH}/pledge"],
    "/boroughs/{code}/pledge/{indicator}": [f"/boroughs/{BOROUGH}/pledge/P7-MEETING-MONTHLY"],
    "/contact/figures": ["/contact/figures"],
    "/contact/team/{code}": [f"/contact/team/{REAL}"],
    "/contact/problem": ["/contact/problem"],
    "/contact/sent/{token}": ["/contact/sent/{token}", "/contact/sent/no-such-token"],  # and its 404
    "/contact/status/{token}": ["/contact/status/{token}"],
    "/api/": ["/api/"],
    "/about/data": ["/about/data"],
    "/staff/sign-in": ["/staff/sign-in"],
}

# Staff pages, checked signed in as a force administrator.
STAFF: dict[str, list[str]] = {
    "/staff/": ["/staff/"],
    "/staff/password": ["/staff/password"],
    "/staff/teams/{code}": [f"/staff/teams/{TEAM}"],
    "/staff/teams/{code}/details": [f"/staff/teams/{TEAM}/details"],
    "/staff/teams/{code}/members": [f"/staff/teams/{TEAM}/members"],
    "/staff/teams/{code}/members/add": [f"/staff/teams/{TEAM}/members/add"],
    "/staff/teams/{code}/members/{member_id:int}": [f"/staff/teams/{TEAM}/members/{{member}}"],
    "/staff/teams/{code}/members/{member_id:int}/remove": [f"/staff/teams/{TEAM}/members/{{member}}/remove"],
    "/staff/teams/{code}/base": [f"/staff/teams/{TEAM}/base"],
    "/staff/teams/{code}/meetings": [f"/staff/teams/{TEAM}/meetings"],
    "/staff/teams/{code}/meetings/new": [f"/staff/teams/{TEAM}/meetings/new"],
    "/staff/teams/{code}/meetings/{id:int}": [f"/staff/teams/{TEAM}/meetings/{{meeting}}"],
    "/staff/teams/{code}/meetings/{id:int}/cancel": [f"/staff/teams/{TEAM}/meetings/{{meeting}}/cancel"],
    "/staff/teams/{code}/meetings/{id:int}/minutes": [f"/staff/teams/{TEAM}/meetings/{{meeting}}/minutes"],
    "/staff/teams/{code}/priorities": [f"/staff/teams/{TEAM}/priorities"],
    "/staff/teams/{code}/priorities/new": [f"/staff/teams/{TEAM}/priorities/new"],
    "/staff/teams/{code}/priorities/{id:int}": [f"/staff/teams/{TEAM}/priorities/{{priority}}"],
    "/staff/teams/{code}/priorities/{id:int}/review": [f"/staff/teams/{TEAM}/priorities/{{priority}}/review"],
    "/staff/teams/{code}/priorities/{id:int}/actions": [
        f"/staff/teams/{TEAM}/priorities/{{priority}}/actions"
    ],
    "/staff/teams/{code}/priorities/{id:int}/status": [f"/staff/teams/{TEAM}/priorities/{{priority}}/status"],
    "/staff/teams/{code}/updates": [f"/staff/teams/{TEAM}/updates"],
    "/staff/teams/{code}/updates/new": [f"/staff/teams/{TEAM}/updates/new"],
    "/staff/teams/{code}/updates/{id:int}": [f"/staff/teams/{TEAM}/updates/{{update}}"],
    "/staff/teams/{code}/updates/{id:int}/preview": [f"/staff/teams/{TEAM}/updates/{{update}}/preview"],
    "/staff/teams/{code}/updates/{id:int}/delete": [f"/staff/teams/{TEAM}/updates/{{update}}/delete"],
    "/staff/users": ["/staff/users"],
    "/staff/users/new": ["/staff/users/new"],
    "/staff/users/{id:int}": ["/staff/users/{user}"],
    "/staff/audit": ["/staff/audit"],
    "/staff/teams/{code}/explanations": [f"/staff/teams/{TEAM}/explanations"],
    "/staff/teams/{code}/explanations/{indicator}/{month}": [f"link:/staff/teams/{TEAM}/explanations"],
    "/staff/boroughs/{code}/explanations": [f"/staff/boroughs/{BOROUGH}/explanations"],
    "/staff/boroughs/{code}/explanations/{indicator}/{month}": [
        f"link:/staff/boroughs/{BOROUGH}/explanations"
    ],
    "/staff/london/explanations": ["/staff/london/explanations"],
    "/staff/london/explanations/{indicator}/{month}": ["link:/staff/london/explanations"],
    "/staff/inbox": ["/staff/inbox"],
    "/staff/inbox/{submission_id:int}": ["/staff/inbox/{submission}"],
}


def test_every_html_route_has_an_entry(app):
    missing = html_route_paths(app) - set(PUBLIC) - set(STAFF)
    assert not missing, f"pages with no accessibility check: add them to PUBLIC or STAFF: {sorted(missing)}"
    stale = (set(PUBLIC) | set(STAFF)) - html_route_paths(app)
    assert not stale, f"entries for routes that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def ids(loaded_db, live_server) -> Iterator[dict]:
    """Real ids from the loaded database, plus a force administrator and a message with its status link
    (both removed afterwards)."""
    email = f"a11y-{uuid.uuid4().hex[:8]}@example.org"
    token = secrets.token_urlsafe(32)
    with loaded_db.sessions.begin() as session:
        found = {
            "meeting": session.scalar(select(Meeting.id).where(Meeting.team_id == TEAM).limit(1)),
            "priority": session.scalar(select(Priority.id).where(Priority.team_id == TEAM).limit(1)),
            "update": session.scalar(select(TeamUpdate.id).where(TeamUpdate.team_id == TEAM).limit(1)),
            "member": session.scalar(select(TeamMember.id).where(TeamMember.team_id == TEAM).limit(1)),
        }
        assert all(found.values()), f"the demo team lacks some content: {found}"
        user = staff_queries.create_user(
            session, email=email, name="Axe Tester", password=PASSWORD, role=FORCE_ADMIN
        )
        submission = make_submission(
            session, team_id=REAL, reference=f"SNT-2098-{secrets.randbelow(10**6):06d}"
        )
        submission.status_token_hash = token_digest(token)
        session.flush()
        found |= {"user": user.id, "submission": submission.id, "token": token, "email": email}
    try:
        yield found
    finally:
        with loaded_db.sessions.begin() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id == found["submission"]))
            session.execute(delete(Submission).where(Submission.id == found["submission"]))
            session.execute(delete(StaffUser).where(StaffUser.email == email))
            session.execute(delete(AuditEntry).where(AuditEntry.actor == email))
            session.execute(delete(SignInAttempt).where(SignInAttempt.email == email))
        time.sleep(1.2)


def fill(url: str, ids: dict) -> str:
    return url.format(**ids)


@pytest.fixture(scope="module")
def staff_page(browser, live_server, ids):
    """One signed-in browser context for all the staff pages."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto("/staff/sign-in")
    page.get_by_label("E-mail address").fill(ids["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/")
    yield page
    context.close()


def check(page, url: str) -> None:
    if url.startswith("link:"):  # a detail page reached from the first matching link on its list
        listing = url.removeprefix("link:")
        page.goto(listing)
        link = page.locator(f'main a[href^="{listing}/"]').first
        assert link.count(), f"{listing} links to no detail page"
        url = link.get_attribute("href")
    response = page.goto(url)
    assert response is not None and response.status < 500, url
    assert_accessible(page)


@pytest.mark.parametrize("route", sorted(PUBLIC))
def test_public_pages_have_no_wcag_violations(page, ids, route):
    for url in PUBLIC[route]:
        check(page, fill(url, ids))


@pytest.mark.parametrize("route", sorted(STAFF))
def test_staff_pages_have_no_wcag_violations(staff_page, ids, route):
    for url in STAFF[route]:
        check(staff_page, fill(url, ids))


def test_the_404_page(page):
    response = page.goto("/teams/E05999999")
    assert response.status == 404
    assert_accessible(page)


def test_contact_form_with_its_errors_shown(page):
    page.goto(f"/contact/team/{REAL}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_accessible(page)


def test_problem_form_with_its_errors_shown(page):
    page.goto("/contact/problem")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_accessible(page)


def test_sign_in_with_its_error_shown(page):
    page.goto("/staff/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize(
    "form", [f"/staff/teams/{TEAM}/meetings/new", f"/staff/teams/{TEAM}/priorities/new", "/staff/users/new"]
)
def test_staff_edit_forms_with_their_errors_shown(staff_page, form):
    staff_page.goto(form)
    staff_page.locator("main form button[type=submit]").first.click()
    staff_page.wait_for_load_state()
    assert staff_page.locator(".govuk-error-summary").count() == 1, form
    assert_accessible(staff_page)
