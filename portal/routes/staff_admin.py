"""Staff pages beyond a team's own content, in the pattern of `portal/routes/staff.py`:

- staff accounts (force admins only; everyone else 403): the list, a new account, and one account's page
  with its role, borough and teams, deactivating or reactivating it, and resetting its password;
- the audit log (borough and force admins), newest first, filtered by team, a page at a time, and as CSV;
- explaining missed Pledge targets: a team's (its editors and admins), a borough's (its borough admin and
  force admins) and London's (force admins). What is saved is on the public scorecard at once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import NoMatchFound, Route

from portal.models import MET
from portal.queries import staff_admin as queries
from portal.queries import staff_edits
from portal.queries.explanations import InvalidExplanation
from portal.queries.staff import AccountProblem, Staff, can_manage_users, can_see_audit
from portal.routes.pledge import computed_for, indicator_url, scorecard_url
from portal.routes.staff import guarded, overview_url, page, published
from portal.security import checked_form, staff_only

USER_SAVED = {
    "created": "The account has been created. Give the person their password in person or by phone, never "
    "by e-mail.",
    "updated": "The account has been saved. The change applies from the person's next page.",
    "deactivated": "The account has been deactivated and the person has been signed out everywhere.",
    "reactivated": "The account has been reactivated. The person can sign in again.",
    "password": "The password has been reset, the account unlocked, and the person signed out everywhere.",
}
EXPLANATION_SAVED = "The explanation has been saved and is on the public scorecard now."
GENERATED = (
    "This password is shown only once. Give it to the person in person or by phone, never by e-mail, "
    "and ask them to change it when they first sign in."
)


def _url(request: Request, name: str, **params: Any) -> str:
    return str(request.app.url_path_for(name, **params))


def _users_only(staff: Staff) -> None:
    """Every /staff/users page: force admins only, checked before a form is even read."""
    if not can_manage_users(staff):
        raise HTTPException(403, "Only force admins can manage staff accounts.")


# -- staff accounts ------------------------------------------------------------------------------------


@staff_only
async def users(request: Request, staff: Staff) -> Response:
    _users_only(staff)
    found = await guarded(request, lambda s: queries.user_list(s, staff))
    for user in found:
        user["url"] = _url(request, "staff:user", id=user["id"])
    context = {"users": found, "urls": {"new": _url(request, "staff:user_new")}}
    return page(request, "staff/users.html", context, staff)


@staff_only
async def user_new(request: Request, staff: Staff) -> Response:
    _users_only(staff)
    options = await guarded(request, queries.choices)
    blank = {"name": "", "email": "", "role": "", "borough_code": "", "teams": []}
    context: dict[str, Any] = {**options, "values": blank, "errors": {}}
    context["urls"] = {"users": _url(request, "staff:users")}
    if request.method == "GET":
        return page(request, "staff/user_new.html", context, staff)
    form = await checked_form(request)
    values = queries.account_values(form)
    password = str(form.get("password", ""))[:1000]
    generated = not password
    if generated:
        password = queries.new_password()
    context["values"] = values  # never the password: it is typed again

    def create(session):
        user = queries.create_account(session, staff, values, password)
        return user.id

    try:
        user_id = await guarded(request, create)
    except AccountProblem as problem:
        context["errors"] = problem.problems
        return page(request, "staff/user_new.html", context, staff, status=400)
    if generated:
        return await user_page(request, staff, user_id, saved=USER_SAVED["created"], generated=password)
    return RedirectResponse(_url(request, "staff:user", id=user_id) + "?saved=created", status_code=303)


async def user_page(
    request: Request,
    staff: Staff,
    user_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflict: dict[str, Any] | None = None,
    saved: str | None = None,
    generated: str | None = None,
    status: int = 200,
) -> Response:
    """One account's page: its details, the role form, (de)activation and the password reset."""

    def load(session):
        return queries.user_detail(session, staff, user_id), queries.choices(session)

    user, options = await guarded(request, load)
    if values is None:
        teams = [t["id"] for t in user["teams"]]
        borough = user["borough"]["code"] if user["borough"] else ""
        values = {"name": user["name"], "role": user["role"], "borough_code": borough, "teams": teams}
    values.setdefault("version", user["version"])
    context = {
        **options,
        "user": user,
        "values": values,
        "errors": errors or {},
        "conflict": conflict,
        "saved": saved or USER_SAVED.get(request.query_params.get("saved", "")),
        "generated": generated,
        "generated_message": GENERATED,
        "is_self": user["id"] == staff.id,
        "urls": {
            "users": _url(request, "staff:users"),
            "self": _url(request, "staff:user", id=user_id),
            "active": _url(request, "staff:user_active", id=user_id),
            "password": _url(request, "staff:user_password", id=user_id),
            "audit": _url(request, "staff:audit"),
        },
    }
    return page(request, "staff/user.html", context, staff, status=status)


