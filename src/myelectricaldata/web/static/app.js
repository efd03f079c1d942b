/* Charts drawn from the JSON next to each table (uPlot when its assets are installed), the "sync now" progress, and
   the PDL selectors that submit their form when changed.

   Chart contract (docs/ui.md): a `.chart-canvas` element carries `data-chart` =
   {"kind": "bars"|"line", "x": [epoch s], "series": [{"label", "unit", "values", "colour"?}],
    "categories"?: [label per x], "stacked"?: bool, "yunit"?: str, "height"?: px}.
   With "categories" the x axis has one slot per value (months, years), otherwise it is Paris time. Several bar
   series are grouped side by side, or stacked when asked. Colours come from the page's CSS custom properties
   (--chart-1.., --tempo-blue..., --muted, --line), so the charts follow the light and dark themes. */
(function () {
  "use strict";

  var PARIS = "Europe/Paris";
  var DAY = 86400;

  function dates(options) {
    options.timeZone = PARIS;
    return new Intl.DateTimeFormat("fr-FR", options);
  }

  var FORMATS = {
    hour: dates({ hour: "2-digit", minute: "2-digit" }),
    weekday: dates({ weekday: "short", day: "2-digit" }),
    dayMonth: dates({ day: "2-digit", month: "short" }),
    day: dates({ weekday: "short", day: "2-digit", month: "2-digit", year: "numeric" }),
    month: dates({ month: "short", year: "numeric" }),
    year: dates({ year: "numeric" }),
  };

  function at(seconds) { return new Date(seconds * 1000); }

  function number(value, digits) {
    return value.toLocaleString("fr-FR", { maximumFractionDigits: digits == null ? 2 : digits });
  }

  function token(name) {
    return getComputedStyle(document.documentElement).getPropertyValue("--" + name).trim();
  }

  function colourOf(wanted, index) {
    if (wanted && /^[a-z][a-z0-9-]*$/.test(wanted) && token(wanted)) return token(wanted);
    return wanted || token("chart-" + (index % 6 + 1)) || "#0b6bcb";
  }

  function smallestStep(x) {
    var step = Infinity;
    for (var i = 1; i < x.length; i++) step = Math.min(step, x[i] - x[i - 1]);
    return step === Infinity ? DAY : step;
  }

  function lastValue(values) {
    for (var i = values.length - 1; i >= 0; i--) if (values[i] != null) return i;
    return null;
  }

  /* How an instant of the time axis is named in the legend: the hour on curves, the day on daily bars. */
  function instantText(spec, step) {
    return function (seconds) {
      if (seconds == null) return "";
      var d = at(seconds);
      if (step < DAY) return FORMATS.day.format(d) + " " + FORMATS.hour.format(d);
      if (step >= 365 * DAY) return FORMATS.year.format(d);
      if (step >= 28 * DAY) return FORMATS.month.format(d);
      return FORMATS.day.format(d);
    };
  }

  /* Tick labels of the time axis, by the distance uPlot chose between ticks (foundIncr, in seconds): hours on
     curves (with the day, on a second line, under the first hour of each day when the curve spans several days),
     days, months or years otherwise. */
  function timeTicks(span) {
    return function (u, splits, axis, space, incr) {
      var previous = null;
      return splits.map(function (s) {
        var d = at(s);
        if (incr < DAY) {
          var hour = FORMATS.hour.format(d), day = FORMATS.weekday.format(d);
          var shown = span > DAY && day !== previous ? hour + "\n" + day : hour;
          previous = day;
          return shown;
        }
        if (incr >= 365 * DAY) return FORMATS.year.format(d);
        if (incr >= 28 * DAY) return FORMATS.month.format(d);
        return FORMATS.dayMonth.format(d);
      });
    };
  }

  /* The least room between two ticks of the time axis, in CSS px: hours need less than "05 oct." labels. */
  function timeSpace(span, step) {
    if (step < DAY && span <= 5 * DAY) return 40;
    return 64;
  }

  /* The tick distances a curve of up to five days may use: never more than 12 h, so its hours always show. */
  var HOURLY_INCRS = [1800, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600];

  /* Bars drawn by hand: one slot per x, the series side by side in it (grouped) or on top of each other (stacked). */
  function barPaths(spec, order, count, slotUnits) {
    return function (u, sidx, i0, i1) {
      var xs = u.data[0], ys = u.data[sidx], path = new Path2D();
      var slot = Math.abs(u.valToPos(xs[0] + slotUnits, "x", true) - u.valToPos(xs[0], "x", true));
      var inner = Math.min(slot * 0.8, 90 * count * (window.devicePixelRatio || 1));
      var width = spec.stacked ? inner : inner / count;
      for (var i = i0; i <= i1; i++) {
        var v = ys[i];
        if (v == null) continue;
        var base = 0;
        if (spec.stacked) {
          for (var k = 1; k < sidx; k++) {
            var below = u.data[k][i];
            if (below != null && (below < 0) === (v < 0)) base += below;
          }
        }
        var left = u.valToPos(xs[i], "x", true) - inner / 2 + (spec.stacked ? 0 : order * width);
        var y0 = u.valToPos(base, "y", true), y1 = u.valToPos(base + v, "y", true);
        var gap = !spec.stacked && count > 1 && width > 4 ? 1 : 0;
        var x0 = Math.round(left), x1 = Math.round(left + width) - gap;  // whole pixels: bars of even widths
        path.rect(x0, Math.min(y0, y1), Math.max(1, x1 - x0), Math.max(1, Math.abs(y1 - y0)));
      }
      return { stroke: path, fill: path };
    };
  }

  function barRange(spec) {
    var low = 0, high = 0;
    for (var i = 0; i < spec.x.length; i++) {
      var up = 0, down = 0;
      spec.series.forEach(function (s) {
        var v = s.values[i];
        if (v == null) return;
        if (spec.stacked) { if (v < 0) down += v; else up += v; }
        else { up = Math.max(up, v); down = Math.min(down, v); }
      });
      high = Math.max(high, up); low = Math.min(low, down);
    }
    if (high === 0 && low === 0) high = 1;
    return [low * 1.08, high * 1.08];
  }

  /* The category axis keeps as many labels as fit: every n-th slot, n from the widest label and the plot width. */
  function categorySplits(categories) {
    return function (u) {
      var widest = categories.reduce(function (m, c) { return Math.max(m, String(c).length); }, 1);
      var room = Math.max(1, Math.floor(u.bbox.width / (window.devicePixelRatio || 1) / (widest * 7 + 14)));
      var every = Math.max(1, Math.ceil(categories.length / room));
      var out = [];
      for (var i = 0; i < categories.length; i += every) out.push(i);
      return out;
    };
  }

  function build(el, spec) {
    var categories = spec.categories && spec.categories.length === spec.x.length ? spec.categories : null;
    var bars = spec.kind === "bars";
    if (!categories && bars && spec.x.length === 1) categories = [instantText(spec, DAY)(spec.x[0])];  // one slot
    var barSeries = bars ? spec.series.length : 0;
    var step = categories ? 1 : smallestStep(spec.x);
    var span = spec.x[spec.x.length - 1] - spec.x[0];
    var when = categories ? function (i) { return i == null ? "" : categories[i]; } : instantText(spec, step);
    var xs = categories ? spec.x.map(function (_, i) { return i; }) : spec.x;
    var muted = token("muted") || "#5b6475", line = token("line") || "#dde1e8";
    var font = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    var unit = spec.yunit || (spec.series[0] && spec.series[0].unit) || "";
    var last = lastValue(spec.x);

    var series = [{
      label: categories ? "Période" : (step < DAY ? "Heure" : "Date"),
      value: function (u, v, sidx, idx) { return when(idx == null ? (categories ? last : xs[last]) : (categories ? idx : v)); },
    }].concat(spec.series.map(function (s, i) {
      var colour = colourOf(s.colour, i);
      var end = lastValue(s.values);
      return {
        label: s.label,
        stroke: colour,
        fill: bars ? colour : undefined,
        width: bars ? 0 : 2,
        paths: bars ? barPaths(spec, i, barSeries, step) : undefined,
        points: { show: !bars && spec.x.length < 60 },
        value: function (u, v, sidx, idx) {
          var shown = idx == null ? (end == null ? null : s.values[end]) : v;
          return shown == null ? "—" : number(shown) + (s.unit ? " " + s.unit : "");
        },
      };
    }));

    var phone = el.clientWidth < 520;
    var xAxis = {
      stroke: muted, font: font, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 },
    };
    if (categories) {
      xAxis.splits = categorySplits(categories);
      xAxis.values = function (u, splits) { return splits.map(function (i) { return categories[i]; }); };
      xAxis.grid = { show: false };
    } else {
      xAxis.space = timeSpace(span, step);
      xAxis.values = timeTicks(span);
      if (step < DAY && span <= 5 * DAY) {
        xAxis.incrs = HOURLY_INCRS;
        if (span > DAY) xAxis.size = 44;  // two lines: the hour, then the day under the first hour of each day
      }
    }
    var opts = {
      width: Math.max(200, el.clientWidth),
      height: spec.height || (phone ? 220 : 280),
      series: series,
      tzDate: function (ts) { return window.uPlot.tzDate(at(ts), PARIS); },
      scales: {
        x: categories
          ? { time: false, range: function () { return [-0.5, categories.length - 0.5]; } }
          : { time: true, range: function (u, min, max) {
            var half = bars ? step / 2 : 0;
            return [min - half, max + half];
          } },
        y: bars ? { range: function () { return barRange(spec); } } : {},
      },
      cursor: { drag: { x: !categories, y: false }, points: { show: !bars } },
      legend: { live: true },
      axes: [xAxis, {
        stroke: muted, font: font, labelFont: font, label: unit, labelSize: 18, labelGap: 2,
        grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 },
        size: function (u, values) {
          var widest = (values || []).reduce(function (m, v) { return Math.max(m, String(v).length); }, 2);
          return widest * 7 + 14;
        },
        values: function (u, vals) { return vals.map(function (v) { return number(v); }); },
      }],
    };
    var data = [xs].concat(spec.series.map(function (s) { return s.values; }));
    return new window.uPlot(opts, data, el);
  }

  var plots = [];

  function drawCharts() {
    if (typeof window.uPlot === "undefined") return;
    plots.forEach(function (p) { p.plot.destroy(); if (p.watch) p.watch.disconnect(); });
    plots = [];
    document.querySelectorAll(".chart-canvas[data-chart]").forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-chart"));
      if (!spec || !spec.x || !spec.x.length || !spec.series || !spec.series.length) return;
      var plot = build(el, spec), entry = { plot: plot, watch: null };
      el.uplot = plot;  // for the browser tests: the scales and axes drawn
      if (typeof ResizeObserver !== "undefined") {
        entry.watch = new ResizeObserver(function () {
          plot.setSize({ width: Math.max(200, el.clientWidth), height: plot.height });
        });
        entry.watch.observe(el);
      }
      plots.push(entry);
    });
  }

  function followTheme() {
    if (!window.matchMedia) return;
    var dark = window.matchMedia("(prefers-color-scheme: dark)");
    var redraw = function () { drawCharts(); };
    if (dark.addEventListener) dark.addEventListener("change", redraw);
    else if (dark.addListener) dark.addListener(redraw);
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

  /* A table that scrolls inside its box is reachable with the keyboard (WCAG 2.1.1): it takes the focus when it
     holds nothing focusable itself. Templates may set tabindex themselves (partials/chart.html does). */
  function focusableScrollers() {
    document.querySelectorAll(".table-scroll, .table-wide").forEach(function (el) {
      if (!el.hasAttribute("tabindex") && !el.querySelector("a[href], button, input, select, textarea, [tabindex]")) {
        el.setAttribute("tabindex", "0");
      }
    });
  }

  function submitOnChange() {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (el) {
      el.addEventListener("change", function () { if (el.form) el.form.submit(); });
    });
  }

  window.MyElectricalData = { drawCharts: drawCharts };  // redraws every chart (a page that adds one, the tests)

  document.addEventListener("DOMContentLoaded", function () { drawCharts(); followTheme(); focusableScrollers(); watchSync(); submitOnChange(); });
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
