// A series form shows the fields its rule needs: a weekday for "every week", which weekday and the
// weekday for "every month on a weekday", the day for "every month on a day". The server checks anyway.
(function () {
  var needs = { weekly: ["weekday"], monthly_weekday: ["nth", "weekday"], monthly_day: ["monthday"] };
  document.querySelectorAll("select[name=frequency]").forEach(function (select) {
    var form = select.form;
    function show() {
      var wanted = needs[select.value] || [];
      ["nth", "weekday", "monthday"].forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        var wrap = field && (field.closest(".col-md-2, .col-md-3") || field.closest(".mb-3"));
        if (wrap) wrap.hidden = wanted.indexOf(name) < 0 && !wrap.querySelector(".invalid-feedback");
      });
    }
    select.addEventListener("change", show);
    show();
  });
})();
