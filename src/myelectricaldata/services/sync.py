"""The sync: which PDLs and days to fetch, fetching them, storing them with the ledger."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from ..database import models as m
from ..database import repository as repo
from ..energy.timeline import PARIS
from ..energy.words import dataset_word, paris_clock
from ..gateway import parse
from ..gateway.client import GatewayClient
from ..gateway.errors import (
    AuthError,
    ConsentError,
    GatewayError,
    GatewayUnreachable,
    QuotaExceeded,
)
from .calendars import sync_ecowatt, sync_tempo
from .datasets import Dataset, datasets_for
from .fetch import MAX_DAY_ATTEMPTS, DatasetFetcher, SyncStopped
from .health import database_problem
from .lock import sync_lock
from .outcome import Outcome
from .preferences import PdlPreferences, all_preferences
from .price_cache import PriceCache
from .runs import finish_run, pause_for_quota, quota_paused_until, start_run
from .usage_points import read_usage_points

log = logging.getLogger(__name__)
STOPPED_TEXT = "arrêtée à la demande ; ce qui a été récupéré est enregistré"


STEP_WORDS = {"usage points": "liste des PDL", "contract": "contrat", "address": "adresse", "tempo": "Tempo",
              "ecowatt": "EcoWatt", "usage stats": "compteurs de requêtes"}


def step_words(what: str) -> str:
    """A step of the sync in French: ``99000000000001 consumption_daily`` -> ``99000000000001 Consommation
    journalière``."""
    if what in STEP_WORDS:
        return STEP_WORDS[what]
    pdl, _, step = what.partition(" ")
    return f"{pdl} {STEP_WORDS.get(step) or dataset_word(step)}" if step else what


def paused_text(until: datetime) -> str:
    """When the paused syncs start again, in Paris time."""
    return f"synchronisations en pause jusqu'au {paris_clock(until, '%d/%m/%Y à %H:%M')} (heure de Paris)"


class SyncAborted(Exception):
    """Stops the whole run (quota, credentials, gateway down); the message says why."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


@dataclass
class SyncReport:
    outcome: Outcome = Outcome.OK
    message: str = ""
    requests: dict[str, int] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK


