"""Keyboard-only journeys for the resident tasks: Tab, Shift+Tab, Enter, Space and typing, never a click.
Every element Tab stops on must look different focused from unfocused (its own computed outline,
box-shadow, colours and underline, or those of the label drawn for a radio or checkbox)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_contact import cleanup  # noqa: F401  (the fixture)

TEAM = "E05014058"  # Chadwell Heath (Barking and Dagenham)
CHADWELL = "E05011237"  # RM6 4AB is in it (demo content)

FOCUS_LOOK = """el => {
  const look = (node, pseudo) => {
    if (!node) return "";
    const c = getComputedStyle(node, pseudo);
    return [c.outlineStyle, c.outlineWidth, c.outlineColor, c.boxShadow, c.backgroundColor, c.color,
            c.borderTopWidth, c.borderTopColor, c.textDecorationLine, c.textDecorationThickness].join("|");
  };
  const drawn = el.type === "radio" || el.type === "checkbox";
  const label = drawn ? document.querySelector(`label[for="${el.id}"]`) : null;
  const all = () => [look(el), look(label, "::before"), look(label, "::after")].join(" / ");
  const focused = all();
  el.blur();
  const plain = all();
  el.focus();
  return {focused, plain, still: document.activeElement === el,
          what: el.outerHTML.slice(0, 120)};
}"""


def focus_is_visible(page) -> None:
    active = page.evaluate_handle("document.activeElement")
    if page.evaluate("el => el === document.body || el.id === 'main-content'", active):
        return  # nothing is focused, or the main region after the skip link (not a control)
    result = page.evaluate(FOCUS_LOOK, active)
    assert result["still"], f"focus was lost on {result['what']}"
    assert result["focused"] != result["plain"], f"no visible focus indicator on {result['what']}"


def tab_to(page, matches: str, limit: int = 150) -> None:
    """Press Tab until `matches` (a JS predicate on the focused element) holds, checking at every stop
    that the focus can be seen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus_is_visible(page)
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    pytest.fail(f"Tab never reached an element where {matches}")


def text_is(words: str) -> str:
    return f"(el.textContent || '').trim().startsWith({words!r})"


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    focus_is_visible(page)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")  # the next stop is inside main, past the header
    assert page.evaluate("document.getElementById('main-content').contains(document.activeElement)")


def test_find_a_team_by_postcode_then_its_crime_page(page):
    page.goto("/")
    tab_to(page, "el.id === 'q'")
    page.keyboard.type("RM6 4AB")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Safer Neighbourhood Team")
    assert page.url.endswith(f"/teams/{CHADWELL}")
    tab_to(page, text_is("Crime map and figures for"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/teams/{CHADWELL}/crime**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Crime")
    for _ in range(30):  # the month form, the figures' links: each stop visibly focused
        page.keyboard.press("Tab")
        focus_is_visible(page)


def test_a_bad_postcode_error_is_reached_by_keyboard(page):
    page.goto("/")
    tab_to(page, "el.id === 'q'")
    page.keyboard.type("RM6 4A")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()  # GOV.UK moves focus to the summary
    tab_to(page, "el.closest('.govuk-error-summary') !== null && el.tagName === 'A'")
    page.keyboard.press("Enter")
    expect(page.locator("#q")).to_be_focused()


def test_send_a_message_and_reach_the_status_page(page, cleanup):  # noqa: F811
    page.goto(f"/teams/{TEAM}")
    tab_to(page, "el.id === 'contact-team'")
    page.keyboard.press("Space")  # a link styled as a button answers Space as well as Enter
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Contact the .+ team$"))
    tab_to(page, "el.name === 'category'")
    page.keyboard.press("Space")
    tab_to(page, "el.id === 'body'")
    page.keyboard.type("When is the next ward panel meeting?")
    tab_to(page, "el.id === 'email'")
    page.keyboard.type("keyboard.test@example.org")
    tab_to(page, "el.name === 'contact_by'")  # the first choice is E-mail
    page.keyboard.press("Space")
    tab_to(page, "el.id === 'consent'")
    page.keyboard.press("Space")
    tab_to(page, "el.tagName === 'BUTTON' && " + text_is("Send message"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Message sent")).to_be_visible()
    tab_to(page, "el.id === 'status-link'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Reference SNT-\d{4}-\d{6}$"))
    expect(page.locator("#status")).to_have_text("Received")


def test_the_focus_check_can_fail(page):
    page.set_content(
        '<html lang="en"><body><style>a:focus{outline:none}</style>'
        '<a href="#x" id="x">no ring</a></body></html>'
    )
    page.keyboard.press("Tab")
    with pytest.raises(AssertionError, match="no visible focus indicator"):
        focus_is_visible(page)
