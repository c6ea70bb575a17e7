/* Leaflet maps of the directory: the building registry map (fed by the GeoJSON endpoint,
   reloaded for the visible bounding box) and the single-building map. */
(function () {
  "use strict";

  function baseMap(el, lat, lon, zoom) {
    var map = L.map(el).setView([lat, lon], zoom);
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution,
      maxZoom: 19,
    }).addTo(map);
    return map;
  }

  function registryMap(el) {
    var map = baseMap(el, parseFloat(el.dataset.centerLat), parseFloat(el.dataset.centerLon),
      parseInt(el.dataset.zoom, 10) || 13);
    var layer = L.layerGroup().addTo(map);
    var note = document.getElementById("buildings-map-note");
    var pending = null;

    function load() {
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (x) { return x.toFixed(6); }).join(",");
      var url = el.dataset.geojson + (el.dataset.geojson.indexOf("?") >= 0 ? "&" : "?") +
        "bbox=" + encodeURIComponent(bbox);
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(url, { credentials: "same-origin", signal: pending.signal })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          (data.features || []).forEach(function (f) {
            var c = f.geometry.coordinates;
            var link = document.createElement("a");
            link.href = f.properties.url;
            link.textContent = f.properties.address;
            L.circleMarker([c[1], c[0]], { radius: 5, weight: 1 })
              .bindPopup(link).addTo(layer);
          });
          if (note) { note.textContent = data.truncated ? el.dataset.truncatedText : ""; }
        })
        .catch(function () { /* aborted by a newer request */ });
    }

    map.on("moveend", load);
    load();
  }

  function buildingMap(el) {
    var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
    var map = baseMap(el, lat, lon, parseInt(el.dataset.zoom, 10) || 16);
    L.marker([lat, lon], { title: el.dataset.label }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var registry = document.getElementById("buildings-map");
    if (registry) { registryMap(registry); }
    var single = document.getElementById("building-map");
    if (single) { buildingMap(single); }
  });
})();
