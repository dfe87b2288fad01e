// The London crime map: fetches the wards layer (the same /map/wards.geojson as the London map) and the
// month's values (data-crime-values-url), and shades each ward by its class. A click opens the ward's
// crime page. The table of every ward on the same page is the text alternative and needs none of this.
(function () {
  "use strict";

  function classOf(value, breaks) {
    for (var i = 0; i < breaks.length; i++) if (value <= breaks[i]) return i;
    return breaks.length - 1;
  }

  function say(element, text) {
    var id = element.getAttribute("aria-describedby");
    var note = id && document.getElementById(id);
    if (note) note.textContent = text;
  }

  function draw(element, map, wards, data) {
    var offset = data.colours.length - data.breaks.length;
    var layer = L.geoJSON(wards, {
      style: function (feature) {
        var value = data.values[feature.properties.code];
        var fill = value === undefined ? "#ffffff" : data.colours[offset + classOf(value, data.breaks)];
        return { color: "#1d3557", weight: 1, opacity: 0.8, fillColor: fill, fillOpacity: 0.8 };
      },
      onEachFeature: function (feature, ward) {
        var value = data.values[feature.properties.code];
        if (value === undefined) return;
        var box = document.createElement("div");
        var name = document.createElement("strong");
        name.textContent = feature.properties.name;
        box.appendChild(name);
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(feature.properties.borough));
        box.appendChild(document.createElement("br"));
        box.appendChild(document.createTextNode(data.category + ": " + value));
        ward.bindTooltip(box, { sticky: true, direction: "top" });
        ward.on("click", function () {
          window.location.assign(data.crime_url.replace("{code}", feature.properties.code));
        });
      },
    }).addTo(map);
    map.crimeLayer = layer;
    element.setAttribute("data-wards-loaded", String(wards.features.length));
  }

  document.querySelectorAll(".portal-map[data-crime-wards-url]").forEach(function (element) {
    var map = (window.portalMaps || {})[element.id];
    if (!map || !window.fetch) return;
    function get(url) {
      return fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
    }
    Promise.all([get(element.getAttribute("data-crime-wards-url")), get(element.getAttribute("data-crime-values-url"))])
      .then(function (both) { draw(element, map, both[0], both[1]); })
      .catch(function () {
        say(element, "The map could not be loaded. Every ward is in the table below.");
      });
  });
})();
