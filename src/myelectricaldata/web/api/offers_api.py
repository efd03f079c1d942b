"""``GET /api/v1/offers``: the stored supplier catalog with every price grid it had, filtered by kVA, supplier and
type."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import jsonify, request

from ...energy.catalog import CATALOG_TYPES, CatalogGrid
from ...energy.offpeak import format_windows
from ...energy.tariffs import KVA_LEVELS
from ...services import catalog
from ..context import app_services
from .common import bp
from .params import bad_request
from .resources import utc_text

MAX_PROVIDER = 100


def _grid(g: CatalogGrid) -> dict[str, Any]:
    return {"gateway_id": g.offer_id, "name": g.name, "offer_type": g.offer_type,
            "valid_from": g.valid_from.isoformat(),
            "last_day": (g.valid_to - timedelta(days=1)).isoformat() if g.valid_to else None,
            "subscription": float(g.subscription), "prices": {f: float(p) for f, p in g.prices.items()},
            "hc_schedules": [format_windows(s) if s is not None else None for s in g.hc_schedules] or None,
            "active": g.active, "offer_url": g.offer_url}


def _kva() -> int | None:
    raw = request.args.get("kva")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) not in KVA_LEVELS:
        raise bad_request("kva", f"expected one of {', '.join(map(str, KVA_LEVELS))}, got {raw[:40]!r}")
    return int(raw)


@bp.get("/v1/offers")
def offers() -> Any:
    services = app_services()
    kva = _kva()
    kind = request.args.get("type")
    if kind is not None and kind not in CATALOG_TYPES:
        raise bad_request("type", f"expected one of {', '.join(CATALOG_TYPES)}, got {kind[:40]!r}")
    provider = request.args.get("provider", "")
    if len(provider) > MAX_PROVIDER:
        raise bad_request("provider", f"at most {MAX_PROVIDER} characters")
    today = services.today()
    found = catalog.catalog_offers(services.engine, today, kva, provider, kind or "")
    status = catalog.status(services.engine)
    return jsonify(
        kva=kva, provider=provider or None, type=kind or None,
        fetched_at=utc_text(status.offers.fetched_at), last_error=status.offers.last_error,
        offers=[{"key": o.key, "provider": o.provider, "name": o.name, "type": o.kind, "kva": o.kva,
                 "still_offered": o.still_offered, "notes": list(o.notes), "grids": [_grid(g) for g in o.grids]}
                for o in found])
