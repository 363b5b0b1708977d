// The sign-in sheet in the room: "present" and "undo" change their row in place, without reloading
// the page (the forms still work without this script). The server answers with the row as it is now.
(function () {
  "use strict";
  var list = document.getElementById("signin-list");
  if (!list) { return; }
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var heldText = zh ? "已签到" : "attendance recorded";
  var failed = zh ? "未能保存，请重试。" : "Not saved; please try again.";

  list.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-in-place")) { return; }
    e.preventDefault();
    var row = form.closest("li");
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.text().then(function (text) { return { ok: response.ok, text: text, held: response.headers.get("X-Meeting-Held") }; });
    }).then(function (answer) {
      if (!answer.ok) {
        if (button) { button.disabled = false; }
        window.alert(answer.text || failed);
        return;
      }
      if (answer.text.trim()) { row.outerHTML = answer.text; } else { row.remove(); }
      if (answer.held === "1" && !document.getElementById("held-badge")) {
        var slot = document.getElementById("held-slot");
        if (slot) {
          slot.textContent = " · ";
          var badge = document.createElement("span");
          badge.className = "badge bg-success";
          badge.id = "held-badge";
          badge.textContent = heldText;
          slot.appendChild(badge);
        }
      }
    }).catch(function () {
      if (button) { button.disabled = false; }
      window.alert(failed);
    });
  });
}());
