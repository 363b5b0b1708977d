// Nothing typed is lost on a page with several forms (issue 17 item 1).
//
// A form marked <form data-draft="issue-42-reply"> (the key names the object and the form) keeps what is
// typed into it in this browser (localStorage) while typing, and gets it back when the page is opened
// again: after another form of the page was submitted and the page reloaded, after a closed tab or a
// lost connection. The draft of a form goes when that form was submitted and the page came back without
// an error. Leaving the page with typed text that is not saved asks first; submitting one of the page's
// own forms does not (the other forms' drafts are kept and come back after the reload).
//
// Optional attributes on the form:
//   data-draft-version="7"  the object's version as shown: a draft of an older version is dropped
//                           (the object was saved since, here or by a colleague);
//   data-draft-status="id"  an element that says when the draft was last kept;
//   data-draft-errors="id"  an element whose presence means the server refused the form.
// Rows of Django formsets added with [data-add-row="<rows id>"] (the rows element carrying
// data-prefix, a <template id="<rows id>-empty">) are added back when a draft has more rows.
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-draft]"));
  if (!forms.length) { return; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var T = zh ? {
    restored: "已恢复您上次未保存的内容（%s）。",
    discard: "放弃",
    saved: "草稿已保存在本机 %s",
    leave: "您有未保存的内容，确定离开吗？"
  } : {
    restored: "Your unsaved text from %s was restored.",
    discard: "Discard",
    saved: "Draft kept on this device at %s",
    leave: "You have unsaved text. Leave anyway?"
  };
  var SUBMITTED_FOR = 10 * 60 * 1000;  // a submission older than this says nothing about this page
  var submitting = false;
  var notes = 0;

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }
  var local = storage("localStorage");
  var session = storage("sessionStorage");

  function timeOf(iso) {
    var d = new Date(iso);
    return (d.getHours() < 10 ? "0" : "") + d.getHours() + ":" + (d.getMinutes() < 10 ? "0" : "") + d.getMinutes();
  }

  function Draft(form) {
    this.form = form;
    this.key = "liaison:draft:" + form.getAttribute("data-draft");
    this.version = form.getAttribute("data-draft-version");
    this.touched = {};  // names typed into (or restored): only these are kept, never the page's defaults
    this.dirty = false;
    this.timer = null;
    var statusId = form.getAttribute("data-draft-status");
    this.status = statusId ? document.getElementById(statusId) : null;
  }

  Draft.prototype.fields = function (name) {
    return Array.prototype.filter.call(this.form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && !/^(hidden|submit|button|file|reset|password)$/.test(el.type) &&
        (name === undefined || el.name === name);
    });
  };

  Draft.prototype.read = function (name) {
    var els = this.fields(name);
    if (!els.length) { return undefined; }
    var el = els[0];
    if (el.type === "radio" || el.type === "checkbox") {
      return els.filter(function (e) { return e.checked; }).map(function (e) { return e.value; });
    }
    if (el.type === "select-multiple") {
      return Array.prototype.filter.call(el.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
    }
    return el.value;
  };

  Draft.prototype.write = function (name, value) {
    var els = this.fields(name);
    if (!els.length || value === undefined) { return false; }
    var before = JSON.stringify(this.read(name));
    var el = els[0];
    if (el.type === "radio" || el.type === "checkbox") {
      els.forEach(function (e) { e.checked = value.indexOf(e.value) !== -1; });
    } else if (el.type === "select-multiple") {
      Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) !== -1; });
    } else {
      el.value = value;
    }
    return JSON.stringify(this.read(name)) !== before;
  };

  Draft.prototype.hasText = function () {
    var self = this;
    return Object.keys(this.touched).some(function (name) {
      var v = self.read(name);
      return Array.isArray(v) ? v.length > 0 : (v || "").trim() !== "";
    });
  };

  Draft.prototype.save = function () {
    if (!local) { return; }
    var self = this;
    window.clearTimeout(this.timer);
    var values = {};
    Object.keys(this.touched).forEach(function (name) { values[name] = self.read(name); });
    var totals = {};
    Array.prototype.forEach.call(this.form.querySelectorAll("[id$='-TOTAL_FORMS']"), function (el) {
      totals[el.name] = el.value;
    });
    var draft = { at: new Date().toISOString(), version: this.version, totals: totals, values: values };
    try {
      if (this.hasText()) {
        local.setItem(this.key, JSON.stringify(draft));
        if (this.status) { this.status.textContent = T.saved.replace("%s", timeOf(draft.at)); }
      } else {
        local.removeItem(this.key);
      }
    } catch (e) { /* storage full or disabled: the warning on leaving still protects the text */ }
  };

  Draft.prototype.drop = function () {
    if (local) { local.removeItem(this.key); }
    this.touched = {};
    this.dirty = false;
  };

  Draft.prototype.addRow = function (rowsId) {
    var rows = document.getElementById(rowsId);
    var prefix = rows.getAttribute("data-prefix");
    var total = this.form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var html = document.getElementById(rowsId + "-empty").innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    return rows.lastElementChild;
  };

  Draft.prototype.refused = function () {
    var errorsId = this.form.getAttribute("data-draft-errors");
    return Boolean(
      this.form.querySelector(".is-invalid, .invalid-feedback, .errorlist, .alert-danger") ||
      (errorsId && document.getElementById(errorsId)) ||
      // a refusal told as a message at the top of the page (a step without a form of its own)
      document.querySelector("main > .alert-danger[role=alert]")
    );
  };

  Draft.prototype.restore = function () {
    if (!local) { return; }
    var raw = local.getItem(this.key);
    if (!raw) { return; }
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { local.removeItem(this.key); return; }
    if ((draft.version || null) !== (this.version || null)) {
      // saved since (here or by a colleague): the draft would overwrite newer text
      local.removeItem(this.key);
      return;
    }
    var self = this;
    Object.keys(draft.totals || {}).forEach(function (name) {
      var rowsId = name.replace("-TOTAL_FORMS", "") + "-rows";
      var total = self.form.querySelector("[name='" + name + "']");
      if (!total || !document.getElementById(rowsId)) { return; }
      while (parseInt(total.value, 10) < parseInt(draft.totals[name], 10)) { self.addRow(rowsId); }
    });
    var changed = false;
    Object.keys(draft.values || {}).forEach(function (name) {
      if (self.write(name, draft.values[name])) { changed = true; }
      if (self.fields(name).length) { self.touched[name] = true; }
    });
    if (!changed) { return; }
    this.dirty = true;
    var folded = this.form.closest("details");
    if (folded) { folded.open = true; }
    this.note(draft.at);
  };

  Draft.prototype.note = function (at) {
    var self = this;
    var note = document.createElement("div");
    note.className = "alert alert-info d-flex flex-wrap align-items-center gap-2 py-2 draft-restored";
    note.id = notes ? "draft-restored-" + notes : "draft-restored";
    notes += 1;
    note.setAttribute("role", "status");
    note.textContent = T.restored.replace("%s", timeOf(at));
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = T.discard;
    discard.addEventListener("click", function () {
      self.drop();
      self.form.reset();
      note.remove();
    });
    note.appendChild(discard);
    var csrf = this.form.querySelector("[name=csrfmiddlewaretoken]");
    this.form.insertBefore(note, csrf && csrf.parentNode === this.form ? csrf.nextSibling : this.form.firstChild);
  };

  Draft.prototype.listen = function () {
    var self = this;
    var form = this.form;
    function typed(e) {
      if (!e.target.name) { return; }
      self.touched[e.target.name] = true;
      self.dirty = true;
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () { self.save(); }, 400);
    }
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("click", function (e) {
      var button = e.target.closest("[data-add-row]");
      if (!button) { return; }
      e.preventDefault();
      var row = self.addRow(button.getAttribute("data-add-row"));
      var first = row && row.querySelector("textarea, input, select");
      if (first) { first.focus(); }
      self.save();
    });
    form.addEventListener("submit", function () {
      // the server shows the text again if it refuses; the draft goes once the page comes back saved
      if (session) { session.setItem(self.key + ":submitted", String(Date.now())); }
    });
  };

  var drafts = forms.map(function (form) { return new Draft(form); });
  drafts.forEach(function (d) {
    var submittedAt = session ? parseInt(session.getItem(d.key + ":submitted") || "0", 10) : 0;
    if (session) { session.removeItem(d.key + ":submitted"); }
    var justSubmitted = submittedAt && Date.now() - submittedAt < SUBMITTED_FOR;
    if (justSubmitted && !d.refused()) {
      d.drop();  // saved: what the page shows now is what was kept
    } else if (!d.form.querySelector(".is-invalid, .invalid-feedback")) {
      d.restore();  // a form sent back with errors already shows what was typed
    }
    d.listen();
  });

  // submitting any form of the page: no question, every other form's text is kept for the next page
  document.addEventListener("submit", function (e) {
    if (e.defaultPrevented) { return; }
    submitting = true;
    drafts.forEach(function (d) { if (d.dirty) { d.save(); } });
  });
  // the last keystrokes before the tab is closed or reloaded are kept too
  window.addEventListener("pagehide", function () {
    drafts.forEach(function (d) { if (d.dirty) { d.save(); } });
  });
  window.addEventListener("beforeunload", function (e) {
    if (submitting) { return undefined; }
    var unsaved = drafts.some(function (d) { return d.dirty && d.hasText(); });
    if (unsaved) { e.preventDefault(); e.returnValue = T.leave; return T.leave; }
    return undefined;
  });

  // a form sent back with errors: its first field in error in view, the cursor there
  var invalid = null;
  drafts.some(function (d) { invalid = d.form.querySelector(".is-invalid"); return Boolean(invalid); });
  if (invalid && invalid.type !== "file") {
    invalid.scrollIntoView({ block: "center" });
    if (invalid.focus) { invalid.focus(); }
  }
}());
