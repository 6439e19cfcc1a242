// Freelancer Network: behaviour shared by every page. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  // Buttons and links with data-confirm ask before they act (e.g. assigning an unvetted freelancer).
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Links that auto-submit a select's form (filters) without inline handlers.
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); }
  });
})();
