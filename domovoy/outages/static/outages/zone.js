/* The outage zone picker (O1): buildings one by one (address search), whole streets, and a
   polygon drawn on a Leaflet map by clicking its vertices. The hidden inputs carry the choice;
   the server resolves it (point-in-polygon there) and the preview shows the building count.
   Addresses are data: they reach the page as text nodes only (domovoyDom, web/dom.js). */
(function () {
  "use strict";

  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }

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
    var countEl = document.getElementById("zone-count");
    var errorEl = document.getElementById("zone-error");
    var countText = document.getElementById("zone-count-text").content.textContent.trim();
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
    L.tileLayer(mapEl.dataset.tileUrl, {
      attribution: mapEl.dataset.tileAttribution, maxZoom: 19,
    }).addTo(map);
    mapEl.leafletMap = map;  // for the browser test: turn coordinates into click positions
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

    // --- preview through the API
    var timer = null;
    function preview() {
      var body = {
        building_ids: state.buildings.map(function (b) { return b.id; }),
        streets: state.streets,
        polygon: state.polygon.length >= 3 ? state.polygon : [],
      };
      errorEl.textContent = "";
      if (!body.building_ids.length && !body.streets.length && !body.polygon.length) {
        countEl.textContent = countText + " 0"; found.clearLayers(); return;
      }
      fetch(mapEl.dataset.previewUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
      }).then(function (r) { return r.json().then(function (d) { return [r.ok, d]; }); })
        .then(function (res) {
          found.clearLayers();
          if (!res[0]) { countEl.textContent = countText + " 0"; errorEl.textContent = res[1].message || ""; return; }
          countEl.textContent = countText + " " + res[1].count;
          res[1].buildings.forEach(function (b) {
            if (b.latitude !== null) {
              L.circleMarker([b.latitude, b.longitude], { radius: 5, color: "#0d6efd" })
                .bindTooltip(domovoyDom.text(b.address)).addTo(found);
            }
          });
        });
    }
    function changed() {
      idsInput.value = state.buildings.map(function (b) { return b.id; }).join(",");
      streetsInput.value = JSON.stringify(state.streets);
      polygonInput.value = state.polygon.length >= 3 ? JSON.stringify(state.polygon) : "";
      drawPolygon(); drawChips();
      clearTimeout(timer); timer = setTimeout(preview, 250);
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
    changed();
  });
})();
