"""The London map in a real browser: the wards load from /map/wards.geojson, a click opens the team, and
"Use my location" finds the team from the browser's position. No tiles, nothing from another site."""

import re

from playwright.sync_api import expect

CHADWELL_HEATH = {"latitude": 51.5834, "longitude": 0.1386}


def _wards_loaded(page):
    page.goto("/map")
    expect(page.locator(".portal-map[data-wards-loaded]")).to_have_attribute("data-wards-loaded", "679")


def test_clicking_a_ward_opens_its_team(page):
    _wards_loaded(page)
    assert page.locator("img.leaflet-tile").count() == 0  # no tile layer
    page.locator(".portal-map").scroll_into_view_if_needed()
    page.evaluate("portalMap.setView([51.5834, 0.1386], 14, {animate: false})")
    point = page.evaluate(
        """() => {
            const p = portalMap.latLngToContainerPoint([51.5834, 0.1386]);
            const box = portalMap.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }"""
    )
    page.mouse.move(point["x"], point["y"])
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Chadwell Heath")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Barking and Dagenham")
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Heath Safer Neighbourhood Team")


def test_keyboard_enter_opens_the_ward_in_the_middle(page):
    _wards_loaded(page)
    page.evaluate("portalMap.setView([51.5834, 0.1386], 14, {animate: false})")
    map_region = page.get_by_role("region", name="Map of London's Safer Neighbourhood Teams")
    map_region.focus()
    page.keyboard.press("ArrowLeft")  # a keyboard move names the ward under the centre
    page.keyboard.press("ArrowRight")
    expect(page.locator(".leaflet-tooltip")).to_contain_text("Chadwell Heath")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))


def test_the_a_to_z_list_is_the_text_alternative(page):
    page.goto("/map")
    expect(page.get_by_role("region", name="Map of London's Safer Neighbourhood Teams")).to_be_visible()
    page.get_by_role("link", name="Chadwell Heath", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))


def test_use_my_location(browser, live_server):
    context = browser.new_context(
        base_url=live_server, geolocation=CHADWELL_HEATH, permissions=["geolocation"]
    )
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else outside.append(r.url))
    page.goto("/map")
    page.get_by_role("button", name="Use my location").click()
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chadwell Heath Safer Neighbourhood Team")
    context.close()
    assert not outside, outside


def test_use_my_location_denied_says_so(browser, live_server):
    context = browser.new_context(base_url=live_server, permissions=[])  # geolocation not granted
    page = context.new_page()
    page.goto("/map")
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_role("status")).to_contain_text("permission was not given")
    expect(page).to_have_url(re.compile(r"/map$"))
    context.close()


def test_no_location_button_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/map")
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()
    page.get_by_role("link", name="Chadwell Heath", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teams/E05014058$"))
    context.close()
