/* The "enable push on this device" button of the notification settings page (N1). */
(function () {
  const enable = document.getElementById("push-enable");
  if (!enable) return;
  const disable = document.getElementById("push-disable");
  const status = document.getElementById("push-status");
  const csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function say(key) {
    status.textContent = status.dataset[key] || "";
  }
  function keyBytes(base64) {
    const padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function show(on) {
    enable.classList.toggle("d-none", on);
    disable.classList.toggle("d-none", !on);
    say(on ? "on" : "off");
  }
  async function api(method, body) {
    const response = await fetch(enable.dataset.api, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    enable.disabled = true;
    say("unsupported");
    return;
  }
  // The site's one worker (notifications.pwa), scope "/"; pwa.js registers the same one.
  const ready = navigator.serviceWorker
    .register(enable.dataset.sw, { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then(moveLegacy);

  // Before issue 11 the push worker lived at /static/notifications/sw.js under a scope of its
  // own: move its subscription to the site's worker (same server key) and unregister it.
  async function moveLegacy(reg) {
    const all = await navigator.serviceWorker.getRegistrations();
    for (const old of all) {
      if (old === reg || !old.scope.includes("/static/notifications/")) continue;
      try {
        const sub = await old.pushManager.getSubscription();
        if (sub) {
          if (Notification.permission === "granted" && !(await reg.pushManager.getSubscription())) {
            const fresh = await reg.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: keyBytes(enable.dataset.key),
            });
            await api("POST", fresh.toJSON());
          }
          await api("DELETE", { endpoint: sub.endpoint });
          await sub.unsubscribe();
        }
        await old.unregister();
      } catch (e) {
        /* left for the next visit */
      }
    }
    return reg;
  }
  ready
    .then((reg) => reg.pushManager.getSubscription())
    .then((sub) => show(!!sub))
    .catch(() => say("off"));

  enable.addEventListener("click", async () => {
    enable.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("denied");
        return;
      }
      const reg = await ready;
      const sub = await reg.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(enable.dataset.key),
      });
      await api("POST", sub.toJSON());
      show(true);
    } catch (e) {
      say("error");
    } finally {
      enable.disabled = false;
    }
  });

  disable.addEventListener("click", async () => {
    const reg = await ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await api("DELETE", { endpoint: sub.endpoint }).catch(() => {});
      await sub.unsubscribe();
    }
    show(false);
  });
})();
