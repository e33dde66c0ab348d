// Applications and filings: "select all" boxes, the print button, and the filing page's live
// self-evaluation (the figures are posted as typed, at most every 0.6 s; nothing is saved).
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      var form = box.closest("form");
      form.querySelectorAll('input[type=checkbox][name="' + box.dataset.checkAll + '"]').forEach(function (b) {
        b.checked = box.checked;
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var form = document.getElementById("filing-form");
  var body = document.getElementById("self-evaluation-body");
  if (!form || !body) { return; }
  var timer = null, seq = 0;
  function evaluate() {
    var mine = ++seq;
    var data = new FormData(form);
    fetch(form.dataset.evaluate, { method: "POST", body: data, credentials: "same-origin",
                                   headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (mine === seq) { body.innerHTML = html; } })
      .catch(function () { if (mine === seq) { body.textContent = "暂时无法自评，请稍后再试。"; } });
  }
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(evaluate, 600); });
  form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(evaluate, 200); });
  evaluate();
})();
