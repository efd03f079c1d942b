"""The supplier catalog routes (public): providers, offers with their dated grids, offer types.

Every product gets a new grid on its own schedule (a seeded price step, the quoted prices in force on the
reference day), each grid one row per kVA with a new id, named and dated the way its source does it
(``catalog_data.STYLES``). A grid exists once its row was written (scraped, seeded or approved) on or before
the simulator's today, so the catalog is the same for a given today.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache

from myelectricaldata.energy.catalog import TEMPO_FIELDS
from myelectricaldata.energy.tariffs import regulated_tariffs, version_on
from myelectricaldata.energy.timeline import PARIS

from .catalog_data import OFFER_FIELDS, OFFER_TYPES, PRODUCTS, REFERENCE_DAY, SCRAPED, SUPPLIERS, Product
from .responses import Call, envelope, read_flag

CENT_MILLI = Decimal("0.00001")  # the gateway's Numeric(10, 5)
CENT = Decimal("0.01")
REGULATED_FIELDS = {"BASE": "base_price", "HP": "hp_price", "HC": "hc_price", **TEMPO_FIELDS}
LOOK_AHEAD = timedelta(days=45)  # contributions are approved up to this long before their grid applies


@dataclass(frozen=True)
class Grid:
    """One price grid of a product: from ``start`` (a Paris day), written at ``written``."""

    start: date
    written: datetime
    factor: float  # prices relative to the grid in force on the reference day


@dataclass(frozen=True)
class Listed:
    """One row of ``/energy/offers`` with what the route filters on."""

    row: dict
    active: bool
    valid_to: datetime | None


def provider_id(name: str) -> str:
    """The provider's uuid (stable: derived from its unique name)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"myelectricaldata:provider:{name}"))


def history_start(today: date) -> date:
    """The first day the gateway holds grids for (every product launched earlier starts its history there)."""
    return min(date(2024, 1, 1), date(today.year - 1, 1, 1))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), UTC)


def _seeded(*parts: object) -> random.Random:
    return random.Random("catalog:" + "|".join(map(str, parts)))


def _written(product: Product, start: date) -> datetime:
    """When the rows of a grid were written: seeded on its first day, scraped a few days into the month,
    approved some days before it applies."""
    if product.style == "seed":
        return _midnight(start) + timedelta(hours=9)
    rng = _seeded(product.provider, start)
    if product.style in SCRAPED:
        return _midnight(start + timedelta(days=rng.randint(0, 4))) + timedelta(hours=rng.randint(6, 20),
                                                                              minutes=rng.randint(0, 59))
    return _midnight(start - timedelta(days=rng.randint(3, 12))) + timedelta(hours=10, minutes=rng.randint(0, 59))


def _last_version(product: Product) -> date:
    return regulated_tariffs()[product.regulated][-1].valid_from if product.regulated else date.min


def _own_starts(product: Product, today: date) -> list[date]:
    """The days this product's prices change, from its first grid, up to what can be written by today."""
    until = min(today + LOOK_AHEAD, product.withdrawn - timedelta(days=1) if product.withdrawn else date.max)
    first = max(history_start(today), product.launched)
    if product.regulated:
        last = _last_version(product)
        changes = [v.valid_from for v in regulated_tariffs()[product.regulated]]
        changes += [d for y in range(last.year, until.year + 1) for m in (2, 8) if (d := date(y, m, 1)) > last]
    else:
        changes = [date(y, m, 1) for y in range(first.year, until.year + 1) for m in product.months]
    return sorted({first, *(d for d in changes if first < d <= until)})


@cache
def _scraped_starts(provider: str, today: date) -> frozenset[date]:
    """Every scrape of a supplier re-mints all its scraped rows: the union of its scraped products' changes."""
    return frozenset(d for p in PRODUCTS if p.provider == provider and p.style in SCRAPED
                     for d in _own_starts(p, today))


def _step(product: Product, start: date) -> float:
    """The seeded price change of a new grid (none for a regulated version: its prices are the version's)."""
    if start <= _last_version(product):
        return 1.0
    return _seeded(product.provider, product.name, start).uniform(0.94, 1.05)  # one step for all its types


def _grids(product: Product, today: date) -> list[Grid]:
    """The grids written by ``today``, oldest first."""
    own = _own_starts(product, today)
    starts = own
    if product.style in SCRAPED:
        starts = sorted(d for d in _scraped_starts(product.provider, today)
                        if d >= own[0] and (product.withdrawn is None or d < product.withdrawn))
    cumulative = [1.0]
    for d in starts[1:]:
        cumulative.append(cumulative[-1] * (_step(product, d) if d in own else 1.0))
    reference = max([i for i, d in enumerate(starts) if d <= REFERENCE_DAY], default=0)
    grids = [Grid(d, _written(product, d), cumulative[i] / cumulative[reference]) for i, d in enumerate(starts)]
    return [g for g in grids if g.written.astimezone(PARIS).date() <= today]


@cache
def _kva_scale() -> dict[int, Decimal]:
    """Subscriptions relative to 6 kVA, as the regulated Base grid of the reference day has them."""
    base = version_on(regulated_tariffs()["BASE"], REFERENCE_DAY)
    return {kva: monthly / base.subscription[6] for kva, monthly in base.subscription.items()}


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT_MILLI):.5f}"


