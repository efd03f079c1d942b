"""Consumption and production pages: bars per period, load curve, heatmap and daily max power."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, render_template

from ...energy.aggregate import local_start
from ...energy.coverage import Coverage, coverage_by_period, data_span, marked, short_mark
from ...services import series
from ...services.health import Database
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import KWH_DECIMALS, kwh_number, local_label, num, period_label
from .charts import chart, kwh_text, kwh_value, midnight
from .downloads import (
    MONTH_SHORT,
    csv_response,
    csv_url,
    file_name,
    marked_columns,
    on_categories,
    pick_table,
    wants_csv,
    year_over_year,
)
from .periods import BadInput, chosen_pdl, read_period

bp = Blueprint("data", __name__)

VIEWS = {"day": "Jour", "week": "Semaine", "month": "Mois", "year": "Année", "curve": "Courbe de charge",
         "heatmap": "Carte horaire", "power": "Puissance max"}
PRODUCTION_VIEWS = ("day", "week", "month", "year", "curve", "heatmap")
MAX_DAYS = {"day": 1096, "week": 3660, "month": 3660, "year": 3660, "curve": 731, "heatmap": 366, "power": 1096}
RAW_CURVE_DAYS, HOURLY_CURVE_DAYS, HPHC_DAYS = 31, 366, 366
Built = dict[str, Any]  # "charts", "notes" and, for the heatmap, "heat"


def _bars(engine: Database, pdl: str, direction: str, start: date, end: date, step: str,
          daily: list[tuple[date, int]]) -> Built:
    totals = series.by_period(daily, step)
    cover = coverage_by_period((d for d, _ in daily), step)
    notes, offpeak, peak, curve_cover = [], {}, {}, {}
    if direction == "consumption":
        if (end - start).days + 1 <= HPHC_DAYS:
            hphc = series.hphc_by_day(engine, pdl, start, end)
            offpeak = dict(series.by_period([(d, off) for d, off, _ in hphc], step))
            peak = dict(series.by_period([(d, p) for d, _, p in hphc], step))
            curve_cover = coverage_by_period((d for d, _, _ in hphc), step)
        elif any(series.offpeak_windows(c) for c in series.contracts_by_day(engine, pdl, start, end).values()):
            notes.append(f"Répartition heures creuses / pleines calculée sur {HPHC_DAYS} jours au plus : "
                         "choisissez une période plus courte pour la voir.")
    word = "Consommation" if direction == "consumption" else "Production"
    head = ["Période", f"{word} (kWh)"]
    rows = [[marked(period_label(first, step), cover.get(first)), kwh_number(wh / 1000)] for first, wh in totals]
    if offpeak:
        head += ["Heures creuses (kWh)", "Heures pleines (kWh)"]
        for row, (first, _) in zip(rows, totals, strict=True):
            row += [kwh_number(offpeak[first] / 1000) if first in offpeak else "—",
                    kwh_number(peak[first] / 1000) if first in peak else "—"]
        if step != "day" and any(_curve_days(curve_cover, f) < cover[f].covered for f, _ in totals):
            # the split comes from the load curve, which may cover fewer days than the daily values: say how many
            head.append("Jours avec courbe de charge")
            for row, (first, _) in zip(rows, totals, strict=True):
                row.append(f"{_curve_days(curve_cover, first)} j / {cover[first].length}")
        values = [{"label": "Heures creuses", "unit": "kWh", "values": [kwh_value(offpeak.get(f)) for f, _ in totals]},
                  {"label": "Heures pleines", "unit": "kWh", "values": [kwh_value(peak.get(f)) for f, _ in totals]}]
        notes.append("Heures creuses et pleines calculées d'après la courbe de charge et les heures creuses en "
                     "vigueur chaque jour (celles du contrat ; 22 h - 6 h en Tempo).")
    else:
        values = [{"label": word, "unit": "kWh", "values": [kwh_value(wh) for _, wh in totals]}]
    x = [midnight(first) for first, _ in totals]
    title = f"{word} par {VIEWS[step].lower()}"
    if not totals:
        return {"charts": [], "notes": notes}
    block = chart(f"bars-{step}", title, "bars", x, values, head, rows)
    aux = list(range(2, len(head)))
    if step in ("month", "year"):
        labels_ = [short_mark(period_label(f, step) if step == "year" else _month_short(f), cover.get(f))
                   for f, _ in totals]
        block = on_categories(block, labels_, stacked=bool(offpeak), key=1, aux=aux)
    else:
        if offpeak:
            block["series"]["stacked"] = True
        block = marked_columns(block, 1, aux)
    return {"charts": [block], "notes": notes}


def _curve_days(cover: dict[date, Coverage], first: date) -> int:
    found = cover.get(first)
    return found.covered if found else 0


def _month_short(first: date) -> str:
    """``déc. 2025``: a month on a category axis."""
    return f"{MONTH_SHORT[first.month - 1]} {first.year}"


def _year_over_year(daily: list[tuple[date, int]], today: date, word: str) -> dict[str, Any] | None:
    """This year's kWh against last year's, month by month."""
    months = dict(series.by_period(daily, "month"))
    return year_over_year(months, coverage_by_period((d for d, _ in daily), "month"), today,
                          f"{word} : cette année et l'an dernier, par mois", "kWh", lambda wh: float(wh) / 1000,
                          KWH_DECIMALS)


def _curve(engine: Database, pdl: str, direction: str, start: date, end: date) -> Built:
    days = (end - start).days + 1
    if days <= RAW_CURVE_DAYS:
        data = series.curve_energy(series.load_curve(engine, pdl, direction, start, end), "raw")
        values = [{"label": "Puissance moyenne", "unit": "W", "values": [w for _, w in data]}]
        rows = [[local_label(t), num(w)] for t, w in data]
        block = chart("curve", "Courbe de charge (puissance moyenne par intervalle)", "line",
                       [t for t, _ in data], values, ["Début (heure locale)", "Puissance moyenne (W)"], rows)
        return {"charts": [marked_columns(block, 1)] if data else [], "notes": []}
    step = "hour" if days <= HOURLY_CURVE_DAYS else "day"
    data = series.curve_energy(series.load_curve(engine, pdl, direction, start, end), "hour") if step == "hour" \
        else series.day_energy(engine, pdl, direction, start, end)
    if step == "hour":
        note = f"Plus de {RAW_CURVE_DAYS} jours : la courbe montre l'énergie par heure."
        rows = [[local_label(t), num(wh)] for t, wh in data]
        head, unit, factor = ["Heure (heure locale)", "Énergie (Wh)"], "Wh", 1
    else:
        note = f"Plus de {HOURLY_CURVE_DAYS} jours : la courbe montre l'énergie par jour."
        rows = [[f"{local_start(t):%d/%m/%Y}", kwh_number(wh / 1000)] for t, wh in data]
        head, unit, factor = ["Jour", "Énergie (kWh)"], "kWh", 1000
    values = [{"label": "Énergie", "unit": unit, "values": [round(wh / factor, 3) for _, wh in data]}]
    block = chart("curve", f"Énergie par {'heure' if step == 'hour' else 'jour'} (courbe de charge)", "line",
                   [t for t, _ in data], values, head, rows)
    return {"charts": [marked_columns(block, 1)] if data else [], "notes": [note]}


def _heatmap(engine: Database, pdl: str, direction: str, start: date, end: date) -> Built:
    grid = series.heatmap(series.load_curve(engine, pdl, direction, start, end))
    top = grid["max_watts"] or 1.0
    rows = []
    for day in grid["days"]:
        cells = []  # (text, CSS class, title)
        for slot, cell in zip(grid["slots"], day["cells"], strict=True):
            watts = cell["watts"]
            if not cell["exists"]:
                cells.append(("", "gap", f"{slot} n'existe pas ce jour (heure d'été)"))
            elif watts is None:
                cells.append(("", "none", ""))
            elif cell["repeated"]:
                cells.append((num(watts) + "*", f"l{min(9, int(watts / top * 10))}",
                              f"{slot} : moyenne des deux passages (heure d'été puis d'hiver)"))
            else:
                cells.append((num(watts), f"l{min(9, int(watts / top * 10))}", ""))
        hours = day["minutes"] // 60
        rows.append({"label": f"{day['day']:%d/%m/%Y}" + (f" ({hours} h)" if hours != 24 else ""), "cells": cells})
    return {"charts": [], "notes": [], "heat": {"slots": grid["slots"], "rows": rows, "max": num(top)}}


def _power(engine: Database, pdl: str, direction: str, start: date, end: date) -> Built:
    peaks = series.max_power(engine, pdl, start, end)
    contracts = series.contracts_by_day(engine, pdl, start, end)
    kva = [c.subscribed_kva if (c := contracts[day]) else None for day, _, _ in peaks]
    rows = [[f"{day:%d/%m/%Y}", num(va / 1000, 2), local_label(at, with_date=False),
             "—" if k is None else num(k)] for (day, va, at), k in zip(peaks, kva, strict=True)]
    values = [{"label": "Puissance max", "unit": "kVA", "values": [round(va / 1000, 3) for _, va, _ in peaks]},
              {"label": "Puissance souscrite", "unit": "kVA", "values": kva}]
    block = chart("power", "Puissance maximale par jour et puissance souscrite", "line",
                   [midnight(day) for day, _, _ in peaks], values,
                   ["Jour", "Puissance max (kVA)", "Heure (locale)", "Souscrite (kVA)"], rows)
    return {"charts": [marked_columns(block, 1, [2, 3])] if peaks else [], "notes": []}


BUILDERS = {"curve": _curve, "heatmap": _heatmap, "power": _power}


FILE_WORDS = {"consumption": "consommation", "production": "production"}


def _summary(daily: list[tuple[date, int]], start: date, end: date) -> dict[str, Any]:
    """The chosen range's total and, when the data covers less than the range, where it does."""
    span = data_span(d for d, _ in daily)
    out: dict[str, Any] = {"total": kwh_text(sum(wh for _, wh in daily)) if daily else None,
                           "days": len(daily), "length": (end - start).days + 1}
    if span is not None and span != (start, end):
        out["available"] = f"Données disponibles du {span[0]:%d/%m/%Y} au {span[1]:%d/%m/%Y}"
    return out


