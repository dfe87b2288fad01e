"""One context, two formats: a handler builds a JSON-safe context; HTML renders it, `.json` serialises it."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from portal import paths


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates = Jinja2Templates(env=env)
    env.globals["url_for"] = url_path  # links are site-relative paths, never built from the Host header
    return templates


@pass_context
def url_path(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    request: Request = context["request"]
    return request.scope.get("root_path", "") + str(request.app.url_path_for(name, **path_params))


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