def _prices(product: Product, grid: Grid, kva: int | None) -> tuple[str, dict[str, str]]:
    """Subscription and kWh prices of one grid at one kVA, as the gateway writes them."""
    factor = Decimal(str(round(grid.factor, 6)))
    scale = _kva_scale()[kva] if kva is not None else Decimal(1)
    if product.regulated and kva is not None:
        version = version_on(regulated_tariffs()[product.regulated], grid.start)
        base = {REGULATED_FIELDS[slot]: price for slot, price in version.energy_for(kva).items()}
        monthly = version.monthly(kva) or (version.monthly(6) or Decimal(product.monthly)) * scale
    else:
        base = {name: Decimal(price) for name, price in product.prices.items()}
        monthly = Decimal(product.monthly) * scale
    monthly *= 1 + (factor - 1) / 2  # subscriptions move half as much as kWh prices
    return _money(monthly.quantize(CENT)), {name: _money(price * factor) for name, price in base.items()}


def _name(product: Product, kva: int | None) -> str:
    if product.style in ("scraper", "legacy"):
        return f"{product.name} {kva} kVA"
    return f"{product.name} - {kva} kVA" if product.style == "contribution" else product.name


def _dates(product: Product, grid: Grid, following: Grid | None, today: date) -> dict:
    """valid_from, valid_to, is_active and price_updated_at of a grid's rows, the way its source writes them."""
    contributed = product.style in ("contribution", "any_kva")
    end: datetime | None = None
    if following is not None:
        end = (_midnight(following.start - timedelta(days=1)) if product.style == "seed"
               else _midnight(following.start) if contributed else following.written)
    elif product.withdrawn is not None and product.withdrawn <= today:
        end = _midnight(product.withdrawn)
    return {"valid_from": None if product.style == "seed" and end is None else _midnight(grid.start),
            "valid_to": end, "price_updated_at": _midnight(grid.start) if product.style == "seed" else grid.written,
            "is_active": end is None or (following is not None and contributed)}


def _row_id(product: Product, kva: int | None, start: date) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"myelectricaldata:offer:{product.provider}|{_name(product, kva)}|"
                                              f"{product.offer_type}|{kva}|{start}"))


def row_in_force(provider: str, name: str, offer_type: str, kva: int, today: date) -> str | None:
    """The id of the row of a product at ``kva`` whose grid is in force on ``today`` (None when there is none):
    what the gateway gives as a PDL's ``selected_offer_id``."""
    product = next((p for p in PRODUCTS if (p.provider, p.name, p.offer_type) == (provider, name, offer_type)), None)
    if product is None or kva not in product.kvas:
        return None
    started = [g for g in _grids(product, today) if g.start <= today]
    return _row_id(product, kva, started[-1].start) if started else None


def _rows(product: Product, today: date) -> Iterable[Listed]:
    grids = _grids(product, today)
    kvas: tuple[int | None, ...] = (None,) if product.style == "any_kva" else product.kvas
    described = product.description
    for i, grid in enumerate(grids):
        dates = _dates(product, grid, grids[i + 1] if i + 1 < len(grids) else None, today)
        stamps = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in dates.items()}
        for kva in kvas:
            monthly, prices = _prices(product, grid, kva)
            name = _name(product, kva)
            row = dict.fromkeys(OFFER_FIELDS) | prices | stamps | {
                "id": _row_id(product, kva, grid.start),
                "provider_id": provider_id(product.provider), "name": name, "offer_type": product.offer_type,
                "description": f"{described} - {kva} kVA" if described and product.style == "plain" else described,
                "subscription_price": monthly, "hc_schedules": dict(product.hc_schedules or {}) or None,
                "power_kva": None if product.style in ("legacy", "any_kva") else kva,
                "offer_url": product.offer_url, "created_at": grid.written.isoformat()}
            yield Listed(row, dates["is_active"], dates["valid_to"])


@lru_cache(maxsize=2)
def catalog(today: date) -> tuple[Listed, ...]:
    """Every row the gateway holds on ``today``, newest ``valid_from`` first (rows without one first, as
    PostgreSQL sorts NULL in a descending order)."""
    rows = [listed for product in PRODUCTS for listed in _rows(product, today)]
    return tuple(sorted(rows, key=lambda r: r.row["valid_from"] or "~", reverse=True))


def providers(call: Call) -> tuple[int, dict]:
    """``GET /energy/providers``: the active suppliers."""
    data = [{"id": provider_id(s.name), "name": s.name, "logo_url": s.logo_url, "website": s.website,
             "scraper_urls": list(s.scraper_urls) or None} for s in SUPPLIERS]
    return 200, envelope(call.state, data)


def offers(call: Call) -> tuple[int, dict]:
    """``GET /energy/offers``: active, unexpired rows; every row with ``include_history=true``."""
    history = read_flag(call, "include_history", False)
    supplier = call.query("provider_id")
    now = call.state.now()
    data = [r.row for r in catalog(call.state.today())
            if (history or (r.active and (r.valid_to is None or r.valid_to >= now)))
            and (supplier is None or r.row["provider_id"] == supplier)]
    return 200, envelope(call.state, data)


def offer_types(call: Call) -> tuple[int, dict]:
    """``GET /energy/offer-types`` (and its deprecated alias ``/energy/pricing-types``)."""
    return 200, envelope(call.state, [dict(t) for t in OFFER_TYPES])
