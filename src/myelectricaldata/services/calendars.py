"""Account-wide calendars: Tempo colours and EcoWatt signals, fetched from the gateway and read back."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, Engine, func, select

from ..database import models as m
from ..database import repository as repo
from ..energy.tempo import season_bounds, season_of
from ..energy.timeline import PARIS, date_range, next_utc_midnight
from ..gateway import parse
from ..gateway.client import GatewayClient
from ..gateway.errors import QuotaExceeded

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EcowattSignal:
    """RTE's EcoWatt signal of a day: level 1-3, message, the 24 hourly levels (0-3), fetched at (naive UTC)."""

    day: date
    level: int
    message: str
    hours: tuple[int, ...]
    fetched_at: datetime


def read_tempo(conn: Connection, first: date, last: date) -> dict[date, str]:
    """The Tempo colour of each stored day of [first, last] (BLUE, WHITE or RED), in day order."""
    t = m.tempo_days
    query = select(t.c.day, t.c.color).where(t.c.day >= first, t.c.day <= last).order_by(t.c.day)
    return {day: colour for day, colour in conn.execute(query)}


def tempo_colours(engine: Engine, first: date, last: date) -> dict[date, str]:
    """``read_tempo`` in a connection of its own."""
    with engine.connect() as conn:
        return read_tempo(conn, first, last)


def first_tempo_day(engine: Engine) -> date | None:
    """The oldest day with a stored Tempo colour."""
    with engine.connect() as conn:
        return conn.scalar(select(func.min(m.tempo_days.c.day)))


def read_ecowatt(conn: Connection, first: date) -> list[EcowattSignal]:
    """The stored EcoWatt signals of ``first`` and the days after it, in day order."""
    t = m.ecowatt_days
    return [EcowattSignal(r.day, r.level, r.message, tuple(int(h) if h.isdigit() else 1 for h in r.hours),
                          r.fetched_at)
            for r in conn.execute(select(t).where(t.c.day >= first).order_by(t.c.day))]


def ecowatt_signals(engine: Engine, first: date) -> list[EcowattSignal]:
    """``read_ecowatt`` in a connection of its own."""
    with engine.connect() as conn:
        return read_ecowatt(conn, first)


def last_ecowatt_day(engine: Engine) -> date | None:
    """The newest day with a stored EcoWatt signal."""
    with engine.connect() as conn:
        return conn.scalar(select(func.max(m.ecowatt_days.c.day)))


def sync_tempo(engine: Engine, client: GatewayClient, today: date) -> int:
    """Colours for every stored day, the day before the first (its colour prices the first day's hours before 06:00),
    every day of the current season (the days used and left count them all) and tomorrow; asks only when one is
    missing."""
    tomorrow = today + timedelta(days=1)
    with engine.connect() as conn:
        first = min(min(repo.first_stored_day(conn) or today, today) - timedelta(days=1),
                    season_bounds(season_of(today))[0])
        known = repo.tempo_known_days(conn, first, tomorrow)
    missing = [d for d in date_range(first, tomorrow + timedelta(days=1)) if d not in known]
    if not missing:
        return 0
    colours = parse.parse_tempo(client.tempo_days(missing[0], tomorrow).data)
    with engine.begin() as conn:
        return repo.store_tempo(conn, colours)


def ecowatt_due(last_fetch: datetime | None, now: datetime) -> bool:
    """EcoWatt is fetched once in the morning sync and again after RTE's 17:00 update."""
    local = now.astimezone(PARIS)
    since = datetime.combine(local.date(), time(17 if local.hour >= 17 else 0), PARIS)
    return last_fetch is None or last_fetch < since


def sync_ecowatt(engine: Engine, client: GatewayClient, now: datetime) -> int:
    """EcoWatt signals when due. The call draws on the account's small no-cache bucket: when the
    gateway answers 429 that bucket is paused until 00:00 UTC, and the data syncs, which use the
    cache bucket, go on."""
    with engine.connect() as conn:
        fetched = repo.get_state(conn, "ecowatt_fetched_at")
        paused = repo.get_state(conn, "ecowatt_paused_until")
    if not ecowatt_due(datetime.fromisoformat(fetched) if fetched else None, now) or (
            paused and datetime.fromisoformat(paused) > now):
        return 0
    try:
        days = parse.parse_ecowatt(client.ecowatt_forecast(4).data)
    except QuotaExceeded as exc:
        until = next_utc_midnight(now)
        log.warning("EcoWatt paused until %s UTC: %s", f"{until:%Y-%m-%d %H:%M}", exc.message)
        with engine.begin() as conn:
            repo.set_state(conn, "ecowatt_paused_until", until.isoformat())
        return 0
    with engine.begin() as conn:
        stored = repo.store_ecowatt(conn, days)
        repo.set_state(conn, "ecowatt_fetched_at", now.isoformat())
        repo.set_state(conn, "ecowatt_paused_until", "")
    return stored
