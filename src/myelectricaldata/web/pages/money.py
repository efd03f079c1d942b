"""Consumption in euros: cost per day, month or year split by slot (HP/HC or Tempo colour), subscription share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, render_template

from ...energy.costs import ZERO, DayCost, PeriodCost, by_period, euros, kwh
from ...services import pricing
from ...services.comparisons import MonthComparison, PricedSpan, month_against_last_year
from ...services.usage_points import labels
from ..context import app_services
from ..formatting import amount, assumed_day, kwh_number, month_title, period_label
from .charts import chart, midnight
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
        rows.append([period_label(p.start, view), kwh_number(float(kwh(sum(p.energy.values())))),
                     *(amount(p.costs.get(s, ZERO)) if s in p.costs else "—" for s in slots),
                     amount(p.subscription), amount(p.total), remark])
    energy = sum((sum(p.energy.values()) for p in periods), 0)
    rows.append(["Total", kwh_number(float(kwh(energy))),
                 *(amount(sum((p.costs.get(s, ZERO) for p in periods), ZERO)) for s in slots),
                 amount(sum((p.subscription for p in periods), ZERO)), amount(sum((p.total for p in periods), ZERO)),
                 f"{sum(p.estimated_days for p in periods)} jour(s) estimé(s)" if any(d.estimated for d in days)
                 else ""])
    values = [{"label": "Total (abonnement compris)", "unit": "€", "values": [float(euros(p.total)) for p in periods]},
              {"label": "dont énergie", "unit": "€", "values": [float(euros(p.energy_cost)) for p in periods]}]
    return chart(f"euros-{view}", f"Coût par {VIEWS[view].lower()}", "bars",
                 [midnight(p.start) for p in periods], values, head, rows)


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
    return render_template(
        "consumption_euro.html", **context, pdl=pdl, views=VIEWS, view=view, start=start, end=end, notes=notes,
        charts=[_table(periods, days, view)] if periods else [], estimated=estimated,
        offer={"name": in_force.offer.name, "key": in_force.offer.key, "source": in_force.source},
        compare=_compare(month_against_last_year(engine, pdl, today, prices)))
