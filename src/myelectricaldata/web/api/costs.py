"""REST API v1: costs of a usage point per day, month or year (routes on the v1 blueprint)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from ...energy.aggregate import period_start
from ...energy.costs import ZERO, DayCost, by_period, euros, kwh
from ...services import pricing
from ...services.pricing_store import get_choice
from ...services.runtime import AppServices
from .params import DateRange, check_pdl, choice, date_range
from .resources import known_usage_point
from .v1 import _services, _yesterday, bp

COST_STEPS = ("day", "month", "year")


def _number(amount) -> float:
    return float(euros(amount))


def costs(services: AppServices, pdl: str, span: DateRange, step: str) -> dict[str, Any]:
    """Cost per period: kWh and EUR per slot, subscription share, total, estimated days, offers used."""
    known_usage_point(services.engine, pdl)
    days: list[DayCost] = pricing.cost_by_day(services.engine, pdl, span.start, span.end)
    keys: dict = {}
    for d in days:
        keys.setdefault(period_start(d.day, step), set()).add(d.offer_key)
    periods = by_period(days, step)
    offer = pricing.current_offer(services.engine, pdl, services.today())
    with services.engine.connect() as conn:
        chosen = bool(get_choice(conn, pdl).offer_key)
    return {
        "usage_point_id": pdl, "start": span.start.isoformat(), "end": span.end.isoformat(), "capped": span.capped,
        "step": step, "unit": "EUR", "offer": {"key": offer.key, "name": offer.name, "chosen": chosen},
        "periods": [{
            "date": p.start.isoformat(),
            "kwh": {slot: float(kwh(wm)) for slot, wm in p.energy.items()},
            "euros": {slot: _number(amount) for slot, amount in p.costs.items()},
            "energy": _number(p.energy_cost), "subscription": _number(p.subscription),
            "subscription_known": not p.subscription_unknown_days, "total": _number(p.total),
            "days": p.days, "estimated": p.estimated_days > 0, "estimated_days": p.estimated_days,
            "offer_keys": sorted(keys.get(p.start, ())),
        } for p in periods],
        "total": _number(sum((p.total for p in periods), ZERO)),
    }


@bp.get("/v1/usage_points/<pdl>/costs")
def usage_point_costs(pdl: str):
    check_pdl(pdl)
    step = choice(request.args, "step", COST_STEPS, "day")
    span = date_range(request.args, _yesterday())
    return jsonify(costs(_services(), pdl, span, step))

