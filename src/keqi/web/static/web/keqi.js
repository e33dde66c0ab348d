// Behaviour the templates ask for with data- attributes (the Content-Security-Policy allows no inline
// script or style): a select that submits its form, a print button, and bars whose width or offset
// comes from the data (data-width / data-left, in percent).
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
  function percent(value) {
    var n = parseFloat(value);
    return isNaN(n) ? 0 : Math.max(0, Math.min(100, n));
  }
  document.querySelectorAll("[data-width]").forEach(function (el) { el.style.width = percent(el.dataset.width) + "%"; });
  document.querySelectorAll("[data-left]").forEach(function (el) { el.style.left = percent(el.dataset.left) + "%"; });
});
