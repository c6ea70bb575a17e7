/* Installs the site's one service worker (issue 11, N1): the resident pages work as an app and
   show the offline page when the network is down. The worker's URL is the script tag's
   data-sw (notifications.pwa serves it with Service-Worker-Allowed: /). */
(function () {
  const script = document.currentScript;
  const url = script && script.dataset.sw;
  if (!url || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(() => {});
  });
})();
