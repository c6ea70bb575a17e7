/* Text for HTML sinks (DESIGN §7). Leaflet's bindTooltip/bindPopup/setContent treat a string
   as HTML, and so do innerHTML and friends: our scripts never hand them a string built from
   data. They pass a DOM node whose text is set with textContent, built here. */
(function () {
  "use strict";

  /* An element (a <span> unless a tag is given) showing ``value`` as literal text. */
  function text(value, tag) {
    var el = document.createElement(tag || "span");
    el.textContent = value === null || value === undefined ? "" : String(value);
    return el;
  }

  /* Remove every child of an element (instead of ``innerHTML = ""``). */
  function clear(el) {
    while (el.firstChild) { el.removeChild(el.firstChild); }
  }

  window.domovoyDom = { text: text, clear: clear };
})();
