"""A PDL's offer ranking (flask-free): every catalog offer at its subscribed power still sold, the regulated
offers and the user's, and the household's own offer even when no longer sold, replayed on the stored load curve
over the last 12 months and per calendar year; kept in the price cache while its inputs are unchanged."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ..database import models as m
from ..energy.catalog import still_offered
from ..energy.offers import Offer
from ..energy.simulation import OfferResult, last_12_months, simulate_offers
from .catalog import CatalogStatus, read_status
from .price_cache import PriceCache
from .pricing import range_fingerprint, read_inputs, read_offer_in_force
from .pricing_store import comparable_offers

HISTORY_YEARS = 2  # the calendar years replayed before the current one


@dataclass(frozen=True)
class Ranking:
    """The ranked offers of a PDL and what they were priced with."""

    pdl: str
    first: date  # the last 12 months: first and last day
    last: date
    kva: int | None  # the subscribed power every offer is priced at
    current: Offer  # the household's offer
    source: str  # where it comes from: "choice" (chosen here), "gateway" or "contract" (regulated tariff)
    results: list[OfferResult]  # ranked: cheapest first, offers without a known subscription last
    offers: dict[str, Offer]  # by key
    days_by_year: dict[int, int]  # days with a load curve, per calendar year
    days_12_months: int
    catalog: CatalogStatus

    @property
    def current_result(self) -> OfferResult | None:
        return next((r for r in self.results if r.key == self.current.key), None)

    @property
    def comparable(self) -> bool:
        """True when the current offer's total is known, so differences to it mean something."""
        current = self.current_result
        return current is not None and current.complete

    def rank_of(self, key: str) -> int | None:
        """The place of an offer among those with a known subscription (1: cheapest), None for the others."""
        ranked = [r.key for r in self.results if r.complete]
        return ranked.index(key) + 1 if key in ranked else None

    def still_offered(self, key: str, today: date) -> bool:
        """False for a catalog offer whose last grid has ended (the user's and regulated offers are always sold)."""
        offer = self.offers.get(key)
        return offer is None or not key.startswith("catalog:") or still_offered(offer, today)


def _fingerprint(conn: Connection, pdl: str, start: date, end: date) -> tuple:
    t = m.catalog_fetches
    fetched = conn.execute(select(t.c.part, t.c.fetched_at).order_by(t.c.part)).all()
    zen = conn.execute(select(func.count(), func.max(m.zen_flex_days.c.fetched_at))).one()
    return range_fingerprint(conn, pdl, start, end), tuple(map(tuple, fetched)), tuple(zen)


def _rank(engine: Engine, pdl: str, today: date) -> Ranking:
    start, end = date(today.year - HISTORY_YEARS, 1, 1), today - timedelta(days=1)
    with engine.connect() as conn:
        inputs = read_inputs(conn, pdl, start, end)
        in_force = read_offer_in_force(conn, pdl, today)
        offers = comparable_offers(conn, in_force.kva, in_force.offer, today)
        catalog = read_status(conn)
        conn.commit()  # keeps the day profiles re-made when found wrong
    results = simulate_offers(inputs.loads, offers, inputs.facts(in_force.kva), inputs.colours, today,
                              in_force.offer.key, inputs.choice.overrides, inputs.zen_flex)
    first, last = last_12_months(today)
    days = Counter(day.year for day in inputs.loads)
    return Ranking(pdl, first, last, in_force.kva, in_force.offer, in_force.source, results,
                   {o.key: o for o in offers}, dict(sorted(days.items())),
                   sum(first <= day <= last for day in inputs.loads), catalog)


def rank(engine: Engine, pdl: str, today: date, prices: PriceCache[Any] | None = None) -> Ranking:
    """The PDL's ranking on ``today``; kept in ``prices`` until readings, choices, offers or the catalog change."""
    if prices is None:
        return _rank(engine, pdl, today)
    with engine.connect() as conn:
        fingerprint = _fingerprint(conn, pdl, date(today.year - HISTORY_YEARS, 1, 1), today - timedelta(days=1))
    return prices.get(("ranking", pdl, today), fingerprint, lambda: _rank(engine, pdl, today))
