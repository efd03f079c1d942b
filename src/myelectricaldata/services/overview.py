"""The dashboard's facts per PDL, read in a handful of queries (no history loaded into Python)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from ..database import models as m
from ..energy.timeline import years_before
from .calendars import tempo_colours
from .preferences import load_all
from .runs import SyncRun
from .status import DatasetStatus, UsageStats, collect_status


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


@dataclass(frozen=True)
class Dashboard:
    cards: tuple[PdlCard, ...]
    tempo_today: str | None
    tempo_tomorrow: str | None
    quota_paused_until: datetime | None
    usage: UsageStats
    last_run: SyncRun | None
    today: date


def _sums_daily(conn: Connection, pdls: list[str], direction: str, first: date, last: date) -> dict[str, int]:
    """PDL -> Wh of ``direction`` summed over [first, last], for each of ``pdls`` with stored days there, in one
    query (naming the PDLs lets it read each one's days through the primary key instead of every stored day)."""
    t = m.daily_energy
    return {pdl: int(wh) for pdl, wh in conn.execute(
        select(t.c.usage_point_id, func.sum(t.c.wh)).where(
            t.c.usage_point_id.in_(pdls), t.c.direction == direction, t.c.day >= first, t.c.day <= last)
        .group_by(t.c.usage_point_id))
        if wh is not None}


def dashboard(engine: Engine, now: datetime) -> Dashboard:
    today = now.date()
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
    for s in status.usage_points:
        up, contract = s.usage_point, s.contract
        pdl = up.usage_point_id
        pref = prefs.get(pdl)
        cards.append(PdlCard(
            usage_point_id=pdl, label=up.label(pref.display_name if pref else ""), address=up.address,
            pricing_option=up.pricing_option, subscribed_kva=contract.subscribed_kva if contract else None,
            offpeak_hours=contract.offpeak_hours if contract else "", attention=up.attention,
            enabled=pref.enabled if pref else True, has_production=up.has_production, datasets=s.datasets,
            yesterday_wh=day_wh.get(pdl), month_wh=month_wh.get(pdl), month_last_year_wh=last_year_wh.get(pdl)))
    tempo = tempo_colours(engine, today, today + timedelta(days=1))
    return Dashboard(tuple(cards), tempo.get(today), tempo.get(today + timedelta(days=1)),
                     status.quota.paused_until, status.quota.usage, status.runs[0] if status.runs else None, today)
