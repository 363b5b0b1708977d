// The minutes page: one form filled in top to bottom. Nothing typed is lost:
// - rows for more resolutions and issues are added in place (Django formsets' empty_form);
// - a draft is kept in this browser while typing and offered back when the page is opened again
//   (a closed tab, a lost connection), until the page is saved;
// - leaving with unsaved text asks first;
// - after a refused save the page scrolls to the first field in error.
(function () {
  "use strict";
  var form = document.getElementById("minutes-form");
  if (!form) { return; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var T = zh ? {
    restored: "已恢复您上次未保存的草稿（%s）。",
    discard: "放弃草稿",
    saved: "草稿已保存在本机 %s",
    leave: "您有未保存的内容，确定离开吗？"
  } : {
    restored: "Your unsaved draft from %s was restored.",
    discard: "Discard the draft",
    saved: "Draft kept on this device at %s",
    leave: "You have unsaved text. Leave anyway?"
  };
  var key = "liaison:" + form.getAttribute("data-draft-key");
  var status = document.getElementById("draft-status");
  var dirty = false;

  function addRow(rowsId) {
    var rows = document.getElementById(rowsId);
    var prefix = rows.getAttribute("data-prefix");
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById(rowsId + "-empty").innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild.querySelector("textarea, input, select");
    if (first) { first.focus(); }
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "hidden" && el.type !== "submit" &&
        el.type !== "button";
    });
  }

  function snapshot() {
    var totals = {};
    Array.prototype.forEach.call(form.querySelectorAll("[id$='-TOTAL_FORMS']"), function (el) {
      totals[el.name] = el.value;
    });
    var values = {};
    fields().forEach(function (el) { values[el.name] = el.value; });
    return { at: new Date().toISOString(), version: form.getAttribute("data-draft-version"), totals: totals, values: values };
  }

  function timeOf(iso) {
    var d = new Date(iso);
    return (d.getHours() < 10 ? "0" : "") + d.getHours() + ":" + (d.getMinutes() < 10 ? "0" : "") + d.getMinutes();
  }

  function save() {
    try {
      var s = snapshot();
      window.localStorage.setItem(key, JSON.stringify(s));
      if (status) { status.textContent = T.saved.replace("%s", timeOf(s.at)); }
    } catch (e) { /* storage full or disabled: the warning on leaving still protects the text */ }
  }

  function restore() {
    var raw;
    try { raw = window.localStorage.getItem(key); } catch (e) { return; }
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { window.localStorage.removeItem(key); return; }
    if (draft.version !== form.getAttribute("data-draft-version")) {
      // the minutes were saved since (here or by a colleague): the draft would overwrite newer text
      window.localStorage.removeItem(key);
      return;
    }
    var changed = false;
    Object.keys(draft.totals || {}).forEach(function (name) {
      var rowsId = name.replace("-TOTAL_FORMS", "") + "-rows";
      var total = form.querySelector("[name='" + name + "']");
      if (!total || !document.getElementById(rowsId)) { return; }
      while (parseInt(total.value, 10) < parseInt(draft.totals[name], 10)) { addRow(rowsId); }
    });
    fields().forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(draft.values, el.name) && draft.values[el.name] !== el.value) {
        el.value = draft.values[el.name];
        changed = true;
      }
    });
    if (!changed) { return; }
    dirty = true;
    var note = document.createElement("div");
    note.className = "alert alert-info d-flex flex-wrap align-items-center gap-2";
    note.id = "draft-restored";
    note.setAttribute("role", "status");
    note.textContent = T.restored.replace("%s", timeOf(draft.at));
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = T.discard;
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(key);
      dirty = false;
      window.location.reload();
    });
    note.appendChild(discard);
    form.insertBefore(note, form.firstChild.nextSibling);
  }

  form.addEventListener("click", function (e) {
    var button = e.target.closest("[data-add-row]");
    if (button) { e.preventDefault(); addRow(button.getAttribute("data-add-row")); dirty = true; save(); }
  });
  var timer = null;
  form.addEventListener("input", function () {
    dirty = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 400);
  });
  form.addEventListener("submit", function () {
    // the server shows the text again if it refuses; the draft goes once the page comes back saved
    dirty = false;
    save();
    window.sessionStorage.setItem(key + ":submitted", "1");
  });
  // the last keystrokes before the tab is closed or reloaded are kept too
  window.addEventListener("pagehide", function () { if (dirty) { window.clearTimeout(timer); save(); } });
  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = T.leave; return T.leave; }
  });

  var invalid = form.querySelector(".is-invalid, .invalid-feedback");
  var submitted = window.sessionStorage.getItem(key + ":submitted");
  window.sessionStorage.removeItem(key + ":submitted");
  if (submitted && !invalid && !document.getElementById("minutes-errors")) {
    // saved: what the page shows now is what was kept
    window.localStorage.removeItem(key);
  } else if (!invalid) {
    restore();
  }
  if (invalid) {
    var target = invalid.classList.contains("is-invalid") ? invalid : invalid.previousElementSibling || invalid;
    target.scrollIntoView({ block: "center" });
    if (target.focus) { target.focus(); }
  }
}());
