"""Staff pages under /staff: sign in and out, the dashboard, a team's staff overview, its details form and
changing one's own password. Other staff forms live in staff_* modules and follow the same pattern:

    GET  shows the form with what is saved (and the item's version in a hidden field);
    POST `checked_form` (CSRF) → validate → on errors, the form again with an error summary, what was typed
         kept, status 400 → else save through `portal.queries.staff_edits` in one transaction (permission,
         version check, audit, content change) → 303 to the overview with a "saved" message.

Staff pages are never cached (`staff_only` sets no-store) and never indexed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import NoMatchFound, Route

from portal.db import session_scope
from portal.queries import staff as staff_queries
from portal.queries import staff_edits
from portal.queries.staff import Staff
from portal.routes import content_changed
from portal.security import (
    checked_form,
    clear_session_cookie,
    current_staff,
    renew_csrf,
    safe_next,
    session_token,
    set_session_cookie,
    staff_only,
)
from portal.templating import respond

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9 +()\-]{6,40}$")
MAX_DESCRIPTION = 5000

SAVED_MESSAGES = {
    "details": "The team's details have been saved and are on the public page now.",
    "password": "Your password has been changed. Other places you were signed in have been signed out.",
}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def run_db(request: Request, work: Callable[[Any], Any]) -> Any:
    """Run `work(session)` in one transaction in a worker thread (callers await it)."""

    def job():
        with session_scope(request.app.state.sessions) as session:
            return work(session)

    return run_in_threadpool(job)


async def guarded(request: Request, work: Callable[[Any], Any]) -> Any:
    """`run_db`, with the edit rules' exceptions turned into the right HTTP errors."""
    try:
        return await run_db(request, work)
    except staff_edits.NotFound as error:
        raise HTTPException(404, str(error)) from None
    except staff_edits.Forbidden as error:
        raise HTTPException(403, str(error)) from None
    except StaleDataError:  # two saves raced past the version check together: the later one loses
        raise HTTPException(409, staff_edits.CONFLICT_MESSAGE) from None


async def published(request: Request, team_id: str | None = None) -> None:
    """After a change to published content has committed: cached pages refresh now, and this node's
    search index takes in the change (other nodes' indexes within SEARCH_SYNC_SECONDS)."""
    await content_changed(request)


def page(
    request: Request, template: str, context: dict[str, Any], staff: Staff, status: int = 200
) -> Response:
    """A staff page: always HTML (staff forms have no JSON twin), never indexed."""
    context = {"staff": staff.as_dict(), **context}
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, context, status_code=status, headers={"x-robots-tag": "noindex"}
    )


def saved_message(request: Request) -> str | None:
    return SAVED_MESSAGES.get(request.query_params.get("saved", ""))


def overview_url(request: Request, code: str, saved: str | None = None) -> str:
    url = str(request.app.url_path_for("staff:team", code=code))
    return f"{url}?saved={saved}" if saved else url


# -- signing in and out --------------------------------------------------------------------------------


async def sign_in(request: Request) -> Response:
    default = str(request.app.url_path_for("staff:dashboard"))
    target = safe_next(request.query_params.get("next"), default)
    if request.method == "GET":
        if await current_staff(request) is not None:
            return RedirectResponse(target, status_code=303)
        context = {
            "email": "",
            "errors": {},
            "next": target,
            "signed_out": "signed-out" in request.query_params,
        }
        return respond(request, "staff/sign_in.html", context, headers={"cache-control": "no-store"})
    form = await checked_form(request)
    email, password = str(form.get("email", ""))[:254], str(form.get("password", ""))[:1000]
    target = safe_next(str(form.get("next", "")), default)
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your e-mail address"
    if not password:
        errors["password"] = "Enter your password"  # noqa: S105 - a message, not a password
    if not errors:
        policy = request.app.state.staff_policy
        result = await run_db(
            request,
            lambda s: staff_queries.sign_in(
                s,
                email,
                password,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                policy=policy,
            ),
        )
        if result.ok:
            response = RedirectResponse(target, status_code=303)
            set_session_cookie(request, response, result.token)
            renew_csrf(request, response)
            return response
        errors["email"] = result.message
    context = {"email": email, "errors": errors, "next": target, "signed_out": False}
    status = 429 if "Too many" in errors.get("email", "") else 400
    return respond(
        request, "staff/sign_in.html", context, status_code=status, headers={"cache-control": "no-store"}
    )


async def sign_out(request: Request) -> Response:
    await checked_form(request)
    token = session_token(request)
    await run_db(request, lambda s: staff_queries.sign_out(s, token))
    response = RedirectResponse(
        str(request.app.url_path_for("staff:sign_in")) + "?signed-out", status_code=303
    )
    clear_session_cookie(request, response)
    renew_csrf(request, response)
    return response


# -- dashboard -----------------------------------------------------------------------------------------


@staff_only
async def dashboard(request: Request, staff: Staff) -> Response:
    """The teams this person keeps current, each with what needs attention and a link to fix it."""
    from portal.queries.staff_admin import stale_items
    from portal.routes.pledge import computed_for
    from portal.routes.staff_admin import stale_url

    def load(session):
        teams = staff_queries.editable_teams(session, staff)
        # the scorecard's computed figures, shared with the public pages (once per content version)
        stale = stale_items(session, [t["id"] for t in teams], computed=computed_for(request, session))
        return teams, stale

    teams, stale = await run_db(request, load)
    for team in teams:
        team["url"] = request.app.url_path_for("staff:team", code=team["id"])
        team["stale"] = [{**item, "url": stale_url(request, team["id"], item)} for item in stale[team["id"]]]
    return page(request, "staff/dashboard.html", {"teams": teams}, staff)


