"""What is stored and how the syncs went, per PDL and dataset (read by the CLI and the UI)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from ..database import repository as repo
from ..database import sync_ledger
from ..energy.timeline import PARIS, date_range, day_runs
from ..energy.words import dataset_word, option_word, paris_clock
from .datasets import Dataset, datasets_for, first_wanted
from .outcome import Outcome, outcome_word
from .preferences import PdlPreferences, all_preferences
from .runs import SyncRun, ecowatt_paused_until, last_runs, quota_paused_until
from .usage_points import Contract, UsagePoint, in_force, read_all_contracts, read_usage_points


@dataclass(frozen=True)
class DatasetStatus:
    """One dataset of a PDL: its complete days, the days still missing, and how its last fetch went."""

    dataset: str
    first: date | None  # first and last complete day
    last: date | None
    days: dict[str, int]  # days by ledger status
    not_complete: tuple[tuple[date, date], ...]  # inclusive ranges of days in the ledger and not complete
    last_sync_at: datetime | None
    outcome: Outcome | None  # None: never fetched
    error: str
    progress: tuple[int, int]  # days done, days to do, while a fetch runs
    oldest_available: date | None  # the oldest day the gateway serves, once found
    unasked: tuple[tuple[date, date], ...] = ()  # inclusive ranges of days a sync wants and never asked for (a
    # quota cut, a ``--since``): empty for a dataset the PDL does not sync

    @property
    def unasked_days(self) -> int:
        return sum((last - first).days + 1 for first, last in self.unasked)


@dataclass(frozen=True)
class UsagePointStatus:
    usage_point: UsagePoint
    contract: Contract | None  # in force today
    datasets: tuple[DatasetStatus, ...]


@dataclass(frozen=True)
class UsageStats:
    """The gateway's request counters of the day, as its last answer gave them (None when never asked)."""

    cached_requests: int | None = None
    cached_limit: int | None = None
    no_cache_requests: int | None = None
    no_cache_limit: int | None = None
    date: str | None = None


@dataclass(frozen=True)
class Quota:
    usage: UsageStats
    paused_until: datetime | None  # the end of the data syncs' pause, when one is in force
    ecowatt_paused_until: str  # ISO time while EcoWatt is paused, else ""


@dataclass(frozen=True)
class Status:
    usage_points: tuple[UsagePointStatus, ...]
    runs: tuple[SyncRun, ...]  # newest first
    quota: Quota

    def as_json(self) -> dict[str, Any]:
        """Plain data for ``status --json``."""
        q = self.quota
        return {
            "usage_points": [{**asdict(s.usage_point), "datasets": [
                {**asdict(ds), "outcome": ds.outcome or ""} for ds in s.datasets],
                "contract": asdict(s.contract) if s.contract else None} for s in self.usage_points],
            "runs": [asdict(run) for run in self.runs],
            "quota": {"paused_until": q.paused_until, "cached_used": q.usage.cached_requests,
                      "cached_limit": q.usage.cached_limit, "no_cache_used": q.usage.no_cache_requests,
                      "no_cache_limit": q.usage.no_cache_limit, "date": q.usage.date,
                      "ecowatt_paused_until": q.ecowatt_paused_until},
        }


def _ranges(days: list[date]) -> tuple[tuple[date, date], ...]:
    """Consecutive days folded into inclusive ranges."""
    return tuple(day_runs(days))


def read_usage_stats(conn: Connection) -> UsageStats:
    """The request counters the last sync read from the gateway."""
    usage = repo.get_state(conn, "usage_stats", {}) or {}
    return UsageStats(*(usage.get(k) for k in ("cached_requests", "cached_limit", "no_cache_requests",
                                                 "no_cache_limit", "date")))


def _unasked(conn: Connection, pdl: str, dataset: str, span: sync_ledger.LedgerSpan | None, first: date,
             today: date) -> tuple[tuple[date, date], ...]:
    """Inclusive ranges of the days of [first, today) the ledger does not hold: from the span alone when it has no
    gap (the days before its first and after its last)."""
    if span is not None and not span.contiguous:
        known = sync_ledger.ledger_days(conn, pdl, dataset, first, today)
        return _ranges([d for d in date_range(first, today) if d not in known])
    last = today - timedelta(days=1)
    if span is None:
        return ((first, last),) if first <= last else ()
    before = (first, min(last, span.first - timedelta(days=1)))
    after = (max(first, span.last + timedelta(days=1)), last)
    return tuple(r for r in (before, after) if r[0] <= r[1])


def _dataset(conn: Connection, up: UsagePoint, ds: Dataset, today: date, synced: bool,
             span: sync_ledger.LedgerSpan | None, state: dict[str, Any]) -> DatasetStatus:
    """Where a dataset stands; when the PDL syncs it (``synced``), the days from its first wanted day to yesterday
    with nothing in the ledger too: those a quota cut left unasked."""
    pdl = up.usage_point_id
    unasked: tuple[tuple[date, date], ...] = ()
    if synced:
        first = first_wanted(ds, today, state.get("oldest_available"), up.activation_date)
        unasked = _unasked(conn, pdl, ds.name, span, first, today)
    return DatasetStatus(
        ds.name, span.first_complete if span else None, span.last_complete if span else None,
        span.counts if span else {}, _ranges(span.not_complete if span else []),
        state.get("last_sync_at"), Outcome(state["last_outcome"]) if state.get("last_outcome") else None,
        state.get("last_error", ""), (state.get("progress_done", 0), state.get("progress_total", 0)),
        state.get("oldest_available"), unasked)


