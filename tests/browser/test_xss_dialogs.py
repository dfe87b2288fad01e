"""Script payloads in query parameters and paths, loaded in Chromium: no alert, confirm or prompt dialog
ever opens and no injected element reaches the page (stored payloads: tests/routes/test_staff_security.py
and tests/security/test_xss.py check the markup; this is the browser's own word)."""

from __future__ import annotations

from urllib.parse import quote

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x id=injected onerror=alert(2)>',
    "'><svg id=injected onload=alert(3)>",
    "javascript:alert(4)",
]
PAGES = [
    "/search?q={p}",
    "/find?q={p}",
    "/search?q=police&type={p}&borough={p}&page={p}",
    "/teams/E05014058?saved={p}",
    "/teams/E05014058/crime?month={p}&category={p}",
    "/crime?month={p}&borough={p}",
    "/contact/problem?team={p}",
    "/staff/sign-in?next={p}",
    "/teams/{p}",
    "/pledge/indicators/{p}",
]


def test_no_payload_opens_a_dialog_or_injects_an_element(page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    loaded = 0
    for template in PAGES:
        for payload in PAYLOADS:
            url = template.replace("{p}", quote(payload, safe=""))
            response = page.goto(url)
            assert response is not None and response.status < 500, url
            page.wait_for_load_state("load")
            assert page.locator("#injected").count() == 0, url
            assert page.locator("script:not([src])", has_text="alert(").count() == 0, url
            loaded += 1
    assert dialogs == []
    assert loaded == len(PAGES) * len(PAYLOADS)


def test_the_dialog_watch_would_see_a_dialog(page):
    """The watch above can fail: a dialog the page opens itself is seen."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/")
    page.evaluate("() => alert('seen')")
    assert dialogs == ["seen"]
