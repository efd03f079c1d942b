"""Offers: regulated or user-defined (Base, HP/HC, Tempo, custom hour windows), with dated price versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from .offpeak import Spans, format_windows, parse_windows
from .tariffs import SLOTS, PriceVersion, regulated_tariffs

KINDS = ("BASE", "HPHC", "TEMPO", "CUSTOM")
UNITS = {"€/kWh": Decimal(1), "c€/kWh": Decimal("0.01"), "€/MWh": Decimal("0.001")}
_UNIT_SUFFIX = re.compile(r"\s*(c?€|c?eur|ct)?\s*/\s*(k|m)wh\s*$", re.IGNORECASE)


class OfferError(ValueError):
    """Bad offer input: ``errors`` maps each field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class HourRule:
    """Minutes [start, end) of the listed weekdays (Monday 0) billed at ``period``."""

    weekdays: frozenset[int]
    spans: Spans
    period: str


@dataclass(frozen=True)
class Offer:
    """A way of billing energy: kind, price versions, own off-peak windows or hour rules, buy-back price."""

    key: str
    name: str
    kind: str
    versions: tuple[PriceVersion, ...]
    offpeak: Spans | None = None  # HPHC with its own windows (None: the contract's)
    rules: tuple[HourRule, ...] = ()
    default_period: str = "HP"
    buyback: Decimal | None = None
    regulated: bool = False
    notes: tuple[str, ...] = field(default=())
    offpeak_by_weekday: tuple[Spans | None, ...] = ()  # the offer's own windows per weekday, Monday first
    hours: str = ""  # the supplier's own hour rules (a key of offer_rules.SUPPLIER_HOURS)
    provider: str = ""
    power_kva: int | None = None  # the subscribed power a catalog offer is published for

    @cached_property
    def slots(self) -> tuple[str, ...]:
        """Names of the priced slots (periods) of the offer, in their usual order."""
        if self.kind == "CUSTOM":
            return tuple(dict.fromkeys([self.default_period, *(r.period for r in self.rules)]))
        return tuple(dict.fromkeys([*SLOTS.get(self.kind, ()), *(s for v in self.versions for s in v.energy)]))


def parse_price(value: Any, field_name: str, unit: str = "€/kWh") -> Decimal:
    """EUR/kWh of a price typed in €/kWh, c€/kWh or €/MWh, with a decimal point or comma; never negative."""
    text = str(value if value is not None else "").strip().replace("\u00a0", "").replace(" ", "")
    suffix = _UNIT_SUFFIX.search(text)
    if suffix:
        cents, mega = (suffix.group(1) or "").lower() in ("c€", "ceur", "ct"), suffix.group(2).lower() == "m"
        unit = "€/MWh" if mega else "c€/kWh" if cents else "€/kWh"
        text = text[:suffix.start()]
    if unit not in UNITS:
        raise ValueError(f"{field_name}: unknown unit {unit!r}; expected one of {', '.join(UNITS)}")
    if text.count(",") + text.count(".") > 1:
        raise ValueError(f"{field_name}: {value!r} is not a price")
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{field_name}: {value!r} is not a price") from None
    if not number.is_finite():
        raise ValueError(f"{field_name}: {value!r} is not a price")
    if number < 0:
        raise ValueError(f"{field_name}: a price cannot be negative ({value!r})")
    return number * UNITS[unit]


def parse_amount(value: Any, field_name: str) -> Decimal:
    """A non-negative amount in euros (a subscription per month), with a decimal point or comma."""
    return parse_price(value, field_name, "€/kWh")


def _version(raw: Mapping[str, Any], kind: str, slots: tuple[str, ...], unit: str, at: str,
             errors: dict[str, str]) -> PriceVersion | None:
    try:
        valid_from = date.fromisoformat(str(raw.get("valid_from") or "2000-01-01"))
    except ValueError:
        errors[f"{at}.valid_from"] = f"{raw.get('valid_from')!r} is not a date (YYYY-MM-DD)"
        return None
    energy: dict[str, Decimal] = {}
    prices = raw.get("energy") or {}
    for slot in slots:
        try:
            energy[slot] = parse_price(prices.get(slot), f"{at}.energy.{slot}", unit)
        except ValueError as exc:
            errors[f"{at}.energy.{slot}"] = str(exc).split(": ", 1)[1]
    subscription: dict[int, Decimal] = {}
    raw_sub = raw.get("subscription")
    items = raw_sub.items() if isinstance(raw_sub, Mapping) else [("0", raw_sub)] if raw_sub not in (None, "") else []
    for kva, amount in items:
        name = f"{at}.subscription.{kva}"
        try:
            subscription[int(kva)] = parse_amount(amount, name)
        except ValueError as exc:
            errors[name] = str(exc).split(": ", 1)[-1]
    return PriceVersion(valid_from, energy, subscription)


