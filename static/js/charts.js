// Charts of the dashboard and the reports. Each <canvas data-chart="name" data-source="id">
// reads its data from the json_script element with that id (no inline script: the CSP forbids it).
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  var RED = "#dc3545", AMBER = "#ffc107", GREEN = "#198754", BLUE = "#0d6efd", GREY = "#adb5bd";
  var PALETTE = ["#0d6efd", "#6610f2", "#d63384", "#fd7e14", "#20c997", "#0dcaf0",
                 "#6f42c1", "#198754", "#ffc107", "#dc3545", "#adb5bd"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var money = new Intl.NumberFormat(undefined, { minimumFractionDigits: 0, maximumFractionDigits: 2 });

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  if (reduceMotion) { Chart.defaults.animation = false; }

  function numbers(values) { return values.map(function (v) { return v === null ? null : Number(v); }); }
  function moneyAxis() { return { ticks: { callback: function (v) { return money.format(v); } } }; }
  function moneyTooltip(ctx) {
    var v = ctx.parsed.y !== undefined && ctx.chart.options.indexAxis !== "y" ? ctx.parsed.y : ctx.parsed.x;
    if (ctx.chart.config.type === "doughnut") { v = ctx.parsed; }
    return (ctx.dataset.label ? ctx.dataset.label + ": " : ctx.label + ": ") + money.format(v);
  }

  // Coloured zones behind the HHI bar: unconcentrated, moderate, high.
  var bandsPlugin = {
    id: "bands",
    beforeDatasetsDraw: function (chart, args, opts) {
      if (!opts || !opts.bands) { return; }
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      ctx.save();
      opts.bands.forEach(function (band) {
        var left = x.getPixelForValue(band.from), right = x.getPixelForValue(band.to);
        ctx.fillStyle = band.color;
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      });
      ctx.restore();
    }
  };

  var builders = {
    // Dashboard: available freelancers per skill; red none, amber thin, green 2 or more.
    bench: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [{
          label: "Available freelancers", data: d.values, minBarLength: 4,
          backgroundColor: d.values.map(function (v) { return v === 0 ? RED : v < 2 ? AMBER : GREEN; })
        }] },
        options: { plugins: { legend: { display: false } },
                   scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      };
    },
    // Dashboard: payments per month.
    spend: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [{ label: "Paid", data: numbers(d.values), backgroundColor: BLUE }] },
        options: { plugins: { legend: { display: false }, tooltip: { callbacks: { label: moneyTooltip } } },
                   scales: { y: Object.assign({ beginAtZero: true }, moneyAxis()) } }
      };
    },
    // Report: estimated against realised savings, per month of first payment.
    savings: function (d) {
      return {
        type: "bar",
        data: { labels: d.labels, datasets: [
          { label: "Estimated savings", data: numbers(d.estimated), backgroundColor: GREY },
          { label: "Realised savings", data: numbers(d.realised),
            backgroundColor: d.realised.map(function (v, i) {
              return Number(v) < 0 ? RED : Number(v) < Number(d.estimated[i]) ? AMBER : GREEN;
            }) }
        ] },
        options: { plugins: { tooltip: { callbacks: { label: moneyTooltip } } },
                   scales: { y: moneyAxis() } }
      };
    },
    // Report: each freelancer's share of the period's spend (top ten and the rest).
    share: function (d) {
      return {
        type: "doughnut",
        data: { labels: d.labels, datasets: [{ data: numbers(d.values),
          backgroundColor: d.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; }) }] },
        options: { plugins: { legend: { position: window.innerWidth < 576 ? "bottom" : "right" },
                              tooltip: { callbacks: { label: function (ctx) {
                                var total = ctx.dataset.data.reduce(function (a, b) { return a + b; }, 0);
                                var pct = total ? (100 * ctx.parsed / total).toFixed(1) : "0";
                                return ctx.label + ": " + money.format(ctx.parsed) + " (" + pct + "%)";
                              } } } } }
      };
    },
    // Report: the HHI on its 0–10,000 scale, over the three bands.
    hhi: function (d) {
      var moderate = Number(d.moderate), high = Number(d.high), value = Number(d.value);
      var color = value > high ? RED : value >= moderate ? AMBER : GREEN;
      return {
        type: "bar",
        plugins: [bandsPlugin],
        data: { labels: ["HHI"], datasets: [{ label: "HHI", data: [value], backgroundColor: color,
                                              borderColor: "#212529", borderWidth: 1, barPercentage: 0.5 }] },
        options: {
          indexAxis: "y",
          plugins: { legend: { display: false },
                     bands: { bands: [
                       { from: 0, to: moderate, color: "rgba(25,135,84,.15)" },
                       { from: moderate, to: high, color: "rgba(255,193,7,.25)" },
                       { from: high, to: 10000, color: "rgba(220,53,69,.15)" }] } },
          scales: { x: { min: 0, max: 10000, ticks: { stepSize: 2500 } }, y: { display: false } }
        }
      };
    }
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var build = builders[canvas.dataset.chart];
    var source = document.getElementById(canvas.dataset.source);
    if (!build || !source) { return; }
    new Chart(canvas, build(JSON.parse(source.textContent)));
  });
})();
