"""The dashboard as a household reads it: yesterday's cost in euros, the request counter, the next automatic sync in
Paris time, and a failed sync shown as a failure in French with what to do and when it is tried again."""

from __future__ import annotations

import re
from datetime import UTC, date, time
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services.background import BackgroundSync
from myelectricaldata.services.schedule import record_schedule
from myelectricaldata.services.scheduler import RETRY_HOURS
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator
from myelectricaldata.web.app import create_app
from tests.support.syncing import NOON, TODAY, copy_sqlite, synced_sqlite

HCHP = "99000000000002"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard")
    with synced_sqlite(folder, [HCHP], date(2025, 10, 1)):
        pass
    return folder / "synced.db"


@pytest.fixture
def engine(template, tmp_path):
    engine = copy_sqlite(template, tmp_path / "copy.db")
    yield engine
    engine.dispose()


def client_for(engine, folder: Path, sync: SyncService | None = None):
    settings = load_settings(environ={"DATA_DIR": str(folder)}, options_file=Path("/nonexistent"))
    services = AppServices(engine, sync, BackgroundSync(sync) if sync else None, clock=lambda: NOON)
    return create_app(settings, services).test_client()


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_yesterday_s_cost_in_euros_and_the_next_sync_in_paris_time(engine, tmp_path):
    record_schedule(engine, time(8, 47), RETRY_HOURS)
    page = text(client_for(engine, tmp_path).get("/").text)
    # Maison Tours (HP/HC) has yesterday's load curve: its cost is shown in euros, subscription included
    assert re.search(r"Hier \d+,\d kWh · \d+,\d\d € \(abonnement compris\)", page)
    # at noon on 5 November the two PDLs never synced lack yesterday: the 13:47 retry comes next
    assert "Prochaine synchronisation automatique : 05/11/2025 13:47 (heure de Paris)" in page
    assert "UTC" not in page


def test_a_refused_secret_is_shown_as_a_failure_with_the_fix_and_the_next_try(engine, tmp_path):
    record_schedule(engine, time(8, 47), RETRY_HOURS)
    with start_simulator(today=TODAY) as sim:
        client = GatewayClient(sim.url, "demo", "wrong secret", retry=RetryPolicy(attempts=1, base=0.01, cap=0.01))
        sync = SyncService(engine, client, tmp_path / "sync.lock", clock=sim.state.now)
        assert not sync.run().ok
    app = client_for(engine, tmp_path, sync)
    html = app.get("/").text
    page = text(html)
    assert "Échec de la synchronisation : identifiants refusés par la passerelle" in page
    assert 'href="/setup#put">Corriger les identifiants</a>' in html
    assert "Prochain essai automatique : 05/11/2025 13:47 (heure de Paris)" in page
    assert 'role="alert"' in html
    progress = app.get("/sync/progress").get_json()
    assert progress["failed"] is True and progress["outcome"] == "auth" and not progress["running"]
    assert progress["message"] == "échec : identifiants refusés par la passerelle"
    assert f'data-reload-when-done="{progress["run_id"]}"' in html  # the page reloads only when a newer run ends


def test_the_request_counter_is_the_gateway_s_of_today(engine, tmp_path):
    from myelectricaldata.database import repository as repo

    with engine.begin() as conn:
        stats = repo.get_state(conn, "usage_stats")
        repo.set_state(conn, "usage_stats", {**stats, "cached_requests": 40, "cached_limit": 500,
                                             "date": NOON.astimezone(UTC).date().isoformat()})
    page = text(client_for(engine, tmp_path).get("/").text)
    assert "Requêtes à la passerelle aujourd'hui : 40 / 500 (460 restantes" in page
    assert "le compteur repart de zéro chaque jour à 01:00 (heure de Paris)" in page  # 00:00 UTC in November
    with engine.begin() as conn:
        repo.set_state(conn, "usage_stats", {**stats, "cached_requests": 40, "cached_limit": 500, "date": "2025-11-04"})
    assert "Requêtes à la passerelle aujourd'hui : 0 / 500 (500 restantes)" in text(client_for(engine, tmp_path)
                                                                                  .get("/").text)