def _page(direction: str, title: str) -> Any:
    services = app_services()
    points = labels(services.engine, direction)
    context = {"title": title, "points": points, "direction": direction}
    if not points:
        return render_template("consumption.html", **context)
    pdl = chosen_pdl(points)
    views = VIEWS if direction == "consumption" else {k: VIEWS[k] for k in PRODUCTION_VIEWS}
    today = services.today()
    try:
        view, start, end, notes = read_period(views, MAX_DAYS, today, lambda _: today - timedelta(days=30))
    except BadInput as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    daily = series.daily(services.engine, pdl, direction, start, end)
    if view in BUILDERS:
        built = BUILDERS[view](services.engine, pdl, direction, start, end)
    else:
        built = _bars(services.engine, pdl, direction, start, end, view, daily)
        yearly = series.daily(services.engine, pdl, direction, date(today.year - 1, 1, 1), today - timedelta(days=1))
        compared = _year_over_year(yearly, today, "Consommation" if direction == "consumption" else "Production")
        built["charts"] += [compared] if compared else []
    name = next(p.label for p in points if p.usage_point_id == pdl)
    if wants_csv():
        return _download(built, FILE_WORDS[direction], name, start, end)
    heat = built.get("heat")
    if heat is not None:
        heat["csv"] = csv_url()
    return render_template("consumption.html", **context, pdl=pdl, views=views, view=view, start=start, end=end,
                           notes=notes + built["notes"], charts=built["charts"], heat=heat,
                           summary=_summary(daily, start, end))


def _download(built: Built, what: str, name: str, start: date, end: date) -> Any:
    """The CSV of the table asked for (``table``), or of the heat map; 404 when the page shows no table."""
    heat = built.get("heat")
    if heat is not None and heat["rows"]:
        return csv_response(file_name(what, name, start, end), ["Jour", *heat["slots"]],
                            [[r["label"], *(text for text, _, _ in r["cells"])] for r in heat["rows"]])
    block = pick_table(built["charts"])
    if block is None:
        abort(404)
    suffix = "" if block["id"] != "year-over-year" else "-par-mois"
    return csv_response(file_name(what + suffix, name, start, end), block["head"], block["rows"])


@bp.route("/consumption_kwh")
def consumption():
    return _page("consumption", "Consommation (kWh)")


@bp.route("/production")
def production():
    return _page("production", "Production")
