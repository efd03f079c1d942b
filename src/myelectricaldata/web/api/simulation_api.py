"""``GET /api/v1/usage_points/{pdl}/simulation``: every offer ranked with its totals and breakdown, and the max
power advisor, as JSON."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify

from ...energy.catalog import published_type
from ...energy.costs import euros, kwh_to_the_wh
from ...energy.simulation import OfferResult, PowerAdvice
from ...services import pricing, ranking
from ...services.ranking import Ranking
from ..context import app_services
from .common import bp
from .params import check_pdl
from .resources import known_usage_point, utc_text


def _eur(amount: Decimal | None) -> float | None:
    return None if amount is None else float(euros(amount))


def source_of(key: str) -> str:
    """regulated, user or catalog."""
    return key.split(":", 1)[0]


def _offer(r: OfferResult, ranked: Ranking, still_offered: bool) -> dict[str, Any]:
    comparable = ranked.comparable and r.complete
    return {
        "rank": ranked.rank_of(r.key), "key": r.key, "name": r.name, "provider": r.provider,
        "type": published_type(r.kind), "kind": r.kind, "source": source_of(r.key), "kva": r.kva,
        "current": r.key == ranked.current.key, "complete": r.complete, "still_offered": still_offered,
        "total": _eur(r.last_12_months), "energy": _eur(r.energy_12_months),
        "subscription": _eur(r.subscription_12_months),
        "savings": _eur(r.savings) if comparable else None, "difference": _eur(-r.savings) if comparable else None,
        "by_year": [{"year": y, "total": _eur(t.total), "energy": _eur(t.energy), "subscription": _eur(t.subscription),
                     "days": t.days, "complete": t.complete} for y, t in sorted(r.years.items())],
        "breakdown": {
            "slots": [{"slot": line.slot, "prices_from": line.prices_from.isoformat(), "price": float(line.price),
                       "kwh": kwh_to_the_wh(line.energy), "euros": _eur(line.cost)} for line in r.slots],
            "subscription": [{"prices_from": s.prices_from.isoformat(), "days": s.days,
                              "monthly": None if s.monthly is None else float(s.monthly), "euros": _eur(s.cost)}
                             for s in r.subscriptions]},
        "estimated_days": r.estimated_days, "subscription_unknown_days": r.subscription_unknown_days,
        "nearest_grid_days": r.nearest_grid_days, "unknown_calendar_days": r.unknown_calendar_days,
    }


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
    ranked = ranking.rank(services.engine, pdl, today, services.prices)
    offers = [_offer(r, ranked, ranked.still_offered(r.key, today)) for r in ranked.results]
    status = ranked.catalog
    return jsonify(
        usage_point_id=pdl, start=ranked.first.isoformat(), end=ranked.last.isoformat(), kva=ranked.kva,
        current_offer=ranked.current.key, current_offer_source=ranked.source,
        days=ranked.days_12_months,
        catalog={"fetched_at": utc_text(status.offers.fetched_at), "last_error": status.offers.last_error,
                 "zen_flex_until": status.zen_flex_until.isoformat() if status.zen_flex_until else None},
        offers=offers, power=_power(pricing.max_power_advice(services.engine, pdl, today)))
