// The meeting form offers the kinds held with the committee chosen (each kind option says which
// committees it is for: data-committee-kinds="oc,mc"; each committee option its kind: data-kind).
// The server checks the same rule (MeetingKind.allowed_for); this only spares a refused save.
(function () {
  "use strict";
  var committee = document.getElementById("id_committee");
  var kind = document.getElementById("id_kind");
  if (!committee || !kind || committee.disabled) { return; }

  function offer() {
    var chosen = committee.options[committee.selectedIndex];
    var committeeKind = chosen ? chosen.getAttribute("data-kind") : null;
    Array.prototype.forEach.call(kind.options, function (option) {
      var kinds = (option.getAttribute("data-committee-kinds") || "").split(",").map(function (k) {
        return k.trim();
      }).filter(Boolean);
      var allowed = !committeeKind || !option.value || kinds.length === 0 || kinds.indexOf(committeeKind) !== -1;
      option.hidden = !allowed;
      option.disabled = !allowed;
      if (!allowed && option.selected) { kind.value = ""; }
    });
  }
  committee.addEventListener("change", offer);
  offer();
}());
