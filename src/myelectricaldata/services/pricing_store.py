"""Storage of user offers and of each PDL's pricing choice (offer, off-peak overrides, buy-back, kVA)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from ..database import catalog as catalog_store
from ..database import models as m
from ..database import repository as repo
from ..energy.catalog import HistoryKey, catalog_offer, key_of_offer, still_offered
from ..energy.offers import (
    Offer,
    OfferError,
    offer_from_dict,
    offer_to_dict,
    parse_price,
    regulated_offer,
)
from ..energy.offpeak import Spans, format_windows, parse_windows
from ..energy.tariffs import KVA_LEVELS, OPTIONS


@dataclass(frozen=True)
class PricingChoice:
    """How a PDL is priced: an offer key ("" = the contract's regulated tariff), overrides, buy-back, kVA."""

    usage_point_id: str
    offer_key: str = ""
    overrides: Mapping[int, Spans] = field(default_factory=dict)
    buyback: Decimal | None = None
    kva: int | None = None


def user_offers(conn: Connection) -> list[Offer]:
    """The offers users defined, oldest first."""
    t = m.user_offers
    return [offer_from_dict(json.loads(r.body), f"user:{r.offer_id}")
            for r in conn.execute(select(t).order_by(t.c.offer_id))]


def all_offers(conn: Connection) -> list[Offer]:
    """Regulated offers then user offers."""
    return [regulated_offer(o) for o in OPTIONS] + user_offers(conn)


def comparable_offers(conn: Connection, kva: int | None, current: Offer, today: date) -> list[Offer]:
    """What a PDL may be priced with: the regulated offers, the user's, the catalog offers at ``kva`` (and those
    published without a power) still sold on ``today``, and ``current`` even when no longer sold."""
    catalog = catalog_store.catalog_offers(conn, kva) if kva is not None else []
    offers = all_offers(conn) + [o for o in catalog if still_offered(o, today)]
    return offers if any(o.key == current.key for o in offers) else [*offers, current]


def offer_by_key(conn: Connection, key: str) -> Offer | None:
    """The offer of a key ``regulated:OPTION``, ``user:ID`` or ``catalog:...`` (with every grid it ever had, so an
    offer no longer sold can still be priced), or None when unknown."""
    if key.startswith("regulated:") and key.split(":", 1)[1] in OPTIONS:
        return regulated_offer(key.split(":", 1)[1])
    if key.startswith("user:") and key[5:].isdigit():
        t = m.user_offers
        body = conn.scalar(select(t.c.body).where(t.c.offer_id == int(key[5:])))
        return offer_from_dict(json.loads(body), key) if body else None
    history = key_of_offer(key)
    grids = catalog_store.offer_history(conn, history) if history else ()
    return catalog_offer(grids) if grids else None


def gateway_offer_key(conn: Connection, pdl: str) -> HistoryKey | None:
    """The catalog offer the gateway names as the PDL's (its ``selected_offer_id``), when that row is stored."""
    selected = conn.scalar(select(m.usage_points.c.selected_offer_id).where(m.usage_points.c.usage_point_id == pdl))
    return catalog_store.key_of_gateway_id(conn, selected) if selected else None


def household_offer(conn: Connection, choice: PricingChoice) -> tuple[Offer | None, str]:
    """The PDL's own offer and where it comes from: the one chosen here ("choice"), else the one named on the
    gateway ("gateway"); (None, "contract") when neither is known, the regulated tariff of the contract then."""
    if choice.offer_key and (chosen := offer_by_key(conn, choice.offer_key)) is not None:
        return chosen, "choice"
    key = gateway_offer_key(conn, choice.usage_point_id)
    grids = catalog_store.offer_history(conn, key) if key else ()
    return (catalog_offer(grids), "gateway") if grids else (None, "contract")


def save_offer(conn: Connection, raw: Mapping[str, Any], offer_id: int | None = None) -> int:
    """Validate and store a user offer (new, or replacing ``offer_id``); raises OfferError and saves nothing."""
    offer = offer_from_dict(raw)
    row = {"name": offer.name, "kind": offer.kind, "body": json.dumps(offer_to_dict(offer), ensure_ascii=False),
           "updated_at": repo.utcnow()}
    t = m.user_offers
    if offer_id is None:
        return repo.inserted_id(conn, t.insert().values(**row))
    if not conn.execute(t.update().where(t.c.offer_id == offer_id).values(**row)).rowcount:
        raise OfferError({"offer_id": f"no offer {offer_id}"})
    return offer_id


def delete_offer(conn: Connection, offer_id: int) -> None:
    """Remove a user offer; PDLs that chose it go back to their regulated tariff."""
    conn.execute(m.user_offers.delete().where(m.user_offers.c.offer_id == offer_id))
    t = m.pdl_pricing
    conn.execute(t.update().where(t.c.offer_key == f"user:{offer_id}").values(offer_key="", updated_at=repo.utcnow()))


def offer_users(conn: Connection, offer_key: str) -> list[str]:
    """The PDLs whose pricing choice is ``offer_key``, sorted."""
    t = m.pdl_pricing
    return sorted(conn.scalars(select(t.c.usage_point_id).where(t.c.offer_key == offer_key)))


def get_choice(conn: Connection, pdl: str) -> PricingChoice:
    """The PDL's pricing choice (defaults when none was saved)."""
    t = m.pdl_pricing
    row = conn.execute(select(t).where(t.c.usage_point_id == pdl)).first()
    if row is None:
        return PricingChoice(pdl)
    overrides = {int(k): parse_windows(v) for k, v in json.loads(row.offpeak_overrides or "{}").items()}
    return PricingChoice(pdl, row.offer_key, overrides, Decimal(row.buyback) if row.buyback else None, row.kva)


def save_choice(conn: Connection, pdl: str, offer_key: str = "", overrides: Mapping[int, str] | None = None,
                buyback: str = "", kva: int | str | None = None, unit: str = "€/kWh") -> PricingChoice:
    """Validate and store a PDL's pricing choice; raises OfferError naming each bad field and saves nothing."""
    errors: dict[str, str] = {}
    if offer_key and offer_by_key(conn, offer_key) is None:
        errors["offer_key"] = f"unknown offer {offer_key!r}"
    windows: dict[int, str] = {}
    for day, text in (overrides or {}).items():
        if str(text or "").strip():
            try:
                windows[int(day)] = format_windows(parse_windows(text, f"offpeak_{day}")) or "00:00-00:00"
            except ValueError as exc:
                errors[f"offpeak_{day}"] = str(exc).split(": ", 1)[1]
    price = None
    if str(buyback or "").strip():
        try:
            price = parse_price(buyback, "buyback", unit)
        except ValueError as exc:
            errors["buyback"] = str(exc).split(": ", 1)[1]
    level = None
    if kva not in (None, ""):
        level = int(kva) if str(kva).strip().isdigit() else -1
        if level not in KVA_LEVELS:
            errors["kva"] = f"expected one of {', '.join(map(str, KVA_LEVELS))}"
    if errors:
        raise OfferError(errors)
    repo.upsert(conn, m.pdl_pricing, [{
        "usage_point_id": pdl, "offer_key": offer_key, "offpeak_overrides": json.dumps(windows),
        "buyback": str(price) if price is not None else "", "kva": level, "updated_at": repo.utcnow()}])
    return get_choice(conn, pdl)


def pricing_fingerprint(conn: Connection, pdl: str) -> tuple:
    """What pricing depends on besides readings: the PDL's choice, user offers, contract history, and the grids of
    the catalog offer pricing it (chosen here or named on the gateway)."""
    return pricing_fingerprints(conn, [pdl])[pdl]


def pricing_fingerprints(conn: Connection, pdls: list[str]) -> dict[str, tuple]:
    """``pricing_fingerprint`` of each of ``pdls``, in one query per table (and one per distinct catalog offer)."""
    t, o, u = m.pdl_pricing, m.user_offers, m.usage_points
    choices = {r[0]: tuple(r[1:]) for r in conn.execute(
        select(t.c.usage_point_id, t.c.offer_key, t.c.offpeak_overrides, t.c.buyback, t.c.kva, t.c.updated_at)
        .where(t.c.usage_point_id.in_(pdls)))}
    offers = tuple(conn.execute(select(func.count(), func.max(o.c.updated_at))).one())
    histories = repo.contract_histories(conn, pdls)
    selected = dict(conn.execute(select(u.c.usage_point_id, u.c.selected_offer_id).where(u.c.usage_point_id.in_(pdls))
                                 ).all())
    gateway_keys: dict[str, HistoryKey | None] = {}
    grids_of: dict[HistoryKey, tuple] = {}
    out = {}
    for pdl in pdls:
        choice = choices.get(pdl)
        offer_key = choice[0] if choice else ""
        key = key_of_offer(offer_key) if offer_key else None
        if key is None and not offer_key and (gateway_id := selected.get(pdl)):
            if gateway_id not in gateway_keys:
                gateway_keys[gateway_id] = catalog_store.key_of_gateway_id(conn, gateway_id)
            key = gateway_keys[gateway_id]
        if key is not None and key not in grids_of:
            grids_of[key] = catalog_store.offer_history(conn, key)
        contracts = tuple(tuple(sorted(r.items(), key=str)) for r in histories.get(pdl, []))
        out[pdl] = (choice or (), offers, contracts, key, grids_of[key] if key is not None else ())
    return out
