"""Playwright with Debian's Chromium (`playwright install` cannot work here), against a real server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


# Per module, not per session: the sync API runs an event loop in this thread while it is open, and
# tests after the browser tests call asyncio.run (the export, the kill -9 fault test).
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian chromium is not installed: `make test` installs it with apt-get")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith(live_server) or r.url.startswith("data:") else outside.append(r.url)
        ),
    )
    yield page
    context.close()
    assert not outside, f"the page asked another site for {outside}"
