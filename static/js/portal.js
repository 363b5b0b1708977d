// Confirmation for destructive buttons (no inline JS: the Content Security Policy forbids it).
document.addEventListener("click", function (e) {
  var el = e.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
});

// A form sent back with errors: bring the first error into view with its field and put the cursor
// there. On a phone the "please correct" message at the top is screens away from the field it is about.
(function () {
  var main = document.querySelector("main");
  var err = main && main.querySelector(".is-invalid, .invalid-feedback, form .alert-danger, form .errorlist");
  if (!err) { return; }
  var folded = err.closest(".collapse:not(.show)");
  if (folded) { folded.classList.add("show"); }
  var details = err.closest("details");
  if (details) { details.open = true; }
  var box = err.closest("[id^='div_id_'], .mb-3, .form-check, fieldset") || err;
  var field = err.matches("input, select, textarea") ? err : box.querySelector("input:not([type=hidden]), select, textarea");
  box.scrollIntoView({ block: "center", behavior: "instant" });  // Bootstrap makes scrolling smooth: not on arrival
  if (field && field.type !== "file") { field.focus({ preventScroll: true }); }
})();
