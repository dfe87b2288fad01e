"""Every page renders with its title; errors are pages, never tracebacks; headers on every response."""

import re

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from portal.app import create_app

PAGES = [
    ("/", 200, "Find your Safer Neighbourhood Team"),
    ("/find?q=RM6", 200, "Wards for RM6"),
    ("/find?q=EC2V+7HH", 200, "City of London"),
    ("/find?q=M1+1AE", 404, "Outside London"),
    ("/find?q=SW1A+9ZZ", 404, "Postcode not found"),
    ("/find?q=bad1", 400, "Error: Find your Safer Neighbourhood Team"),
    ("/find?q=chadwel+heath", 200, "Search results for chadwel heath"),
    ("/find?q=xyzzyqwv", 200, "Search results for xyzzyqwv"),
    ("/teams/E05014058", 200, "Chadwell Heath Safer Neighbourhood Team"),
    ("/teams/E05011237", 200, "Chadwell Safer Neighbourhood Team"),
    ("/teams", 200, "All Safer Neighbourhood Teams A to Z"),
    ("/teams/E05000347", 200, "Brentford ward has changed"),
    ("/boroughs", 200, "London boroughs"),
    ("/boroughs/E09000002", 200, "Barking and Dagenham: Safer Neighbourhood Teams"),
    ("/boroughs/E09000001", 200, "City of London: Safer Neighbourhood Teams"),
    ("/about/data", 200, "About the data"),
    ("/map", 200, "Map of London&#39;s Safer Neighbourhood Teams"),
    ("/api/", 200, "Neighbourhood API"),
    ("/crime", 200, None),
    ("/teams/E05014058/crime", 200, None),
    ("/teams/E05014058/meetings", 200, None),
    ("/teams/E05014058/priorities", 200, None),
    ("/boroughs/E09000002/crime", 200, None),
    ("/pledge", 200, "Policing Pledge scorecard for London"),
    ("/pledge/indicators", 200, "Policing Pledge indicators"),
    ("/pledge/indicators/P7-MEETING-MONTHLY", 200, None),
    ("/pledge/indicators/P5-999-10S", 200, None),
    ("/pledge/indicators/P1-PAS-TREAT-FAIRLY", 200, None),
    ("/boroughs/E09000002/pledge", 200, "Policing Pledge scorecard for Barking and Dagenham"),
    ("/boroughs/E09000002/pledge/P1-PAS-TREAT-FAIRLY", 200, None),
    ("/teams/E05014058/pledge", 200, "Policing Pledge scorecard for the Chadwell Heath team"),
    ("/teams/E05011237/pledge/P7-MEETING-MONTHLY", 200, None),
    ("/teams/E05011237/pledge/P7-PRIORITIES-REVIEWED", 200, None),
    ("/pledge/indicators/NO-SUCH-INDICATOR", 404, "Page not found"),
    ("/boroughs/E09000001/pledge", 404, "Page not found"),
    ("/no/such/page", 404, "Page not found"),
]


@pytest.mark.parametrize(("path", "status", "title"), PAGES)
def test_every_page_renders_with_its_title(client, path, status, title):
    page = client.get(path)
    assert page.status_code == status
    shown = re.search(r"<title>(.*?)</title>", page.text).group(1)
    assert shown.endswith(" – Neighbourhood Pledge Portal")
    assert title is None or shown.startswith(title + " –")
    assert page.text.count("<h1") == 1 and 'lang="en"' in page.text and 'href="#main-content"' in page.text


@pytest.mark.parametrize(("path", "_status", "_title"), PAGES)
def test_pages_load_nothing_from_other_sites(client, path, _status, _title):
    page = client.get(path)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        if url.startswith("http"):
            assert re.search(r'<a [^>]*href="' + re.escape(url), page.text), f"{url} is loaded from elsewhere"


@pytest.mark.parametrize(("path", "_status", "_title"), PAGES)
def test_every_asset_a_page_uses_loads(client, path, _status, _title):
    page = client.get(path)
    assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/[^"]+)"', page.text)
    assert any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, f"{path} uses {asset}, which does not load"


def test_about_the_data_carries_the_attribution_and_the_loads(client):
    page = client.get("/about/data")
    for words in [
        "Contains National Statistics data © Crown copyright and database right",
        "Contains OS data © Crown copyright and database right",
        "Contains Royal Mail data © Royal Mail copyright and database right",
        "Open Government Licence v3.0",
        "london_postcodes_codepoint_2014.csv.gz",
        "181,563",
    ]:
        assert words in page.text
    loads = {d["dataset"]: d for d in client.get("/about/data.json").json()["loads"]}
    assert loads["postcodes"]["rows"] == 181_563 and loads["boundaries-ward-2024"]["rows"] == 704


def test_404_as_json(client):
    response = client.get("/no/such/page", headers={"accept": "application/json"})
    assert response.status_code == 404 and response.json()["title"] == "Page not found"


def test_method_not_allowed_is_a_page(client):
    assert client.post("/find").status_code == 405


def test_an_unexpected_error_is_a_friendly_500_with_no_traceback(loaded_db):
    app = create_app(loaded_db.settings())

    def boom(request):
        raise RuntimeError("secret internals")

    app.router.routes.append(Route("/boom", boom))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/boom")
    assert page.status_code == 500 and "Sorry, there is a problem with the service" in page.text
    assert "secret internals" not in page.text and "Traceback" not in page.text


def test_pages_are_compressed(client):
    response = client.get("/about/data", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


@pytest.mark.parametrize(
    "path",
    [
        "/static/../portal/settings.py",
        "/static/%2e%2e/portal/settings.py",
        "/static/..%2fportal%2fsettings.py",
    ],
)
def test_static_files_cannot_escape_their_folder(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "SECRET_KEY" not in response.text


def test_vendored_assets_are_served(client):
    for path in [
        "/static/vendor/govuk-frontend/govuk-frontend.min.css",
        "/static/vendor/govuk-frontend/govuk-frontend.min.js",
        "/static/vendor/leaflet/leaflet.js",
        "/static/js/portal.js",
    ]:
        response = client.get(path)
        assert response.status_code == 200 and "etag" in response.headers


def test_the_app_refuses_to_start_on_an_unmigrated_database(tmp_path):
    from portal.app import NotMigrated
    from portal.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'new.sqlite3'}"))
    with pytest.raises(NotMigrated, match="run `python -m portal setup`"), TestClient(app):
        pass