def _conflict(conflict: staff_edits.Conflict) -> dict[str, Any]:
    return {"message": staff_edits.CONFLICT_MESSAGE, "current": conflict.current}


@staff_only
async def user(request: Request, staff: Staff) -> Response:
    _users_only(staff)
    user_id = request.path_params["id"]
    if request.method == "GET":
        return await user_page(request, staff, user_id)
    form = await checked_form(request)
    values = queries.account_values(form)
    values["version"] = str(form.get("version", ""))[:20]
    try:
        await guarded(request, lambda s: queries.update_account(s, staff, user_id, values, values["version"]))
    except AccountProblem as problem:
        return await user_page(request, staff, user_id, values=values, errors=problem.problems, status=400)
    except staff_edits.Conflict as conflict:
        values["version"] = conflict.current["version"]
        return await user_page(
            request, staff, user_id, values=values, conflict=_conflict(conflict), status=409
        )
    return RedirectResponse(_url(request, "staff:user", id=user_id) + "?saved=updated", status_code=303)


@staff_only
async def user_active(request: Request, staff: Staff) -> Response:
    _users_only(staff)
    user_id = request.path_params["id"]
    form = await checked_form(request)
    active = str(form.get("active", "")) == "yes"
    version = str(form.get("version", ""))[:20]
    try:
        await guarded(request, lambda s: queries.set_active(s, staff, user_id, active, version))
    except AccountProblem as problem:
        return await user_page(request, staff, user_id, errors=problem.problems, status=400)
    except staff_edits.Conflict as conflict:
        return await user_page(request, staff, user_id, conflict=_conflict(conflict), status=409)
    saved = "reactivated" if active else "deactivated"
    return RedirectResponse(_url(request, "staff:user", id=user_id) + f"?saved={saved}", status_code=303)


@staff_only
async def user_password(request: Request, staff: Staff) -> Response:
    _users_only(staff)
    user_id = request.path_params["id"]
    form = await checked_form(request)
    password = str(form.get("password", ""))[:1000]
    generated = not password
    if generated:
        password = queries.new_password()
    try:
        await guarded(request, lambda s: queries.reset_password(s, staff, user_id, password))
    except AccountProblem as problem:
        return await user_page(request, staff, user_id, errors=problem.problems, status=400)
    if generated:
        return await user_page(request, staff, user_id, saved=USER_SAVED["password"], generated=password)
    return RedirectResponse(_url(request, "staff:user", id=user_id) + "?saved=password", status_code=303)


# -- the audit log -------------------------------------------------------------------------------------


def _audit_filter(request: Request, staff: Staff) -> tuple[str, int]:
    if not can_see_audit(staff):
        raise HTTPException(403, "Only borough and force admins can see the audit log.")
    team = request.query_params.get("team", "").strip().upper()[:20]
    try:
        number = max(1, min(int(request.query_params.get("page", "1")), 100_000))
    except ValueError:
        number = 1
    return team, number


