"""Public contact pages under /contact: a message to a team (Pledge point 4), a report of dissatisfaction
(point 10), the confirmation after either, and the status page with its 24-hour clock.

    GET  the form, with a fresh idempotency key (one submission per form load) and the CSRF field;
    POST `checked_form` (CSRF) → honeypot → validate (errors: the form again, GOV.UK error summary, what was
         typed kept, 400) → `queries.contact.submit` in one transaction (over a rate limit: 429 with why)
         → 303 to /contact/sent/{token}, so a reload shows the confirmation again and sends nothing.

These pages are never cached and never indexed; the ones with a token in their address send no Referer.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import date
from typing import Any

from sqlalchemy import select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal.db import database_unavailable
from portal.models import Borough, Team
from portal.models.contact import (
    CONTACT_BY,
    DISSATISFACTION,
    DISSATISFACTION_CATEGORIES,
    MESSAGE,
    MESSAGE_TOPICS,
)
from portal.queries import contact as queries
from portal.routes.staff import client_ip, run_db
from portal.security import checked_form
from portal.templating import respond

log = logging.getLogger("portal.contact")

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9 +()\-]{6,40}$")
KEY = re.compile(r"^[A-Za-z0-9_\-]{16,64}$")
MAX_BODY, MAX_NAME, MAX_PLACE, MAX_EMAIL = 5000, 120, 200, 254
HONEYPOT = "website"
NO_STORE = {"cache-control": "no-store", "x-robots-tag": "noindex"}
PRIVATE = {**NO_STORE, "referrer-policy": "no-referrer"}
LEAVE_URL = "https://www.bbc.co.uk/weather"
FIELDS = (
    "category",
    "team",
    "borough",
    "body",
    "happened-day",
    "happened-month",
    "happened-year",
    "place",
    "name",
    "email",
    "phone",
    "contact_by",
)


def _team(session, code: str) -> dict[str, Any] | None:
    team = session.get(Team, code)
    if team is None:
        return None
    return {"id": team.id, "name": team.name, "borough_code": team.borough_code}


def _choices(session) -> dict[str, Any]:
    """The problem form's selects: boroughs, and teams grouped by borough."""
    boroughs = {code: name for code, name in session.execute(select(Borough.code, Borough.name))}
    rows = session.execute(select(Team.id, Team.name, Team.borough_code).order_by(Team.name)).all()
    groups: dict[str, list[dict[str, str]]] = {}
    for team_id, name, borough_code in rows:
        groups.setdefault(borough_code, []).append({"id": team_id, "name": name})
    used = sorted((boroughs.get(code, code), code) for code in groups)
    return {
        "boroughs": [{"code": code, "name": name} for name, code in used],
        "team_groups": [{"borough": name, "teams": groups[code]} for name, code in used],
        "team_ids": {team_id for team_id, _, _ in rows},
    }


def _new_values() -> dict[str, str]:
    return {field: "" for field in FIELDS} | {"idempotency_key": secrets.token_urlsafe(24), "consent": ""}


def _typed(form) -> dict[str, str]:
    values = {field: str(form.get(field, "")).strip() for field in FIELDS}
    values["body"] = str(form.get("body", "")).strip()
    values["consent"] = "yes" if form.get("consent") == "yes" else ""
    key = str(form.get("idempotency_key", ""))
    values["idempotency_key"] = key if KEY.match(key) else secrets.token_urlsafe(24)
    return values


def _happened_on(values: dict[str, str]) -> tuple[date | None, str | None]:
    parts = [values["happened-day"], values["happened-month"], values["happened-year"]]
    if not any(parts):
        return None, None
    if not all(parts):
        return None, "Enter the whole date it happened, with a day, month and year, or leave it blank"
    try:
        day = date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None, "Enter a real date it happened, for example 27 3 2026"
    if day > date.today() or day.year < 2000:
        return None, "The date it happened must be today or in the past"
    return day, None


def validate(values: dict[str, str], kind: str, team_ids: set[str] | None = None, boroughs=()) -> dict:
    """Errors by field, in the order the form shows them."""
    errors: dict[str, str] = {}
    categories = MESSAGE_TOPICS if kind == MESSAGE else DISSATISFACTION_CATEGORIES
    if values["category"] not in categories:
        errors["category"] = (
            "Choose what your message is about" if kind == MESSAGE else "Choose what the problem was"
        )
    if kind == DISSATISFACTION:
        if values["team"] and values["team"] not in (team_ids or set()):
            errors["team"] = "Choose a team from the list, or leave it blank"
        if values["borough"] and values["borough"] not in {b["code"] for b in boroughs}:
            errors["borough"] = "Choose a borough from the list, or leave it blank"
    if not values["body"]:
        errors["body"] = "Enter your message" if kind == MESSAGE else "Enter what happened"
    elif len(values["body"]) > MAX_BODY:
        size = len(values["body"])
        errors["body"] = f"Your message must be {MAX_BODY:,} characters or fewer (it has {size:,})"
    _, date_error = _happened_on(values)
    if date_error:
        errors["happened-day"] = date_error
    if len(values["place"]) > MAX_PLACE:
        errors["place"] = f"The place must be {MAX_PLACE} characters or fewer"
    if len(values["name"]) > MAX_NAME:
        errors["name"] = f"Your name must be {MAX_NAME} characters or fewer"
    if values["email"] and (len(values["email"]) > MAX_EMAIL or not EMAIL.match(values["email"])):
        errors["email"] = "Enter an e-mail address in the correct format, like name@example.com"
    if values["phone"] and not PHONE.match(values["phone"]):
        errors["phone"] = "Enter a phone number, like 07700 900 982 or 020 7946 0000"
    contact_by = values["contact_by"]
    if contact_by not in CONTACT_BY:
        errors["contact_by"] = "Choose how you would like us to contact you, or that you do not want contact"
    elif contact_by == "email" and not values["email"] and "email" not in errors:
        errors["email"] = "Enter your e-mail address, so we can answer you by e-mail"
    elif contact_by == "phone" and not values["phone"] and "phone" not in errors:
        errors["phone"] = "Enter your phone number, so we can answer you by phone"
    if contact_by in ("email", "phone") and not values["consent"]:
        errors["consent"] = "Confirm that we may contact you, or choose that you do not want contact"
    return errors


