// Behaviour the templates ask for with data- attributes (the Content-Security-Policy allows no inline
// script or style): a select that submits its form, a print button, file fields in the page's language,
// and bars whose width or offset comes from the data (data-width / data-left, in percent).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-back]").forEach(function (el) {
    if (window.history.length > 1) {
      el.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
    }
  });
  // A file field with a button and the chosen file's name in the interface's language (the browser's own
  // control speaks the browser's language: "Choose File" in an English-language Chromium). The field
  // itself stays in the form, visually hidden but focusable; the button is its label (no second button
  // in the form), so a click or the keyboard on the field opens the picker as before.
  var fileIds = 0, pickText = document.body.dataset.filePick || "选择文件",
      noneText = document.body.dataset.fileNone || "未选择文件";
  document.querySelectorAll("input[type=file]").forEach(function (input) {
    var pick = document.createElement("label"), name = document.createElement("span");
    if (!input.id) { input.id = "file-field-" + (++fileIds); }
    pick.htmlFor = input.id;
    pick.className = "file-pick";
    pick.textContent = pickText;
    name.className = "file-name";
    name.textContent = noneText;
    input.classList.add("file-hidden");
    input.after(pick, name);
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      name.textContent = names.length ? names.join("、") : noneText;
    });
  });
  function percent(value) {
    var n = parseFloat(value);
    return isNaN(n) ? 0 : Math.max(0, Math.min(100, n));
  }
  document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = percent(el.dataset.width) + "%"; });
  document.querySelectorAll("[data-left]").forEach(function (el) { el.style.left = percent(el.dataset.left) + "%"; });
});
