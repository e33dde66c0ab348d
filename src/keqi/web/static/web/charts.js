/* KeQi dashboards: progressive enhancement with Apache ECharts (served locally, see `make assets`).
 * Every chart is a <div class="chart" data-chart="KIND" data-src="/api/..."> placed before a table that
 * shows the same figures; without JavaScript (or without ECharts) the tables are all there is.
 * The data come from the JSON API, so the charts show exactly what the API serves. */
(function () {
  "use strict";
  var COLORS = ["#b91c1c", "#9ca3af", "#2563eb", "#047857", "#d97706", "#7c3aed"];

  function pct(v) { return v == null ? null : Math.round(v * 1000) / 10; }

  var builders = {
    progress: function (rows, el) {
      rows = rows.filter(function (r) { return r.covered != null; });
      // Many units' targets would crowd the chart: the ranking shows the units, this one the wholes.
      var isUnit = function (r) { return r.scope_key.indexOf("unit:") === 0; };
      if (rows.filter(isUnit).length > 6) { rows = rows.filter(function (r) { return !isUnit(r); }); }
      var names = rows.map(function (r) { return r.scope_label + " · " + r.label; });
      return {
        color: COLORS,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        legend: { data: [el.dataset.labelCovered, el.dataset.labelElapsed] },
        grid: { left: 8, right: 24, containLabel: true },
        xAxis: { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
        yAxis: { type: "category", data: names, inverse: true },
        series: [
          { name: el.dataset.labelCovered, type: "bar", data: rows.map(function (r) { return pct(r.covered); }) },
          { name: el.dataset.labelElapsed, type: "bar", data: rows.map(function (r) { return pct(r.elapsed); }) }
        ]
      };
    },
    trend: function (rows) {
      return {
        color: COLORS,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.on; }) },
        yAxis: { type: "value" },
        series: [{ type: "line", data: rows.map(function (r) { return r.value; }), label: { show: true } }]
      };
    },
    ranking: function (rows, el) {
      var withTarget = rows.some(function (r) { return r.share != null; });
      rows = rows.slice(0, 20);
      return {
        color: COLORS,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 24, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.unit; }) },
        series: [{
          name: withTarget ? el.dataset.labelShare : el.dataset.labelGain, type: "bar",
          data: rows.map(function (r) { return withTarget ? pct(r.share) : r.gain; })
        }]
      };
    },
    funnel: function (rows) {
      return {
        color: COLORS,
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
          label: { formatter: "{b}: {c}" },
          data: rows.map(function (r) { return { name: r.label, value: r.firms }; })
        }]
      };
    }
  };

  function draw(el) {
    var build = builders[el.dataset.chart];
    if (!build || !window.echarts) { return; }
    fetch(el.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (rows) {
        if (!rows.length) { return; }
        el.hidden = false;
        var chart = window.echarts.init(el, null, { renderer: "svg" });  // SVG prints sharply
        chart.setOption(build(rows, el));
        var figure = el.closest("figure");  // the chart now shows what its stand-in table showed
        var table = figure && figure.querySelector("table.chart-fallback");
        if (table) { table.hidden = true; }
        window.addEventListener("resize", function () { chart.resize(); });
        window.addEventListener("beforeprint", function () { chart.resize(); });
      })
      .catch(function () { el.hidden = true; });  // the table below still shows the figures
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
