/* The public map of requests (R17): points of the requests' buildings, overdue ones red.
   Data come as JSON text (json_script); popups get DOM nodes, never strings (Leaflet would
   read a string as HTML, see web/dom.js). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("public-requests-map");
    var source = document.getElementById("public-request-points");
    if (!el || !source || typeof L === "undefined") { return; }
    var map = L.map(el).setView(
      [parseFloat(el.dataset.centerLat), parseFloat(el.dataset.centerLon)], 13);
    L.tileLayer(el.dataset.tileUrl, {
      attribution: el.dataset.tileAttribution, maxZoom: 19,
    }).addTo(map);
    var latlngs = [];
    JSON.parse(source.textContent).forEach(function (p) {
      var colour = p.overdue ? "#dc3545" : "#0d6efd";
      var box = document.createElement("div");
      box.appendChild(domovoyDom.text("№ " + p.number, "strong"));
      box.appendChild(document.createElement("br"));
      box.appendChild(domovoyDom.text(p.topic));
      box.appendChild(document.createElement("br"));
      box.appendChild(domovoyDom.text(p.address));
      box.appendChild(document.createElement("br"));
      box.appendChild(domovoyDom.text(p.status + (p.overdue ? " · " + el.dataset.overdueLabel : "")));
      L.circleMarker([p.lat, p.lon], {
        radius: 7, color: colour, fillColor: colour, fillOpacity: 0.7, weight: 2,
      }).bindPopup(box).addTo(map);
      latlngs.push([p.lat, p.lon]);
    });
    if (latlngs.length === 1) { map.setView(latlngs[0], 16); }
    else if (latlngs.length > 1) { map.fitBounds(latlngs, { padding: [20, 20], maxZoom: 16 }); }
  });
})();
