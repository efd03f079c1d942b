"""The gateway's supplier catalog (providers, offers with their history, offer types, Zen Flex days) parsed
into typed values. Prices may come as strings or numbers and become Decimals; a row that cannot be priced is
refused with a message naming the offer and the field, and the other rows are kept."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..energy.calendars import ZEN_FLEX_TYPES
from ..energy.catalog import (
    CATALOG_TYPES,
    PRICE_FIELDS,
    REQUIRED,
    CatalogGrid,
    HistoryKey,
    catalog_offer,
    history_key,
    kva_in_name,
    missing_prices,
    offer_kind,
)
from ..energy.offers import Offer
from ..energy.offpeak import Spans, parse_windows
from ..energy.tariffs import KVA_LEVELS
from ..energy.timeline import PARIS
from .errors import UnexpectedPayload
from .parse import number

MAX_KWH_PRICE = Decimal(5)  # EUR/kWh: above is a price typed in c€/kWh
MAX_MONTHLY_PER_KVA = Decimal(10)  # EUR/month per kVA (real ones are 2 to 3): above is a yearly figure or c€
MAX_MONTHLY = Decimal(300)  # EUR/month, for a row without kVA
WEEKDAY_NAMES = (("monday", "lundi"), ("tuesday", "mardi"), ("wednesday", "mercredi"), ("thursday", "jeudi"),
                 ("friday", "vendredi"), ("saturday", "samedi"), ("sunday", "dimanche"))


@dataclass(frozen=True)
class Provider:
    """A supplier of the catalog."""

    id: str
    name: str
    logo_url: str = ""
    website: str = ""
    scraper_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfferType:
    """An offer type the gateway describes (its calculators' metadata)."""

    code: str
    name: str
    description: str
    required_price_fields: tuple[str, ...]
    optional_price_fields: tuple[str, ...]
    display_order: int
    icon: str = ""
    color: str = ""


@dataclass
class CatalogRows:
    """The priced rows of an offers payload, and one message per refused row."""

    grids: list[CatalogGrid] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _objects(data: Any, what: str) -> list[dict]:
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise UnexpectedPayload(f"{what}: expected a list of objects, got {type(data).__name__}")
    return data


def _text(raw: Any) -> str:
    return str(raw).strip() if raw is not None else ""


def parse_providers(data: Any) -> list[Provider]:
    """Providers of ``GET /energy/providers`` (a provider without id or name is an error)."""
    out = []
    for item in _objects(data, "energy providers"):
        pid, name = _text(item.get("id")), _text(item.get("name"))
        if not pid or not name:
            raise UnexpectedPayload(f"energy provider {item.get('id')!r}: expected an id and a name")
        urls = item.get("scraper_urls")
        urls = urls if isinstance(urls, list) else []
        out.append(Provider(pid, name, _text(item.get("logo_url")), _text(item.get("website")),
                            tuple(_text(u) for u in urls if u)))
    return out


def parse_offer_types(data: Any) -> list[OfferType]:
    """Offer types of ``GET /energy/offer-types``, in display order."""
    out = []
    for item in _objects(data, "offer types"):
        code = _text(item.get("code")).upper()
        if not code:
            raise UnexpectedPayload(f"offer type {item!r}: expected a code")
        order = item.get("display_order")
        out.append(OfferType(code, _text(item.get("name")) or code, _text(item.get("description")),
                             tuple(map(str, item.get("required_price_fields") or ())),
                             tuple(map(str, item.get("optional_price_fields") or ())),
                             order if isinstance(order, int) and not isinstance(order, bool) else 0,
                             _text(item.get("icon")), _text(item.get("color"))))
    return sorted(out, key=lambda t: (t.display_order, t.code))


def parse_zen_flex_days(data: Any) -> dict[date, str]:
    """Zen Flex day types by Paris date from ``GET /zen-flex/days``; a day without a known type is left out
    (unknown, never Éco)."""
    out = {}
    for item in _objects(data, "zen flex days"):
        kind = _text(item.get("day_type")).upper()
        if kind in ZEN_FLEX_TYPES:
            try:
                out[date.fromisoformat(_text(item.get("date"))[:10])] = kind
            except ValueError:
                raise UnexpectedPayload(f"zen flex day: expected a date YYYY-MM-DD, got {item.get('date')!r}") from None
    return dict(sorted(out.items()))


def _instant(raw: Any, name: str) -> datetime | date | None:
    """An ISO date (a Paris day) or date-time (naive means UTC), or None."""
    text = _text(raw)
    if not text:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name}: expected an ISO date or date-time, got {raw!r}") from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _first_day(value: datetime | date) -> date:
    """The Paris day a grid starts applying on."""
    return value.astimezone(PARIS).date() if isinstance(value, datetime) else value


def _end_day(value: datetime | date) -> date:
    """The first Paris day a grid no longer covers: a date names the last day covered; an instant ends the grid
    then, so the day it falls in is still covered unless it is that day's midnight."""
    if not isinstance(value, datetime):
        return value + timedelta(days=1)
    return (value - timedelta(microseconds=1)).astimezone(PARIS).date() + timedelta(days=1)


