"""Consumption and production pages: bars per period, load curve, heatmap and daily max power."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import lru_cache

from flask import Blueprint, abort, current_app, render_template, request

from ...energy.aggregate import local_start
from ...energy.timeline import day_minutes, epoch, local_midnight_utc
from ...services import series

bp = Blueprint("data", __name__)

VIEWS = {"day": "Jour", "week": "Semaine", "month": "Mois", "year": "Année", "curve": "Courbe de charge",
         "heatmap": "Carte horaire", "power": "Puissance max"}
PRODUCTION_VIEWS = ("day", "week", "month", "year", "curve", "heatmap")
MAX_DAYS = {"day": 1096, "week": 3660, "month": 3660, "year": 3660, "curve": 731, "heatmap": 366, "power": 1096}
RAW_CURVE_DAYS, HOURLY_CURVE_DAYS, HPHC_DAYS = 31, 366, 366
EARLIEST = date(2000, 1, 1)  # no meter data before; keeps every date far from the calendar's ends
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
FIELDS = {"start": "date de début (start)", "end": "date de fin (end)"}


class BadInput(Exception):
    """A query parameter the page cannot use; the message names it."""


def num(value: float, decimals: int = 0) -> str:
    """A number the French way: comma decimals, no-break space between thousands."""
    return f"{value:,.{decimals}f}".replace(",", "\xa0").replace(".", ",")


@lru_cache(maxsize=4096)
def _dst_day(day: date) -> bool:
    return day_minutes(day) != 1440


def local_label(start_utc: int, with_date: bool = True) -> str:
    """Local wall-clock time of an instant; on DST days with its UTC offset, so repeated hours stay distinct."""
    local = local_start(start_utc)
    text = local.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")
    if _dst_day(local.date()):
        text += f" (UTC{int(local.utcoffset().total_seconds()) // 3600:+d})"
    return text


def period_label(first: date, step: str) -> str:
    """How a period starting on ``first`` is named in tables."""
    if step == "week":
        year, week, _ = first.isocalendar()
        return f"sem. {week} {year} (du {first:%d/%m/%Y})"
    if step == "month":
        return f"{MONTHS[first.month - 1]} {first.year}"
    if step == "year":
        return str(first.year)
    return f"{first:%d/%m/%Y}"


def _midnight(day: date) -> int:
    return epoch(local_midnight_utc(day))


def _date_arg(name: str, default: date) -> date:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{FIELDS[name].capitalize()} invalide : « {text} » ; format attendu AAAA-MM-JJ.") from None


def _cap(start: date, end: date, label: str, limit: int, today: date) -> tuple[date, date, list[str]]:
    """The range actually shown, with a note for each cut made."""
    notes = []
    if end > today:
        end = today
        start = min(start, end)
        notes.append(f"Fin ramenée à aujourd'hui ({today:%d/%m/%Y}) : aucune donnée après.")
    if start < EARLIEST:
        start = EARLIEST
        end = max(start, end)
        notes.append(f"Début ramené au {EARLIEST:%d/%m/%Y} : aucune donnée avant.")
    if (end - start).days + 1 > limit:
        start = end - timedelta(days=limit - 1)
        notes.append(f"Période limitée aux {limit} derniers jours pour la vue « {label} » "
                     f"(du {start:%d/%m/%Y} au {end:%d/%m/%Y}).")
    return start, end, notes


def read_period(views: Mapping[str, str], max_days: Mapping[str, int], today: date,
                default_start: Callable[[str], date]) -> tuple[str, date, date, list[str]]:
    """The view, start and end asked for in the query string, capped with a note per cut.

    Raises BadInput naming the field when a value cannot be used."""
    view = request.args.get("view", "").strip() or "day"
    if view not in views:
        raise BadInput(f"Vue (view) inconnue : « {view} » ; attendu {', '.join(views)}.")
    start = _date_arg("start", default_start(view))
    end = _date_arg("end", today - timedelta(days=1))
    if start > end:
        raise BadInput(f"La {FIELDS['start']} ({start:%d/%m/%Y}) est après la {FIELDS['end']} ({end:%d/%m/%Y}).")
    return (view, *_cap(start, end, views[view], max_days[view], today))


def _chart(chart_id: str, title: str, kind: str, x: list, series_: list, head: list, rows: list) -> dict:
    return {"id": chart_id, "title": title, "series": {"x": x, "series": series_, "kind": kind},
            "head": head, "rows": rows}


def _bars(engine, pdl: str, direction: str, start: date, end: date, step: str) -> dict:
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
    rows = [[period_label(first, step), num(wh / 1000, 3)] for first, wh in totals]
    if offpeak:
        head += ["Heures creuses (kWh)", "Heures pleines (kWh)"]
        for row, (first, _) in zip(rows, totals, strict=True):
            row += [num(offpeak[first] / 1000, 3) if first in offpeak else "—",
                    num(peak[first] / 1000, 3) if first in peak else "—"]
        # bars overlap: the off-peak bar in front of the whole (off-peak + peak) bar reads as a stack
        whole = [_kwh(offpeak[f] + peak[f]) if f in offpeak else None for f, _ in totals]
        values = [{"label": "Heures creuses + pleines", "unit": "kWh", "values": whole},
                  {"label": "dont heures creuses", "unit": "kWh", "values": [_kwh(offpeak.get(f)) for f, _ in totals]}]
        notes.append("Heures creuses et pleines calculées d'après la courbe de charge et les heures creuses en "
                     "vigueur chaque jour (celles du contrat ; 22 h - 6 h en Tempo).")
    else:
        values = [{"label": word, "unit": "kWh", "values": [_kwh(wh) for _, wh in totals]}]
    x = [_midnight(first) for first, _ in totals]
    title = f"{word} par {VIEWS[step].lower()}"
    return {"charts": [_chart(f"bars-{step}", title, "bars", x, values, head, rows)] if totals else [],
            "notes": notes}


def _kwh(wh: int | None) -> float | None:
    return None if wh is None else round(wh / 1000, 3)


def _curve(engine, pdl: str, direction: str, start: date, end: date) -> dict:
    days = (end - start).days + 1
    points = series.load_curve(engine, pdl, direction, start, end)
    if days <= RAW_CURVE_DAYS:
        data = series.curve_energy(points, "raw")
        values = [{"label": "Puissance moyenne", "unit": "W", "values": [w for _, w in data]}]
        rows = [[local_label(t), num(w)] for t, w in data]
        chart = _chart("curve", "Courbe de charge (puissance moyenne par intervalle)", "line",
                       [t for t, _ in data], values, ["Début (heure locale)", "Puissance moyenne (W)"], rows)
        return {"charts": [chart] if data else [], "notes": []}
    step = "hour" if days <= HOURLY_CURVE_DAYS else "day"
    data = series.curve_energy(points, step)
    if step == "hour":
        note = f"Plus de {RAW_CURVE_DAYS} jours : la courbe montre l'énergie par heure."
        rows = [[local_label(t), num(wh)] for t, wh in data]
        head, unit, factor = ["Heure (heure locale)", "Énergie (Wh)"], "Wh", 1
    else:
        note = f"Plus de {HOURLY_CURVE_DAYS} jours : la courbe montre l'énergie par jour."
        rows = [[f"{local_start(t):%d/%m/%Y}", num(wh / 1000, 3)] for t, wh in data]
        head, unit, factor = ["Jour", "Énergie (kWh)"], "kWh", 1000
    values = [{"label": "Énergie", "unit": unit, "values": [round(wh / factor, 3) for _, wh in data]}]
    chart = _chart("curve", f"Énergie par {'heure' if step == 'hour' else 'jour'} (courbe de charge)", "line",
                   [t for t, _ in data], values, head, rows)
    return {"charts": [chart] if data else [], "notes": [note]}


def _heatmap(engine, pdl: str, direction: str, start: date, end: date) -> dict:
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


def _power(engine, pdl: str, direction: str, start: date, end: date) -> dict:
    peaks = series.max_power(engine, pdl, start, end)
    contracts = series.contracts_by_day(engine, pdl, start, end)
    kva = [(contracts[day] or {}).get("subscribed_kva") for day, _, _ in peaks]
    rows = [[f"{day:%d/%m/%Y}", num(va / 1000, 2), local_label(at, with_date=False),
             "—" if k is None else num(k)] for (day, va, at), k in zip(peaks, kva, strict=True)]
    values = [{"label": "Puissance max", "unit": "kVA", "values": [round(va / 1000, 3) for _, va, _ in peaks]},
              {"label": "Puissance souscrite", "unit": "kVA", "values": kva}]
    chart = _chart("power", "Puissance maximale par jour et puissance souscrite", "line",
                   [_midnight(day) for day, _, _ in peaks], values,
                   ["Jour", "Puissance max (kVA)", "Heure (locale)", "Souscrite (kVA)"], rows)
    return {"charts": [chart] if peaks else [], "notes": []}


BUILDERS = {"curve": _curve, "heatmap": _heatmap, "power": _power}


def _page(direction: str, title: str):
    services = current_app.extensions["med"]
    points = series.usage_points(services.engine, direction)
    context = {"title": title, "points": points, "direction": direction}
    if not points:
        return render_template("consumption.html", **context)
    pdl = request.args.get("pdl", "").strip() or points[0]["usage_point_id"]
    if pdl not in {p["usage_point_id"] for p in points}:
        abort(404)
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
