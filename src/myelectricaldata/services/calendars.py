"""Account-wide calendars: Tempo colours and EcoWatt signals."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import Engine

from ..database import repository as repo
from ..energy.timeline import date_range
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


def sync_ecowatt(engine: Engine, client: GatewayClient, today: date) -> int:
    """EcoWatt signals, once a day (the call counts against the small no-cache quota)."""
    with engine.connect() as conn:
        if repo.get_state(conn, "ecowatt_fetched_on") == today.isoformat():
            return 0
    try:
        days = parse.parse_ecowatt(client.ecowatt_forecast(4).data)
    except QuotaExceeded as exc:
        # EcoWatt draws on the small no-cache bucket: running it dry must not pause the data syncs.
        log.warning("EcoWatt skipped until tomorrow: %s", exc.message)
        with engine.begin() as conn:
            repo.set_state(conn, "ecowatt_fetched_on", today.isoformat())
            repo.set_state(conn, "ecowatt_skipped", exc.message)
        return 0
    with engine.begin() as conn:
        stored = repo.store_ecowatt(conn, days)
        repo.set_state(conn, "ecowatt_fetched_on", today.isoformat())
        repo.set_state(conn, "ecowatt_skipped", "")
    return stored
