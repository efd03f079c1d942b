"""What a sync leaves to read: the status (typed, and as JSON for ``status --json``), the dashboard, the progress,
the run records with their outcome; and the priced days a sync makes the app forget."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.services import pricing
from myelectricaldata.services.outcome import Outcome
from myelectricaldata.services.overview import dashboard
from myelectricaldata.services.price_cache import PriceCache
from myelectricaldata.services.progress import SyncProgress, sync_progress
from myelectricaldata.services.runs import last_runs
from myelectricaldata.services.status import collect_status, format_status
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from tests.support.syncing import NOON, TODAY, make_sync

BASE, HCHP, TEMPO = (h.usage_point_id for h in DEMO_HOUSEHOLDS)


@pytest.fixture
def synced(sqlite_engine, tmp_path):
    with start_simulator(today=TODAY) as sim:
        report = make_sync(sqlite_engine, sim, tmp_path).run(since=TODAY - timedelta(days=3))
    assert report.outcome == Outcome.OK and report.ok
    return sqlite_engine


def test_status_is_typed_and_its_json_keeps_the_stored_words(synced):
    status = collect_status(synced, NOON)
    assert [s.usage_point.usage_point_id for s in status.usage_points] == [BASE, HCHP, TEMPO]
    base = status.usage_points[0]
    assert base.contract is not None and base.contract.usage_point_id == BASE
    daily = next(ds for ds in base.datasets if ds.dataset == "consumption_daily")
    assert (daily.first, daily.last, daily.outcome) == (TODAY - timedelta(days=3), TODAY - timedelta(days=1),
                                                        Outcome.OK)
    assert status.runs[0].outcome == Outcome.OK and status.quota.usage.cached_limit is not None
    data = json.loads(json.dumps(status.as_json(), default=str))
    assert set(data) == {"usage_points", "runs", "quota"}
    first = data["usage_points"][0]
    assert first["usage_point_id"] == BASE and first["contract"]["usage_point_id"] == BASE
    assert {"name", "pricing_option", "attention", "street", "updated_at", "datasets"} <= set(first)
    assert first["datasets"][0]["outcome"] == "ok" and data["runs"][0]["outcome"] == "ok"
    assert set(data["quota"]) == {"paused_until", "cached_used", "cached_limit", "no_cache_used", "no_cache_limit",
                                  "date", "ecowatt_paused_until"}


def test_dashboard_and_progress_after_a_sync(synced):
    view = dashboard(synced, NOON)
    assert [c.usage_point_id for c in view.cards] == [BASE, HCHP, TEMPO]
    card = view.cards[0]
    assert card.yesterday_wh is not None and card.yesterday_wh > 0 and card.enabled
    assert view.last_run is not None and view.last_run.outcome == Outcome.OK and view.today == TODAY
    assert view.tempo_today in ("BLUE", "WHITE", "RED")
    assert sync_progress(synced, False) == SyncProgress(False, 0, 0, "terminée", view.last_run.id, "ok", False)
    assert sync_progress(synced, True).running
    base = view.cards[0]
    assert base.yesterday_cost is not None and base.yesterday_cost > 0  # priced from yesterday's load curve
    # the simulator's counter: 3 contracts + 3 addresses + 3 consumption datasets x 3 PDLs + 2 production datasets
    assert view.requests is not None and (view.requests.used, view.requests.left) == (17, 1000 - 17)


def test_a_refused_secret_is_a_failure_in_french_on_the_progress(sqlite_engine, tmp_path):
    from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
    from myelectricaldata.services.sync import SyncService

    with start_simulator(today=TODAY) as sim:
        client = GatewayClient(sim.url, "demo", "wrong secret", retry=RetryPolicy(attempts=1, base=0.01, cap=0.01))
        report = SyncService(sqlite_engine, client, tmp_path / "sync.lock", clock=sim.state.now).run()
    assert report.outcome == Outcome.AUTH
    progress = sync_progress(sqlite_engine, False)
    assert progress == SyncProgress(False, 0, 0, "échec : identifiants refusés par la passerelle",
                                    last_runs(sqlite_engine, 1)[0].id, "auth", True)


def test_a_run_left_running_is_closed_as_interrupted(synced, tmp_path):
    from myelectricaldata.services.runs import start_run

    start_run(synced)
    assert last_runs(synced, 1)[0].outcome == Outcome.RUNNING
    assert sync_progress(synced, False).running
    with start_simulator(today=TODAY) as sim:
        make_sync(synced, sim, tmp_path).run(include=("tempo",))
    assert [r.outcome for r in last_runs(synced, 3)] == [Outcome.OK, Outcome.INTERRUPTED, Outcome.OK]


def test_a_sync_that_stores_readings_forgets_the_priced_days(sqlite_engine, tmp_path):
    prices: PriceCache = PriceCache()
    day = TODAY - timedelta(days=2)
    with start_simulator(today=TODAY) as sim:
        sync = make_sync(sqlite_engine, sim, tmp_path)
        sync.prices = prices
        assert sync.run(pdls=[BASE], since=TODAY - timedelta(days=2), include=("data",)).ok
        priced = pricing.cost_by_day(sqlite_engine, BASE, day, day, prices)
        assert len(priced) == 1 and len(prices) == 1
        assert sync.run(pdls=[BASE], since=day, include=("data",)).ok  # nothing new to store: kept
        assert len(prices) == 1
        assert sync.run(pdls=[BASE], since=date(2025, 10, 1), include=("data",)).ok  # older days stored
        assert len(prices) == 0


def test_after_a_quota_cut_status_names_the_days_never_asked_and_an_expired_pause_is_cleared(sqlite_engine, tmp_path):
    with start_simulator(today=TODAY) as sim:
        sim.state.quota.cache_limit = 4  # the PDL, its contract, its address, then two windows of daily energy
        report = make_sync(sqlite_engine, sim, tmp_path).run(pdls=[BASE])
    assert report.outcome == Outcome.QUOTA
    status = collect_status(sqlite_engine, NOON)
    daily = next(ds for ds in status.usage_points[0].datasets if ds.dataset == "consumption_daily")
    # windows of 365 days from the 3-year horizon: 2022-11-05..2023-11-04 and 2023-11-05..2024-11-03 came; the
    # third, 2024-11-04..2025-11-03, was refused and the last, 2025-11-04 (yesterday), never asked: 366 days
    assert (daily.first, daily.last) == (date(2022, 11, 5), date(2024, 11, 3))
    assert daily.unasked == ((date(2024, 11, 4), date(2025, 11, 4)),) and daily.unasked_days == 366
    curve = next(ds for ds in status.usage_points[0].datasets if ds.dataset == "consumption_load_curve")
    assert curve.unasked == ((date(2023, 11, 5), date(2025, 11, 4)),) and curve.unasked_days == 731
    text = format_status(status)
    assert "pas encore demandés, 366 jour(s) : 04/11/2024 au 04/11/2025" in text
    assert "Quota atteint : synchronisations en pause jusqu'au 06/11/2025 01:00" in text  # 00:00 UTC in Paris
    assert "UTC" not in text and "consumption_daily" not in text and "Consommation journalière" in text
    shown = json.loads(json.dumps(status.as_json(), default=str))["usage_points"][0]["datasets"][0]
    assert shown["unasked"] == [["2024-11-04", "2025-11-04"]]
    later = collect_status(sqlite_engine, datetime(2025, 11, 6, 0, 30, tzinfo=UTC))
    assert later.quota.paused_until is None
    with sqlite_engine.connect() as conn:
        assert repo.get_state(conn, "quota_paused_until") == ""  # cleared, not only ignored


def test_days_never_asked_around_and_inside_the_ledger_come_from_one_read_for_every_pdl(synced):
    # synced from 2025-11-02 (3 days before today, 2025-11-05): the 3-year horizon of daily energy starts on
    # 2022-11-05, so 2022-11-05..2025-11-01 was never asked; then 2025-11-03 is taken out of the ledger: a gap
    ds = "consumption_daily"
    status = collect_status(synced, NOON)
    daily = {s.usage_point.usage_point_id: next(d for d in s.datasets if d.dataset == ds) for s in status.usage_points}
    assert daily[BASE].unasked == ((date(2022, 11, 5), date(2025, 11, 1)),)
    with synced.begin() as conn:
        sync_ledger.forget_ledger_days(conn, BASE, ds, [date(2025, 11, 3)])
        t = m.sync_days
    status = collect_status(synced, NOON)
    gap = {s.usage_point.usage_point_id: next(d for d in s.datasets if d.dataset == ds) for s in status.usage_points}
    assert gap[BASE].unasked == ((date(2022, 11, 5), date(2025, 11, 1)), (date(2025, 11, 3), date(2025, 11, 3)))
    # 1,096 days from 2022-11-05 to 2025-11-04, 3 of them synced, one taken out again
    assert gap[BASE].unasked_days == 1093 + 1
    assert (gap[BASE].first, gap[BASE].last) == (date(2025, 11, 2), date(2025, 11, 4))
    assert gap[BASE].days == {"complete": 2} and gap[HCHP] == daily[HCHP]
    with synced.begin() as conn:
        conn.execute(t.update().where(t.c.usage_point_id == BASE, t.c.dataset == ds, t.c.day == date(2025, 11, 4))
                     .values(status="missing"))
    status = collect_status(synced, NOON)
    [late] = [d for s in status.usage_points if s.usage_point.usage_point_id == BASE for d in s.datasets
              if d.dataset == ds]
    # 2025-11-02 complete, 2025-11-03 not in the ledger, 2025-11-04 missing
    assert late.days == {"complete": 1, "missing": 1} and (late.first, late.last) == (date(2025, 11, 2),) * 2
    assert late.not_complete == ((date(2025, 11, 4), date(2025, 11, 4)),) and late.unasked == gap[BASE].unasked