def _hc_schedules(raw: Any) -> tuple[Spans | None, ...]:
    if raw in (None, "", {}):
        return ()
    if not isinstance(raw, Mapping):
        raise ValueError(f"hc_schedules: expected an object like {{\"monday\": \"22:00-06:00\"}}, got {raw!r}")
    names = {n: i for i, pair in enumerate(WEEKDAY_NAMES) for n in pair}
    days: list[Spans | None] = [None] * 7
    for key, windows in raw.items():
        if str(key).strip().lower() not in names:
            raise ValueError(f"hc_schedules: {key!r} is not a weekday (monday ... sunday)")
        days[names[str(key).strip().lower()]] = parse_windows(_text(windows), f"hc_schedules.{key}")
    return tuple(days)


def _price(raw: Any, label: str, name: str) -> Decimal:
    value = number(raw, f"{label}: {name}")
    if value < 0:
        raise ValueError(f"{name} = {raw!r} is negative")
    if value > MAX_KWH_PRICE:
        raise ValueError(f"{name} = {raw!r} €/kWh is not a price per kWh in euros (expected at most "
                         f"{MAX_KWH_PRICE} €/kWh; it looks like c€/kWh)")
    return value


def _subscription(raw: Any, label: str, kva: int | None) -> Decimal:
    if raw is None or _text(raw) == "":
        raise ValueError("subscription_price is missing (expected €/month)")
    value = number(raw, f"{label}: subscription_price")
    limit = MAX_MONTHLY_PER_KVA * kva if kva else MAX_MONTHLY
    if value < 0 or value > limit:
        raise ValueError(f"subscription_price = {raw!r} is not a monthly subscription in euros (expected 0 to "
                         f"{limit} €/month{f' at {kva} kVA' if kva else ''}; a yearly figure or c€?)")
    return value


def _kva(raw: Any, name: str) -> int | None:
    if raw is None or _text(raw) == "":
        return kva_in_name(name)
    kva = int(number(raw, "power_kva"))
    if kva not in KVA_LEVELS:
        raise ValueError(f"power_kva = {raw!r}: expected one of {', '.join(map(str, KVA_LEVELS))}")
    return kva


def _grid(item: Mapping[str, Any], provider: str, label: str) -> CatalogGrid:
    name = _text(item.get("name"))
    offer_type = _text(item.get("offer_type")).upper()
    if offer_type not in CATALOG_TYPES:
        raise ValueError(f"offer_type {item.get('offer_type')!r}: expected one of {', '.join(CATALOG_TYPES)}")
    kind = offer_kind(offer_type, name)
    prices = {f: _price(item[f], label, f) for f in PRICE_FIELDS if item.get(f) not in (None, "")}
    missing = missing_prices(kind, prices)
    if missing:
        raise ValueError(f"{', '.join(missing)} missing: a {kind} offer needs {', '.join(REQUIRED[kind])}")
    kva = _kva(item.get("power_kva"), name)
    start = next((v for f in ("valid_from", "price_updated_at", "created_at")
                  if (v := _instant(item.get(f), f)) is not None), None)
    if start is None:
        raise ValueError("valid_from, price_updated_at and created_at are all missing: the grid has no date")
    end = _instant(item.get("valid_to"), "valid_to")
    created = _instant(item.get("created_at"), "created_at")
    subscription = _subscription(item.get("subscription_price"), label, kva)
    return CatalogGrid(
        _text(item.get("id")), provider, name, offer_type, kva, subscription, prices, _first_day(start),
        _end_day(end) if end is not None else None, _hc_schedules(item.get("hc_schedules")),
        item.get("is_active") is not False, created if isinstance(created, datetime) else None,
        _text(item.get("offer_url")), _text(item.get("description")))


def parse_offers(data: Any, providers: Iterable[Provider]) -> CatalogRows:
    """Rows of ``GET /energy/offers?include_history=true``: each priced row as a grid, each refused row as a
    message naming its supplier, offer, kVA, id and the field at fault."""
    names = {p.id: p.name for p in providers}
    rows = CatalogRows()
    for item in _objects(data, "energy offers"):
        provider = names.get(_text(item.get("provider_id")), "")
        kva = f" {_text(item.get('power_kva'))} kVA" if _text(item.get("power_kva")) else ""
        label = f"{provider or '?'} « {_text(item.get('name'))} »{kva} (id {_text(item.get('id'))})"
        try:
            if not provider:
                raise ValueError(f"provider_id {item.get('provider_id')!r} is not among the providers")
            rows.grids.append(_grid(item, provider, label))
        except (ValueError, UnexpectedPayload) as exc:
            rows.refused.append(f"{label}: {str(exc).removeprefix(label + ': ')}")
    return rows


def _preferred(grid: CatalogGrid) -> tuple[bool, datetime]:
    return grid.active, grid.created_at or datetime.min.replace(tzinfo=UTC)


def group_history(grids: Iterable[CatalogGrid]) -> dict[HistoryKey, tuple[CatalogGrid, ...]]:
    """Grids grouped by offer (supplier, name without kVA, kind, kVA), oldest first; of two grids of one offer
    from the same day, the active one, then the most recently created one, is kept."""
    by_key: dict[HistoryKey, dict[date, CatalogGrid]] = {}
    for grid in grids:
        dated = by_key.setdefault(history_key(grid), {})
        other = dated.get(grid.valid_from)
        if other is None or _preferred(grid) >= _preferred(other):
            dated[grid.valid_from] = grid
    return {key: tuple(dated[d] for d in sorted(dated)) for key, dated in by_key.items()}


def catalog_offers(grids: Iterable[CatalogGrid]) -> list[Offer]:
    """One priced offer per catalog offer and kVA, with its dated grids."""
    return [catalog_offer(group) for group in group_history(grids).values()]

