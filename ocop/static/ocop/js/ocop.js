// Small behaviours every page may use, declared in templates by data attributes: the
// Content-Security-Policy allows no inline script and no on*= handler (ocop/settings.py).
//   <form data-confirm="Question?">   asks before submitting
//   <select data-autosubmit>          submits its form when changed
//   <button data-print>               prints the page
// Listeners sit on the document, so content htmx swaps in later works the same.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      window.print();
    }
  });
})();
