/* Read-only outage maps: the card's zone and the public map of current and planned outages
   (points of the zone buildings, coloured by resource; current outages drawn solid).
   Tooltips and popups get DOM nodes, never strings: Leaflet would read a string as HTML. */
(function () {
  "use strict";

  var COLOURS = {
    cold_water: "#0d6efd", hot_water: "#dc3545", heating: "#fd7e14",
    electricity: "#ffc107", gas: "#6f42c1", sewerage: "#6c757d",
  };

  function baseMap(el) {
    var map = L.map(el).setView(
      [parseFloat(el.dataset.centerLat), parseFloat(el.dataset.centerLon)], 13);
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution, maxZoom: 19,
    }).addTo(map);
    return map;
  }

  function fit(map, latlngs) {
    if (latlngs.length === 1) { map.setView(latlngs[0], 16); }
    else if (latlngs.length > 1) { map.fitBounds(latlngs, { padding: [20, 20], maxZoom: 16 }); }
  }

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : [];
  }

  document.addEventListener("DOMContentLoaded", function () {
    var card = document.getElementById("outage-map");
    if (card) {
      var map = baseMap(card), all = [];
      data("outage-points").forEach(function (p) {
        all.push([p[0], p[1]]);
        L.circleMarker([p[0], p[1]], { radius: 6, color: "#dc3545" }).bindTooltip(domovoyDom.text(p[2])).addTo(map);
      });
      fit(map, all);
    }
    var pub = document.getElementById("public-map");
    if (pub) {
      var pmap = baseMap(pub), points = [];
      data("public-features").forEach(function (f) {
        var colour = COLOURS[f.resource] || "#333";
        f.points.forEach(function (p) {
          points.push([p[0], p[1]]);
          var link = document.createElement("a");
          link.href = f.url; link.textContent = f.label;
          var box = document.createElement("div");
          box.appendChild(link);
          box.appendChild(document.createElement("br"));
          box.appendChild(document.createTextNode(p[2]));
          L.circleMarker([p[0], p[1]], {
            radius: 6, color: colour, fillColor: colour,
            fillOpacity: f.current ? 0.8 : 0.2, weight: 2,
          }).bindPopup(box).addTo(pmap);
        });
      });
      fit(pmap, points);
    }
  });
})();
