"""Fetching one dataset of one PDL: windows of missing days, readings and ledger stored together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine

from ..database import repository as repo
from ..database import sync_ledger
from ..energy.timeline import PARIS
from ..gateway import parse
from ..gateway.client import GatewayClient, Reply
from ..gateway.errors import GatewayError, NoData, QuotaExceeded, TooOld
from .datasets import (
    COMPLETE,
    Dataset,
    curve_coverage,
    curve_status,
    first_wanted,
    ledger_entries,
    plan_windows,
    wanted_days,
)
from .outcome import Outcome

log = logging.getLogger(__name__)
MAX_DAY_ATTEMPTS = 5


class SyncStopped(Exception):
    """The sync was asked to stop (shutdown); everything stored so far is consistent."""


class DatasetFetcher:
    def __init__(self, engine: Engine, client: GatewayClient, max_day_attempts: int = MAX_DAY_ATTEMPTS,
                 should_stop: Callable[[], bool] = lambda: False,
                 on_stored: Callable[[int], object] = lambda stored: None) -> None:
        self.engine = engine
        self.client = client
        self.max_day_attempts = max_day_attempts
        self.should_stop = should_stop
        self.on_stored = on_stored  # told how many readings each window stored

    def fetch(self, pdl: str, ds: Dataset, now: datetime, activation: date | None = None,
              since: date | None = None) -> int:
        """Ask for every day of ``ds`` from its first available day to J-1 that is not complete yet."""
        today = now.astimezone(PARIS).date()
        with self.engine.connect() as conn:
            state = repo.dataset_state(conn, pdl, ds.name)
            ledger = sync_ledger.ledger(conn, pdl, ds.name)
        first = first_wanted(ds, today, state.get("oldest_available"), since, activation)
        days = wanted_days(first, today - timedelta(days=1), ledger)
        stored = done = 0
        search: tuple[date, date] | None = None  # refused without a date: (a start refused, a bound above)
        self._progress(pdl, ds, Outcome.RUNNING, done, len(days))
        try:
            while days:
                if self.should_stop():  # between two windows: each one is stored whole or not at all
                    raise SyncStopped("stopped on request")
                if search and (search[1] - search[0]).days <= 1:
                    days = self._oldest_found(pdl, ds, search[1], days, done)
                    search = None
                    continue
                if search:  # probe halfway between the last start refused and the bound above
                    probe = search[0] + (search[1] - search[0]) // 2
                    pending = [d for d in days if probe <= d < search[1]]
                    if not pending:
                        search = (search[0], probe)
                        continue
                    start, end = plan_windows(pending, ds.window_days)[0]
                else:
                    start, end = plan_windows(days, ds.window_days)[0]
                try:
                    stored += self._fetch_window(pdl, ds, start, end, ledger, now)
                except TooOld as exc:
                    if exc.oldest and exc.oldest > start:
                        days = self._oldest_found(pdl, ds, exc.oldest, days, done)
                        search = None
                    else:  # a refusal says only that the start is too early: search for the first day served
                        search = (start, search[1] if search else end + timedelta(days=1))
                    continue
                if search:
                    search = (search[0], start)
                done += sum(1 for d in days if start <= d <= end)
                days = [d for d in days if not start <= d <= end]
                self._progress(pdl, ds, Outcome.RUNNING, done, done + len(days))
        except (GatewayError, SyncStopped) as exc:
            self._progress(pdl, ds, Outcome.ERROR, done, done + len(days), error=str(exc))
            raise
        self._progress(pdl, ds, Outcome.OK, done, done)
        return stored

    def _oldest_found(self, pdl: str, ds: Dataset, oldest: date, days: list[date], done: int) -> list[date]:
        """Record the oldest day the gateway serves for this dataset; returns the days still worth asking."""
        log.info("%s %s: nothing served before %s", pdl, ds.name, oldest)
        days = [d for d in days if d >= oldest]
        self._progress(pdl, ds, Outcome.RUNNING, done, done + len(days), oldest_available=oldest)
        return days

    def _fetch_window(self, pdl: str, ds: Dataset, start: date, end: date,
                      ledger: dict[date, sync_ledger.LedgerDay], now: datetime) -> int:
        """One request; its readings and the ledger of its days are stored in one transaction.

        A reply cut short by the quota (PARTIAL_DATA "Rate limit exceeded") is stored, costs the
        missing days no attempt, and then stops the run like any quota answer."""
        try:
            reply = self._request(pdl, ds, start, end)
            readings, statuses = self._readings(ds, reply.data)
            error = reply.partial
        except NoData as exc:
            readings, statuses, error = [], {}, exc.message or exc.code
        quota_cut = "rate limit" in error.lower()
        today = now.astimezone(PARIS).date()
        entries = ledger_entries(start, end, statuses, ledger, today, self.max_day_attempts, error,
                                 counted=not quota_cut)
        with self.engine.begin() as conn:
            self._store(conn, pdl, ds, readings)
            sync_ledger.write_ledger(conn, pdl, ds.name, entries, now)
        self.on_stored(len(readings))
        ledger.update({e[0]: sync_ledger.LedgerDay(e[1], e[2], today) for e in entries})
        log.info("%s %s %s..%s: %d readings", pdl, ds.name, start, end, len(readings))
        if quota_cut:
            raise QuotaExceeded(error, code="RATE_LIMIT_EXCEEDED", request=f"{ds.name} {start}..{end}")
        return len(readings)

    def _request(self, pdl: str, ds: Dataset, start: date, end: date) -> Reply:
        if ds.kind == "load_curve":
            return self.client.load_curve(ds.direction, pdl, start, end)
        if ds.kind == "max_power":
            return self.client.max_power(pdl, start, end + timedelta(days=1))
        return self.client.daily(ds.direction, pdl, start, end + timedelta(days=1))

    @staticmethod
    def _readings(ds: Dataset, data: object) -> tuple[list, dict[date, tuple[str, int]]]:
        """The parsed readings and, per local day, its status and reading count."""
        if ds.kind == "load_curve":
            points = parse.parse_load_curve(data, ds.name)
            return points, {d: (curve_status(d, minutes), n) for d, (n, minutes) in curve_coverage(points).items()}
        values = parse.parse_max_power(data, ds.name) if ds.kind == "max_power" else parse.parse_daily(data, ds.name)
        return values, {v.day: (COMPLETE, 1) for v in values}

    @staticmethod
    def _store(conn: Connection, pdl: str, ds: Dataset, readings: list) -> None:
        if ds.kind == "load_curve":
            repo.store_load_curve(conn, pdl, ds.direction, readings)
        elif ds.kind == "max_power":
            repo.store_max_power(conn, pdl, readings)
        else:
            repo.store_daily(conn, pdl, ds.direction, readings)

    def _progress(self, pdl: str, ds: Dataset, outcome: Outcome, done: int, total: int, **extra: object) -> None:
        """Where this dataset stands, for the logs, ``status`` and the UI."""
        values: dict[str, object] = {"last_outcome": outcome.value, "progress_done": done, "progress_total": total,
                                     **extra}
        if outcome != Outcome.RUNNING:
            values["last_sync_at"] = repo.utcnow()
            values["last_error"] = values.pop("error", "")
        with self.engine.begin() as conn:
            repo.set_dataset_state(conn, pdl, ds.name, **values)
