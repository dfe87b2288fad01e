"""Oversized request bodies get 413 (the error page, or JSON under /api) and are not read: by
Content-Length at once, and counted as they arrive when a chunked body has no length."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

from portal import paths
from portal.app import create_app
from tests.conftest import free_port, portal_env

LIMIT = 4096


@pytest.fixture
def small_client(loaded_db):
    app = create_app(loaded_db.settings(warm_caches=False, max_body_bytes=LIMIT, max_upload_bytes=8 * LIMIT))
    return TestClient(app, follow_redirects=False)  # no lifespan: the session app's engine stays open


def test_a_body_over_the_limit_gets_the_friendly_413_page(small_client):
    response = small_client.post(
        "/contact/problem",
        content=b"a=" + b"x" * LIMIT,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "Too much information sent" in response.text
    assert "Traceback" not in response.text


def test_a_body_at_the_limit_is_read_as_usual(small_client):
    response = small_client.post(
        "/contact/problem",
        content=b"a=" + b"x" * (LIMIT - 2),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code != 413


def test_under_api_the_413_is_json(small_client):
    response = small_client.put(
        "/api/pledge/explanations",
        content=b"{" + b" " * LIMIT + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert "too large" in response.json()["error"]


def test_multipart_to_a_staff_page_has_the_larger_upload_limit(small_client):
    body = b"x" * (2 * LIMIT)
    files = {"photo": ("p.jpg", body, "image/jpeg")}
    staff = small_client.post("/staff/sign-in", files=files)
    assert staff.status_code != 413  # within MAX_UPLOAD_BYTES: the handler answers (403, no CSRF token)
    public = small_client.post("/contact/problem", files=files)
    assert public.status_code == 413  # not a staff page: MAX_BODY_BYTES
    too_big = small_client.post("/staff/sign-in", files={"photo": ("p.jpg", body * 5, "image/jpeg")})
    assert too_big.status_code == 413


@pytest.fixture(scope="module")
def small_server(loaded_db, tmp_path_factory) -> Iterator[str]:
    """The real server (uvicorn) with MAX_BODY_BYTES=LIMIT, so a chunked form passes it long before the
    form parser's own limits (64 KB a field, 300 fields) would stop it."""
    port = free_port()
    log = (tmp_path_factory.mktemp("small") / "server.log").open("w")
    env = portal_env(loaded_db, MAX_BODY_BYTES=str(LIMIT), WARM_CACHES="false")
    process = subprocess.Popen(
        [sys.executable, "-m", "portal", "serve", "--port", str(port)],
        cwd=paths.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/contact/problem", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the portal did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def fields(count: int):
    for number in range(count):
        yield f"field{number}={'x' * 500}&".encode()


def test_a_chunked_body_without_length_is_cut_off_on_the_real_server(small_server):
    page = httpx.get(small_server + "/contact/problem")
    response = httpx.post(
        small_server + "/contact/problem",
        content=fields(40),  # a generator: sent chunked, with no Content-Length; 20 KB in all
        headers={"content-type": "application/x-www-form-urlencoded"},
        cookies=page.cookies,
        timeout=30,
    )
    assert response.status_code == 413
    assert "Too much information sent" in response.text


def test_a_chunked_body_under_the_limit_is_read_on_the_real_server(small_server):
    response = httpx.post(
        small_server + "/contact/problem",
        content=fields(4),  # 2 KB
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code == 403  # read, and refused for its missing CSRF token


def test_content_length_over_the_limit_on_the_real_server(small_server):
    response = httpx.post(
        small_server + "/contact/problem",
        content=b"".join(fields(40)),
        headers={"content-type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code == 413
