"""One context, two formats: a handler builds a JSON-safe context; HTML renders it, `.json` serialises it."""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from portal import paths
from portal.services import text


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["longdate"] = long_date
    env.filters["markdown"] = text.markdown  # staff-written Markdown → sanitised HTML
    env.globals["csrf_field"] = _csrf_field
    templates = Jinja2Templates(env=env)
    env.globals["url_for"] = url_path  # links are site-relative paths, never built from the Host header
    return templates


@pass_context
def url_path(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    request: Request = context["request"]
    # app_root_path: the prefix the app is served under (a Mount's root_path includes the mount itself)
    prefix = request.scope.get("app_root_path", request.scope.get("root_path", ""))
    return prefix + str(request.app.url_path_for(name, **path_params))


@pass_context
def _csrf_field(context: dict[str, Any]):
    from portal.security import csrf_field

    return csrf_field(context["request"])


def long_date(value: str | date | None) -> str:
    """ "2026-11-21" -> "21 November 2026", the GOV.UK style."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def respond(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_json(request):
        return JSONResponse(context, status_code=status_code, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code, headers=headers)
