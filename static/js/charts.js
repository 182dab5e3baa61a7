/* Charts drawn from data in json_script tags: <canvas data-chart="ID"> reads <script id="ID">.
   No inline scripts (the site's CSP forbids them). Needs Chart.js 4 (static/vendor/chartjs). */
(function () {
  "use strict";

  // One colour per submission state, dark enough for 4.5:1 against white; the legend and the
  // table beside each chart say the same in words.
  var COLOURS = {
    awaiting: "#1d4e89",
    approved: "#0f5132",
    changes_requested: "#8a5300",
    rejected: "#842029"
  };
  var FALLBACK = ["#1d4e89", "#0f5132", "#8a5300", "#842029", "#4a4a4a"];

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

  function colour(dataset, index) {
    return COLOURS[dataset.key] || FALLBACK[index % FALLBACK.length];
  }

  function draw(canvas) {
    var data = readData(canvas.getAttribute("data-chart"));
    if (!data || typeof window.Chart === "undefined") {
      return;
    }
    data.datasets.forEach(function (dataset, index) {
      dataset.backgroundColor = colour(dataset, index);
      dataset.borderColor = "#ffffff";
      dataset.borderWidth = 1;
    });
    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    canvas.chart = new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 400 },
        scales: {
          x: { stacked: true, ticks: { color: "#212529" } },
          y: {
            stacked: true,
            beginAtZero: true,
            ticks: { precision: 0, color: "#212529" },
            title: { display: true, text: "Submissions", color: "#212529" }
          }
        },
        plugins: {
          legend: { position: "bottom", labels: { color: "#212529" } }
        }
      }
    });
  }

  function init() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
