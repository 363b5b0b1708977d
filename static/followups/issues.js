// Issue list: "select all" for bulk assignment (no inline JS: the CSP forbids it).
document.addEventListener("change", function (e) {
  if (e.target.id === "select-all") {
    document.querySelectorAll(".issue-check").forEach(function (c) { c.checked = e.target.checked; });
  }
});
