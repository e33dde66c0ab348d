/* KeQi dashboards: progressive enhancement with Apache ECharts (served locally, see `make assets`).
 * Every chart is a <div class="chart" data-chart="KIND" data-src="/api/..."> placed before a table that
 * shows the same figures; without JavaScript (or without ECharts) the tables are all there is.
 * The data come from the JSON API, so the charts show exactly what the API serves. */
(function () {
  "use strict";
  // Series colours; green, amber, red and grey are the standings' (--status-*), not used for anything else.
  var COLORS = ["#2563eb", "#7c3aed", "#0891b2", "#4f46e5", "#0369a1", "#9333ea"];

  // A standing's colour is defined once, as a CSS variable (keqi.css), for the badges and the charts.
  function statusColor(key) {
    var v = window.getComputedStyle(document.documentElement).getPropertyValue("--status-" + key).trim();
    return v || window.getComputedStyle(document.documentElement).getPropertyValue("--muted").trim();
  }

  function pct(v) { return v == null ? null : Math.round(v * 1000) / 10; }

  var builders = {
    progress: function (rows, el) {
      rows = rows.filter(function (r) { return r.covered != null; });
      // Many units' targets would crowd the chart: the ranking shows the units, this one the wholes.
      var isUnit = function (r) { return r.scope_key.indexOf("unit:") === 0; };
      if (rows.filter(isUnit).length > 6) { rows = rows.filter(function (r) { return !isUnit(r); }); }
      var names = rows.map(function (r) { return r.scope_label + " · " + r.label; });
      return {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        legend: { data: [el.dataset.labelCovered, el.dataset.labelElapsed] },
        grid: { left: 8, right: 24, containLabel: true },
        xAxis: { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
        yAxis: { type: "category", data: names, inverse: true },
        series: [
          { name: el.dataset.labelCovered, type: "bar", itemStyle: { color: statusColor("on_track") },
            data: rows.map(function (r) { return { value: pct(r.covered), itemStyle: { color: statusColor(r.status) } }; }) },
          { name: el.dataset.labelElapsed, type: "bar", itemStyle: { color: statusColor("no_data") },
            data: rows.map(function (r) { return pct(r.elapsed); }) }
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
      // The API sends the first and last units (``ends``) with each one's standing, decided by the
      // targets service; the chart only draws them: one bar per unit, labelled, in its standing's colour.
      var withTarget = rows.some(function (r) { return r.share != null; });
      var label = function (r) {
        if (!withTarget) {  // no unit shown has a target: the bars are the year's gains, still marked 无目标
          var gain = (r.gain > 0 ? "+" : "") + r.gain;
          return r.status === "no_target" ? gain + " " + r.status_label : gain;
        }
        return r.share == null ? r.status_label : pct(r.share) + "% " + r.status_label;
      };
      return {
        tooltip: { trigger: "item", formatter: function (p) { return rows[p.dataIndex].unit + "：" + label(rows[p.dataIndex]); } },
        grid: { left: 8, right: 84, top: 8, bottom: 8, containLabel: true },  // right: room for the bars' labels
        xAxis: {
          type: "value", minInterval: 1,
          min: function (v) { return Math.min(0, v.min); },
          max: function (v) { return withTarget ? Math.max(100, Math.ceil(v.max / 10) * 10) : Math.max(1, v.max); },
          axisLabel: { formatter: withTarget ? "{value}%" : "{value}" }
        },
        yAxis: { type: "category", inverse: true, axisLabel: { interval: 0 },  // every unit named
                 data: rows.map(function (r) { return r.rank + ". " + r.unit; }) },
        series: [{
          name: withTarget ? el.dataset.labelShare : el.dataset.labelGain, type: "bar", barMaxWidth: 22,
          data: rows.map(function (r) {
            var v = withTarget ? (r.share == null ? 0 : pct(r.share)) : r.gain;
            return {
              value: v, itemStyle: { color: statusColor(r.status) },
              label: { show: true, position: v < 0 ? "left" : "right", formatter: label(r), color: statusColor(r.status) }
            };
          })
        }]
      };
    },
    funnel: function (rows) {
      return {
        color: COLORS,
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", sort: "none", left: "5%", width: "60%", minSize: "8%",  // room for the labels on the right
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
