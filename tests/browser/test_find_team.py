"""A resident finds their team with a real browser, with and without a mouse."""

import re

from playwright.sync_api import expect


def test_postcode_to_team_page(page):
    page.goto("/")
    page.get_by_label("Find your Safer Neighbourhood Team").fill("rm6 4ab")
    page.get_by_role("button", name="Find my team").click()
    expect(page).to_have_url(re.compile(r"/teams/E05011237$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Safer Neighbourhood Team")


def test_bad_postcode_shows_the_error_and_keeps_the_input(page):
    page.goto("/")
    page.get_by_label("Find your Safer Neighbourhood Team").fill("RM6 4A")
    page.get_by_role("button", name="Find my team").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a full UK postcode, like SW1A 2AA")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(page.get_by_label("Find your Safer Neighbourhood Team")).to_have_value("RM6 4A")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Find your Safer Neighbourhood Team")).to_be_focused()


def test_keyboard_only(page):
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    expect(page.get_by_label("Find your Safer Neighbourhood Team")).to_be_focused()
    page.keyboard.type("SW1A 2AA")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("St James's Safer Neighbourhood Team")


def test_partial_postcode_lists_wards_to_choose_from(page):
    page.goto("/find?q=RM6")
    page.get_by_role("link", name="Chadwell Heath").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Heath Safer Neighbourhood Team")


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Find your Safer Neighbourhood Team").fill("SW1A 2AA")
    page.get_by_role("button", name="Find my team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("St James's Safer Neighbourhood Team")
    context.close()
