"""REST API v1: costs of a usage point per day, month or year (routes on the v1 blueprint)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request

from ...energy.costs import ZERO, euros, kwh
from ...services import pricing
from ..context import WebServices, app_services
from . import tables
from .common import bp, yesterday
from .params import DateRange, check_pdl, choice, date_range
from .resources import known_usage_point

COST_STEPS = ("day", "month", "year")


def _number(amount: Decimal) -> float:
    return float(euros(amount))


def costs(services: WebServices, pdl: str, span: DateRange, step: str) -> dict[str, Any]:
    """Cost per period: kWh and EUR per slot, subscription share, total, estimated days, offers used."""
    known_usage_point(services.engine, pdl)
    periods = pricing.cost_by_period(services.engine, pdl, span.start, span.end, step, services.prices)
    in_force = pricing.offer_in_force(services.engine, pdl, services.today())
    offer = in_force.offer
    return {
        "usage_point_id": pdl, "start": span.start.isoformat(), "end": span.end.isoformat(), "capped": span.capped,
        "step": step, "unit": "EUR", "offer": {"key": offer.key, "name": offer.name, "chosen": in_force.chosen},
        "periods": [{
            "date": p.start.isoformat(),
            "kwh": {slot: float(kwh(wm)) for slot, wm in p.energy.items()},
            "euros": {slot: _number(amount) for slot, amount in p.costs.items()},
            "energy": _number(p.energy_cost), "subscription": _number(p.subscription),
            "subscription_known": not p.subscription_unknown_days, "total": _number(p.total),
            "days": p.days, "estimated": p.estimated_days > 0, "estimated_days": p.estimated_days,
            "offer_keys": sorted(p.offer_keys),
        } for p in periods],
        "total": _number(sum((p.total for p in periods), ZERO)),
    }


@bp.get("/v1/usage_points/<pdl>/costs")
def usage_point_costs(pdl: str) -> Any:
    check_pdl(pdl)
    step = choice(request.args, "step", COST_STEPS, "day")
    span = date_range(request.args, yesterday())
    answer = costs(app_services(), pdl, span, step)
    if tables.wants_csv():
        return tables.download(app_services(), "consommation-euros", pdl, answer, tables.costs(answer))
    return jsonify(answer)

