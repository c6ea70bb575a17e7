// The statistics page's charts (R18): data from the json_script block, no inline script (CSP).
(function () {
  "use strict";
  var source = document.getElementById("stats-chart-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var period = document.getElementById("stats-chart-period");
  if (period) {
    new Chart(period, {
      data: {
        labels: data.period.labels,
        datasets: [
          { type: "bar", label: period.dataset.received, data: data.period.received, backgroundColor: "#9ec5fe" },
          { type: "bar", label: period.dataset.completed, data: data.period.completed, backgroundColor: "#198754" },
          { type: "line", label: period.dataset.ontime, data: data.period.on_time_share, borderColor: "#fd7e14", yAxisID: "share", spanGaps: true },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true }, share: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } },
      },
    });
  }
  var orgs = document.getElementById("stats-chart-orgs");
  if (orgs) {
    new Chart(orgs, {
      type: "bar",
      data: {
        labels: data.orgs.labels,
        datasets: [
          { label: orgs.dataset.accept, data: data.orgs.median_accept, backgroundColor: "#0d6efd" },
          { label: orgs.dataset.close, data: data.orgs.median_close, backgroundColor: "#6f42c1" },
        ],
      },
      options: { indexAxis: "y", maintainAspectRatio: false, scales: { x: { beginAtZero: true } } },
    });
  }
})();