@staff_only
async def audit_log(request: Request, staff: Staff) -> Response:
    team, number = _audit_filter(request, staff)

    def load(session):
        return queries.audit_page(session, staff, team, number), queries.audit_teams(session, staff)

    found, teams = await guarded(request, load)
    base = _url(request, "staff:audit")
    query = f"team={team}&" if team else ""
    context = {
        **found,
        "teams": teams,
        "team": team,
        "page": number,
        "urls": {
            "self": base,
            "csv": _url(request, "staff:audit_csv") + (f"?team={team}" if team else ""),
            "previous": f"{base}?{query}page={number - 1}" if number > 1 else None,
            "next": f"{base}?{query}page={number + 1}" if found["more"] else None,
        },
    }
    for entry in context["entries"]:
        if entry["entity"] == "user" and entry["entity_id"] and can_manage_users(staff):
            entry["url"] = _url(request, "staff:user", id=int(entry["entity_id"]))
        elif entry["team_id"]:
            entry["url"] = _url(request, "staff:team", code=entry["team_id"])
    return page(request, "staff/audit.html", context, staff)


AUDIT_HEADER = [
    "id",
    "at_utc",
    "at_london",
    "actor",
    "action",
    "entity",
    "entity_id",
    "team",
    "summary",
    "before",
    "after",
]


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@staff_only
async def audit_csv(request: Request, staff: Staff) -> Response:
    import json

    team, _number = _audit_filter(request, staff)
    rows = await guarded(request, lambda s: queries.audit_rows(s, staff, team))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(AUDIT_HEADER)
    for e in rows:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    e["id"],
                    e["at"],
                    e["at_london"],
                    e["actor"],
                    e["action"],
                    e["entity"],
                    e["entity_id"],
                    e["team_id"],
                    e["summary"],
                    json.dumps(e["before"], ensure_ascii=False, sort_keys=True) if e["before"] else "",
                    json.dumps(e["after"], ensure_ascii=False, sort_keys=True) if e["after"] else "",
                )
            ]
        )
    name = f"audit-{team.lower()}.csv" if team else "audit.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "x-robots-tag": "noindex"},
    )


# -- explanations of missed targets --------------------------------------------------------------------

LIST_ROUTES = {
    "team": "staff:explanations",
    "borough": "staff:borough_explanations",
    "force": "staff:london_explanations",
}
FORM_ROUTES = {
    "team": "staff:explanation",
    "borough": "staff:borough_explanation",
    "force": "staff:london_explanation",
}


def _area_code(request: Request, level: str) -> str:
    return MET if level == "force" else request.path_params["code"].strip().upper()[:20]


def _params(level: str, code: str) -> dict[str, str]:
    return {} if level == "force" else {"code": code}


def explanations_url(request: Request, level: str, code: str, saved: bool = False) -> str:
    return _url(request, LIST_ROUTES[level], **_params(level, code)) + ("?saved=explanation" if saved else "")


def explanation_url(request: Request, level: str, code: str, indicator: str, month: str) -> str:
    return _url(request, FORM_ROUTES[level], **_params(level, code), indicator=indicator, month=month)


def _area_urls(request: Request, level: str, code: str) -> dict[str, str]:
    urls = {"list": explanations_url(request, level, code), "scorecard": scorecard_url(request, level, code)}
    if level == "team":
        urls["overview"] = overview_url(request, code)
    return urls


def explanations_page(level: str):
    @staff_only
    async def endpoint(request: Request, staff: Staff) -> Response:
        code = _area_code(request, level)

        def load(session):
            area = queries.guard_area(session, staff, level, code)
            return area.as_dict(), queries.misses(session, area, computed_for(request, session))

        area, found = await guarded(request, load)
        for miss in found:
            ind, month = miss["indicator"]["code"], miss["month"]
            miss["url"] = explanation_url(request, level, area["code"], ind, month)
            miss["public_url"] = indicator_url(request, level, area["code"], ind) + f"#explanation-{month}"
        context = {
            "area": area,
            "level": level,
            "unexplained": [m for m in found if m["explanation"] is None],
            "explained": [m for m in found if m["explanation"] is not None],
            "saved": EXPLANATION_SAVED if request.query_params.get("saved") == "explanation" else None,
            "urls": _area_urls(request, level, area["code"]),
        }
        return page(request, "staff/explanations.html", context, staff)

    endpoint.__name__ = f"{level}_explanations"
    return endpoint


