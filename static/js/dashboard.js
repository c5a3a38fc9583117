// Dashboard charts: Plotly figures built from the page's own JSON (json_script), plus the
// data tables behind each chart, the sortable office table and the units toggle.
(function () {
  "use strict";
  const node = document.getElementById("dashboard-data");
  if (!node) return;
  const data = JSON.parse(node.textContent);
  const lang = document.documentElement.lang || "en";
  const monthNames = Array.from({ length: 12 }, function (_, m) {
    return new Date(Date.UTC(data.year, m, 15)).toLocaleDateString(lang, { month: "short" });
  });
  const asOf = new Date(data.asOf + "T00:00:00");
  const monthsShown = asOf.getFullYear() > data.year ? 12 : asOf.getFullYear() < data.year ? 0 : asOf.getMonth() + 1;

  function cumulative(values, upto) {
    let total = 0;
    return values.slice(0, upto).map(function (v) { total += v; return total; });
  }

  function fillTable(indicator) {
    const body = document.querySelector('[data-table-for="' + indicator.id + '"]');
    if (!body) return;
    body.replaceChildren();
    indicator.monthly.forEach(function (value, m) {
      const row = document.createElement("tr");
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = monthNames[m];
      const now = document.createElement("td");
      now.className = "num";
      now.textContent = m < monthsShown ? String(value) : "—";
      const last = document.createElement("td");
      last.className = "num";
      last.textContent = String(indicator.lastYear[m]);
      row.append(th, now, last);
      body.append(row);
    });
  }

  // The drawing is for the eye: the table under each chart holds the same figures for a
  // screen reader, so the SVGs are hidden from assistive technology. The chart's container
  // is no role="img": the mode bar's buttons inside it stay reachable (docs/accessibility.md).
  function hideDrawing(el) {
    el.querySelectorAll("svg").forEach(function (svg) { svg.setAttribute("aria-hidden", "true"); });
  }

  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  const font = { family: getComputedStyle(document.body).fontFamily, size: 13, color: "#1b1f24" };

  data.indicators.forEach(function (indicator) {
    fillTable(indicator);
    const el = document.querySelector('[data-chart="indicator"][data-indicator="' + indicator.id + '"]');
    if (!el || typeof Plotly === "undefined") return;
    const traces = [
      { type: "bar", name: String(data.year) + " · " + el.closest("figure").dataset.monthLabel, x: monthNames.slice(0, monthsShown), y: indicator.monthly.slice(0, monthsShown), marker: { color: "#9fb8d6" }, yaxis: "y2", hovertemplate: "%{x}: %{y}<extra></extra>" },
      { type: "scatter", mode: "lines+markers", name: String(data.year), x: monthNames.slice(0, monthsShown), y: cumulative(indicator.monthly, monthsShown), line: { color: "#0b3d6e", width: 3 }, marker: { symbol: "circle", size: 7 } },
      { type: "scatter", mode: "lines", name: String(data.year - 1), x: monthNames, y: cumulative(indicator.lastYear, 12), line: { color: "#6b7785", width: 2, dash: "dot" } },
    ];
    if (indicator.target) {
      traces.push({ type: "scatter", mode: "lines", name: el.closest("figure").dataset.targetLabel + " " + indicator.target, x: monthNames, y: monthNames.map(function (_, m) { return Math.round(indicator.target * (m + 1) / 12); }), line: { color: "#a4161a", width: 2, dash: "dash" } });
    }
    // Cumulative lines above, monthly bars in their own panel below, on one month axis.
    Plotly.newPlot(el, traces, {
      font: font,
      margin: { l: 52, r: 16, t: 8, b: 40 },
      height: 380,
      legend: { orientation: "h", y: -0.14 },
      yaxis: { domain: [0.36, 1], rangemode: "tozero" },
      yaxis2: { domain: [0, 0.26], rangemode: "tozero", anchor: "x" },
      xaxis: { anchor: "y2" },
      bargap: 0.35,
    }, config).then(hideDrawing);
  });

  const regionsEl = document.querySelector('[data-chart="regions"]');
  if (regionsEl && typeof Plotly !== "undefined") {
    const regions = data.regions.slice().reverse();
    Plotly.newPlot(regionsEl, [{
      type: "bar", orientation: "h", x: regions.map(function (r) { return r.count; }), y: regions.map(function (r) { return r.name; }),
      marker: { color: "#0b3d6e" }, hovertemplate: "%{y}: %{x}<extra></extra>",
    }], { font: font, margin: { l: 140, r: 16, t: 8, b: 32 }, height: Math.max(400, 22 * regions.length) }, config).then(hideDrawing);
  }

  // Units: collapsed by default once scripts run; the button says whether they are shown.
  document.querySelectorAll("[data-units-toggle]").forEach(function (button) {
    const rows = document.querySelectorAll('[data-units-of="' + button.getAttribute("aria-controls") + '"]');
    function show(open) {
      button.setAttribute("aria-expanded", String(open));
      rows.forEach(function (row) { row.hidden = !open; });
    }
    button.addEventListener("click", function () { show(button.getAttribute("aria-expanded") !== "true"); });
    show(false);
  });

  // Sortable office table: by office name or any indicator; groups (office with its units) move together.
  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("button[data-sort-col]").forEach(function (button) {
      button.addEventListener("click", function () {
        const col = Number(button.dataset.sortCol);
        const th = button.closest("th");
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const groups = Array.from(table.tBodies);
        groups.sort(function (a, b) {
          const va = a.rows[0].cells[col].dataset.sortValue;
          const vb = b.rows[0].cells[col].dataset.sortValue;
          const cmp = col === 0 ? va.localeCompare(vb, lang) : Number(va) - Number(vb);
          return ascending ? cmp : -cmp;
        });
        groups.forEach(function (group) { table.append(group); });
      });
    });
  });
})();
