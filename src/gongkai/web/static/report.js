/* 报告详情: mark the cell or finding whose source the pane shows (htmx swaps the pane only). */
document.addEventListener("htmx:beforeRequest", function (e) {
  var a = e.detail.elt;
  if (!a || !a.classList || !a.classList.contains("pick")) return;
  document.querySelectorAll(".data-pane .sel").forEach(function (x) { x.classList.remove("sel"); });
  (a.closest("td") || a.closest("li") || a).classList.add("sel");
});
