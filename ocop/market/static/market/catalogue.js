// The catalogue's search page.
(function () {
  "use strict";
  // Filters start folded on a phone, open on a wide screen (they are a plain form either way).
  var panel = document.querySelector(".filters-panel");
  if (panel && window.matchMedia("(max-width: 899px)").matches) {
    panel.removeAttribute("open");
  }
  // Short addresses to share: leave out the filters that are not set.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    Array.from(params.keys ? params.keys() : Object.keys(params)).forEach(function (key) {
      if (params.get ? params.get(key) === "" : params[key] === "") {
        if (params.delete) {
          params.delete(key);
        } else {
          delete params[key];
        }
      }
    });
  });
})();
