"""The dashboard's facts per PDL, read in a handful of queries (no history loaded into Python)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ..database import models as m
from ..energy.timeline import PARIS, years_before
from .calendars import tempo_colours
from .preferences import load_all
from .price_cache import PriceCache
from .pricing import day_costs
from .runs import SyncRun
from .schedule import next_sync_at
from .status import DatasetStatus, UsageStats, collect_status

NOT_COUNTED = frozenset({"token", "pdl", "tempo", "ecowatt", "usage_stats"})  # requests the cached-request counter
# does not count: sign-in, the PDL list, Tempo (public), EcoWatt (its own no-cache counter), the counters themselves


@dataclass(frozen=True)
class PdlCard:
    usage_point_id: str
    label: str
    address: str
    pricing_option: str
    subscribed_kva: int | None
    offpeak_hours: str
    attention: str
    enabled: bool
    has_production: bool
    datasets: tuple[DatasetStatus, ...] = ()
    yesterday_wh: int | None = None
    month_wh: int | None = None
    month_last_year_wh: int | None = None
    yesterday_cost: Decimal | None = None  # energy and subscription share, from yesterday's load curve


@dataclass(frozen=True)
class RequestsToday:
    """The gateway's cached-request counter of the current UTC day (it resets at 00:00 UTC), and the last run's."""

    used: int
    limit: int
    last_run: int | None  # the counted requests of the last sync when the counter includes them, else None

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class Dashboard:
    cards: tuple[PdlCard, ...]
    tempo_today: str | None
    tempo_tomorrow: str | None
    quota_paused_until: datetime | None
    usage: UsageStats
    last_run: SyncRun | None
    today: date
    next_sync_at: datetime | None = None  # the next automatic sync, Paris time (None: no scheduler)
    requests: RequestsToday | None = None


def counted_requests(run: SyncRun) -> int | None:
    """The requests of a run that the gateway's cached-request counter counts (the Enedis data, contract and address
    calls), from the run's detail; None when the detail is missing."""
    try:
        by_label = json.loads(run.detail or "")["requests"]
    except (ValueError, KeyError, TypeError):
        return None
    return sum(int(n) for label, n in by_label.items() if label not in NOT_COUNTED)


def requests_today(usage: UsageStats, last_run: SyncRun | None, now: datetime) -> RequestsToday | None:
    """The counter as it stands now: counters read on an earlier UTC day were reset since (0 used). The last run's
    share is given when the counter was read at its end, the same UTC day."""
    if usage.cached_limit is None:
        return None
    current = usage.date == now.astimezone(UTC).date().isoformat()
    share = None
    if current and last_run is not None and last_run.finished_at is not None and \
            last_run.finished_at.date().isoformat() == usage.date:  # runs are kept in naive UTC
        share = counted_requests(last_run)
    return RequestsToday(int(usage.cached_requests or 0) if current else 0, int(usage.cached_limit), share)


def _sums_daily(conn: Connection, pdls: list[str], direction: str, first: date, last: date) -> dict[str, int]:
    """PDL -> Wh of ``direction`` summed over [first, last], for each of ``pdls`` with stored days there, in one
    query (naming the PDLs lets it read each one's days through the primary key instead of every stored day)."""
    t = m.daily_energy
    return {pdl: int(wh) for pdl, wh in conn.execute(
        select(t.c.usage_point_id, func.sum(t.c.wh)).where(
            t.c.usage_point_id.in_(pdls), t.c.direction == direction, t.c.day >= first, t.c.day <= last)
        .group_by(t.c.usage_point_id))
        if wh is not None}


def dashboard(engine: Engine, now: datetime, prices: PriceCache[Any] | None = None) -> Dashboard:
    today = now.astimezone(PARIS).date()
    yesterday = today - timedelta(days=1)
    status = collect_status(engine, now)
    month_start = yesterday.replace(day=1)
    prefs = load_all(engine)
    cards = []
    with engine.connect() as conn:
        pdls = [s.usage_point.usage_point_id for s in status.usage_points]
        day_wh = _sums_daily(conn, pdls, "consumption", yesterday, yesterday)
        month_wh = _sums_daily(conn, pdls, "consumption", month_start, yesterday)
        last_year_wh = _sums_daily(conn, pdls, "consumption", years_before(month_start, 1),
                                   years_before(yesterday, 1))
        day_cost = {pdl: cost.total for pdl, cost in day_costs(conn, pdls, yesterday, prices).items()}
    for s in status.usage_points:
        up, contract = s.usage_point, s.contract
        pdl = up.usage_point_id
        pref = prefs.get(pdl)
        cards.append(PdlCard(
            usage_point_id=pdl, label=up.label(pref.display_name if pref else ""), address=up.address,
            pricing_option=up.pricing_option, subscribed_kva=contract.subscribed_kva if contract else None,
            offpeak_hours=contract.offpeak_hours if contract else "", attention=up.attention,
            enabled=pref.enabled if pref else True, has_production=up.has_production, datasets=s.datasets,
            yesterday_wh=day_wh.get(pdl), month_wh=month_wh.get(pdl), month_last_year_wh=last_year_wh.get(pdl),
            yesterday_cost=day_cost.get(pdl)))
    tempo = tempo_colours(engine, today, today + timedelta(days=1))
    last_run = status.runs[0] if status.runs else None
    return Dashboard(tuple(cards), tempo.get(today), tempo.get(today + timedelta(days=1)),
                     status.quota.paused_until, status.quota.usage, last_run, today,
                     next_sync_at(engine, now),
                     requests_today(status.quota.usage, last_run, now))
