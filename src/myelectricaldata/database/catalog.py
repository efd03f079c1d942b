"""The supplier catalog in the database: bulk upserts of what the gateway publishes, the grouped price history
read back per kVA, Zen Flex days by range, and the catalog's freshness. Nothing here deletes a row: a grid,
hence an offer a household uses, is kept after the gateway stops listing it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, or_, select

from ..energy.catalog import CatalogGrid, HistoryKey, catalog_offer
from ..energy.offers import Offer
from ..energy.offpeak import Spans, format_windows, parse_windows
from ..energy.timeline import date_range
from . import models as m
from .repository import upsert_rows, utcnow

PARTS = ("providers", "offers", "offer_types", "zen_flex")
ZEN_FLEX_RECHECK_DAYS = 7  # once the stored calendar has no gap, the days asked again (EDF may revise them)
GRID_COLUMNS = ("provider", "offer", "kind", "kva", "valid_from", "valid_to", "gateway_id", "name", "offer_type",
                "subscription", "prices", "hc_schedules", "is_active", "created_at", "offer_url", "description",
                "first_seen_at", "seen_at")


@dataclass(frozen=True)
class Freshness:
    """How fresh one part of the catalog is: the last fetch stored, what it held, the last attempt's error."""

    part: str
    fetched_at: datetime | None  # aware UTC
    received: int
    refused: int
    problems: tuple[str, ...]
    tried_at: datetime | None
    last_error: str
    stored: int  # rows kept for that part, all fetches together


