// Dashboard charts (ECharts, served from /static/vendor/echarts): the data comes
// from the JSON block the page renders, so no inline script is needed under the CSP.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var blue = "#1f4e8c", teal = "#2a9d8f";
  var lightColours = { green: "#3c9a3c", yellow: "#e0a800", red: "#c9302c" };
  var charts = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = echarts.init(element);
    chart.setOption(option);
    charts.push(chart);
  }

  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: [data.labels.accepted, data.labels.completed] },
    grid: { left: 50, right: 20, top: 36, bottom: 30 },
    xAxis: { type: "category", data: data.trend.map(function (m) { return m.month; }) },
    yAxis: { type: "value" },
    series: [
      { name: data.labels.accepted, type: "bar", color: blue, data: data.trend.map(function (m) { return m.accepted; }) },
      { name: data.labels.completed, type: "line", color: teal, smooth: true, data: data.trend.map(function (m) { return m.completed; }) }
    ]
  });

  draw("chart-lights", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0 },
    series: [{
      type: "pie",
      radius: ["38%", "66%"],
      center: ["50%", "45%"],
      // Counts inside the ring: outside labels do not fit a third of the page.
      label: { position: "inside", formatter: "{c}", color: "#fff", fontWeight: "bold" },
      data: data.lights.map(function (l) {
        return { name: l.name, value: l.value, itemStyle: { color: lightColours[l.key] } };
      })
    }]
  });

  draw("chart-overdue", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 150, right: 30, top: 10, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.overdue.map(function (d) { return d.name; }) },
    series: [{ type: "bar", barMaxWidth: 18, color: lightColours.red, data: data.overdue.map(function (d) { return d.value; }) }]
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