@staff_only
async def team_overview(request: Request, staff: Staff) -> Response:
    code = request.path_params["code"].upper()[:20]

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return {"team": {"id": team.id, "name": team.name, "demo": team.is_demo}}

    context = await guarded(request, load)
    context["saved"] = saved_message(request)
    context["urls"] = {"public": request.app.url_path_for("teams:team", code=code)}
    context["sections"] = team_sections(request, code)
    return page(request, "staff/team.html", context, staff)


# What staff can keep current for a team, in the order the overview lists it: (route name, link text).
SECTIONS = (
    ("staff:details", 'Team details, "how to work with us" and contacts'),
    ("staff:base", "Where the team is based"),
    ("staff:members", "Team members"),
    ("staff:meetings", "Meetings: add, cancel, minutes and attendance"),
    ("staff:priorities", "Priorities: agree, review, record actions and close"),
    ("staff:updates", "Updates: write, preview and publish"),
    ("staff:explanations", "Pledge scorecard: explain missed targets"),
)


def team_sections(request: Request, code: str) -> list[dict[str, str]]:
    """The overview's links, for the sections whose routes exist."""
    found = []
    for name, title in SECTIONS:
        try:
            found.append({"title": title, "url": str(request.app.url_path_for(name, code=code))})
        except NoMatchFound:
            continue
    return found


# -- team details --------------------------------------------------------------------------------------


def validate_details(form) -> tuple[dict[str, str], dict[str, str]]:
    values = {
        "description": str(form.get("description", "")).strip(),
        "email": str(form.get("email", "")).strip(),
        "telephone": str(form.get("telephone", "")).strip(),
        "mobile": str(form.get("mobile", "")).strip(),
    }
    errors = {}
    if len(values["description"]) > MAX_DESCRIPTION:
        errors["description"] = f"'How to work with us' must be {MAX_DESCRIPTION:,} characters or fewer"
    if values["email"] and (len(values["email"]) > 200 or not EMAIL.match(values["email"])):
        errors["email"] = "Enter an e-mail address in the correct format, like ward.snt@met.police.uk"
    for field, label in (("telephone", "telephone"), ("mobile", "mobile")):
        if values[field] and not PHONE.match(values[field]):
            errors[field] = f"Enter a {label} number, like 020 7230 1212"
    if not (values["email"] or values["telephone"] or values["mobile"]):
        errors["email"] = "Give at least one way to contact the team: an e-mail address or a phone number"
    return values, errors


@staff_only
async def details(request: Request, staff: Staff) -> Response:
    code = request.path_params["code"].upper()[:20]

    def load(session):
        team = staff_edits.guard_team(session, staff, code)
        return {"team": {"id": team.id, "name": team.name}}, staff_edits.team_details(team)

    header, saved = await guarded(request, load)
    context = {**header, "values": saved, "errors": {}, "conflict": None}
    context["urls"] = {"overview": overview_url(request, code)}
    if request.method == "GET":
        return page(request, "staff/details.html", context, staff)
    form = await checked_form(request)
    values, errors = validate_details(form)
    values["version"] = str(form.get("version", ""))
    context["values"] = values
    if errors:
        context["errors"] = errors
        return page(request, "staff/details.html", context, staff, status=400)
    try:
        await guarded(
            request, lambda s: staff_edits.save_team_details(s, staff, code, values, values["version"])
        )
    except staff_edits.Conflict as conflict:
        context["conflict"] = {"message": staff_edits.CONFLICT_MESSAGE, "current": conflict.current}
        context["values"]["version"] = conflict.current["version"]
        return page(request, "staff/details.html", context, staff, status=409)
    await published(request, code)
    return RedirectResponse(overview_url(request, code, "details"), status_code=303)


# -- own password --------------------------------------------------------------------------------------


@staff_only
async def password(request: Request, staff: Staff) -> Response:
    context: dict[str, Any] = {"errors": {}}
    if request.method == "GET":
        return page(request, "staff/password.html", context, staff)
    form = await checked_form(request)
    current, new, again = (str(form.get(k, ""))[:1000] for k in ("current", "new", "confirm"))

    def change(session):
        from portal.models import StaffUser
        from portal.services import auth

        user = session.get(StaffUser, staff.id)
        if not auth.verify_password(user.password_hash, current)[0]:
            return {"current": "Your current password is not right"}
        if new != again:
            return {"confirm": "The two new passwords are not the same"}
        try:
            staff_queries.set_password(session, user, new, actor=staff)
        except staff_queries.AccountProblem as problem:
            return {"new": problem.problems["password"]}
        return {}

    errors = await run_db(request, change)
    if errors:
        context["errors"] = errors
        return page(request, "staff/password.html", context, staff, status=400)
    return RedirectResponse(
        str(request.app.url_path_for("staff:dashboard")) + "?saved=password", status_code=303
    )


routes = [
    Route("/sign-in", sign_in, methods=["GET", "POST"], name="sign_in"),
    Route("/sign-out", sign_out, methods=["POST"], name="sign_out"),
    Route("/", dashboard, name="dashboard"),
    Route("/password", password, methods=["GET", "POST"], name="password"),
    Route("/teams/{code}", team_overview, name="team"),
    Route("/teams/{code}/details", details, methods=["GET", "POST"], name="details"),
]
