// The London map's ward layer: fetched as GeoJSON from the map element's data-wards-url and added to the
// folium-built Leaflet map (registered by its script as window.portalMaps[element id]). Clicking a ward
// opens its team's page; hovering shows the ward and borough. Keyboard: when the map has focus, the arrow
// keys move it, the ward under the centre is named, and Enter opens its team. The A–Z list of teams on the
// same page is the text alternative, and works without any of this.
(function () {
  "use strict";

  var STYLE = { color: "#1d3557", weight: 1, opacity: 0.9, fillColor: "#1d70b8", fillOpacity: 0.1 };
  var HIGHLIGHT = { color: "#0b0c0c", weight: 3, opacity: 1, fillColor: "#ffdd00", fillOpacity: 0.45 };

  function label(properties) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = properties.name;
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(properties.borough));
    return box;
  }

  // Ray casting over a GeoJSON Polygon/MultiPolygon, for the ward under the centre of the map.
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inGeometry(x, y, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    return polygons.some(function (rings) {
      return inRing(x, y, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(x, y, hole); });
    });
  }

  function say(element, text) {
    var id = element.getAttribute("aria-describedby");
    var note = id && document.getElementById(id);
    if (note) note.textContent = text;
  }

  function addWards(element, map, data) {
    var current = null;
    var layer = L.geoJSON(data, {
      style: STYLE,
      onEachFeature: function (feature, ward) {
        ward.bindTooltip(label(feature.properties), { sticky: true, direction: "top" });
        ward.on({
          click: function () { window.location.assign(feature.properties.url); },
          mouseover: function () { ward.setStyle(HIGHLIGHT); ward.bringToFront(); },
          mouseout: function () { if (ward !== current) layer.resetStyle(ward); },
        });
      },
    }).addTo(map);

    // Keyboard: name the ward under the centre of the map while the map has focus.
    function pick() {
      var centre = map.getCenter();
      var found = null;
      layer.eachLayer(function (ward) {
        if (!found && ward.getBounds().contains(centre) &&
            inGeometry(centre.lng, centre.lat, ward.feature.geometry)) found = ward;
      });
      if (current && current !== found) { current.closeTooltip(); layer.resetStyle(current); }
      current = found;
      if (found) {
        found.setStyle(HIGHLIGHT);
        found.bringToFront();
        found.openTooltip(centre);
      }
    }
    var container = map.getContainer();
    container.addEventListener("focus", function () {
      if (container.matches(":focus-visible")) pick();
    });
    container.addEventListener("blur", function () {
      if (current) { current.closeTooltip(); layer.resetStyle(current); current = null; }
    });
    map.on("moveend", function () { if (document.activeElement === container) pick(); });
    container.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && current) window.location.assign(current.feature.properties.url);
    });

    map.wardsLayer = layer;
    element.setAttribute("data-wards-loaded", String(data.features.length));
    element.dispatchEvent(new CustomEvent("portal:wards-loaded", { bubbles: true }));
  }

  document.querySelectorAll(".portal-map[data-wards-url]").forEach(function (element) {
    var map = (window.portalMaps || {})[element.id];
    if (!map || !window.fetch) return;
    fetch(element.getAttribute("data-wards-url"), { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { addWards(element, map, data); })
      .catch(function () {
        say(element, "The ward boundaries could not be loaded. Every team is listed below, A to Z by borough.");
      });
  });
})();
