"""Supplier catalog offers as priced offers (pure): a catalog type's price fields mapped to its rule's slots,
Zen Flex recognised by type or name, and one offer per (supplier, offer, type, kVA) with its dated grids."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .offers import Offer
from .offpeak import Spans
from .tariffs import TEMPO_SLOTS, PriceVersion

CATALOG_TYPES = ("BASE", "BASE_WEEKEND", "HC_HP", "HC_WEEKEND", "HC_NUIT_WEEKEND", "WEEKEND", "SEASONAL",
                 "ZEN_FLEX", "TEMPO", "EJP")
TEMPO_FIELDS = {slot: f"tempo_{slot.split('_')[0].lower()}_{slot.split('_')[1].lower()}" for slot in TEMPO_SLOTS}
SEASONAL_FIELDS = ("hc_price_winter", "hp_price_winter", "hc_price_summer", "hp_price_summer")
PRICE_FIELDS = ("base_price", "hc_price", "hp_price", "base_price_weekend", "hc_price_weekend", "hp_price_weekend",
                *TEMPO_FIELDS.values(), "ejp_normal", "ejp_peak", *SEASONAL_FIELDS, "peak_day_price")
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "BASE": ("base_price",), "BASE_WEEKEND": ("base_price",), "HC_HP": ("hc_price", "hp_price"),
    "HC_WEEKEND": ("hc_price", "hp_price"), "HC_NUIT_WEEKEND": ("hc_price", "hp_price"),
    "WEEKEND": ("hc_price", "hp_price"), "SEASONAL": SEASONAL_FIELDS, "ZEN_FLEX": SEASONAL_FIELDS,
    "TEMPO": tuple(TEMPO_FIELDS.values()), "EJP": ("ejp_normal", "ejp_peak"),
}
ZEN_FLEX_NAME = re.compile(r"\bzen\b.*\bflex\b", re.IGNORECASE)  # "Zen Flex", "Zen Week-End - Option Flex"
ZEN_FLEX_BONUS_PRICED_AS = "ECO"  # Bonus days are billed at the Éco prices
# SEASONAL offers whose supplier publishes its own off-peak hours: (provider, name) patterns -> SUPPLIER_HOURS key
SUPPLIER_HOURS_BY_NAME = ((re.compile(r"enercoop", re.I), re.compile(r"flexi\s*watt", re.I), "enercoop-flexi-watt"),)
_KVA = re.compile(r"\s*[-–(,]?\s*\b(\d{1,2})\s*kva\b\)?", re.IGNORECASE)


@dataclass(frozen=True)
class CatalogGrid:
    """One published row of the catalog: an offer at one kVA, its prices from ``valid_from``."""

    offer_id: str
    provider: str
    name: str
    offer_type: str
    kva: int | None
    subscription: Decimal  # EUR/month TTC
    prices: Mapping[str, Decimal]  # catalog price field -> EUR/kWh TTC, fields the row sets only
    valid_from: date
    valid_to: date | None = None  # the first day no longer covered (None: open)
    hc_schedules: tuple[Spans | None, ...] = ()  # the offer's own off-peak windows per weekday, Monday first
    active: bool = True
    created_at: datetime | None = None
    offer_url: str = ""
    description: str = ""


HistoryKey = tuple[str, str, str, int | None]  # (provider, offer name without kVA, kind, kVA)


def offer_kind(offer_type: str, name: str) -> str:
    """The rule pricing a catalog row: its type, except Zen Flex, recognised by type or by name."""
    kind = offer_type.strip().upper()
    return "ZEN_FLEX" if kind == "ZEN_FLEX" or ZEN_FLEX_NAME.search(name) else kind


def published_type(kind: str) -> str:
    """The catalog's type code of a pricing rule (the regulated and user HP/HC option is the catalog's HC_HP)."""
    return "HC_HP" if kind == "HPHC" else kind


def kva_in_name(name: str) -> int | None:
    """The kVA written in an offer name ("Tarif Bleu - 6 kVA"), if any."""
    match = _KVA.search(name)
    return int(match.group(1)) if match else None


def name_without_kva(name: str) -> str:
    """An offer name with its kVA removed: "Zen Week-End - Option Flex - 6 kVA" -> "Zen Week-End - Option Flex"."""
    return re.sub(r"[\s\-–,]+$", "", _KVA.sub("", name)).strip() or name.strip()


def history_key(grid: CatalogGrid) -> HistoryKey:
    """What stays the same across an offer's price changes (the gateway mints a new id for each grid)."""
    return grid.provider, name_without_kva(grid.name), offer_kind(grid.offer_type, grid.name), grid.kva


def missing_prices(kind: str, prices: Mapping[str, Decimal]) -> list[str]:
    """The price fields a kind needs that a row lacks."""
    return [f for f in REQUIRED.get(kind, ()) if prices.get(f) is None]


def _set(prices: Mapping[str, Decimal], name: str) -> Decimal | None:
    value = prices.get(name)
    return value if value else None  # an optional price of 0 is no price


