/* Charts drawn from the JSON next to each table (uPlot when its assets are installed), the "sync now" progress, and
   the PDL selectors that submit their form when changed. */
(function () {
  "use strict";

  function drawCharts() {
    if (typeof window.uPlot === "undefined") return;
    document.querySelectorAll(".chart-canvas[data-chart]").forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-chart"));
      if (!spec || !spec.x || !spec.x.length) return;
      var palette = ["#0b6bcb", "#d97706", "#1b7f3b", "#b3261e", "#6b21a8"];
      var bars = spec.kind === "bars" ? window.uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
      var day = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", day: "2-digit", month: "2-digit", year: "2-digit" });
      var hour = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" });
      var full = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" });
      var span = spec.x[spec.x.length - 1] - spec.x[0];
      function when(v) { return v == null ? "" : (span <= 2 * 86400 ? hour : (spec.kind === "bars" ? day : full)).format(new Date(v * 1000)); }
      var series = [{ label: spec.xlabel || "Date", value: function (u, v) { return when(v); } }].concat(spec.series.map(function (s, i) {
        return { label: s.label + (s.unit ? " (" + s.unit + ")" : ""), stroke: palette[i % palette.length],
                 fill: spec.kind === "bars" ? palette[i % palette.length] + "99" : undefined, paths: bars, width: 1.5,
                 points: { show: spec.kind !== "bars" && spec.x.length < 60 } };
      }));
      var data = [spec.x].concat(spec.series.map(function (s) { return s.values; }));
      var opts = {
        width: Math.max(200, el.clientWidth), height: spec.height || 260, series: series,
        scales: {
          x: { time: spec.time !== false, range: function (u, min, max) {
            var half = spec.kind === "bars" && spec.x.length > 1 ? (spec.x[1] - spec.x[0]) / 2 : 0;
            return [min - half, max + half]; } },
          y: spec.kind === "bars" ? { range: function (u, min, max) { return [0, max > 0 ? max * 1.05 : 1]; } } : {},
        },
        cursor: { drag: { x: true, y: false } },
        axes: [{ values: function (u, vals) { return vals.map(function (v) {
                   return (span <= 2 * 86400 ? hour : day).format(new Date(v * 1000)); }); } },
               { size: 60, values: function (u, vals) { return vals.map(function (v) { return v.toLocaleString("fr-FR"); }); } }],
      };
      var plot = new window.uPlot(opts, data, el);
      new ResizeObserver(function () { plot.setSize({ width: Math.max(200, el.clientWidth), height: opts.height }); }).observe(el);
    });
  }

  function watchSync() {
    var box = document.querySelector("[data-sync-progress]");
    if (!box) return;
    var url = box.getAttribute("data-sync-progress");
    var bar = box.querySelector(".progress > span");
    var text = box.querySelector(".progress-text");
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (bar) bar.style.width = (p.total ? Math.round(100 * p.done / p.total) : (p.running ? 5 : 100)) + "%";
          if (text) text.textContent = p.message || "";
          if (p.running) { setTimeout(poll, 1500); } else if (box.hasAttribute("data-reload")) { box.removeAttribute("data-reload"); }
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    poll();
  }

  function submitOnChange() {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawCharts(); watchSync(); submitOnChange(); });
})();

/* Dashboard: once a sync ends, its live parts (the sync card: last sync, failure, next try, requests; the PDL cards:
   yesterday, this month) are fetched again and replaced, the flash messages staying; a failed sync turns the bar red.
   Without JS the page shows the same after a reload. */
(function () {
  "use strict";

  function redrawLiveParts() {
    return fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live]").forEach(function (old) {
          var part = fresh.querySelector('[data-live="' + old.getAttribute("data-live") + '"]');
          if (part) { old.replaceWith(document.importNode(part, true)); } else { old.remove(); }
        });
        watchDashboardSync();
      });
  }

  function watchDashboardSync() {
    var box = document.querySelector("[data-sync-progress][data-reload-when-done]");
    if (!box || typeof window.fetch !== "function") return;
    var url = box.getAttribute("data-sync-progress");
    var shown = box.getAttribute("data-reload-when-done");
    var bar = box.querySelector(".progress > span");
    var text = box.querySelector(".progress-text");
    var seenRunning = box.getAttribute("data-drawn-running") === "oui";  // drawn while a sync ran: redraw at its end
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (!box.isConnected) return;
          if (p.running) { seenRunning = true; setTimeout(poll, 2000); return; }
          if (bar) { bar.style.width = "100%"; if (p.failed) bar.style.background = "var(--bad)"; }
          if (text) text.textContent = p.message || "";
          var ended = seenRunning || String(p.run_id == null ? "" : p.run_id) !== shown;
          if (ended) redrawLiveParts().catch(function () { window.location.reload(); });
        })
        .catch(function () { setTimeout(poll, 5000); });
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", watchDashboardSync);
})();

/* Offer form: only the chosen option's prices are shown (every section shows without JavaScript, and the server
   reads only the chosen option's fields). */
(function () {
  "use strict";

  function showChosenOfferKind() {
    document.querySelectorAll("form[data-offer-form]").forEach(function (form) {
      var select = form.querySelector("select[data-offer-kind-select]");
      if (!select) return;
      var note = form.querySelector("[data-offer-all-kinds]");
      function apply() {
        form.querySelectorAll("fieldset[data-offer-kind]").forEach(function (section) {
          section.hidden = section.getAttribute("data-offer-kind") !== select.value;
        });
        if (note) note.hidden = true;
      }
      select.addEventListener("change", apply);
      apply();
    });
  }

  document.addEventListener("DOMContentLoaded", showChosenOfferKind);
})();
