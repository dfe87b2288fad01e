"""Maps, built with folium and rendered into our own pages (never an iframe, never a CDN).

Folium normally writes a whole HTML document whose <head> pulls Leaflet, jQuery, Bootstrap, Font Awesome and
awesome-markers from CDNs. `PortalMap` replaces that: its `default_js`/`default_css` name only our
vendored Leaflet under /static/vendor/leaflet/, and its template drops folium's page-level extras (the
`user-scalable=no` viewport, the `html, body {height: 100%}` and `#map` styles, the `L_NO_TOUCH` globals
and the jQuery `$(document).ready`). Nothing we use needs jQuery or Bootstrap: the Map, GeoJson,
TileLayer and FitBounds elements emit plain Leaflet calls.

A map is returned as `MapParts(head, body, script)`, the pieces of `m.get_root()` rendered separately, for a
page to place in its `extra_head`, `content` and `scripts` blocks. With the macros in templates/_map.html:

    {% from "_map.html" import map_head, map_body, map_script %}
    {% block extra_head %}{{ map_head(ward_map) }}{% endblock %}
    {% block content %} … {{ map_body(ward_map) }} … {% endblock %}
    {% block scripts %}{{ map_script(ward_map) }}{% endblock %}

and in the handler (HTML only: MapParts is not JSON, so add it after deciding the response is a page):

    from portal.services.maps import Tiles, static_prefix, ward_map
    parts = ward_map(ward_geojson, ward_name, Tiles.from_settings(request.app.state.settings),
                     static=static_prefix(request))

`london_map()` draws no polygons itself: static/js/maps.js fetches /map/wards.geojson (built once per process
by `wards_feature_collection`, served with an ETag) and adds the wards, each linking to its team page.

There is no tile layer unless MAP_TILES_URL is set (never in tests): the map is then a light background with
clear ward outlines. Folium's own generated script stays inline in `MapParts.script`; our JavaScript is in
static files (a later Content-Security-Policy without 'unsafe-inline' will need a nonce or hash for it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import folium
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from markupsafe import escape

LONDON_CENTRE = (51.4893, -0.1441)
LONDON_BOUNDS = ((51.2, -0.62), (51.76, 0.42))  # a margin round Greater London, to keep the map on it

WARD_STYLE = {"color": "#1d3557", "weight": 3, "opacity": 1, "fillColor": "#1d70b8", "fillOpacity": 0.15}


@dataclass(frozen=True)
class MapParts:
    """A rendered map: `head` for <head> (our vendored CSS/JS links), `body` for the page (the map
    container and its description), `script` for the end of <body> (folium's script, and ours)."""

    head: str
    body: str
    script: str


@dataclass(frozen=True)
class Tiles:
    url: str
    attribution: str = ""

    @classmethod
    def from_settings(cls, settings: Any) -> Tiles | None:
        url = getattr(settings, "map_tiles_url", "")
        return cls(url, getattr(settings, "map_tiles_attribution", "")) if url else None


def static_prefix(request: Any) -> str:
    """The site-relative /static path for a request (honours a root_path, like `url_for` in templates)."""
    prefix = request.scope.get(
        "app_root_path", request.scope.get("root_path", "")
    )  # a Mount's root_path includes it
    return prefix + str(request.app.url_path_for("static", path="/")).rstrip("/")


class PortalMap(folium.Map):
    """A folium Map that links only our vendored Leaflet and renders into a page of ours."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}{% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map portal-map portal-map--{{ this.variant|e }}" id="{{ this.get_name() }}"
              role="region" aria-label="{{ this.label|e }}"
              {%- if this.description %} aria-describedby="{{ this.get_name() }}-description"{% endif %}
              {%- for key, value in this.data_attributes.items() %}
              data-{{ key|e }}="{{ value|e }}"
              {%- endfor %}>
            </div>
            {% if this.description %}
            <p class="govuk-body-s portal-map__description" id="{{ this.get_name() }}-description">
              {{- this.description|e -}}
            </p>
            {% endif %}
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            window.portalMaps = window.portalMaps || {};
            window.portalMaps[{{ this.get_name()|tojson }}] = {{ this.get_name() }};
            window.portalMap = {{ this.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        label: str,
        variant: str,
        static: str = "/static",
        description: str = "",
        data_attributes: dict[str, str] | None = None,
        tiles: Tiles | None = None,
        **kwargs: Any,
    ):
        min_zoom, max_zoom = kwargs.pop("min_zoom", None), kwargs.pop("max_zoom", None)
        super().__init__(tiles=None, **kwargs)
        # folium gives min/max zoom to the tile layer only; we want them on the map, tiles or not
        self.options.update({k: v for k, v in (("min_zoom", min_zoom), ("max_zoom", max_zoom)) if v})
        # instance lists, so nothing is shared with (or mutated on) folium's module-level CDN lists
        self.default_js = [("leaflet", f"{static}/vendor/leaflet/leaflet.js")]
        self.default_css = [("leaflet_css", f"{static}/vendor/leaflet/leaflet.css")]
        self.get_root().header._children.pop("meta_http", None)  # our base.html sets the charset
        self.label = label
        self.variant = variant
        self.description = description
        self.data_attributes = data_attributes or {}
        if tiles:
            folium.TileLayer(tiles=tiles.url, attr=tiles.attribution or " ", max_zoom=19).add_to(self)

    def parts(self, *extra_scripts: str) -> MapParts:
        root = self.get_root()
        root.render()  # lets every element add its links to the header
        script = "<script>" + root.script.render() + "</script>"
        script += "".join(f'\n<script src="{escape(src)}" defer></script>' for src in extra_scripts)
        return MapParts(head=root.header.render().strip(), body=root.html.render().strip(), script=script)


def _area_map(
    area_geojson: str,
    label: str,
    name: str,
    variant: str,
    style: dict[str, Any],
    tiles: Tiles | None,
    static: str,
    **options: Any,
) -> tuple[PortalMap, list[list[float]]]:
    """A map of one area's boundary (GeoJSON geometry text), centred on it; returns it and the bounds to fit
    once the caller has added its layers."""
    geometry = json.loads(area_geojson)
    min_x, min_y, max_x, max_y = shapely.from_geojson(area_geojson).bounds
    m = PortalMap(
        label=label,
        variant=variant,
        static=static,
        tiles=tiles,
        location=((min_y + max_y) / 2, (min_x + max_x) / 2),
        zoom_start=14,
        min_zoom=9,
        max_zoom=18,
        scroll_wheel_zoom=False,
        **options,
    )
    folium.GeoJson(
        {"type": "Feature", "id": variant, "properties": {}, "geometry": geometry},
        name=name,
        style_function=lambda _feature: style,
        interactive=False,
        control=False,
    ).add_to(m)
    return m, [[min_y, min_x], [max_y, max_x]]


def ward_map(
    ward_geojson: str, name: str, tiles: Tiles | None = None, *, static: str = "/static"
) -> MapParts:
    """One ward's boundary (GeoJSON geometry text, e.g. `Ward.display_geojson`), fitted to its bounds."""
    m, bounds = _area_map(ward_geojson, f"Map of {name} ward", name, "ward", WARD_STYLE, tiles, static)
    m.fit_bounds(bounds, padding=(16, 16))
    return m.parts()


def london_map(wards_url: str, tiles: Tiles | None = None, *, static: str = "/static") -> MapParts:
    """Every current Met ward, fetched by static/js/maps.js from `wards_url`; a click opens the team."""
    (south, west), (north, east) = LONDON_BOUNDS
    m = PortalMap(
        label="Map of London's Safer Neighbourhood Teams",
        variant="london",
        static=static,
        tiles=tiles,
        description="Select a ward on the map to open its team's page. With a keyboard, move the map with "
        "the arrow keys and press Enter for the ward in the middle. Every team is also listed below, A to Z "
        "by borough.",
        data_attributes={"wards-url": wards_url},
        location=LONDON_CENTRE,
        zoom_start=10,
        min_zoom=8,  # London fits a 320px-wide screen at zoom 8
        max_zoom=17,
        max_bounds=True,
        min_lat=south,
        min_lon=west,
        max_lat=north,
        max_lon=east,
    )
    m.options["max_bounds_viscosity"] = 1.0
    m.options["zoom_snap"] = 0.5  # London fills small screens better between whole zoom levels
    m.fit_bounds([[51.286, -0.51], [51.692, 0.334]])  # Greater London
    return m.parts(f"{static}/js/maps.js")


# -- the wards layer, as GeoJSON ------------------------------------------------------------------------


@dataclass(frozen=True)
class CachedGeoJSON:
    body: bytes
    etag: str
    features: int


def wards_feature_collection(
    wards: Iterable[tuple[str, str, str, str]], url_for_team: Callable[[str], str]
) -> CachedGeoJSON:
    """(code, name, borough name, GeoJSON geometry text) → one compact FeatureCollection, with its ETag.

    Coordinates are rounded to 4 decimals (about 10 m, the display geometry is already simplified to 15 m);
    shared vertices round the same way, so neighbouring wards still meet. Built once per process."""
    features = []
    for code, name, borough, geometry_text in wards:
        geometry = json.loads(geometry_text)
        geometry["coordinates"] = _round_coordinates(geometry["type"], geometry["coordinates"])
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": name, "borough": borough, "url": url_for_team(code)},
                "geometry": geometry,
            }
        )
    body = json.dumps(
        {"type": "FeatureCollection", "features": features}, separators=(",", ":"), ensure_ascii=False
    ).encode()
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return CachedGeoJSON(body, etag, len(features))


