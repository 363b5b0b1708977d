// A form being sent cannot be sent again: its submit buttons are disabled until the next page (issue 22,
// row 9; the server also runs a repeat only once, liaison/submit_once.py), or for 10 seconds when the
// answer leaves the page where it is (a downloaded PDF). Forms whose own script sends them without
// leaving the page (they call preventDefault) are left alone.
document.addEventListener("submit", function (e) {
  var form = e.target;
  if (e.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
  if (form.dataset.sending) { e.preventDefault(); return; }
  form.dataset.sending = "1";
  // after this turn: a button disabled now would leave its own name and value out of what is sent
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      b.disabled = true;
      b.setAttribute("aria-busy", "true");
    });
  }, 0);
  window.setTimeout(function () { release(form); }, 10000);
});

function release(form) {
  delete form.dataset.sending;
  form.querySelectorAll("[aria-busy=true]").forEach(function (b) {
    b.disabled = false;
    b.removeAttribute("aria-busy");
  });
}

// Back to a page from the browser's cache: its forms can be sent again
window.addEventListener("pageshow", function (e) {
  if (!e.persisted) { return; }
  document.querySelectorAll("form[data-sending]").forEach(release);
});
