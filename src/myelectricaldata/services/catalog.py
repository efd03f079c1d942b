"""The supplier catalog and the Zen Flex calendar (flask-free): kept in step with the gateway, read back for the
ranking page and the API.

A sync fetches each part, stores it in one transaction and notes its freshness; a part that fails is noted with
its error and what is stored stays as it was (the next run tries again). The routes are public: they do not
count against the account's quota, so a used-up quota does not stop them. The steps are in docs/catalog.md."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from ..database import catalog as store
from ..database.catalog import Freshness
from ..energy.catalog import CatalogGrid, catalog_offer, still_offered
from ..energy.timeline import PARIS
from ..gateway.catalog_fetch import fetch_catalog, fetch_offer_types, fetch_zen_flex_days
from ..gateway.client import GatewayClient
from ..gateway.errors import GatewayError
from .price_cache import PriceCache

log = logging.getLogger(__name__)
STEPS = ("offers", "offer_types", "zen_flex")


CATALOG_WORDS = {"offers": "offres", "offer_types": "types d'offre", "zen_flex": "jours Zen Flex"}

@dataclass
class CatalogReport:
    """What one catalog sync did: rows stored per part, the error of each part that failed, whether what pricing
    reads (grids, Zen Flex days) changed."""

    stored: dict[str, int] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    changed: bool = False
    skipped: bool = False  # another catalog sync was running

    @property
    def ok(self) -> bool:
        return not self.errors and not self.skipped

    def summary(self) -> str:
        """One line for the command line and the log."""
        if self.skipped:
            return "catalogue non synchronisé (skipped) : une autre synchronisation du catalogue est en cours"
        stored = ", ".join(f"{CATALOG_WORDS.get(part, part)} {count:,}".replace(",", "\xa0")
                           for part, count in self.stored.items()) or "rien"
        text = f"catalogue {'à jour' if self.ok else 'avec des erreurs'} : enregistré {stored}"
        return text + "".join(f" ; {CATALOG_WORDS.get(part, part)} en échec : {message}"
                              for part, message in self.errors.items())


class CatalogSync:
    """Fetches the catalog and the Zen Flex days into one database; a change makes ``prices`` forget its results.
    One run at a time in a process (a second one returns at once, marked skipped)."""

    def __init__(self, engine: Engine, client: GatewayClient, *, clock: Callable[[], datetime] | None = None,
                 prices: PriceCache[Any] | None = None) -> None:
        self.engine = engine
        self.client = client
        self.clock = clock or (lambda: datetime.now(PARIS))
        self.prices = prices
        self._running = threading.Lock()

    def today(self) -> date:
        return self.clock().astimezone(PARIS).date()

    def run(self, steps: tuple[str, ...] = STEPS) -> CatalogReport:
        """Each of ``steps`` (offers with their suppliers, offer types, Zen Flex days); never raises for a
        gateway fault, which is noted against its part."""
        report = CatalogReport()
        if not self._running.acquire(blocking=False):
            report.skipped = True
            return report
        try:
            for step in steps:
                self._step(step, report)
        finally:
            self._running.release()
        if report.changed and self.prices is not None:
            self.prices.clear()
        log.info("%s", report.summary())
        return report

    def zen_flex_tomorrow(self) -> CatalogReport | None:
        """Fetch the Zen Flex days unless tomorrow's type is already known (None then)."""
        tomorrow = self.today() + timedelta(days=1)
        with self.engine.connect() as conn:
            if store.zen_flex_days(conn, tomorrow, tomorrow):
                return None
        return self.run(("zen_flex",))

    def _step(self, step: str, report: CatalogReport) -> None:
        parts = ("providers", "offers") if step == "offers" else (step,)
        try:
            stored, changed = {"offers": self._offers, "offer_types": self._offer_types,
                               "zen_flex": self._zen_flex}[step]()
        except GatewayError as exc:
            self._failed(parts, str(exc), report)
        except Exception as exc:  # a bug or a database fault: noted, the other parts and the scheduler go on
            log.exception("catalog %s failed", step)
            self._failed(parts, f"erreur inattendue : {type(exc).__name__}: {exc}", report)
        else:
            report.stored[step] = stored
            report.changed |= changed

    def _failed(self, parts: tuple[str, ...], message: str, report: CatalogReport) -> None:
        log.warning("catalog %s: %s", "/".join(parts), message)
        report.errors[parts[-1]] = message
        try:
            with self.engine.begin() as conn:
                for part in parts:
                    store.record_fetch_error(conn, part, message, self.clock())
        except Exception:
            log.exception("catalog: the error of %s could not be noted", "/".join(parts))

    def _offers(self) -> tuple[int, bool]:
        fetched = fetch_catalog(self.client)
        now = self.clock()
        with self.engine.begin() as conn:
            before = store.grids_fingerprint(conn)
            store.store_providers(conn, fetched.providers, now)
            stored = store.store_history(conn, fetched.history, now)
            store.record_fetch(conn, "providers", len(fetched.providers), now=now)
            store.record_fetch(conn, "offers", fetched.received, fetched.refused, now)
            changed = store.grids_fingerprint(conn) != before
        for problem in fetched.refused:
            log.warning("catalog row refused: %s", problem)
        return stored, changed

    def _offer_types(self) -> tuple[int, bool]:
        types = fetch_offer_types(self.client)
        now = self.clock()
        with self.engine.begin() as conn:
            stored = store.store_offer_types(conn, types, now)
            store.record_fetch(conn, "offer_types", len(types), now=now)
        return stored, False

    def _zen_flex(self) -> tuple[int, bool]:
        today = self.today()
        with self.engine.connect() as conn:
            start = store.zen_flex_fetch_start(conn, today)
        days = fetch_zen_flex_days(self.client, start, today + timedelta(days=1))
        now = self.clock()
        with self.engine.begin() as conn:
            known = store.zen_flex_days(conn, min(days), max(days)) if days else {}
            stored = store.store_zen_flex_days(conn, days, now)
            store.record_fetch(conn, "zen_flex", len(days), now=now)
        return stored, known != days