def explanation_form(level: str):
    @staff_only
    async def endpoint(request: Request, staff: Staff) -> Response:
        form = await checked_form(request) if request.method == "POST" else None  # CSRF before anything
        code = _area_code(request, level)
        indicator = request.path_params["indicator"].strip().upper()[:40]
        month = request.path_params["month"].strip()[:7]

        def load(session):
            area = queries.guard_area(session, staff, level, code)
            miss = queries.find_miss(session, area, indicator, month, computed_for(request, session))
            return area.as_dict(), miss, queries.explanation_version(session, area.code, indicator, month)

        area, miss, version = await guarded(request, load)
        explained = miss["explanation"] or {}
        context: dict[str, Any] = {
            "area": area,
            "level": level,
            "miss": miss,
            "values": {
                "reason": explained.get("reason", ""),
                "action": explained.get("action", ""),
                "version": version,
            },
            "recorded_by": queries.recorded_by(staff),
            "errors": {},
            "conflict": None,
            "urls": {
                **_area_urls(request, level, area["code"]),
                "public": indicator_url(request, level, area["code"], indicator) + f"#explanation-{month}",
            },
        }
        if form is None:
            return page(request, "staff/explanation.html", context, staff)
        values, errors = queries.explanation_problems(form)
        values["version"] = str(form.get("version", ""))[:20]
        context["values"] = values
        if errors:
            context["errors"] = errors
            return page(request, "staff/explanation.html", context, staff, status=400)

        def save(session):
            queries.save_explanation(
                session,
                staff,
                level,
                code,
                indicator,
                month,
                values,
                values["version"],
                computed_for(request, session),
            )

        try:
            await guarded(request, save)
        except staff_edits.Conflict as conflict:
            context["conflict"] = _conflict(conflict)
            context["values"]["version"] = conflict.current["version"]
            return page(request, "staff/explanation.html", context, staff, status=409)
        except InvalidExplanation as invalid:
            context["errors"] = {k: v for k, v in invalid.problems.items() if k in ("reason", "action")} or {
                "reason": str(invalid)
            }
            return page(request, "staff/explanation.html", context, staff, status=400)
        await published(request, area["code"])
        return RedirectResponse(explanations_url(request, level, area["code"], saved=True), status_code=303)

    endpoint.__name__ = f"{level}_explanation"
    return endpoint


# -- the dashboard's links -----------------------------------------------------------------------------

STALE_ROUTES = {"meetings": "staff:meetings", "priorities": "staff:priorities", "updates": "staff:updates"}


def stale_url(request: Request, team_id: str, item: dict[str, Any]) -> str:
    """The page that fixes a "needs attention" item: the section's form, else the team's overview."""
    if item["kind"] == "explanation":
        return explanation_url(request, "team", team_id, item["indicator"], item["month"])
    try:
        return _url(request, STALE_ROUTES[item["kind"]], code=team_id)
    except (KeyError, NoMatchFound):
        return overview_url(request, team_id)


routes = [
    Route("/users", users, name="users"),
    Route("/users/new", user_new, methods=["GET", "POST"], name="user_new"),
    Route("/users/{id:int}", user, methods=["GET", "POST"], name="user"),
    Route("/users/{id:int}/active", user_active, methods=["POST"], name="user_active"),
    Route("/users/{id:int}/password", user_password, methods=["POST"], name="user_password"),
    Route("/audit", audit_log, name="audit"),
    Route("/audit.csv", audit_csv, name="audit_csv"),
    Route("/teams/{code}/explanations", explanations_page("team"), name="explanations"),
    Route(
        "/teams/{code}/explanations/{indicator}/{month}",
        explanation_form("team"),
        methods=["GET", "POST"],
        name="explanation",
    ),
    Route("/boroughs/{code}/explanations", explanations_page("borough"), name="borough_explanations"),
    Route(
        "/boroughs/{code}/explanations/{indicator}/{month}",
        explanation_form("borough"),
        methods=["GET", "POST"],
        name="borough_explanation",
    ),
    Route("/london/explanations", explanations_page("force"), name="london_explanations"),
    Route(
        "/london/explanations/{indicator}/{month}",
        explanation_form("force"),
        methods=["GET", "POST"],
        name="london_explanation",
    ),
]
