"""Finding a team by name, with typos, and by keyboard alone."""

import re

from playwright.sync_api import expect


def test_typo_in_a_team_name_still_finds_it(page):
    page.goto("/")
    page.get_by_label("Find your Safer Neighbourhood Team").fill("chadwel heath")
    page.get_by_role("button", name="Find my team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “chadwel heath”")
    page.get_by_role("link", name="Chadwell Heath").first.click()
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Heath Safer Neighbourhood Team")


def test_search_by_keyboard_alone(page):
    page.goto("/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    page.keyboard.type("Barkingside")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Barkingside")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Barkingside":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Barkingside Safer Neighbourhood Team")


def test_borough_to_team(page):
    page.goto("/boroughs/E09000002")
    page.get_by_role("link", name="Chadwell Heath").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Heath Safer Neighbourhood Team")
    page.get_by_role("link", name="Aldborough").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aldborough Safer Neighbourhood Team")
