"""Maps are built with folium but reference only our vendored Leaflet, and render into our own pages."""

import json
import re

import pytest

from portal.services.maps import MapParts, Tiles, london_map, ward_map, wards_feature_collection

SQUARE = json.dumps(
    {"type": "Polygon", "coordinates": [[[0.1, 51.5], [0.2, 51.5], [0.2, 51.6], [0.1, 51.5]]]}
)
FORBIDDEN = ["cdn", "jsdelivr", "jquery", "bootstrap", "unpkg", "googleapis", "awesome", "fontawesome"]
TILES = Tiles("https://tiles.example.org/{z}/{x}/{y}.png", "© Example tiles")


def _all(parts: MapParts) -> str:
    return "\n".join([parts.head, parts.body, parts.script])


def _asset_urls(parts: MapParts) -> list[str]:
    text = _all(parts)
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', text) + re.findall(r'<link[^>]*\shref="([^"]+)"', text)


@pytest.fixture(params=["ward", "london"])
def parts(request) -> MapParts:
    if request.param == "ward":
        return ward_map(SQUARE, "Test ward")
    return london_map("/map/wards.geojson")


def test_only_vendored_leaflet_is_linked(parts):
    urls = _asset_urls(parts)
    assert "/static/vendor/leaflet/leaflet.js" in urls
    assert "/static/vendor/leaflet/leaflet.css" in urls
    assert all(url.startswith("/static/") for url in urls), urls
    lowered = _all(parts).lower()
    for word in FORBIDDEN:
        assert word not in lowered, word
    assert "http://" not in lowered and "https://" not in lowered


def test_folium_page_level_extras_are_gone(parts):
    text = _all(parts)
    assert "user-scalable=no" not in text  # folium's viewport would stop people zooming the page
    assert "html, body" not in text and "#map {" not in text
    assert "L_NO_TOUCH" not in text and "$(" not in text  # no globals, no jQuery
    assert "<iframe" not in text and "<html" not in text and "<body" not in text


def test_parts_split_into_head_body_and_script(parts):
    assert parts.head.startswith("<") and "<div" not in parts.head
    assert 'class="folium-map portal-map' in parts.body and "<script" not in parts.body
    assert parts.script.startswith("<script>") and "L.map(" in parts.script
    map_id = re.search(r'id="(map_[0-9a-f]+)"', parts.body).group(1)
    assert f"window.portalMaps[{json.dumps(map_id)}]" in parts.script


def test_no_tile_layer_without_a_tiles_url(parts):
    assert "L.tileLayer" not in parts.script and "tileLayer" not in parts.script


@pytest.mark.parametrize("which", ["ward", "london"])
def test_a_tiles_url_adds_a_tile_layer_with_its_attribution(which):
    parts = (
        ward_map(SQUARE, "Test ward", TILES) if which == "ward" else london_map("/map/wards.geojson", TILES)
    )
    assert "L.tileLayer(" in parts.script
    assert '"https://tiles.example.org/{z}/{x}/{y}.png"' in parts.script
    assert "Example tiles" in parts.script
    # still nothing from a CDN: the only outside URL is the configured tile server
    assert all(url.startswith("/static/") for url in _asset_urls(parts))


def test_tiles_from_settings():
    class S:
        map_tiles_url = ""
        map_tiles_attribution = "x"

    assert Tiles.from_settings(S()) is None
    S.map_tiles_url = TILES.url
    assert Tiles.from_settings(S()) == Tiles(TILES.url, "x")


def test_static_prefix_is_used_for_every_asset():
    parts = london_map("/portal/map/wards.geojson", static="/portal/static")
    urls = _asset_urls(parts)
    assert "/portal/static/vendor/leaflet/leaflet.js" in urls and "/portal/static/js/maps.js" in urls
    assert 'data-wards-url="/portal/map/wards.geojson"' in parts.body


def test_ward_map_draws_the_ward_fitted_to_its_bounds():
    parts = ward_map(SQUARE, "Test <ward>")
    assert '"coordinates": [[[0.1, 51.5], [0.2, 51.5]' in parts.script
    assert re.search(r"fitBounds\(\s*\[\[51\.5, 0\.1\], \[51\.6, 0\.2\]\]", parts.script)
    assert 'aria-label="Map of Test &lt;ward&gt; ward"' in parts.body  # escaped
    assert "portal-map--ward" in parts.body


def test_london_map_loads_wards_from_the_url_not_inline():
    parts = london_map("/map/wards.geojson")
    assert 'data-wards-url="/map/wards.geojson"' in parts.body
    assert "L.geoJson" not in parts.script and '"coordinates"' not in parts.script
    assert '<script src="/static/js/maps.js" defer></script>' in parts.script
    assert 'aria-label="Map of London&#39;s Safer Neighbourhood Teams"' in parts.body
    assert "aria-describedby=" in parts.body and "listed below" in parts.body


def test_feature_collection_is_compact_rounded_and_has_an_etag():
    wards = [
        ("E05000001", "One", "Borough A", json.dumps({"type": "Polygon", "coordinates": [
            [[0.123456, 51.5], [0.2, 51.512345], [0.2, 51.6], [0.123456, 51.5]]]})),
        ("E05000002", "Two", "Borough B", json.dumps({"type": "MultiPolygon", "coordinates": [
            [[[0.3, 51.5], [0.4, 51.5], [0.4, 51.6], [0.3, 51.5]]]]})),
    ]  # fmt: skip
    cached = wards_feature_collection(wards, lambda code: f"/teams/{code}")
    data = json.loads(cached.body)
    assert cached.features == 2 and data["type"] == "FeatureCollection"
    first = data["features"][0]
    assert first["properties"] == {"code": "E05000001", "name": "One", "borough": "Borough A",
                                   "url": "/teams/E05000001"}  # fmt: skip
    assert first["geometry"]["coordinates"][0][0] == [0.1235, 51.5]
    assert b" " not in cached.body.replace(b"Borough ", b"")  # no whitespace padding
    assert cached.etag.startswith('W/"')
    assert wards_feature_collection(wards, lambda code: f"/teams/{code}").etag == cached.etag  # stable
    other = wards_feature_collection(wards[:1], lambda code: f"/teams/{code}")
    assert other.etag != cached.etag


def test_feature_collection_refuses_other_geometries():
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        wards_feature_collection([("E1", "x", "y", '{"type": "Point", "coordinates": [0, 51]}')], str)
