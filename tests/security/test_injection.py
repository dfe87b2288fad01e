"""SQL-injection strings in every path and query parameter of every public GET route and the API (never a
5xx, and the tables intact afterwards), and path traversal on /static and the photo route through the
real server (404/400, never a file's content)."""

from __future__ import annotations

import re
import socket
from urllib.parse import quote, urlsplit

from sqlalchemy import func, select

from portal.models import Team
from tests.security.inventory import PUBLIC, STATE, inventory

SQLI = ["' OR 1=1--", "1; DROP TABLE team", "%' --", '" OR ""="', "E05000001' UNION SELECT 1,2,3--"]
QUERY_NAMES = [
    "area", "borough", "category", "code", "date", "done", "exact", "force", "id", "indicator", "lat",
    "lng", "month", "next", "page", "poly", "q", "saved", "show", "team", "token", "type",
]  # fmt: skip
PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def concrete(path: str, payload: str) -> str:
    def value(match: re.Match) -> str:
        return "1" if match[2] == "int" else quote(payload, safe="")

    return PARAM.sub(value, path)


def team_count(db) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(Team))


def test_sql_injection_strings_in_every_parameter_never_cause_a_5xx(client, loaded_db):
    teams = team_count(loaded_db)
    assert teams > 600
    checked = 0
    for endpoint, kind in inventory(client.app).items():
        if kind not in (PUBLIC, STATE) or endpoint.path == "/static" or "GET" not in endpoint.methods:
            continue
        for payload in SQLI:
            path = concrete(endpoint.path, payload)
            params = dict.fromkeys(QUERY_NAMES, payload)
            response = client.get(path, params=params)
            assert response.status_code < 500, f"GET {path}: {response.status_code}"
            assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower(), path
            checked += 1
    assert checked >= 80 * len(SQLI)
    assert team_count(loaded_db) == teams  # nothing dropped or changed


def raw_get(base: str, target: str) -> tuple[int, bytes]:
    """One request with the target sent exactly as given (no client-side normalising of `..`)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


TRAVERSALS = [
    "/static/../portal/settings.py",
    "/static/../../portal/settings.py",
    "/static/%2e%2e/portal/settings.py",
    "/static/%2e%2e%2fportal%2fsettings.py",
    "/static/..%2fportal%2fsettings.py",
    "/static/%252e%252e%252fportal%252fsettings.py",
    "/static/..\\portal\\settings.py",
    "/static/..%5cportal%5csettings.py",
    "/static/%2e%2e%5c%2e%2e%5cportal%5csettings.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/....//....//portal/settings.py",
    "/static/..%c0%afportal/settings.py",
    "/static/vendor/../../portal/settings.py",
    "/static/vendor/%2e%2e/%2e%2e/pyproject.toml",
    "/teams/E05000001/members/1/photo.jpg/../../../../portal/settings.py",
    "/teams/..%2f..%2fportal/members/1/photo.jpg",
    "/teams/%2e%2e/members/1/photo.jpg",
    "/about/../portal/settings.py",
    "/api/..%2f..%2fportal%2fsettings.py",
]
SECRETS = [b"DEV_SECRET", b"root:x:0:0", b"[project]", b"SETTINGS: tuple"]


def test_path_traversal_never_serves_a_file_from_outside_static(live_server):
    for target in TRAVERSALS:
        status, data = raw_get(live_server, target)
        assert status in (400, 404), f"{target}: {status}"
        for secret in SECRETS:
            assert secret not in data, target
    status, data = raw_get(live_server, "/static/../etc/passwd")
    assert status in (400, 404)


def test_a_real_static_file_is_still_served(live_server):
    status, data = raw_get(live_server, "/static/favicon.svg")
    assert status == 200 and b"<svg" in data
