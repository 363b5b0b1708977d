/* The assessment's charts drawn with the vendored Apache ECharts: each <figure data-chart="JSON">
   holds its data in the attribute (no inline script: the CSP allows none). Without ECharts the
   server's SVG stays. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var colours = { s1: "#0d6efd", s2: "#198754", s3: "#dc3545" };
  var charts = [];
  document.querySelectorAll("figure[data-chart]").forEach(function (box) {
    var el = box.querySelector(".echart");
    if (!el) return;
    var data = JSON.parse(box.getAttribute("data-chart"));
    var unit = data.unit || "";
    var fmt = function (v) { return v === null || v === undefined ? "—" : v + unit; };
    box.classList.add("has-echart");
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      title: { text: data.title, left: "center", top: 4, textStyle: { fontSize: 13, fontWeight: "normal" } },
      // the tooltip drawn on the canvas: the HTML one would set style attributes, which the CSP blocks
      tooltip: { trigger: "axis", valueFormatter: fmt, renderMode: "richText" },
      legend: { bottom: 0, itemHeight: 10 },
      grid: { left: 48, right: 18, top: 40, bottom: 52 },
      xAxis: { type: "category", data: data.labels, axisTick: { alignWithLabel: true }, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: data.y_max === null ? null : data.y_max,
               axisLabel: { formatter: function (v) { return v + unit; } } },
      series: data.series.map(function (s) {
        return {
          name: s.name, type: data.kind === "bar" ? "bar" : "line", data: s.values,
          connectNulls: false, symbolSize: 7,
          itemStyle: { color: colours[s.cls] }, lineStyle: { color: colours[s.cls], width: 2 },
          label: { show: data.series.length === 1, position: "top", fontSize: 11,
                   formatter: function (p) { return p.value === null ? "" : p.value; } }
        };
      })
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
