"""Data repair: re-fetching chosen days keeps the data; purging removes one PDL's rows and nothing else."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS, local_midnight_utc
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, MaxPower
from myelectricaldata.services.datasets import wanted_days
from myelectricaldata.services.preferences import PdlPreferences, save_preferences
from myelectricaldata.services.repair import pdl_tables, purge, purge_preview, refetch
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from tests.support.syncing import TODAY, make_sync, snapshot

A, B = "11111111111111", "22222222222222"
OCTOBER = [date(2025, 10, 1) + timedelta(days=n) for n in range(10)]
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)


def fill(engine, pdl: str) -> None:
    """Ten days of every kind of row for one PDL."""
    with engine.begin() as conn:
        repo.save_usage_point(conn, pdl, name=f"PDL {pdl}")
        repo.store_daily(conn, pdl, "consumption", [DailyValue(d, 10_000 + n) for n, d in enumerate(OCTOBER)])
        start = int(local_midnight_utc(OCTOBER[0]).timestamp())
        repo.store_load_curve(conn, pdl, "consumption",
                              [CurvePoint(start + 1800 * n, 30, 500 + n, OCTOBER[0]) for n in range(48)])
        repo.store_max_power(conn, pdl, [MaxPower(d, 3000, start) for d in OCTOBER])
        for ds in ("consumption_daily", "consumption_load_curve"):
            sync_ledger.write_ledger(conn, pdl, ds, [(d, "complete", 1, 1, "") for d in OCTOBER], NOW)
            repo.set_dataset_state(conn, pdl, ds, last_outcome="ok")
        sync_ledger.write_ledger(conn, pdl, "consumption_max_power", [(OCTOBER[4], "given_up", 5, 0, "no data")], NOW)
        repo.record_contract(conn, pdl, TODAY, {"subscribed_kva": 6, "pricing_option": "BASE"})
        save_preferences(conn, PdlPreferences(pdl, "Maison", True, frozenset({"consumption_daily"})))
        repo.store_tempo(conn, [(d, "BLUE") for d in OCTOBER])


def ledger_rows(engine, pdl: str) -> dict[tuple[str, date], tuple[str, int]]:
    t = m.sync_days
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.dataset, t.c.day, t.c.status, t.c.attempts).where(t.c.usage_point_id == pdl))
        return {(r.dataset, r.day): (r.status, r.attempts) for r in rows}


def table_counts(engine, pdl: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.usage_point_id == pdl))
                for t in (*pdl_tables(), m.usage_points)}


def test_refetch_marks_exactly_the_chosen_days_and_keeps_the_data(engine):
    fill(engine, A)
    fill(engine, B)
    before_a, before_b, data = ledger_rows(engine, A), ledger_rows(engine, B), snapshot(engine)
    marked = refetch(engine, A, ["consumption_daily", "consumption_max_power"], OCTOBER[2], OCTOBER[4])
    assert marked == 4  # three daily days, plus the given-up max-power day
    after = ledger_rows(engine, A)
    chosen = {("consumption_daily", d) for d in OCTOBER[2:5]} | {("consumption_max_power", OCTOBER[4])}
    assert {k for k in after if after[k] != before_a[k]} == chosen
    assert all(after[k] == ("missing", 0) for k in chosen)
    assert set(after) == set(before_a)  # no ledger row added for days never asked
    assert ledger_rows(engine, B) == before_b
    assert snapshot(engine) == data  # readings untouched
    with engine.connect() as conn:
        ledger = sync_ledger.ledger(conn, A, "consumption_daily")
    assert wanted_days(OCTOBER[0], OCTOBER[-1], ledger) == OCTOBER[2:5]


def test_refetch_of_nothing(engine):
    fill(engine, A)
    assert refetch(engine, A, [], OCTOBER[0], OCTOBER[-1]) == 0
    assert refetch(engine, A, ["consumption_daily"], OCTOBER[5], OCTOBER[4]) == 0
    assert refetch(engine, B, ["consumption_daily"], OCTOBER[0], OCTOBER[-1]) == 0


def test_purge_removes_only_that_pdls_rows(engine):
    fill(engine, A)
    fill(engine, B)
    other, tempo = table_counts(engine, B), snapshot(engine)["tempo_days"]
    preview = purge_preview(engine, A)
    held = table_counts(engine, A)
    assert preview == {name: n for name, n in held.items() if name not in {"usage_points", *m.DERIVED}}
    assert preview["daily_energy"] == 10 and preview["load_curve"] == 48 and preview["sync_days"] == 21
    assert held["curve_days"] == 1  # the day profile of the 48 points
    assert preview["pdl_preferences"] == 1 and preview["contract_versions"] == 1 and preview["dataset_states"] == 2
    assert held["sync_spans"] == 3  # derived from the ledger: emptied with it, not shown as data
    assert purge(engine, A) == preview
    assert table_counts(engine, A) == {**dict.fromkeys(held, 0), "usage_points": 1}  # still listed
    assert table_counts(engine, B) == other
    assert snapshot(engine)["tempo_days"] == tempo
    assert purge(engine, A) == dict.fromkeys(preview, 0)


@pytest.fixture
def sim():
    with start_simulator(today=TODAY) as running:
        yield running


def test_sync_after_refetch_asks_again_and_stores_the_same_values(sqlite_engine, sim, tmp_path):
    pdl = DEMO_HOUSEHOLDS[0].usage_point_id
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=date(2025, 10, 28)).ok
    assert "consumption_daily" not in sync.run(since=date(2025, 10, 28)).requests  # nothing left to ask
    stored = snapshot(sqlite_engine)
    assert refetch(sqlite_engine, pdl, ["consumption_daily"], date(2025, 10, 30), date(2025, 10, 31)) == 2
    assert ledger_rows(sqlite_engine, pdl)[("consumption_daily", date(2025, 10, 30))] == ("missing", 0)
    report = sync.run(since=date(2025, 10, 28))
    assert report.ok and report.requests.get("consumption_daily") == 1
    assert "consumption_load_curve" not in report.requests
    assert ledger_rows(sqlite_engine, pdl)[("consumption_daily", date(2025, 10, 30))][0] == "complete"
    assert snapshot(sqlite_engine)["daily_energy"] == stored["daily_energy"]
