"""Account-wide calendars: Tempo colours and EcoWatt signals."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine

from ..database import repository as repo
from ..energy.timeline import PARIS, date_range, next_utc_midnight
from ..gateway import parse
from ..gateway.client import GatewayClient
from ..gateway.errors import QuotaExceeded

log = logging.getLogger(__name__)


def sync_tempo(engine: Engine, client: GatewayClient, today: date) -> int:
    """Colours for every stored day plus tomorrow; asks only when one is missing."""
    tomorrow = today + timedelta(days=1)
    with engine.connect() as conn:
        first = min(repo.first_stored_day(conn) or today, today)
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
