/* The outage zone picker (O1): buildings one by one (address search), whole streets, and a
   polygon drawn on a Leaflet map by clicking its vertices. The hidden inputs carry the choice;
   the server resolves it (point-in-polygon there) and sends the zone's address list (an htmx
   fragment, #zone-addresses) with its points. The buildings of the publisher's network are grey
   points, so a zone can be drawn around them when the tiles do not load (a note says so).
   Addresses are data: they reach the page as text nodes only (domovoyDom, web/dom.js). */
(function () {
  "use strict";

  function parseList(text) {
    // A hidden input re-rendered after an error may hold anything the browser sent: never fail.
    try {
      var value = JSON.parse(text || "[]");
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return []; }
    try { return JSON.parse(el.textContent) || []; } catch (e) { return []; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var mapEl = document.getElementById("zone-map");
    if (!mapEl) { return; }
    var form = mapEl.closest("form");
    var idsInput = form.querySelector("input[name=building_ids]");
    var streetsInput = form.querySelector("input[name=streets]");
    var polygonInput = form.querySelector("input[name=polygon]");
    var chips = document.getElementById("zone-chips");
    var listEl = document.getElementById("zone-addresses");
    var liveEl = document.getElementById("zone-count-live");
    var networkCountEl = document.getElementById("zone-network-count");
    var networkText = document.getElementById("zone-network-text").content.textContent.trim();
    var removeText = document.getElementById("zone-remove-text").content.textContent.trim();

    // Labels and coordinates of the buildings already chosen (the server fills them in when it
    // re-renders the form after an error, or when the card opens the zone of an outage).
    var known = {};
    readJson("zone-labels").forEach(function (row) {
      known[row[0]] = { label: row[1], lat: row[2], lon: row[3] };
    });
    var state = {
      buildings: [],  // [{id, label}]
      streets: parseList(streetsInput.value).filter(function (s) {
        return Array.isArray(s) && s.length === 2;
      }),
      polygon: parseList(polygonInput.value).filter(function (p) {
        return Array.isArray(p) && p.length === 2 && isFinite(p[0]) && isFinite(p[1]);
      }),
    };
    (idsInput.value || "").split(",").forEach(function (x) {
      var id = parseInt(x, 10);
      if (!isNaN(id) && !state.buildings.some(function (b) { return b.id === id; })) {
        state.buildings.push({ id: id, label: known[id] ? known[id].label : "#" + id });
      }
    });

    // --- map and polygon drawing
    var map = L.map(mapEl).setView(
      [parseFloat(mapEl.dataset.centerLat), parseFloat(mapEl.dataset.centerLon)], 14);
    var tiles = L.tileLayer(mapEl.dataset.tileUrl, {
      attribution: mapEl.dataset.tileAttribution, maxZoom: 19,
    }).addTo(map);
    // No tiles (an intranet without a tile server, a failing one): say so; the network's
    // points below still show where the buildings are.
    tiles.on("tileerror", function () {
      document.getElementById("zone-tiles-note").hidden = false;
    });
    mapEl.leafletMap = map;  // for the browser test: turn coordinates into click positions
    var network = L.layerGroup().addTo(map);
    var shape = L.polygon([], { color: "#dc3545", weight: 2 }).addTo(map);
    var vertices = L.layerGroup().addTo(map);
    var found = L.layerGroup().addTo(map);

    // Show what was chosen before: the drawn polygon and the chosen buildings.
    function fitChosen() {
      var points = state.polygon.slice();
      state.buildings.forEach(function (b) {
        var k = known[b.id];
        if (k && k.lat !== null && k.lon !== null) { points.push([k.lat, k.lon]); }
      });
      if (points.length === 1) { map.setView(points[0], 16); }
      else if (points.length > 1) { map.fitBounds(points, { padding: [20, 20], maxZoom: 16 }); }
    }
    // A map inside a collapsed block has no size until it opens (the card's «Изменить зону»).
    var collapse = mapEl.closest(".collapse");
    if (collapse) {
      collapse.addEventListener("shown.bs.collapse", function () {
        map.invalidateSize(); fitChosen();
      });
    }

    function drawPolygon() {
      shape.setLatLngs(state.polygon);
      vertices.clearLayers();
      state.polygon.forEach(function (p) {
        L.circleMarker(p, { radius: 4, color: "#dc3545" }).addTo(vertices);
      });
    }
    map.on("click", function (e) {
      state.polygon.push([+e.latlng.lat.toFixed(6), +e.latlng.lng.toFixed(6)]);
      changed();
    });
    document.getElementById("zone-undo").addEventListener("click", function () {
      state.polygon.pop(); changed();
    });
    document.getElementById("zone-clear").addEventListener("click", function () {
      state.polygon = []; changed();
    });

    // --- chips of chosen buildings and streets
    function chip(text, onRemove) {
      var span = document.createElement("span");
      span.className = "badge text-bg-light border d-inline-flex align-items-center gap-1";
      span.textContent = text;
      var b = document.createElement("button");
      b.type = "button"; b.className = "btn-close btn-close-sm"; b.style.fontSize = ".6rem";
      b.setAttribute("aria-label", removeText + " " + text);
      b.addEventListener("click", onRemove);
      span.appendChild(b);
      chips.appendChild(span);
    }
    function drawChips() {
      domovoyDom.clear(chips);
      state.buildings.forEach(function (b, i) {
        chip(b.label, function () { state.buildings.splice(i, 1); changed(); });
      });
      state.streets.forEach(function (s, i) {
        chip(s[1] + " (" + s[0] + ")", function () { state.streets.splice(i, 1); changed(); });
      });
    }

    // --- the buildings of the publisher's network for the chosen network and resource
    var networkRequest = 0;
    function value(name) {
      var el = form.querySelector("[name=" + name + "]");
      return el ? el.value : "";
    }
    function loadNetwork() {
      var resource = value("resource"), net = value("network");
      network.clearLayers();
      networkCountEl.textContent = "";
      if (!resource || !net) { return; }
      var ticket = ++networkRequest;
      fetch(mapEl.dataset.networkUrl + "?network=" + encodeURIComponent(net) +
            "&resource=" + encodeURIComponent(resource), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || ticket !== networkRequest) { return; }
          var points = [];
          data.points.forEach(function (p) {
            points.push([p[1], p[2]]);
            // Clicks pass through to the map: a point is drawn around, not picked.
            L.circleMarker([p[1], p[2]], {
              radius: 4, color: "#6c757d", weight: 1, fillColor: "#6c757d", fillOpacity: 0.6,
              className: "zone-network-point",
            }).bindTooltip(domovoyDom.text(p[3])).addTo(network);
          });
          networkCountEl.textContent = networkText + " " + data.points.length +
            (data.count > data.points.length ? " / " + data.count : "");
          // Nothing chosen yet: show the network, the place to draw.
          if (!state.polygon.length && !state.buildings.length && points.length) {
            if (points.length === 1) { map.setView(points[0], 16); }
            else { map.fitBounds(points, { padding: [20, 20], maxZoom: 16 }); }
          }
        });
    }
    ["resource", "network"].forEach(function (name) {
      var el = form.querySelector("select[name=" + name + "]");
      if (el) { el.addEventListener("change", function () { loadNetwork(); changed(); }); }
    });

    // --- the zone's address list: the server resolves the zone (htmx, #zone-addresses)
    function preview() {
      htmx.trigger(listEl, "zone-changed");
    }
    function drawFound() {
      found.clearLayers();
      readJson("zone-found-points").forEach(function (p) {
        L.circleMarker([p[0], p[1]], { radius: 5, color: "#0d6efd" })
          .bindTooltip(domovoyDom.text(p[2])).addTo(found);
      });
    }
    listEl.addEventListener("htmx:afterSwap", function () {
      drawFound();
      var count = document.getElementById("zone-count");
      liveEl.textContent = count ? count.textContent : "";
    });
    function changed() {
      idsInput.value = state.buildings.map(function (b) { return b.id; }).join(",");
      streetsInput.value = JSON.stringify(state.streets);
      polygonInput.value = state.polygon.length >= 3 ? JSON.stringify(state.polygon) : "";
      drawPolygon(); drawChips();
      preview();  // htmx waits 250 ms for more changes (hx-trigger delay)
    }

    // --- address search
    var search = document.getElementById("zone-search");
    var results = document.getElementById("zone-search-results");
    var searchTimer = null;
    search.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        var q = search.value.trim();
        domovoyDom.clear(results);
        if (q.length < 2) { return; }
        fetch(search.dataset.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            domovoyDom.clear(results);
            data.results.forEach(function (b) {
              var a = document.createElement("button");
              a.type = "button"; a.className = "list-group-item list-group-item-action py-1";
              a.textContent = b.address;
              a.addEventListener("click", function () {
                if (!state.buildings.some(function (x) { return x.id === b.id; })) {
                  state.buildings.push({ id: b.id, label: b.short });
                }
                domovoyDom.clear(results); search.value = ""; changed();
                if (b.lat !== null) { map.panTo([b.lat, b.lon]); }
              });
              results.appendChild(a);
            });
          });
      }, 200);
    });
    document.getElementById("zone-street-add").addEventListener("click", function () {
      var settlement = document.getElementById("zone-settlement").value;
      var street = document.getElementById("zone-street").value.trim();
      if (settlement && street) {
        state.streets.push([settlement, street]);
        document.getElementById("zone-street").value = "";
        changed();
      }
    });

    // --- emergency-only fields (the publication form only)
    var kind = form.querySelector("select[name=kind]");
    function toggleKind() {
      var emergency = kind.value === "emergency";
      form.querySelectorAll(".emergency-only").forEach(function (el) { el.hidden = !emergency; });
      form.querySelectorAll(".emergency-hide").forEach(function (el) { el.hidden = emergency; });
    }
    if (kind) {
      kind.addEventListener("change", toggleKind);
      toggleKind();
    }
    fitChosen();
    drawFound();  // the list the server sent with the page (after a refused publication)
    loadNetwork();
    changed();
  });
})();