def collect_status(engine: Engine, now: datetime) -> Status:
    """What is stored and missing per PDL and dataset, the last runs and the quota; an expired quota pause is
    cleared on the way. One query per table for every PDL (a PDL whose ledger has gaps reads its days)."""
    today = now.astimezone(PARIS).date()
    paused_until = quota_paused_until(engine, now)
    ecowatt = ecowatt_paused_until(engine, now)
    with engine.connect() as conn:
        usage = read_usage_stats(conn)
        preferences = all_preferences(conn)
        spans, states, contracts = sync_ledger.ledger_spans(conn), repo.dataset_states(conn), read_all_contracts(conn)
        pdls = []
        for up in read_usage_points(conn):
            pdl = up.usage_point_id
            prefs = preferences.get(pdl, PdlPreferences(pdl))
            synced = prefs.enabled and up.is_active
            pdls.append(UsagePointStatus(up, in_force(contracts.get(pdl, []), today), tuple(
                _dataset(conn, up, ds, today, synced and prefs.syncs(ds.name), spans.get((pdl, ds.name)),
                         states.get((pdl, ds.name), {}))
                for ds in datasets_for(up.has_consumption, up.has_production))))
    return Status(tuple(pdls), tuple(last_runs(engine, 5)), Quota(usage, paused_until, ecowatt))


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _fmt_ranges(ranges: tuple[tuple[date, date], ...]) -> str:
    return ", ".join(_day(a) if a == b else f"{_day(a)} au {_day(b)}" for a, b in ranges)


LEDGER_WORDS = {"missing": "manquant(s)", "partial": "incomplet(s)", "given_up": "abandonné(s)",
                "not_available": "non disponible(s)", "pending": "en attente"}  # days by ledger status


def format_status(status: Status) -> str:
    """Plain-text report for the terminal, in French and Paris time."""
    lines = []
    if not status.usage_points:
        lines.append("Aucun PDL enregistré pour l'instant : lancez `myelectricaldata sync`.")
    for s in status.usage_points:
        up, c = s.usage_point, s.contract
        facts = [option_word(up.pricing_option), f"{(c.subscribed_kva if c else None) or '?'} kVA"]
        if c and c.offpeak_hours:
            facts.append(f"HC {c.offpeak_hours}")
        lines.append(f"PDL {up.usage_point_id}  {up.name}  ({', '.join(facts)})")
        if up.attention:
            lines.append(f"  ! {up.attention}")
        for ds in s.datasets:
            name = dataset_word(ds.dataset)
            span = f"du {_day(ds.first)} au {_day(ds.last)}" if ds.first and ds.last else "rien d'enregistré"
            complete = ds.days.get("complete", 0)
            lines.append(f"  {name:<32} {span:<28} {complete:>5} jour(s) complet(s)")
            if ds.not_complete:
                counts = {k: v for k, v in ds.days.items() if k != "complete"}
                detail = ", ".join(f"{v} {LEDGER_WORDS.get(k, k.replace('_', ' '))}"
                                   for k, v in sorted(counts.items()))
                lines.append(f"  {'':<32} manquants ou incomplets : {detail} : {_fmt_ranges(ds.not_complete)}")
            if ds.unasked:
                lines.append(f"  {'':<32} pas encore demandés, {ds.unasked_days} jour(s) : {_fmt_ranges(ds.unasked)}")
            if ds.last_sync_at:
                outcome = outcome_word(ds.outcome) + (f" : {ds.error}" if ds.error else "")
                lines.append(f"  {'':<32} dernière synchronisation {paris_clock(ds.last_sync_at)}, {outcome}")
    q = status.quota
    u = q.usage
    if u.cached_limit is not None:
        cached, no_cache, no_cache_limit = u.cached_requests or 0, u.no_cache_requests or 0, u.no_cache_limit or 0
        lines.append(
            f"Requêtes à la passerelle le {u.date} : {u.cached_requests}/{u.cached_limit} avec cache "
            f"({u.cached_limit - cached} restantes), "
            f"{u.no_cache_requests}/{u.no_cache_limit} sans ({no_cache_limit - no_cache} restantes)")
    if q.paused_until:
        lines.append(f"Quota atteint : synchronisations en pause jusqu'au {paris_clock(q.paused_until)}")
    if q.ecowatt_paused_until:
        until = datetime.fromisoformat(q.ecowatt_paused_until)
        lines.append(f"Quota sans cache atteint : EcoWatt en pause jusqu'au {paris_clock(until)}")
    for run in status.runs[:1]:
        lines.append(f"Dernière synchronisation le {paris_clock(run.started_at)} : {outcome_word(run.outcome)}, "
                     f"{run.requests} requête(s)" + (f" ({run.message})" if run.message else ""))
    lines.append("Heures de Paris.")
    return "\n".join(lines)