def _naive(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def _aware(stamp: datetime | None) -> datetime | None:
    return stamp.replace(tzinfo=UTC) if stamp is not None else None


def _cut(text: Any, length: int) -> str:
    return str(text or "")[:length]


# -- writes -----------------------------------------------------------------------------------------
def store_providers(conn: Connection, providers: Iterable[Any], now: datetime | None = None) -> int:
    """Upsert suppliers (objects with ``id``, ``name``, ``logo_url``, ``website``, ``scraper_urls``), keyed on
    their name (unique at the gateway; offers name their supplier)."""
    seen = _naive(now) or utcnow()
    rows = [(_cut(p.name, 100), _cut(p.id, 36), _cut(p.logo_url, 500), _cut(p.website, 500),
             json.dumps(list(p.scraper_urls)), seen) for p in providers]
    return upsert_rows(conn, m.catalog_providers,
                       ("name", "gateway_id", "logo_url", "website", "scraper_urls", "seen_at"), rows)


def store_offer_types(conn: Connection, offer_types: Iterable[Any], now: datetime | None = None) -> int:
    """Upsert offer types (objects shaped like ``gateway.catalog.OfferType``), keyed on their code."""
    seen = _naive(now) or utcnow()
    rows = [(_cut(t.code, 30), _cut(t.name, 100), _cut(t.description, 500), _cut(t.icon, 50), _cut(t.color, 20),
             json.dumps(list(t.required_price_fields)), json.dumps(list(t.optional_price_fields)),
             t.display_order, seen) for t in offer_types]
    return upsert_rows(conn, m.catalog_offer_types, ("code", "name", "description", "icon", "color",
                                                     "required_price_fields", "optional_price_fields",
                                                     "display_order", "seen_at"), rows)


def _schedules(spans: Sequence[Spans | None]) -> str:
    return json.dumps([format_windows(s) if s is not None else None for s in spans]) if spans else ""


def store_history(conn: Connection, history: Mapping[HistoryKey, Sequence[CatalogGrid]],
                  now: datetime | None = None) -> int:
    """Upsert every grid of a grouped history (``gateway.catalog.group_history``: one grid per offer and day),
    keyed on (supplier, offer name without kVA, kind, kVA, valid_from), since the gateway gives each grid a
    new id. A grid already stored takes the published values; its ``first_seen_at`` stays."""
    seen = _naive(now) or utcnow()
    rows = []
    for (provider, offer, kind, kva), grids in history.items():
        for g in grids:
            rows.append((_cut(provider, 100), _cut(offer, 200), kind, kva or 0, g.valid_from, g.valid_to,
                         _cut(g.offer_id, 36), _cut(g.name, 200), _cut(g.offer_type, 20), str(g.subscription),
                         json.dumps({f: str(p) for f, p in g.prices.items()}), _schedules(g.hc_schedules),
                         g.active, _naive(g.created_at), _cut(g.offer_url, 500), g.description or "", seen, seen))
    update = [c for c in GRID_COLUMNS[5:] if c != "first_seen_at"]
    return upsert_rows(conn, m.catalog_grids, GRID_COLUMNS, rows, update)


def store_zen_flex_days(conn: Connection, days: Mapping[date, str], now: datetime | None = None) -> int:
    """Upsert Zen Flex day types (ECO, SOBRIETE, BONUS) by Paris date; a day the gateway revises is rewritten."""
    fetched = _naive(now) or utcnow()
    return upsert_rows(conn, m.zen_flex_days, ("day", "day_type", "fetched_at"),
                       [(d, kind, fetched) for d, kind in days.items()])


def record_fetch(conn: Connection, part: str, received: int, problems: Sequence[str] = (),
                 now: datetime | None = None) -> None:
    """Note a fetch of ``part`` (one of ``PARTS``) that was stored: rows received, and one message per row
    that could not be read."""
    stamp = _naive(now) or utcnow()
    upsert_rows(conn, m.catalog_fetches, ("part", "fetched_at", "received", "refused", "problems", "tried_at",
                                          "last_error"),
                [(part, stamp, received, len(problems), "\n".join(problems), stamp, "")])


def record_fetch_error(conn: Connection, part: str, error: str, now: datetime | None = None) -> None:
    """Note a failed fetch of ``part``; what the last stored fetch brought stays as it was."""
    stamp = _naive(now) or utcnow()
    upsert_rows(conn, m.catalog_fetches, ("part", "received", "refused", "problems", "tried_at", "last_error"),
                [(part, 0, 0, "", stamp, _cut(error, 500))], update=("tried_at", "last_error"))


# -- reads ------------------------------------------------------------------------------------------
def catalog_freshness(conn: Connection) -> dict[str, Freshness]:
    """Each part of ``PARTS``: when it was last fetched, how many rows, what was refused, the last error."""
    t = m.catalog_fetches
    fetched = {r.part: r for r in conn.execute(select(t))}
    tables = {"providers": m.catalog_providers, "offers": m.catalog_grids, "offer_types": m.catalog_offer_types,
              "zen_flex": m.zen_flex_days}
    out = {}
    for part in PARTS:
        row = fetched.get(part)
        stored = conn.scalar(select(func.count()).select_from(tables[part])) or 0
        out[part] = Freshness(part, _aware(row.fetched_at), row.received, row.refused,
                              tuple(filter(None, row.problems.split("\n"))), _aware(row.tried_at), row.last_error,
                              stored) if row else Freshness(part, None, 0, 0, (), None, "", stored)
    return out


def _grid(row: Any) -> CatalogGrid:
    schedules = json.loads(row.hc_schedules) if row.hc_schedules else []
    return CatalogGrid(
        row.gateway_id, row.provider, row.name, row.offer_type, row.kva or None, Decimal(row.subscription),
        {f: Decimal(p) for f, p in json.loads(row.prices).items()}, row.valid_from, row.valid_to,
        tuple(parse_windows(s, "hc_schedules") if s is not None else None for s in schedules), bool(row.is_active),
        _aware(row.created_at), row.offer_url, row.description)


def history(conn: Connection, kva: int | None = None) -> dict[HistoryKey, tuple[CatalogGrid, ...]]:
    """Every stored offer with its grids, oldest first, keyed like ``energy.catalog.history_key``; with ``kva``,
    the offers at that power and those published without one (they apply to every power)."""
    t = m.catalog_grids
    query = select(t).order_by(t.c.provider, t.c.offer, t.c.kind, t.c.kva, t.c.valid_from)
    if kva is not None:
        query = query.where(or_(t.c.kva == kva, t.c.kva == 0))
    out: dict[HistoryKey, list[CatalogGrid]] = {}
    for row in conn.execute(query):
        out.setdefault((row.provider, row.offer, row.kind, row.kva or None), []).append(_grid(row))
    return {key: tuple(grids) for key, grids in out.items()}


def offer_history(conn: Connection, key: HistoryKey) -> tuple[CatalogGrid, ...]:
    """The grids of one offer, oldest first (empty when unknown): a household's offer at any power."""
    provider, offer, kind, kva = key
    t = m.catalog_grids
    query = select(t).where(t.c.provider == provider, t.c.offer == offer, t.c.kind == kind,
                            t.c.kva == (kva or 0)).order_by(t.c.valid_from)
    return tuple(_grid(row) for row in conn.execute(query))


def catalog_offers(conn: Connection, kva: int | None = None) -> list[Offer]:
    """The stored catalog offers (at ``kva`` and without a stated power) as priced offers, each with every grid
    it ever had, expired offers included (a household's current offer may be one)."""
    return [catalog_offer(grids) for grids in history(conn, kva).values()]


def key_of_gateway_id(conn: Connection, gateway_id: str) -> HistoryKey | None:
    """The offer a gateway row id belongs to (a PDL's ``selected_offer_id`` names one grid's row)."""
    t = m.catalog_grids
    row = conn.execute(select(t.c.provider, t.c.offer, t.c.kind, t.c.kva)
                       .where(t.c.gateway_id == gateway_id)).first()
    return (row.provider, row.offer, row.kind, row.kva or None) if row else None


def providers(conn: Connection) -> list[dict[str, Any]]:
    """The stored suppliers by name, with their scraper URLs as a list."""
    t = m.catalog_providers
    return [dict(r._mapping) | {"scraper_urls": json.loads(r.scraper_urls), "seen_at": _aware(r.seen_at)}
            for r in conn.execute(select(t).order_by(t.c.name))]


def offer_types(conn: Connection) -> list[dict[str, Any]]:
    """The stored offer types in display order, their price field lists as lists."""
    t = m.catalog_offer_types
    rows = conn.execute(select(t).order_by(t.c.display_order, t.c.code))
    return [dict(r._mapping) | {"required_price_fields": json.loads(r.required_price_fields),
                                "optional_price_fields": json.loads(r.optional_price_fields),
                                "seen_at": _aware(r.seen_at)} for r in rows]


def zen_flex_days(conn: Connection, start: date, end: date) -> dict[date, str]:
    """Known Zen Flex day types for start..end inclusive; a day left out is unknown (never Éco)."""
    t = m.zen_flex_days
    query = select(t.c.day, t.c.day_type).where(t.c.day >= start, t.c.day <= end).order_by(t.c.day)
    return {r.day: r.day_type for r in conn.execute(query)}


def zen_flex_fetch_start(conn: Connection, today: date) -> date | None:
    """The first day to ask the gateway for: None (its whole calendar) while the stored days from the first
    one to today have a gap or none is stored, else a week before today (EDF may still revise them)."""
    t = m.zen_flex_days
    first = conn.scalar(select(func.min(t.c.day)))
    if first is None or first > today:
        return None
    known = conn.scalar(select(func.count()).select_from(t).where(t.c.day <= today))
    if known < (today - first).days + 1:
        return None
    return today - timedelta(days=ZEN_FLEX_RECHECK_DAYS)


def zen_flex_last_day(conn: Connection) -> date | None:
    """The last day whose Zen Flex type is stored."""
    return conn.scalar(select(func.max(m.zen_flex_days.c.day)))


def grids_fingerprint(conn: Connection) -> str:
    """A digest of every stored grid's key, dates, prices and own off-peak windows: it changes when, and only
    when, what prices the catalog offers changes."""
    t = m.catalog_grids
    digest = hashlib.sha1(usedforsecurity=False)
    query = select(t.c.provider, t.c.offer, t.c.kind, t.c.kva, t.c.valid_from, t.c.valid_to, t.c.subscription,
                   t.c.prices, t.c.hc_schedules).order_by(t.c.provider, t.c.offer, t.c.kind, t.c.kva, t.c.valid_from)
    for row in conn.execute(query):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def zen_flex_gaps(conn: Connection, start: date, end: date) -> list[date]:
    """The days of start..end inclusive without a known Zen Flex type."""
    known = zen_flex_days(conn, start, end)
    return [d for d in date_range(start, end + timedelta(days=1)) if d not in known]
