"""What the Home Assistant exporter's tests share: the demo PDLs synced once into a template database, copies of it,
and checks on the statistics a fake Home Assistant holds."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from myelectricaldata.database.session import make_engine
from tests.support.fakes.ha_websocket import FakeHomeAssistant
from tests.support.syncing import synced_sqlite

BASE, HPHC, TEMPO = "99000000000001", "99000000000002", "99000000000003"
PDLS = [BASE, HPHC, TEMPO]
SINCE = date(2025, 10, 20)  # three weeks before TODAY, the fall-back day 2025-10-26 included
EXPORTER = "homeassistant"


def synced_template(folder: Path, pdls: list[str], since: date) -> Path:
    """A SQLite file holding ``pdls`` synced from the simulator since ``since`` (never written to afterwards)."""
    with synced_sqlite(folder, pdls, since):
        pass
    return folder / "synced.db"


def copy_of(source: Path, target: Path) -> Engine:
    """An engine on a copy of ``source`` at ``target``."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return make_engine(f"sqlite:///{target}")


def stored(ha: FakeHomeAssistant, sid: str) -> list[tuple[int, float, float]]:
    """(UTC start, state, sum) of every hour HA holds for a statistic."""
    return [(int(r["start"].timestamp()), r["state"], r["sum"]) for r in ha.statistics(sid)]


def assert_continuous(rows: list[tuple[int, float, float]]) -> None:
    """Each sum is the previous sum plus the hour's state, starting from 0."""
    running = 0.0
    for start, state, total in rows:
        running += state
        assert total == pytest.approx(running, abs=1e-6), datetime.fromtimestamp(start, UTC)
