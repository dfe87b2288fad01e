"""Every response carries the security headers, and the Content-Security-Policy never allows an inline
script it did not hash from the page itself."""

import base64
import hashlib
import re

import httpx2 as httpx
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.app import create_app
from portal.middleware import content_security_policy, inline_script_hashes, tiles_origin

RESPONSES = {
    "html page": ("GET", "/"),
    "page with a map": ("GET", "/teams/E05014058"),
    "cached page again": ("GET", "/teams/E05014058"),
    "json": ("GET", "/teams/E05014058.json"),
    "api": ("GET", "/api/"),
    "not found": ("GET", "/no/such/page"),
    "method not allowed": ("POST", "/find"),
    "redirect": ("GET", "/staff/"),
    "static file": ("GET", "/static/css/portal.css"),
    "static not found": ("GET", "/static/nope.css"),
    "head": ("HEAD", "/about/data"),
    "csrf refusal": ("POST", "/contact/team/E05014058"),
}


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def check_headers(headers, *, https: bool = False) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] in {"strict-origin-when-cross-origin", "no-referrer"}
    assert headers["x-frame-options"] == "DENY"
    assert "camera=()" in headers["permissions-policy"] and "microphone=()" in headers["permissions-policy"]
    policy = directives(headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    scripts = policy["script-src"]
    assert scripts[0] == "'self'" and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s) for s in scripts[1:])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    if https:
        assert headers["strict-transport-security"].startswith("max-age=31536000")
    else:
        assert "strict-transport-security" not in headers


@pytest.mark.parametrize("kind", RESPONSES)
def test_every_kind_of_response_has_the_headers(client, kind):
    method, path = RESPONSES[kind]
    check_headers(client.request(method, path).headers)


def test_hsts_only_over_https(client, app):
    secure = TestClient(app, base_url="https://testserver", follow_redirects=False)  # `client` ran lifespan
    for method, path in RESPONSES.values():
        check_headers(secure.request(method, path).headers, https=True)


def test_hsts_in_production_behind_a_tls_proxy(loaded_db):
    settings = loaded_db.settings(environment="production", secret_key="x" * 40)
    behind_proxy = TestClient(create_app(settings), follow_redirects=False)  # no lifespan: / needs none
    check_headers(behind_proxy.get("/about/data").headers, https=True)


def test_the_500_page_has_the_headers(loaded_db):
    app = create_app(loaded_db.settings())

    def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    page = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert page.status_code == 500
    check_headers(page.headers)


def sha256(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def test_a_map_page_allows_exactly_its_own_inline_scripts(client):
    page = client.get("/teams/E05014058")
    inline = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", page.text, re.DOTALL)
    inline = [s for s in inline if s.strip()]
    assert inline, "the team page should have folium's inline map script"
    allowed = directives(page.headers["content-security-policy"])["script-src"][1:]
    assert sorted(allowed) == sorted({f"'sha256-{sha256(s)}'" for s in inline})
    assert f"'sha256-{sha256('alert(1)')}'" not in allowed


def test_a_page_without_inline_scripts_allows_none(client):
    page = client.get("/about/data")
    assert directives(page.headers["content-security-policy"])["script-src"] == ["'self'"]


def test_hashes_are_of_the_script_text_and_ignore_external_and_empty_scripts():
    html = b'<script src="/static/a.js"></script><script>  </script><SCRIPT type="module">go()</SCRIPT>'
    assert inline_script_hashes(html) == [sha256("go()")]


def test_map_tiles_are_allowed_only_from_their_own_origin():
    assert tiles_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tiles_origin("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert tiles_origin("") == "" and tiles_origin("javascript:alert(1)") == ""
    policy = directives(content_security_policy("https://tiles.example.org/{z}/{x}/{y}.png"))
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.org"]


def test_behind_a_trusted_proxy_https_is_recognised(live_server):
    """The real server (uvicorn with proxy headers from FORWARDED_ALLOW_IPS, 127.0.0.1 by default)."""
    plain = httpx.get(live_server + "/about/data")
    check_headers(plain.headers)
    proxied = httpx.get(live_server + "/about/data", headers={"x-forwarded-proto": "https"})
    check_headers(proxied.headers, https=True)
