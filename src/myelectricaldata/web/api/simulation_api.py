"""``GET /api/v1/usage_points/{pdl}/simulation``: the offer ranking and the max power advisor as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify

from ...energy.costs import euros
from ...energy.simulation import OfferResult, PowerAdvice
from ...services import comparisons, pricing
from ...services.comparisons import Simulation
from ..context import app_services
from .common import bp
from .params import check_pdl
from .resources import known_usage_point


def _eur(amount: Decimal | None) -> float | None:
    return None if amount is None else float(euros(amount))


def _offer(rank: int | None, r: OfferResult, simulated: Simulation) -> dict[str, Any]:
    return {"rank": rank, "key": r.key, "name": r.name, "kind": r.kind, "current": r.key == simulated.current.key,
            "complete": r.complete, "total": _eur(r.last_12_months), "energy": _eur(r.energy_12_months),
            "subscription": _eur(r.subscription_12_months), "savings": _eur(simulated.saving(r)),
            "by_year": [{"year": y, "total": _eur(t)} for y, t in sorted(r.by_year.items())],
            "estimated_days": r.estimated_days, "subscription_unknown_days": r.subscription_unknown_days}


def _power(a: PowerAdvice) -> dict[str, Any]:
    return {"subscribed_kva": a.subscribed_kva, "days": a.days, "peak_va": a.peak_va,
            "distribution": [{"kva": k, "days": n} for k, n in a.distribution.items()],
            "close_days": a.close_days, "over_days": a.over_days, "lower_kva": a.lower_kva,
            "lower_close_days": a.lower_close_days, "yearly_saving": _eur(a.yearly_saving), "message": a.message}


@bp.get("/v1/usage_points/<pdl>/simulation")
def simulation(pdl: str) -> Any:
    services = app_services()
    known_usage_point(services.engine, check_pdl(pdl))
    today = services.today()
    simulated = comparisons.simulation(services.engine, pdl, today)
    ranked = [r for r in simulated.results if r.complete]
    offers = [_offer(i, r, simulated) for i, r in enumerate(ranked, 1)]
    offers += [_offer(None, r, simulated) for r in simulated.results if not r.complete]
    return jsonify(usage_point_id=pdl, start=simulated.first.isoformat(), end=simulated.last.isoformat(),
                   current_offer=simulated.current.key, offers=offers,
                   power=_power(pricing.max_power_advice(services.engine, pdl, today)))
