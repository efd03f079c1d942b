"""Consumption in euros: cost per day, month or year split by slot (HP/HC or Tempo colour), subscription share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, render_template

from ...energy.costs import ZERO, DayCost, PeriodCost, by_period, euros, kwh
from ...energy.coverage import coverage, data_span, marked, short_mark
from ...services import pricing
from ...services.comparisons import MonthComparison, PricedSpan, month_against_last_year
from ...services.health import Database
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import COLOUR_WORDS, amount, assumed_day, kwh_number, month_title, period_label
from .charts import chart, midnight
from .downloads import (
    MONTH_SHORT,
    csv_response,
    file_name,
    marked_columns,
    on_categories,
    pick_table,
    wants_csv,
    year_over_year,
)
from .offer_words import SLOT_WORDS, slot_word
from .periods import BadInput, chosen_pdl, default_start, read_period

bp = Blueprint("money", __name__)

VIEWS = {"day": "Jour", "month": "Mois", "year": "Année"}
MAX_DAYS = {"day": 366, "month": 1096, "year": 1096}
SLOT_ORDER = tuple(SLOT_WORDS)  # every known slot in its usual order; a custom offer's own periods come after


def slots_of(periods: Iterable[PeriodCost | DayCost]) -> list[str]:
    """The slots met in ``periods``, the known ones in their usual order, then the others."""
    seen = dict.fromkeys(s for p in periods for s in p.energy)
    return [s for s in SLOT_ORDER if s in seen] + sorted(s for s in seen if s not in SLOT_ORDER)


def assumed_text(day: DayCost) -> str:
    """Why a day is estimated: each unknown calendar day with what it was priced as, and a day no price grid
    covered with the grid priced instead."""
    parts = [assumed_day(d, calendar, value) for d, calendar, value in day.unknown_days]
    if not day.grid_in_force:
        parts.append(f"aucune grille de prix ne couvre ce jour : prix de la grille du {day.prices_from:%d/%m/%Y}, "
                     "la plus proche")
    return "estimé : " + ", ".join(parts) if parts else "estimé" if day.estimated else ""


TEMPO_TOKENS = {"BLUE": "tempo-blue", "WHITE": "tempo-white", "RED": "tempo-red"}


def _stack(periods: list[PeriodCost], slots: list[str]) -> list[dict[str, Any]]:
    """The bars' stacked series: the energy cost of each slot (a Tempo colour's HP and HC together, in its colour),
    then the subscription, so that each bar's height is the period's total."""
    groups: dict[str, list[str]] = {}
    for slot in slots:
        colour = slot.split("_")[0] if slot.split("_")[0] in TEMPO_TOKENS and slot.endswith(("_HP", "_HC")) else ""
        groups.setdefault(colour or slot, []).append(slot)
    out = []
    for name, members in groups.items():
        serie: dict[str, Any] = {
            "label": COLOUR_WORDS[name] if name in TEMPO_TOKENS else slot_word(name), "unit": "€",
            "values": [float(euros(sum((p.costs.get(s, ZERO) for s in members), ZERO))) for p in periods]}
        if name in TEMPO_TOKENS:
            serie["colour"] = TEMPO_TOKENS[name]
        out.append(serie)
    out.append({"label": "Abonnement", "unit": "€", "values": [float(euros(p.subscription)) for p in periods]})
    return out


def _label(p: PeriodCost, view: str) -> str:
    return period_label(p.start, view) if view == "day" else marked(period_label(p.start, view),
                                                                    coverage(p.start, view, p.days))


def _table(periods: list[PeriodCost], days: list[DayCost], view: str) -> dict:
    slots = slots_of(periods)
    head = ["Période", "Consommation (kWh)", *(f"{slot_word(s)} (€)" for s in slots), "Abonnement (€)",
            "Total (€)", "Remarque"]
    notes_by_day = {d.day: assumed_text(d) for d in days if d.estimated}
    rows = []
    for p in periods:
        remark = notes_by_day.get(p.start, "") if view == "day" else (
            f"{p.estimated_days} jour(s) estimé(s)" if p.estimated_days else "")
        if p.subscription_unknown_days:
            remark = (remark + " ; " if remark else "") + "abonnement inconnu pour cette puissance"
        rows.append([_label(p, view), kwh_number(float(kwh(sum(p.energy.values())))),
                     *(amount(p.costs.get(s, ZERO)) if s in p.costs else "—" for s in slots),
                     amount(p.subscription), amount(p.total), remark])
    energy = sum((sum(p.energy.values()) for p in periods), 0)
    rows.append(["Total", kwh_number(float(kwh(energy))),
                 *(amount(sum((p.costs.get(s, ZERO) for p in periods), ZERO)) for s in slots),
                 amount(sum((p.subscription for p in periods), ZERO)), amount(sum((p.total for p in periods), ZERO)),
                 f"{sum(p.estimated_days for p in periods)} jour(s) estimé(s)" if any(d.estimated for d in days)
                 else ""])
    block = chart(f"euros-{view}", f"Coût par {VIEWS[view].lower()}", "bars",
                  [midnight(p.start) for p in periods], _stack(periods, slots), head, rows)
    block["series"]["stacked"] = True
    total_column = len(head) - 2
    aux = [*range(2, total_column), total_column + 1]
    if view == "day":
        return marked_columns(block, total_column, aux)
    categories = [short_mark(str(p.start.year) if view == "year" else f"{MONTH_SHORT[p.start.month - 1]} "
                             f"{p.start.year}", coverage(p.start, view, p.days)) for p in periods]
    return on_categories(block, categories, stacked=True, key=total_column, aux=aux)


def _summary(days: list[DayCost], start: date, end: date) -> dict[str, Any]:
    """The chosen range's total in euros (and kWh), and where the load curve lies when it covers less."""
    out: dict[str, Any] = {"unit": "€", "days": len(days), "length": (end - start).days + 1,
                           "total": amount(sum((d.total for d in days), ZERO)) if days else None,
                           "extra": f"({kwh_number(float(kwh(sum(sum(d.energy.values()) for d in days))))} kWh)"}
    span = data_span(d.day for d in days)
    if span is not None and span != (start, end):
        out["available"] = f"Données disponibles du {span[0]:%d/%m/%Y} au {span[1]:%d/%m/%Y}"
    return out