def _page(
    request: Request,
    kind: str,
    context: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    template = "contact/message.html" if kind == MESSAGE else "contact/problem.html"
    context = {
        **context,
        "values": values,
        "errors": errors,
        "topics": MESSAGE_TOPICS if kind == MESSAGE else DISSATISFACTION_CATEGORIES,
        "contact_by": CONTACT_BY,
        "max_body": MAX_BODY,
        "honeypot": HONEYPOT,
        "leave_url": LEAVE_URL,
        "report_url": queries.REPORT_CRIME_URL,
        "complaint_url": queries.FORMAL_COMPLAINT_URL,
        "retention_days": request.app.state.settings.retention_days,
    }
    # CsrfMiddleware adds no-store itself when it sets a new cookie: do not say it twice
    headers = {"x-robots-tag": "noindex"} if request.scope["state"].get("csrf_new") else NO_STORE
    return respond(request, template, context, status_code=status, headers=headers)


def _refused_page(request: Request, status: int, title: str, message: str) -> Response:
    context = {"status": status, "title": title, "message": message}
    return respond(request, "errors/error.html", context, status_code=status, headers=NO_STORE)


async def _take(request: Request, kind: str, context: dict[str, Any], team_id: str | None, choices=None):
    form = await checked_form(request)
    if str(form.get(HONEYPOT, "")).strip():
        return _refused_page(
            request,
            400,
            "We could not accept this form",
            "Something in the form looked automated, so nothing was sent. Call 101 to contact the police.",
        )
    values = _typed(form)
    errors = validate(
        values,
        kind,
        choices["team_ids"] if choices else None,
        choices["boroughs"] if choices else (),
    )
    if errors:
        return _page(request, kind, context, values, errors, 400)
    happened_on, _ = _happened_on(values)
    settings = request.app.state.settings
    wants_contact = values["contact_by"] != "none"

    def work(session):
        _submission, token, _created = queries.submit(
            session,
            kind=kind,
            team_id=team_id or values["team"] or None,
            borough_code=values["borough"] or None,
            category=values["category"],
            body=values["body"],
            happened_on=happened_on,
            place=values["place"],
            name=values["name"],
            email=values["email"],
            phone=values["phone"],
            contact_by=values["contact_by"],
            consent=wants_contact and bool(values["consent"]),
            idempotency_key=values["idempotency_key"],
            ip=client_ip(request),
            settings=settings,
        )
        return token

    try:
        token = await run_db(request, work)
    except queries.Refused as refused:
        response = _page(request, kind, context, values, {"body": refused.message}, 429)
        response.headers["retry-after"] = str(refused.retry_after)
        return response
    except Exception as error:
        if database_unavailable(error):
            raise  # the 503 page: the transaction was rolled back, so nothing was kept
        log.exception("a %s could not be stored", kind)
        return _refused_page(
            request,
            500,
            "Sorry, your message was not sent",
            "Something went wrong while saving it, so nothing was kept and no reference was made. "
            "Go back and try again in a few minutes, or call 101. In an emergency, call 999.",
        )
    return RedirectResponse(request.app.url_path_for("contact:sent", token=token), status_code=303)


async def team_form(request: Request) -> Response:
    code = request.path_params["code"].upper()[:20]
    team = await run_db(request, lambda s: _team(s, code))
    if team is None:
        raise HTTPException(404, "There is no Safer Neighbourhood Team with that code.")
    context = {
        "team": team,
        "urls": {"team": request.app.url_path_for("teams:team", code=team["id"])},
    }
    if request.method == "GET":
        return _page(request, MESSAGE, context, _new_values(), {})
    return await _take(request, MESSAGE, context, team["id"])


async def problem_form(request: Request) -> Response:
    choices = await run_db(request, _choices)
    context = {"boroughs": choices["boroughs"], "team_groups": choices["team_groups"]}
    if request.method == "GET":
        values = _new_values()
        wanted = request.query_params.get("team", "").upper()[:20]
        if wanted in choices["team_ids"]:
            values["team"] = wanted
        return _page(request, DISSATISFACTION, context, values, {})
    return await _take(request, DISSATISFACTION, context, None, choices)


async def _view(request: Request) -> dict[str, Any]:
    token = request.path_params["token"]
    view = await run_db(request, lambda s: queries.status_view(s, token))
    if view is None:
        raise HTTPException(
            404,
            "We cannot find a message with this link. Check you copied all of it from your e-mail; "
            "if you did, call 101 and give your reference.",
        )
    view["urls"] = {
        "status": request.app.url_path_for("contact:status", token=token),
        "status_full": f"{request.app.state.settings.site_url}/contact/status/{token}",
    }
    return view


async def sent(request: Request) -> Response:
    view = await _view(request)
    return respond(request, "contact/sent.html", view, headers=PRIVATE)


async def status(request: Request) -> Response:
    view = await _view(request)
    return respond(request, "contact/status.html", view, headers=PRIVATE)


routes = [
    Route("/team/{code}", team_form, methods=["GET", "POST"], name="team"),
    Route("/problem", problem_form, methods=["GET", "POST"], name="problem"),
    Route("/sent/{token}", sent, name="sent"),
    Route("/status/{token}", status, name="status"),
]
