// Budget charts (ECharts). Data comes from the page's json_script element; labels from
// data- attributes (translated server-side). No inline scripts: the CSP allows only our files.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function num(values) { return values.map(function (v) { return Number(v); }); }

  ready(function () {
    var dataEl = document.getElementById("budget-chart-data");
    if (!dataEl || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(dataEl.textContent);
    var charts = [];

    var unitsEl = document.getElementById("chart-units");
    if (unitsEl) {
      var u = unitsEl.dataset;
      var chart = window.echarts.init(unitsEl);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 60, right: 50, bottom: 90, top: 40 },
        xAxis: { type: "category", data: data.units, axisLabel: { rotate: 45, interval: 0, fontSize: 10 } },
        yAxis: [
          { type: "value", name: "¥", axisLabel: { formatter: function (v) { return (v / 10000).toFixed(0) + "万"; } } },
          { type: "value", name: "%", max: 100, splitLine: { show: false } }
        ],
        series: [
          { name: u.labelAdjusted, type: "bar", data: num(data.adjusted) },
          { name: u.labelUsed, type: "bar", stack: "use", data: num(data.used) },
          { name: u.labelPaid, type: "bar", stack: "use", data: num(data.paid) },
          { name: u.labelRate, type: "line", yAxisIndex: 1, data: num(data.rate) }
        ]
      });
      charts.push(chart);
    }

    var monthsEl = document.getElementById("chart-months");
    if (monthsEl) {
      var m = monthsEl.dataset;
      var labels = [];
      for (var i = 1; i <= 12; i++) { labels.push(i + (m.labelMonth === "月" ? "月" : "")); }
      var chart2 = window.echarts.init(monthsEl);
      chart2.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 60, right: 50, bottom: 30, top: 40 },
        xAxis: { type: "category", data: labels },
        yAxis: [
          { type: "value", name: "¥", axisLabel: { formatter: function (v) { return (v / 10000).toFixed(0) + "万"; } } },
          { type: "value", name: "%", max: 100, splitLine: { show: false } }
        ],
        series: [
          { name: m.labelPaid, type: "bar", data: num(data.months) },
          { name: m.labelRate, type: "line", yAxisIndex: 1, data: num(data.cumulative_rate) },
          { name: m.labelTime, type: "line", yAxisIndex: 1, lineStyle: { type: "dashed" }, data: num(data.time_progress) }
        ]
      });
      charts.push(chart2);
    }

    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
