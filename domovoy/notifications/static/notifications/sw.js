/* Service worker of Domovoy web push (N1). Shows a pushed notice; the tag is the notice's
   dedup key, so a repeated delivery of the same notice replaces the shown one instead of
   adding a second. A click opens the notice's page. */
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
      data: { url: data.url || "/notifications/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/notifications/";
  event.waitUntil(clients.openWindow(url));
});
