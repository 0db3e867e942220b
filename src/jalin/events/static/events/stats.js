/* Charts of an event's statistics page, drawn with the vendored Chart.js from the JSON the page embeds
   (#stats-data). Each chart has the same figures as a table next to it. */
(function () {
  "use strict";
  const source = document.getElementById("stats-data");
  if (!source || typeof window.Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => (css.getPropertyValue(name) || "").trim() || fallback;
  const primary = colour("--primary", "#0f6b7a");
  const success = colour("--success", "#1e7b45");
  const danger = colour("--danger", "#c0392b");
  const muted = "#9aa5b1";
  const indigo = colour("--indigo", "#4b48b5");
  const Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : Chart.defaults.animation;

  const integerAxis = { beginAtZero: true, ticks: { precision: 0 } };

  /* Long category names on two lines, so a phone's narrow axis does not cut them. */
  function wrap(label) {
    if (label.length <= 16) return label;
    const middle = label.length / 2;
    let cut = -1;
    for (let i = label.indexOf(" "); i !== -1; i = label.indexOf(" ", i + 1)) {
      if (cut === -1 || Math.abs(i - middle) < Math.abs(cut - middle)) cut = i;
    }
    return cut === -1 ? label : [label.slice(0, cut), label.slice(cut + 1)];
  }

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) canvas.chart = new Chart(canvas, config);
  }

  draw("chart-funnel", {
    type: "bar",
    data: {
      labels: data.funnel.labels.map(wrap),
      datasets: [{
        label: data.funnel.label,
        data: data.funnel.values,
        backgroundColor: [muted, indigo, primary, success, "#d08a12"],
        borderRadius: 4,
      }],
    },
    options: {
      indexAxis: "y",
      plugins: { legend: { display: false } },
      scales: { x: integerAxis },
    },
  });

  draw("chart-outcomes", {
    type: "bar",
    data: {
      labels: data.outcomes.labels,
      datasets: data.outcomes.series.map((s, i) => ({
        label: s.label,
        data: s.values,
        backgroundColor: i === 0 ? primary : "#d08a12",
        borderRadius: 4,
      })),
    },
    options: { scales: { y: integerAxis }, plugins: { legend: { position: "bottom" } } },
  });

  const slotColours = { held: success, no_show: danger, scheduled: muted };
  draw("chart-slots", {
    type: "bar",
    data: {
      labels: data.slots.labels,
      datasets: data.slots.series
        .filter((s) => s.key !== "scheduled" || s.values.some((v) => v > 0))
        .map((s) => ({ label: s.label, data: s.values, backgroundColor: slotColours[s.key], stack: "slot" })),
    },
    options: {
      scales: { x: { stacked: true, ticks: { autoSkip: true, maxRotation: 60 } }, y: { ...integerAxis, stacked: true } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
