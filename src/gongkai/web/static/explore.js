/* 语料浏览: draw the chart of the page's table with ECharts (vendored, /static/vendor/echarts).
   The data is the JSON in the chart element's data-chart attribute; the table below it is the
   same numbers and works without JavaScript.  Tooltips are drawn on the canvas (richText):
   HTML tooltips would carry style attributes, which the CSP refuses. */
(function () {
  function draw() {
    var el = document.getElementById("explore-chart");
    if (!el || !window.echarts) return;
    var d = JSON.parse(el.getAttribute("data-chart"));
    if (!d.groups.length) { el.hidden = true; return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var font = window.getComputedStyle(document.body).fontFamily;   /* the page's system fonts */
    chart.setOption({
      textStyle: { fontFamily: font },
      title: { text: d.title, left: "center", textStyle: { fontSize: 15, fontFamily: font } },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 28, data: [d.value_name + "（" + d.unit + "）", d.n_name] },
      grid: { left: 60, right: 60, top: 70, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: d.groups, axisLabel: { interval: 0, rotate: d.groups.length > 8 ? 30 : 0 } },
      yAxis: [{ type: "value", name: d.unit }, { type: "value", name: d.n_name, minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: d.value_name + "（" + d.unit + "）", type: "bar", data: d.values, itemStyle: { color: "#2a6f97" },
          label: { show: true, position: "top", formatter: function (p) { return p.value == null ? "" : p.value; } } },
        { name: d.n_name, type: "line", yAxisIndex: 1, data: d.n, itemStyle: { color: "#a44a3f" },
          markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#a44a3f" },
                      label: { formatter: "最小样本 " + d.min_n }, data: [{ yAxis: d.min_n }] } }
      ]
    });
    el.setAttribute("data-rendered", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
