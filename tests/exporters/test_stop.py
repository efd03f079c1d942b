"""The application's stop as the exports see it: no export starts once it is asked, and a running one whose target
never answers is cut after the grace, its marks and status untouched (it is sent again at the next start)."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from myelectricaldata.exporters import store
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services.outcome import Outcome
from tests.support.net import BlackHole
from tests.support.syncing import synced_sqlite
from tests.support.waiting import wait_for

BASE = "99000000000001"
TARGETS = ("victoriametrics", "jeedom")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    with synced_sqlite(tmp_path_factory.mktemp("stop"), [BASE], date(2025, 10, 28)) as engine:
        yield engine


@pytest.fixture
def manager(db, tmp_path):
    made = ExporterManager(db, tmp_path, None, entry_points=False)
    yield made
    made.close()
    with db.begin() as conn:
        for name in TARGETS:
            store.clear_marks(conn, name)
            store.save_status(conn, name, store.RunStatus())
            store.save_settings(conn, name, False, {})


def configure(manager: ExporterManager, name: str, url: str) -> None:
    config = {"url": url, "timeout": 600 if name == "victoriametrics" else 120}
    if name == "jeedom":
        config.update(api_key="k" * 32, cmd_last_sync="12", cmd_tempo_remaining_blue="13")
    assert not manager.save_config(name, config, enabled=True)


def untouched(manager: ExporterManager, name: str) -> bool:
    with manager.engine.connect() as conn:
        marks, status = store.get_marks(conn, name), store.get_status(conn, name)
    return not marks and status.failures == 0 and not status.last_error and status.last_export_at is None


def test_once_the_stop_is_asked_no_export_starts(manager):
    with BlackHole() as hole:
        configure(manager, "victoriametrics", hole.url)
        manager.stop.request(grace=5)
        results = manager.run_exports(force=True)
    assert results["victoriametrics"].outcome == Outcome.STOPPED
    assert hole.connections == 0 and untouched(manager, "victoriametrics")


@pytest.mark.parametrize("name", TARGETS)
def test_an_export_to_a_target_that_never_answers_is_cut_after_the_grace(manager, name):
    results = {}
    with BlackHole() as hole:
        configure(manager, name, hole.url)
        running = threading.Thread(target=lambda: results.update(manager.run_exports(names=[name], force=True)))
        running.start()
        wait_for(lambda: hole.connections, 30, f"{name} connecting to the black hole")
        asked = time.monotonic()
        manager.stop.request(grace=0.5)
        running.join(60)
        cut_after = time.monotonic() - asked
        assert not running.is_alive(), f"{name}'s export still running 60 s after the stop"
    print(f"{name}: export cut {cut_after:.1f} s after the stop (grace 0.5 s)")
    assert results[name].outcome == Outcome.STOPPED
    assert untouched(manager, name)
