/* The one service worker of Domovoy (N1, issue 11), served by notifications.pwa with scope "/".
   - Offline: a page the network cannot fetch is answered with the offline page. Only that page
     and the static shell are cached, never a page or an API answer (no personal data).
   - Web push: shows a pushed notice; the tag is the notice's dedup key, so a repeated delivery
     of the same notice replaces the shown one instead of adding a second. A click opens the
     notice's page. */
const CACHE = "{{ cache_name }}";
const OFFLINE_URL = {{ offline_url|safe }};
const SHELL = {{ shell|safe }};
const INBOX_URL = {{ inbox_url|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // Without cookies: what is stored is what an anonymous visitor gets.
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith("domovoy-") && n !== CACHE).map((n) => caches.delete(n))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Always the network; the offline page only when it fails.
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((cache) => cache.match(OFFLINE_URL))
      )
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    // The shell: fresh from the network, the stored copy offline.
    event.respondWith(
      fetch(request).catch(() => caches.open(CACHE).then((cache) => cache.match(url.pathname)))
    );
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { title: "Домовой", body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Домовой", {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: SHELL[SHELL.length - 1],
      data: { url: data.url || INBOX_URL },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || INBOX_URL;
  event.waitUntil(clients.openWindow(url));
});
