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


def test_from_the_header_search_box_to_a_meeting(page):
    page.goto("/teams/E05014058")
    page.get_by_role("search", name="Site").get_by_label("Search the portal").fill("aikman avenue surgery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results for “aikman avenue surgery”")
    expect(page.locator("#results-count")).to_contain_text("result")
    page.get_by_role("link", name="Aikman Avenue beat surgery").first.click()
    expect(page).to_have_url(re.compile(r"/teams/E05014058/meetings/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Aikman Avenue beat surgery")


def test_filtering_search_results_by_type_and_borough(page):
    page.goto("/search?q=street+drinking")
    page.get_by_role("link", name=re.compile(r"^Priorities \(\d+\)$")).click()
    expect(page.get_by_label("Type")).to_have_value("priority")
    page.get_by_label("Borough").select_option(label="Hackney")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"type=priority.*borough=E09000012|borough=E09000012.*type=priority"))
    for caption in page.locator(".portal-search-result__type").all_text_contents():
        assert caption.startswith("Priority · ") and caption.endswith(", Hackney")
