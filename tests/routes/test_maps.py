"""The London map page, its JSON twin and the wards GeoJSON layer, on the real bundled data."""

import gzip
import re

import pytest
from sqlalchemy import select

from portal.models import CITY, CURRENT_GENERATION, Ward


def test_map_page(client):
    page = client.get("/map")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        "<title>Map of London&#39;s Safer Neighbourhood Teams – Neighbourhood Pledge Portal</title>"
        in page.text
    )
    assert '<a class="govuk-link" href="/teams/E05014058">Chadwell Heath</a>' in page.text
    assert 'data-wards-url="/map/wards.geojson"' in page.text
    assert 'href="/static/vendor/leaflet/leaflet.css"' in page.text
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page.text and 'src="/static/js/maps.js"' in page.text
    assert 'href="/static/css/maps.css"' in page.text
    assert 'role="region" aria-label="Map of London&#39;s Safer Neighbourhood Teams"' in page.text
    assert "<iframe" not in page.text


def test_map_page_lists_every_team_by_borough_a_to_z(client):
    text = client.get("/map").text
    links = re.findall(r'<li><a class="govuk-link" href="/teams/(E05\d{6})">', text)
    assert len(links) == len(set(links)) == 679
    boroughs = re.findall(
        r'<h3 class="govuk-heading-m" id="borough-E09\d{6}" tabindex="-1">([^<]+)</h3>', text
    )
    assert len(boroughs) == 32 and boroughs == sorted(boroughs) and boroughs[0] == "Barking and Dagenham"
    assert "City of London" not in boroughs


def test_map_page_has_no_outside_assets(client):
    text = client.get("/map").text
    for url in re.findall(r'<(?:script|link)[^>]*\s(?:src|href)="([^"]+)"', text):
        assert url.startswith("/"), url
    for word in ["cdn", "jsdelivr", "jquery", "bootstrap", "unpkg", "googleapis"]:
        assert word not in text.lower(), word


def test_use_my_location_button_is_hidden_without_javascript(client):
    text = client.get("/map").text
    assert re.search(r'<div class="portal-locate" data-locate-container hidden>', text)
    assert 'data-locate data-find-url="/find"' in text
    assert 'role="status" aria-live="polite"' in text
    assert '<script type="module" src="/static/js/locate.js"></script>' in text


@pytest.mark.parametrize("how", ["suffix", "accept"])
def test_map_json_twin(client, how):
    if how == "suffix":
        response = client.get("/map.json")
    else:
        response = client.get("/map", headers={"accept": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert data["title"] == "Map of London's Safer Neighbourhood Teams"
    assert len(data["teams"]) == 679
    chadwell = next(t for t in data["teams"] if t["code"] == "E05014058")
    assert chadwell["name"] == "Chadwell Heath" and chadwell["url"] == "/teams/E05014058"
    assert chadwell["borough"] == {"code": "E09000002", "name": "Barking and Dagenham"}
    assert chadwell["centre"]["latitude"] == pytest.approx(51.585, abs=0.01)
    assert chadwell["centre"]["longitude"] == pytest.approx(0.139, abs=0.01)
    assert "map" not in data and "boroughs" not in data  # the HTML-only parts stay out of the twin


def test_wards_geojson(client, loaded_db):
    response = client.get("/map/wards.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    data = response.json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 679
    codes = set()
    for feature in data["features"]:
        props = feature["properties"]
        assert set(props) == {"code", "name", "borough", "url"}
        assert props["url"] == f"/teams/{props['code']}" and props["name"]
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        codes.add(props["code"])
    assert len(codes) == 679 and "E05014058" in codes
    assert not any(f["properties"]["borough"] == "City of London" for f in data["features"])
    with loaded_db.engine.connect() as conn:
        city = set(
            conn.scalars(
                select(Ward.code).where(Ward.generation == CURRENT_GENERATION, Ward.force_id == CITY)
            )
        )
    assert len(city) == 25 and not city & codes  # City of London wards are policed by the City Police


def test_wards_geojson_size(client):
    raw = client.get("/map/wards.geojson", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    zipped = client.get("/map/wards.geojson", headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    size, compressed = len(raw.content), len(gzip.compress(raw.content))
    print(f"\nwards.geojson: {size:,} bytes raw, {compressed:,} gzipped")
    assert size < 1_500_000 and compressed < 300_000


def test_wards_geojson_caching(client, app):
    first = client.get("/map/wards.geojson")
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "max-age" in first.headers["cache-control"]
    cached = app.state.wards_geojson
    second = client.get("/map/wards.geojson")
    assert app.state.wards_geojson is cached and second.headers["etag"] == etag  # built once, not per request
    for header in [etag, etag.removeprefix("W/"), f'"other", {etag}', "*"]:
        not_modified = client.get("/map/wards.geojson", headers={"if-none-match": header})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified.headers["etag"] == etag
    assert client.get("/map/wards.geojson", headers={"if-none-match": '"other"'}).status_code == 200
