/* Badge dashboard charts: <canvas data-badge-chart="ID"> reads its data from <script id="ID">
   (written by json_script). No inline scripts (the site's CSP forbids them). Needs Chart.js 4
   (static/vendor/chartjs). The tables beside each chart hold the same numbers. */
(function () {
  "use strict";

  // Issued, revoked, expired: dark enough for 4.5:1 against white; the legend names them.
  var COLOURS = { issued: "#0f5132", revoked: "#842029", expired: "#8a5300" };
  var FALLBACK = ["#1d4e89", "#4a4a4a"];

  function readData(id) {
    var source = document.getElementById(id);
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(canvas) {
    var data = readData(canvas.getAttribute("data-badge-chart"));
    if (!data || typeof window.Chart === "undefined") {
      return;
    }
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = COLOURS[dataset.key] || FALLBACK[index % FALLBACK.length];
    });
    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var valueAxis = {
      beginAtZero: true,
      ticks: { precision: 0, color: "#212529" },
      title: { display: true, text: data.axisTitle || "", color: "#212529" }
    };
    var labelAxis = { ticks: { color: "#212529" } };
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        scales: data.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: { legend: { position: "bottom", labels: { color: "#212529" } } }
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-badge-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
