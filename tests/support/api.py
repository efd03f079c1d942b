"""The REST API's test app: a SQLite database synced from the simulator (today frozen on 2025-11-05) since
``SINCE``, the app on it with a background sync limited to those days, and JSON reads that check the answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.services.background import BackgroundSync
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from myelectricaldata.web.app import create_app
from tests.support.syncing import TODAY, make_sync

BASE, HCHP, TEMPO = (h.usage_point_id for h in DEMO_HOUSEHOLDS)
SINCE = date(2025, 9, 1)
UNKNOWN = "12345678901234"


class RecentSync(BackgroundSync):
    """The real background sync, limited to the days since SINCE (a full backfill takes seconds)."""

    def start(self, pdls=None, since=None) -> bool:
        return super().start(pdls, since or SINCE)


@contextmanager
def synced_api(folder: Path) -> Iterator[tuple]:
    """A migrated SQLite database in ``folder`` synced from 2025-09-01 to yesterday: (simulator, engine, sync,
    folder), the simulator still running."""
    with start_simulator(today=TODAY) as sim:
        engine = make_engine(f"sqlite:///{folder / 'api.db'}")
        upgrade(engine)
        sync = make_sync(engine, sim, folder)
        report = sync.run(since=SINCE)
        assert report.ok, report.message
        yield sim, engine, sync, folder
        engine.dispose()


def build_app(synced, runner: bool = True, options: dict | None = None, **environ: str):
    sim, engine, sync, folder = synced
    options_file = Path("/nonexistent")
    if options is not None:
        options_file = folder / "options.json"
        options_file.write_text(json.dumps(options))
    settings = load_settings(environ={"DATA_DIR": str(folder), **environ}, options_file=options_file)
    services = AppServices(engine, sync, RecentSync(sync) if runner else None, clock=sim.state.now)
    return create_app(settings, services)


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def error(client, url: str, status: int, code: str, *words: str) -> None:
    body = get(client, url, status)
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    for word in words:
        assert word in body["error"]["message"], body
