// A control marked data-autosubmit submits its form when it changes (the CSP blocks inline
// onchange handlers, so the behaviour lives here).
(function () {
  "use strict";
  document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
    control.addEventListener("change", function () {
      control.form.submit();
    });
  });
})();
