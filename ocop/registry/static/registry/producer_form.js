// The producer form: reload the commune list when the province changes (htmx attributes set
// here keep the form plain without script). The list's address comes from this script tag's
// data-communes-url.
(function () {
  "use strict";
  var url = document.currentScript && document.currentScript.dataset.communesUrl;
  var province = document.getElementById("id_province");
  var commune = document.getElementById("id_commune");
  if (!url || !province || !commune || !window.htmx) return;
  province.setAttribute("hx-get", url);
  province.setAttribute("hx-target", "#id_commune");
  province.setAttribute("hx-trigger", "change");
  window.htmx.process(province);
})();