# -- reads ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogStatus:
    """How fresh the catalog is, what it holds, and the last day whose Zen Flex type is known."""

    parts: dict[str, Freshness]
    zen_flex_until: date | None

    @property
    def offers(self) -> Freshness:
        return self.parts["offers"]

    @property
    def zen_flex(self) -> Freshness:
        return self.parts["zen_flex"]

    @property
    def fetched(self) -> bool:
        """True once an offers fetch was stored."""
        return self.offers.fetched_at is not None


def read_status(conn: Connection) -> CatalogStatus:
    """``status`` inside a connection another service holds."""
    return CatalogStatus(store.catalog_freshness(conn), store.zen_flex_last_day(conn))


def status(engine: Engine) -> CatalogStatus:
    """The freshness of each part of the catalog."""
    with engine.connect() as conn:
        return read_status(conn)


@dataclass(frozen=True)
class CatalogOffer:
    """One catalog offer with every grid it had, oldest first; ``key`` is its stable offer key."""

    key: str
    provider: str
    name: str
    kind: str  # the rule pricing it (Zen Flex recognised by name too)
    kva: int | None
    grids: tuple[CatalogGrid, ...]
    still_offered: bool
    notes: tuple[str, ...]


def catalog_offers(engine: Engine, today: date, kva: int | None = None, provider: str = "",
                   kind: str = "") -> list[CatalogOffer]:
    """The stored catalog with its history, by supplier and name: at ``kva`` (offers without a stated power
    included), of ``provider`` and of ``kind`` when given."""
    with engine.connect() as conn:
        history = store.history(conn, kva)
    out = []
    for key, grids in history.items():
        if (provider and key[0] != provider) or (kind and key[2] != kind):
            continue
        offer = catalog_offer(grids)
        out.append(CatalogOffer(offer.key, key[0], key[1], key[2], key[3], grids, still_offered(offer, today),
                                offer.notes))
    return out


def providers(engine: Engine) -> list[str]:
    """The names of the stored suppliers."""
    with engine.connect() as conn:
        return [p["name"] for p in store.providers(conn)]