def _round_ring(ring: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_ in ring:
        point = [round(x, 4), round(y, 4)]
        if not out or out[-1] != point:
            out.append(point)
    return out if len(out) >= 4 else [[round(x, 5), round(y, 5)] for x, y, *_ in ring]


def _round_coordinates(kind: str, coordinates: list) -> list:
    if kind == "Polygon":
        return [_round_ring(ring) for ring in coordinates]
    if kind == "MultiPolygon":
        return [[_round_ring(ring) for ring in polygon] for polygon in coordinates]
    raise ValueError(f"a ward's geometry must be a Polygon or MultiPolygon, not {kind}")


# -- crime maps (issue 5) -------------------------------------------------------------------------------


class CrimeMarkers(JSCSSMixin, MacroElement):
    """The month's crimes as clustered markers, from one compact JSON array (not one folium Marker per
    crime: rendering hundreds of elements is slow). Each popup is built with textContent, never HTML.
    Leaflet.markercluster comes from our vendored copy, never folium's CDN default."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup(
                {showCoverageOnHover: false, maxClusterRadius: 40}
            );
            (function (group, month, points) {
                points.forEach(function (p) {
                    var text = p[2] + ", " + p[3];
                    var marker = L.marker([p[0], p[1]], {title: text, alt: text, keyboard: true});
                    var box = document.createElement("div");
                    var heading = document.createElement("strong");
                    heading.textContent = p[2];
                    box.appendChild(heading);
                    [p[3], month, "Last outcome: " + p[4]].forEach(function (line) {
                        box.appendChild(document.createElement("br"));
                        box.appendChild(document.createTextNode(line));
                    });
                    marker.bindPopup(box);
                    group.addLayer(marker);
                });
            })({{ this.get_name() }}, {{ this.month_label|tojson }}, {{ this.points|tojson }});
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
            {{ this._parent.get_name() }}.crimeMarkers = {{ this.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(self, points: list[list[Any]], month_label: str, static: str = "/static"):
        super().__init__()
        self._name = "CrimeMarkers"
        self.points = points
        self.month_label = month_label
        self.default_js = [
            ("markerclusterjs", f"{static}/vendor/leaflet.markercluster/leaflet.markercluster.js")
        ]
        self.default_css = [
            ("markerclustercss", f"{static}/vendor/leaflet.markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{static}/vendor/leaflet.markercluster/MarkerCluster.Default.css"),
        ]


def crime_map(
    area_geojson: str,
    label: str,
    points: list[dict[str, Any]],
    month_label: str,
    tiles: Tiles | None = None,
    *,
    static: str = "/static",
    description: str = "",
) -> MapParts:
    """An area's boundary (always) and the month's crimes as clustered markers (popups: category, "on or
    near" location, month, last outcome). `points` are dicts with latitude, longitude, category_name,
    location and outcome, as `portal.queries.crime.street_points` returns them."""
    m, bounds = _area_map(
        area_geojson,
        label,
        label,
        "crime",
        {**WARD_STYLE, "fillOpacity": 0.05},
        tiles,
        static,
        description=description,
        data_attributes={"crimes": str(len(points))},
    )
    compact = [
        [round(p["latitude"], 6), round(p["longitude"], 6), p["category_name"], p["location"], p["outcome"]]
        for p in points
    ]
    CrimeMarkers(compact, month_label, static=static).add_to(m)
    m.fit_bounds(bounds, padding=(16, 16))
    return m.parts()


def crime_london_map(
    wards_url: str,
    values_url: str,
    tiles: Tiles | None = None,
    *,
    static: str = "/static",
    description: str = "",
) -> MapParts:
    """Every current Met ward coloured by its count: static/js/crime.js fetches the wards layer
    (`wards_url`, shared with /map) and the values (`values_url`), so no page inlines 679 polygons."""
    (south, west), (north, east) = LONDON_BOUNDS
    m = PortalMap(
        label="Map of recorded crime in London's wards",
        variant="london",
        static=static,
        tiles=tiles,
        description=description,
        data_attributes={"crime-wards-url": wards_url, "crime-values-url": values_url},
        location=LONDON_CENTRE,
        zoom_start=10,
        min_zoom=8,
        max_zoom=17,
        max_bounds=True,
        min_lat=south,
        min_lon=west,
        max_lat=north,
        max_lon=east,
    )
    m.options["max_bounds_viscosity"] = 1.0
    m.options["zoom_snap"] = 0.5
    m.fit_bounds([[51.286, -0.51], [51.692, 0.334]])
    return m.parts(f"{static}/js/crime.js")