def _zen_flex(prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    winter = (prices["hp_price_winter"], prices["hc_price_winter"])
    summer = (prices["hp_price_summer"], prices["hc_price_summer"])
    sobriete, eco = (winter, summer) if winter >= summer else (summer, winter)  # the higher HP is Sobriété
    pairs = {"ECO": eco, "SOBRIETE": sobriete, "BONUS": eco if ZEN_FLEX_BONUS_PRICED_AS == "ECO" else sobriete}
    return {f"{day}_{part}": pair[i] for day, pair in pairs.items() for i, part in enumerate(("HP", "HC"))}


def slot_prices(kind: str, prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """EUR/kWh per slot of the kind's rule, from a row's price fields (the kind's required fields present)."""
    p = prices
    if kind in ("BASE", "BASE_WEEKEND"):
        weekend = _set(p, "base_price_weekend")
        return {"BASE": p["base_price"], **({"BASE_WE": weekend} if weekend else {})}
    if kind in ("HC_HP", "HC_WEEKEND"):
        out = {"HP": p["hp_price"], "HC": p["hc_price"]}
        hc_we, hp_we = _set(p, "hc_price_weekend"), _set(p, "hp_price_weekend")
        if hc_we or hp_we:  # one weekend price stands for the missing one (HC: the weekday HC)
            out["HC_WE"] = hc_we or p["hc_price"]
            out["HP_WE"] = hp_we or out["HC_WE"]
        return out
    if kind in ("HC_NUIT_WEEKEND", "WEEKEND"):
        hc_we = _set(p, "hc_price_weekend")
        return {"HP": p["hp_price"], "HC": p["hc_price"], **({"HC_WE": hc_we} if hc_we else {})}
    if kind == "SEASONAL":
        peak = _set(p, "peak_day_price")
        return {"HP_WINTER": p["hp_price_winter"], "HC_WINTER": p["hc_price_winter"],
                "HP_SUMMER": p["hp_price_summer"], "HC_SUMMER": p["hc_price_summer"],
                **({"PEAK_DAY": peak} if peak else {})}
    if kind == "ZEN_FLEX":
        return _zen_flex(p)
    if kind == "TEMPO":
        return {slot: p[name] for slot, name in TEMPO_FIELDS.items()}
    if kind == "EJP":
        return {"EJP_NORMAL": p["ejp_normal"], "EJP_PEAK": p["ejp_peak"]}
    raise ValueError(f"offer_type {kind!r}: expected one of {', '.join(CATALOG_TYPES)}")


def supplier_hours(kind: str, provider: str, name: str) -> str:
    """The key of the supplier's own hour rules for a SEASONAL offer, or ""."""
    if kind != "SEASONAL":
        return ""
    return next((key for who, what, key in SUPPLIER_HOURS_BY_NAME if who.search(provider) and what.search(name)), "")


def offer_key(key: HistoryKey) -> str:
    """The stable key of a catalog offer, across the gateway's new ids."""
    provider, name, kind, kva = key
    return f"catalog:{provider}|{name}|{kind}|{kva or ''}"


def key_of_offer(key: str) -> HistoryKey | None:
    """The history key an offer key names (the inverse of ``offer_key``), None when it is not a catalog key."""
    if not key.startswith("catalog:"):
        return None
    provider, sep, rest = key[8:].partition("|")
    parts = rest.rsplit("|", 2)
    if not sep or len(parts) != 3 or not (parts[2] == "" or parts[2].isdigit()):
        return None
    name, kind, kva = parts
    return provider, name, kind, int(kva) if kva else None


def still_offered(offer: Offer, today: date) -> bool:
    """Whether a catalog offer is still sold on ``today``: its latest grid is not closed by then."""
    latest = offer.versions[-1] if offer.versions else None
    return latest is not None and (latest.valid_to is None or latest.valid_to > today)


def catalog_offer(grids: Sequence[CatalogGrid]) -> Offer:
    """One offer from the grids of one history key (oldest first), each a dated price version."""
    latest = max(grids, key=lambda g: g.valid_from)
    key = history_key(latest)
    provider, name, kind, kva = key
    versions = tuple(PriceVersion(g.valid_from, slot_prices(kind, g.prices), {kva or 0: g.subscription},
                                  valid_to=g.valid_to, sources=(g.offer_url,) if g.offer_url else ())
                     for g in sorted(grids, key=lambda g: g.valid_from))
    notes = []
    if kind == "ZEN_FLEX" and latest.offer_type.upper() != "ZEN_FLEX":
        notes.append(f"Zen Flex reconnue à son nom (publiée en {latest.offer_type}).")
    if kind == "ZEN_FLEX":
        notes.append("Prix Sobriété : la saison du catalogue dont le prix HP est le plus élevé.")
    if kva is None:
        notes.append("Puissance non précisée par le catalogue : l'abonnement vaut pour toute puissance.")
    return Offer(offer_key(key), name, kind, versions, notes=tuple(notes),
                 offpeak_by_weekday=latest.hc_schedules, hours=supplier_hours(kind, provider, name),
                 provider=provider, power_kva=kva)
