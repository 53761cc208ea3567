// Budget charts (ECharts). Data comes from the page's json_script element; labels from
// data- attributes (translated server-side). No inline scripts: the CSP allows only our files.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function num(values) { return values.map(function (v) { return Number(v); }); }
  // money axis in the unit the page names (e.g. 万 = 10,000 yuan)
  function moneyAxis(data) {
    var divisor = Number(data.axis_divisor) || 1;
    return { type: "value", name: data.axis_name, axisLabel: { formatter: function (v) { return (v / divisor).toFixed(0); } } };
  }

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
        legend: { top: 0, type: "scroll" },
        grid: { left: 60, right: 50, bottom: 90, top: 40 },
        xAxis: { type: "category", data: data.units, axisLabel: { rotate: 45, interval: 0, fontSize: 10 } },
        yAxis: [
          moneyAxis(data),
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
      var chart2 = window.echarts.init(monthsEl);
      chart2.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll" },
        grid: { left: 60, right: 50, bottom: 30, top: 40 },
        xAxis: { type: "category", data: data.month_labels },
        yAxis: [
          moneyAxis(data),
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
