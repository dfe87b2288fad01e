"""Every route of the app, found by walking `app.routes` through its Mounts, and the class each belongs
to. The security tests iterate over this inventory, so a new route is covered as soon as it is classified,
and `test_every_route_is_classified` fails until it is."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.routing import Mount, Route

PUBLIC = "public GET"  # anyone, read-only
STATE = "state-changing"  # a public form or API write: CSRF token (forms) or bearer token (API)
STAFF = "staff-only"  # a signed-in staff member, within their role
ADMIN = "admin-only"  # force (or borough) administrators only
STATIC = "static files"


@dataclass(frozen=True)
class Endpoint:
    path: str  # the full path template, e.g. /teams/{code}/meetings/{id:int}
    methods: frozenset[str]
    name: str

    @property
    def writes(self) -> frozenset[str]:
        return self.methods & {"POST", "PUT", "PATCH", "DELETE"}


def walk(routes, prefix: str = "") -> list[Endpoint]:
    found = []
    for route in routes:
        if isinstance(route, Mount):
            if route.routes:
                found += walk(route.routes, prefix + route.path)
            else:  # a mounted app (StaticFiles)
                found.append(Endpoint(prefix + route.path, frozenset({"GET"}), route.name or ""))
        elif isinstance(route, Route):
            found.append(Endpoint(prefix + route.path, frozenset(route.methods - {"HEAD"}), route.name))
        else:
            raise AssertionError(f"a route of an unknown kind: {route!r}")
    return found


# State-changing routes outside /staff and how they are protected.
STATE_ROUTES = {
    "/contact/team/{code}": "csrf",
    "/contact/problem": "csrf",
    "/api/crimes-street/{category}": "read-only",  # police.uk's POST form of a polygon query: no state
    "/api/pledge/explanations": "bearer",
    "/api/{path:path}": "read-only",  # the API's 404/405 catch-all
}
ADMIN_PREFIXES = ("/staff/users", "/staff/london", "/staff/audit")
OPEN_STAFF = {"/staff/sign-in", "/staff/sign-out"}


def classify(endpoint: Endpoint) -> str | None:
    path = endpoint.path
    if path == "/static":
        return STATIC
    if path in OPEN_STAFF:
        return STATE
    if path.startswith("/staff"):
        return ADMIN if path.startswith(ADMIN_PREFIXES) else STAFF
    if endpoint.writes:
        return STATE if path in STATE_ROUTES else None
    return PUBLIC


def inventory(app) -> dict[Endpoint, str | None]:
    return {endpoint: classify(endpoint) for endpoint in walk(app.routes)}
