"""The Content-Security-Policy in Chromium: every map still works with inline scripts refused unless the
portal hashed them, and a script injected into a page does not run."""

import pytest
from playwright.sync_api import expect

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline")));
"""

PAGES = ["/", "/map", "/teams/E05014058", "/teams/E05014058/crime", "/crime", "/pledge", "/about/data"]


@pytest.fixture
def watched(page):
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.errors = errors
    return page


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_their_maps_run_under_the_policy(watched, path):
    response = watched.goto(path)
    script_src = response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script_src
    maps = watched.locator(".folium-map")
    for i in range(maps.count()):  # Leaflet ran: the map has its panes and zoom control
        expect(maps.nth(i).locator(".leaflet-map-pane")).to_have_count(1)
        expect(maps.nth(i).locator(".leaflet-control-zoom-in")).to_have_count(1)
    watched.wait_for_load_state("networkidle")
    assert watched.evaluate("window.__csp") == []
    assert watched.errors == []


def test_an_injected_inline_script_is_refused(watched):
    watched.goto("/teams/E05014058")
    ran = watched.evaluate(
        """() => new Promise((done) => {
            const s = document.createElement("script");
            s.textContent = "window.__injected = true";
            document.body.appendChild(s);
            setTimeout(() => done(window.__injected === true), 100);
        })"""
    )
    assert ran is False
    assert any(v.startswith("script-src") for v in watched.evaluate("window.__csp"))
