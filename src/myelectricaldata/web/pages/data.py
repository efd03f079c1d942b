"""Consumption and production pages: bars per period, load curve, heatmap and daily max power."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, render_template

from ...energy.aggregate import local_start
from ...services import series
from ...services.health import Database
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import kwh_number, local_label, num, period_label
from .charts import chart, kwh_value, midnight
from .periods import BadInput, chosen_pdl, read_period

bp = Blueprint("data", __name__)

VIEWS = {"day": "Jour", "week": "Semaine", "month": "Mois", "year": "Année", "curve": "Courbe de charge",
         "heatmap": "Carte horaire", "power": "Puissance max"}
PRODUCTION_VIEWS = ("day", "week", "month", "year", "curve", "heatmap")
MAX_DAYS = {"day": 1096, "week": 3660, "month": 3660, "year": 3660, "curve": 731, "heatmap": 366, "power": 1096}
RAW_CURVE_DAYS, HOURLY_CURVE_DAYS, HPHC_DAYS = 31, 366, 366
Built = dict[str, Any]  # "charts", "notes" and, for the heatmap, "heat"


def _bars(engine: Database, pdl: str, direction: str, start: date, end: date, step: str) -> Built:
    totals = series.by_period(series.daily(engine, pdl, direction, start, end), step)
    notes, offpeak, peak = [], {}, {}
    if direction == "consumption":
        if (end - start).days + 1 <= HPHC_DAYS:
            hphc = series.hphc_by_day(engine, pdl, start, end)
            offpeak = dict(series.by_period([(d, off) for d, off, _ in hphc], step))
            peak = dict(series.by_period([(d, p) for d, _, p in hphc], step))
        elif any(series.offpeak_windows(c) for c in series.contracts_by_day(engine, pdl, start, end).values()):
            notes.append(f"Répartition heures creuses / pleines calculée sur {HPHC_DAYS} jours au plus : "
                         "choisissez une période plus courte pour la voir.")
    word = "Consommation" if direction == "consumption" else "Production"
    head = ["Période", f"{word} (kWh)"]
    rows = [[period_label(first, step), kwh_number(wh / 1000)] for first, wh in totals]
    if offpeak:
        head += ["Heures creuses (kWh)", "Heures pleines (kWh)"]
        for row, (first, _) in zip(rows, totals, strict=True):
            row += [kwh_number(offpeak[first] / 1000) if first in offpeak else "—",
                    kwh_number(peak[first] / 1000) if first in peak else "—"]
        # bars overlap: the off-peak bar in front of the whole (off-peak + peak) bar reads as a stack
        whole = [kwh_value(offpeak[f] + peak[f]) if f in offpeak else None for f, _ in totals]
        values = [{"label": "Heures creuses + pleines", "unit": "kWh", "values": whole},
                  {"label": "dont heures creuses", "unit": "kWh",
                   "values": [kwh_value(offpeak.get(f)) for f, _ in totals]}]
        notes.append("Heures creuses et pleines calculées d'après la courbe de charge et les heures creuses en "
                     "vigueur chaque jour (celles du contrat ; 22 h - 6 h en Tempo).")
    else:
        values = [{"label": word, "unit": "kWh", "values": [kwh_value(wh) for _, wh in totals]}]
    x = [midnight(first) for first, _ in totals]
    title = f"{word} par {VIEWS[step].lower()}"
    return {"charts": [chart(f"bars-{step}", title, "bars", x, values, head, rows)] if totals else [],
            "notes": notes}


def _curve(engine: Database, pdl: str, direction: str, start: date, end: date) -> Built:
    days = (end - start).days + 1
    points = series.load_curve(engine, pdl, direction, start, end)
    if days <= RAW_CURVE_DAYS:
        data = series.curve_energy(points, "raw")
        values = [{"label": "Puissance moyenne", "unit": "W", "values": [w for _, w in data]}]
        rows = [[local_label(t), num(w)] for t, w in data]
        block = chart("curve", "Courbe de charge (puissance moyenne par intervalle)", "line",
                       [t for t, _ in data], values, ["Début (heure locale)", "Puissance moyenne (W)"], rows)
        return {"charts": [block] if data else [], "notes": []}
    step = "hour" if days <= HOURLY_CURVE_DAYS else "day"
    data = series.curve_energy(points, step)
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
    return {"charts": [block] if data else [], "notes": [note]}


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
    return {"charts": [block] if peaks else [], "notes": []}


BUILDERS = {"curve": _curve, "heatmap": _heatmap, "power": _power}


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
    if view in BUILDERS:
        built = BUILDERS[view](services.engine, pdl, direction, start, end)
    else:
        built = _bars(services.engine, pdl, direction, start, end, view)
    return render_template("consumption.html", **context, pdl=pdl, views=views, view=view, start=start, end=end,
                           notes=notes + built["notes"], charts=built["charts"], heat=built.get("heat"))


@bp.route("/consumption_kwh")
def consumption():
    return _page("consumption", "Consommation (kWh)")


@bp.route("/production")
def production():
    return _page("production", "Production")