class SyncService:
    """Runs syncs against one gateway account and one database; what it stores makes ``prices`` forget its results."""

    def __init__(self, engine: Engine, client: GatewayClient, lock_path: Path, *,
                 clock: Callable[[], datetime] | None = None, max_day_attempts: int = MAX_DAY_ATTEMPTS,
                 prices: PriceCache[Any] | None = None) -> None:
        self.engine = engine
        self.client = client
        self.lock_path = lock_path
        self.clock = clock or (lambda: datetime.now(PARIS))
        self.max_day_attempts = max_day_attempts
        self.prices = prices
        self.stop_requested = threading.Event()
        self.after_run: list[Callable[[SyncReport], object]] = []  # e.g. the exports, once a sync has ended

    def today(self) -> date:
        return self.clock().astimezone(PARIS).date()

    # -- the run --------------------------------------------------------------------------------
    def run(self, pdls: list[str] | None = None, since: date | None = None,
            include: tuple[str, ...] = ("data", "tempo", "ecowatt")) -> SyncReport:
        """One sync. Raises SyncBusy if another one is running.

        Tempo (public) and EcoWatt (its own bucket) go on when the data quota is reached; credentials
        refused or a gateway out of reach stop everything."""
        report = SyncReport()
        with sync_lock(self.lock_path):
            try:
                run_id = start_run(self.engine)
            except Exception as exc:
                if (problem := database_problem(exc)) is None:
                    raise
                log.error("sync not started: %s", problem)
                report.outcome, report.message = Outcome.ERROR, problem
                return report
            before = dict(self.client.counts)
            try:
                self._steps(pdls, since, include, report)
            except SyncAborted as exc:
                report.outcome, report.message = exc.outcome, str(exc)
            except SyncStopped:
                report.outcome, report.message = Outcome.STOPPED, STOPPED_TEXT
            except Exception as exc:
                problem = database_problem(exc)  # a full disk, a damaged file: said plainly, without a traceback
                if problem is None:
                    log.exception("sync failed")
                report.outcome = Outcome.ERROR
                report.message = problem or f"erreur inattendue : {type(exc).__name__} : {exc}"
            finally:
                if report.outcome == Outcome.OK and report.errors:
                    report.outcome = Outcome.ERRORS
                    report.message = f"{len(report.errors)} erreur(s) : " + " ; ".join(report.errors[:3])
                report.requests = {k: v - before.get(k, 0) for k, v in self.client.counts.items()
                                   if v - before.get(k, 0)}
                self._finish(run_id, report)
        log_as = log.error if report.outcome == Outcome.ERROR else log.info
        log_as("sync finished: %s %s", report.outcome, report.message)
        for follow_up in self.after_run:
            try:
                follow_up(report)
            except Exception:
                log.exception("after the sync: %s failed", getattr(follow_up, "__qualname__", follow_up))
        return report

    def _finish(self, run_id: int, report: SyncReport) -> None:
        """Record how the run ended; a database that cannot take it is said in the log (the run stays "running" and
        is closed as interrupted by the next one)."""
        try:
            finish_run(self.engine, run_id, report)
        except Exception as exc:
            if (problem := database_problem(exc)) is None:
                raise
            log.error("the end of the sync could not be recorded: %s", problem)

    def _steps(self, pdls: list[str] | None, since: date | None, include: tuple[str, ...],
               report: SyncReport) -> None:
        if "data" in include:
            try:
                paused = quota_paused_until(self.engine, self.clock())
                if paused:
                    raise SyncAborted(Outcome.QUOTA, f"quota de la passerelle atteint : {paused_text(paused)}")
                self._sync_usage_points(pdls, since, report)
            except SyncAborted as exc:
                if exc.outcome != Outcome.QUOTA:
                    raise
                report.outcome, report.message = exc.outcome, str(exc)
        if "tempo" in include:
            self._guard(report, "tempo", lambda: self._prices_changed(sync_tempo(self.engine, self.client,
                                                                                 self.today())))
        if "ecowatt" in include:
            self._guard(report, "ecowatt", lambda: sync_ecowatt(self.engine, self.client, self.clock()))
        if report.outcome != Outcome.QUOTA:
            self._guard(report, "usage stats", self._usage_stats)

    def _guard(self, report: SyncReport, what: str, fn: Callable[[], int], *, for_pdl: bool = False) -> None:
        """Run one step; quota, credentials and an unreachable gateway stop the run, a consent refusal
        stops the PDL (``for_pdl``), the rest is noted in the report."""
        try:
            stored = fn()
            if stored:
                report.stored[what] = report.stored.get(what, 0) + stored
        except QuotaExceeded as exc:
            until = pause_for_quota(self.engine, self.clock())
            raise SyncAborted(Outcome.QUOTA, f"quota de la passerelle atteint ({exc.message}) : "
                                             f"{paused_text(until)}") from None
        except AuthError as exc:
            raise SyncAborted(Outcome.AUTH, str(exc)) from None
        except GatewayUnreachable as exc:
            raise SyncAborted(Outcome.UNREACHABLE, str(exc)) from None
        except ConsentError:
            if for_pdl:
                raise
            log.error("%s: access refused", what)
            report.errors.append(f"{step_words(what)} : accès refusé par la passerelle")
        except GatewayError as exc:
            log.error("%s: %s", what, exc)
            report.errors.append(f"{step_words(what)} : {exc}")

    def _prices_changed(self, stored: int) -> int:
        """Forget the priced results once readings, a contract version or Tempo colours were stored."""
        if stored and self.prices is not None:
            self.prices.clear()
        return stored

    # -- usage points -----------------------------------------------------------------------------
    def _sync_usage_points(self, pdls: list[str] | None, since: date | None, report: SyncReport) -> None:
        infos: list[parse.UsagePointInfo] = []

        def discover() -> int:
            infos.extend(parse.parse_usage_points(self.client.usage_points().data))
            with self.engine.begin() as conn:
                for info in infos:
                    repo.save_usage_point(conn, info.usage_point_id, name=info.name,
                                          pricing_option=info.pricing_option,
                                          has_consumption=info.has_consumption,
                                          has_production=info.has_production, is_active=info.is_active,
                                          activation_date=info.activation_date,
                                          linked_production_pdl_id=info.linked_production_pdl_id,
                                          selected_offer_id=info.selected_offer_id)
            return 0

        self._guard(report, "usage points", discover)
        if not infos and report.errors:
            raise SyncAborted(Outcome.ERRORS, report.errors[-1])
        wanted = set(pdls or [])
        listed = {i.usage_point_id for i in infos}
        with self.engine.connect() as conn:
            stored = {up.usage_point_id for up in read_usage_points(conn)}
        for pdl in sorted(wanted - listed - stored):
            report.errors.append(f"le PDL {pdl} n'est pas sur ce compte de la passerelle")
        for pdl in sorted(stored - listed):
            if not wanted or pdl in wanted:
                self._flag(pdl, "ce PDL n'est plus sur le compte de la passerelle ; ses données enregistrées "
                                "sont gardées", report)
        with self.engine.connect() as conn:
            preferences = all_preferences(conn)
        for info in infos:
            if wanted and info.usage_point_id not in wanted:
                continue
            prefs = preferences.get(info.usage_point_id, PdlPreferences(info.usage_point_id))
            if not prefs.enabled:
                log.info("%s: disabled in the settings, not synced", info.usage_point_id)
                continue
            if not info.is_active:
                self._flag(info.usage_point_id, "la passerelle indique ce PDL comme inactif (consentement retiré "
                                                "ou expiré) : renouvelez le consentement sur le site de la "
                                                "passerelle", report)
                continue
            self._sync_usage_point(info, since, report, prefs)

    def _flag(self, pdl: str, note: str, report: SyncReport) -> None:
        """Mark a PDL as needing the user's attention, and say so in the report."""
        log.warning("%s: %s", pdl, note)
        report.errors.append(f"{pdl} : {note}")
        with self.engine.begin() as conn:
            repo.save_usage_point(conn, pdl, attention=note[:500])

    def _sync_usage_point(self, info: parse.UsagePointInfo, since: date | None, report: SyncReport,
                          prefs: PdlPreferences | None = None) -> None:
        pdl = info.usage_point_id
        prefs = prefs or PdlPreferences(pdl)
        try:
            self._guard(report, f"{pdl} contract", lambda: self._contract(info), for_pdl=True)
            self._guard(report, f"{pdl} address", lambda: self._address(pdl), for_pdl=True)
            for ds in datasets_for(info.has_consumption, info.has_production):
                if not prefs.syncs(ds.name):
                    continue
                self._guard(report, f"{pdl} {ds.name}", partial(self.sync_dataset, pdl, ds, info, since),
                            for_pdl=True)
        except ConsentError as exc:
            self._flag(pdl, f"consentement à renouveler : la passerelle ne donne plus accès à ce PDL "
                            f"({exc.message})",
                       report)
            return
        with self.engine.begin() as conn:
            repo.save_usage_point(conn, pdl, attention="")

    def _checked_today(self, pdl: str, column: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(select(m.usage_points.c[column])
                               .where(m.usage_points.c.usage_point_id == pdl)) == self.today()

    def _contract(self, info: parse.UsagePointInfo) -> int:
        pdl = info.usage_point_id
        if self._checked_today(pdl, "contract_checked_on"):
            return 0
        facts = parse.parse_contract(self.client.contract(pdl).data, pdl)
        with self.engine.begin() as conn:
            new = repo.record_contract(conn, pdl, self.today(),
                                       {**facts._asdict(), "pricing_option": info.pricing_option})
            repo.save_usage_point(conn, pdl, contract_checked_on=self.today())
        if new:
            self._prices_changed(1)
            log.info("%s: contract version recorded (%s kVA, off-peak %s)", pdl, facts.subscribed_kva,
                     facts.offpeak_hours or "none")
        return 1 if new else 0

    def _address(self, pdl: str) -> int:
        if self._checked_today(pdl, "address_checked_on"):
            return 0
        address = parse.parse_address(self.client.address(pdl).data, pdl)
        with self.engine.begin() as conn:
            repo.save_usage_point(conn, pdl, address_checked_on=self.today(), **address._asdict())
        return 0

    def sync_dataset(self, pdl: str, ds: Dataset, info: parse.UsagePointInfo | None = None,
                     since: date | None = None) -> int:
        """Fetch the days of ``ds`` not yet complete; returns the readings stored."""
        fetcher = DatasetFetcher(self.engine, self.client, self.max_day_attempts, self.stop_requested.is_set,
                                 on_stored=self._prices_changed)
        return fetcher.fetch(pdl, ds, self.clock(), info.activation_date if info else None, since)

    def _usage_stats(self) -> int:
        data = self.client.usage_stats().data
        with self.engine.begin() as conn:
            repo.set_state(conn, "usage_stats", data if isinstance(data, dict) else {})
        return 0

