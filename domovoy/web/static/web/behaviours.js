// Small page behaviours declared with data attributes: the Content Security Policy forbids
// inline event handlers (onclick=, onchange=…), so every page uses these instead.
(function () {
  "use strict";
  // <button data-confirm="Удалить?">: ask before submitting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // <a data-history-back href="/">: back to the previous page when there is one (error pages;
  // without script, or opened in a new tab, the link leads to its href).
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-history-back]");
    if (el && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  // <input data-select-on-click>: select the whole value (a token to copy).
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-select-on-click]");
    if (el) { el.select(); }
  });
  // <select data-autosubmit>: submit its form on change (the language switch).
  // <input type=radio data-show-outcome>: show the [data-outcome] block of the chosen value.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("[data-autosubmit]") && el.form) { el.form.submit(); }
    if (el.matches("[data-show-outcome]")) {
      document.querySelectorAll("[data-outcome]").forEach(function (block) {
        block.hidden = block.getAttribute("data-outcome") !== el.value;
      });
    }
  });
  // <input data-no-enter>: Enter does not submit the surrounding form (a search picker).
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-no-enter]")) {
      event.preventDefault();
    }
  });
})();
