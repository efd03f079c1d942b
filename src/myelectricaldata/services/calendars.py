"""Account-wide calendars: Tempo colours and EcoWatt signals."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from ..database import repository as repo
from ..energy.timeline import date_range, next_utc_midnight
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


def sync_ecowatt(engine: Engine, client: GatewayClient, today: date, now: datetime) -> int:
    """EcoWatt signals, once a day. The call draws on the account's small no-cache bucket: when the
    gateway answers 429 that bucket is paused until 00:00 UTC, and the data syncs, which use the
    cache bucket, go on."""
    with engine.connect() as conn:
        fetched_on = repo.get_state(conn, "ecowatt_fetched_on")
        paused = repo.get_state(conn, "ecowatt_paused_until")
    if fetched_on == today.isoformat() or (paused and datetime.fromisoformat(paused) > now.astimezone(UTC)):
        return 0
    try:
        days = parse.parse_ecowatt(client.ecowatt_forecast(4).data)
    except QuotaExceeded as exc:
        until = next_utc_midnight(now)
        log.warning("EcoWatt paused until %s UTC: %s", f"{until:%Y-%m-%d %H:%M}", exc.message)
        with engine.begin() as conn:
            repo.set_state(conn, "ecowatt_paused_until", until.isoformat())
            repo.set_state(conn, "ecowatt_pause_reason", exc.message)
        return 0
    with engine.begin() as conn:
        stored = repo.store_ecowatt(conn, days)
        repo.set_state(conn, "ecowatt_fetched_on", today.isoformat())
        repo.set_state(conn, "ecowatt_paused_until", "")
    return stored