def _rules(raw: Any, errors: dict[str, str]) -> tuple[HourRule, ...]:
    rules = []
    for i, rule in enumerate(raw or ()):
        days = frozenset(int(d) for d in rule.get("weekdays", range(7)))
        if not days or not days <= set(range(7)):
            errors[f"rules[{i}].weekdays"] = "weekdays are 0 (Monday) to 6 (Sunday)"
        try:
            spans = parse_windows(rule.get("hours"), f"rules[{i}].hours")
            if not spans:
                raise ValueError(f"rules[{i}].hours: give at least one window like 22:00-06:00")
        except ValueError as exc:
            errors[f"rules[{i}].hours"] = str(exc).split(": ", 1)[1]
            continue
        period = str(rule.get("period") or "").strip().upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,15}", period):
            errors[f"rules[{i}].period"] = "a period name like HC or WEEKEND"
            continue
        rules.append(HourRule(days, spans, period))
    return tuple(rules)


def offer_from_dict(raw: Mapping[str, Any], key: str = "") -> Offer:
    """Validate a user offer given as plain data; raises OfferError naming every bad field."""
    errors: dict[str, str] = {}
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 100:
        errors["name"] = "a name of 1 to 100 characters"
    kind = str(raw.get("kind") or "").strip().upper()
    if kind not in KINDS:
        errors["kind"] = f"unknown option {raw.get('kind')!r}; expected one of {', '.join(KINDS)}"
    unit = str(raw.get("unit") or "€/kWh")
    if unit not in UNITS:
        errors["unit"] = f"unknown unit {unit!r}; expected one of {', '.join(UNITS)}"
        unit = "€/kWh"
    offpeak = None
    if kind == "HPHC" and raw.get("offpeak"):
        try:
            offpeak = parse_windows(raw.get("offpeak"), "offpeak")
        except ValueError as exc:
            errors["offpeak"] = str(exc).split(": ", 1)[1]
    rules = _rules(raw.get("rules"), errors) if kind == "CUSTOM" else ()
    default_period = str(raw.get("default_period") or "HP").strip().upper()
    if kind == "CUSTOM" and not rules and "rules" not in " ".join(errors):
        errors["rules"] = "a custom offer needs at least one hour rule"
    slots = SLOTS.get(kind, ())
    if kind == "CUSTOM":
        slots = tuple(dict.fromkeys([default_period, *(r.period for r in rules)]))
    versions = [v for i, r in enumerate(raw.get("versions") or ())
                if (v := _version(r, kind, slots, unit, f"versions[{i}]", errors))]
    if not raw.get("versions"):
        errors["versions"] = "at least one dated set of prices"
    buyback = None
    if raw.get("buyback") not in (None, ""):
        try:
            buyback = parse_price(raw["buyback"], "buyback", unit)
        except ValueError as exc:
            errors["buyback"] = str(exc).split(": ", 1)[1]
    if errors:
        raise OfferError(errors)
    return Offer(key, name, kind, tuple(sorted(versions, key=lambda v: v.valid_from)), offpeak, rules,
                 default_period, buyback)


def offer_to_dict(offer: Offer) -> dict[str, Any]:
    """Plain data of a user offer (prices as €/kWh strings), the inverse of ``offer_from_dict``."""
    return {
        "name": offer.name, "kind": offer.kind, "unit": "€/kWh", "default_period": offer.default_period,
        "offpeak": format_windows(offer.offpeak) if offer.offpeak else "",
        "rules": [{"weekdays": sorted(r.weekdays), "hours": format_windows(r.spans), "period": r.period}
                  for r in offer.rules],
        "versions": [{"valid_from": v.valid_from.isoformat(), "energy": {k: str(p) for k, p in v.energy.items()},
                      "subscription": {str(k): str(p) for k, p in v.subscription.items()}} for v in offer.versions],
        "buyback": str(offer.buyback) if offer.buyback is not None else "",
    }


REGULATED_NAMES = {"BASE": "Tarif Bleu Base", "HPHC": "Tarif Bleu Heures Creuses", "TEMPO": "Tarif Bleu Tempo"}


def regulated_offer(option: str) -> Offer:
    """The regulated offer of a pricing option (BASE, HPHC or TEMPO)."""
    versions = regulated_tariffs()[option]
    notes = tuple(n for v in versions for n in v.notes)
    return Offer(f"regulated:{option}", REGULATED_NAMES[option], option, versions, regulated=True, notes=notes)


def option_of_contract(pricing_option: str | None) -> str:
    """The regulated option (BASE, HPHC, TEMPO) matching a contract's pricing option."""
    text = (pricing_option or "").upper().replace("-", "_")
    if "TEMPO" in text:
        return "TEMPO"
    if text in ("HC_HP", "HPHC", "HP_HC") or "HC" in text:
        return "HPHC"
    return "BASE"