def _year_over_year(engine: Database, pdl: str, today: date, prices: Any) -> dict[str, Any] | None:
    """This year's cost against last year's, month by month (subscription included)."""
    months = by_period(pricing.cost_by_day(engine, pdl, date(today.year - 1, 1, 1), today - timedelta(days=1), prices),
                       "month")
    return year_over_year({p.start: p.total for p in months}, {p.start: coverage(p.start, "month", p.days)
                                                               for p in months},
                          today, "Coût : cette année et l'an dernier, par mois", "€", lambda a: float(euros(a)), 2)


def _side(span: PricedSpan) -> dict:
    return {"first": span.first, "last": span.last, "days": len(span.days), "euros": amount(span.total),
            "kwh": kwh_number(float(kwh(span.energy)))}


def _compare(comparison: MonthComparison | None) -> dict | None:
    """This month so far against the same days a year earlier, in words and amounts."""
    if comparison is None:
        return None
    out = {"title": month_title(comparison.now.first), "now": _side(comparison.now),
           "before": _side(comparison.before)}
    if (diff := comparison.difference) is not None:
        out["difference"] = ("+" if diff > 0 else "") + amount(diff)
    return out


@bp.route("/consumption_euro")
def consumption_euro() -> Any:
    services = app_services()
    engine, prices = services.engine, services.prices
    points = labels(engine, "consumption")
    context = {"title": "Consommation (€)", "points": points}
    if not points:
        return render_template("consumption_euro.html", **context)
    pdl = chosen_pdl(points)
    today = services.today()
    try:
        view, start, end, notes = read_period(VIEWS, MAX_DAYS, today, lambda v: default_start(v, today))
    except BadInput as exc:
        return render_template("error.html", status=400, message=str(exc)), 400
    days = pricing.cost_by_day(engine, pdl, start, end, prices)
    periods = by_period(days, view)
    estimated = [(d.day, assumed_text(d)) for d in days if d.estimated]
    in_force = pricing.offer_in_force(engine, pdl, today)
    charts = [_table(periods, days, view)] if periods else []
    if view != "day":  # the two years are priced once, then kept in the price cache
        charts += [c for c in [_year_over_year(engine, pdl, today, prices)] if c]
    if wants_csv():
        if not charts:
            abort(404)
        name = next(p.label for p in points if p.usage_point_id == pdl)
        block = pick_table(charts) or charts[0]
        what = "consommation-euros" + ("-par-mois" if block["id"] == "year-over-year" else "")
        return csv_response(file_name(what, name, start, end), block["head"], block["rows"])
    return render_template(
        "consumption_euro.html", **context, pdl=pdl, views=VIEWS, view=view, start=start, end=end, notes=notes,
        charts=charts, estimated=estimated, summary=_summary(days, start, end),
        offer={"name": in_force.offer.name, "key": in_force.offer.key, "source": in_force.source},
        compare=_compare(month_against_last_year(engine, pdl, today, prices)))
