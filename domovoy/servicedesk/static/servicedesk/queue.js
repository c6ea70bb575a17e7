/* The dispatcher's live queue (R19): the #sd-live element polls the server every few seconds
   (htmx); each answer carries the alerts (new and emergency requests) and whether anything
   changed. New alerts become toasts and, when the dispatcher switched the sound on, a beep
   (browsers allow sound only after a click, hence the toggle). Changed rows are reloaded in
   place unless the dispatcher has ticked rows for bulk accept: then a banner offers a refresh. */
(function () {
  "use strict";
  var root = document.getElementById("sd-queue");
  if (!root) return;
  var SEEN_KEY = "sd-seen-alerts";
  var seen = new Set(JSON.parse(sessionStorage.getItem(SEEN_KEY) || "[]"));
  var soundOn = localStorage.getItem("sd-sound") === "1";
  var audio = new Audio(root.dataset.sound);
  var toggle = document.getElementById("sd-sound-toggle");
  var staleBanner = document.getElementById("sd-stale");
  var unseen = 0;
  var baseTitle = document.title;

  function renderToggle() {
    toggle.textContent = soundOn ? toggle.dataset.on : toggle.dataset.off;
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    toggle.classList.toggle("btn-outline-secondary", !soundOn);
    toggle.classList.toggle("btn-success", soundOn);
  }
  toggle.addEventListener("click", function () {
    soundOn = !soundOn;
    localStorage.setItem("sd-sound", soundOn ? "1" : "0");
    if (soundOn) { audio.currentTime = 0; audio.play().catch(function () {}); }
    renderToggle();
  });
  renderToggle();

  function beep(times) {
    if (!soundOn) return;
    var played = 0;
    function once() {
      audio.currentTime = 0;
      audio.play().catch(function () {});
      played += 1;
      if (played < times) setTimeout(once, 700);
    }
    once();
  }

  function toast(alert) {
    var box = document.createElement("div");
    box.className = "toast border-0 " + (alert.emergency ? "text-bg-danger" : "text-bg-primary");
    box.setAttribute("role", alert.emergency ? "alert" : "status");
    var body = document.createElement("div");
    body.className = "d-flex";
    var text = document.createElement("div");
    text.className = "toast-body";
    var link = document.createElement("a");
    link.className = "link-light fw-semibold";
    link.href = alert.url;
    link.textContent = alert.title;
    var detail = document.createElement("div");
    detail.className = "small";
    detail.textContent = alert.text;
    text.appendChild(link);
    text.appendChild(detail);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", "×");
    body.appendChild(text);
    body.appendChild(close);
    box.appendChild(body);
    document.getElementById("sd-toasts").appendChild(box);
    // Emergencies stay on screen until dismissed.
    new bootstrap.Toast(box, { autohide: !alert.emergency, delay: 15000 }).show();
  }

  function rowsUrl() {
    var url = new URL(window.location.href);
    url.searchParams.set("partial", "rows");
    return url.toString();
  }

  function refreshRows() {
    if (document.querySelector("#sd-rows input[name=rows]:checked")) {
      staleBanner.classList.remove("d-none");
      return;
    }
    staleBanner.classList.add("d-none");
    htmx.ajax("GET", rowsUrl(), { target: "#sd-rows", swap: "innerHTML" });
  }
  document.getElementById("sd-refresh-now").addEventListener("click", function (e) {
    e.preventDefault();
    document.querySelectorAll("#sd-rows input[name=rows]:checked").forEach(function (b) {
      b.checked = false;
    });
    refreshRows();
  });

  function handleLive() {
    var live = document.getElementById("sd-live");
    if (!live || live.dataset.handled) return;
    live.dataset.handled = "1";
    var alerts = JSON.parse(live.dataset.alerts || "[]");
    var fresh = alerts.filter(function (a) { return !seen.has(a.key); });
    fresh.forEach(function (a) { seen.add(a.key); toast(a); });
    if (fresh.length) {
      sessionStorage.setItem(SEEN_KEY, JSON.stringify(Array.from(seen).slice(-500)));
      beep(fresh.some(function (a) { return a.emergency; }) ? 3 : 1);
      if (document.hidden) {
        unseen += fresh.length;
        document.title = "(" + unseen + ") " + baseTitle;
      }
    }
    if (Number(live.dataset.changed || 0) > 0) refreshRows();
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { unseen = 0; document.title = baseTitle; }
  });
  document.body.addEventListener("htmx:afterSettle", handleLive);

  // «Select all»: every row that may be accepted.
  document.addEventListener("change", function (e) {
    if (!e.target.matches("[data-sd-select-all]")) return;
    document.querySelectorAll("#sd-rows input[name=rows]").forEach(function (b) {
      b.checked = e.target.checked;
    });
  });
})();
