// Poll a batch print job's progress and show the download link when it is ready.
(function () {
  "use strict";
  var box = document.getElementById("batch-job");
  if (!box) return;
  var bar = document.getElementById("batch-bar");
  var state = document.getElementById("batch-state");
  var error = document.getElementById("batch-error");
  var link = document.getElementById("batch-download");
  function show(percent) { bar.style.width = percent + "%"; bar.textContent = percent + "%"; }
  show(parseInt(bar.getAttribute("data-percent") || "0", 10));
  function poll() {
    fetch(box.getAttribute("data-status-url"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        show(d.percent);
        state.textContent = d.done + "/" + d.total;
        if (d.error) error.textContent = d.error;
        if (d.status === "done") { link.classList.remove("d-none"); show(100); return; }
        if (d.status !== "failed") setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  var s = box.getAttribute("data-status");
  if (s !== "done" && s !== "failed") poll();
})();
