"""The scheduled jobs: when they fire and what each one decides to do."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta

import pytest

from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services.lock import sync_lock
from myelectricaldata.services.scheduler import RETRY_HOURS, SyncJobs, build_scheduler, daily_time
from myelectricaldata.simulator import start_simulator
from tests.support.syncing import NOON, TODAY, make_sync


@pytest.fixture
def sim():
    with start_simulator(today=TODAY) as running:
        yield running


def test_daily_time_is_spread_over_two_hours_after_the_setting():
    times = {daily_time(time(8, 30), random.Random(seed)) for seed in range(300)}
    assert min(times) >= time(8, 30) and max(times) <= time(10, 29)
    assert len(times) > 60  # spread, not one fixed minute for every user


def test_jobs_and_their_next_times(sqlite_engine, sim, tmp_path):
    scheduler = build_scheduler(make_sync(sqlite_engine, sim, tmp_path), time(8, 30), first_run_in=None)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"daily_sync", "retry_yesterday", "tempo_tomorrow", "ecowatt"}
    now = datetime(2025, 11, 5, 7, 0, tzinfo=PARIS)

    def next_fire(job_id, after=now):
        return jobs[job_id].trigger.get_next_fire_time(None, after).astimezone(PARIS)

    daily = next_fire("daily_sync")
    assert daily.date() == date(2025, 11, 5) and time(8, 30) <= daily.time() <= time(10, 29)
    assert next_fire("retry_yesterday").hour == RETRY_HOURS[0]
    assert next_fire("tempo_tomorrow") == datetime(2025, 11, 5, 11, 15, tzinfo=PARIS)
    assert next_fire("ecowatt") == datetime(2025, 11, 5, 17, 30, tzinfo=PARIS)
    assert next_fire("ecowatt", datetime(2025, 11, 5, 18, 0, tzinfo=PARIS)).date() == date(2025, 11, 6)


def test_first_run_at_start_up_is_optional(sqlite_engine, sim, tmp_path):
    scheduler = build_scheduler(make_sync(sqlite_engine, sim, tmp_path), time(8, 30), first_run_in=5)
    assert "first_sync" in {job.id for job in scheduler.get_jobs()}


@pytest.mark.slow
def test_retry_runs_only_while_yesterday_is_missing(sqlite_engine, sim, tmp_path):
    jobs = SyncJobs(make_sync(sqlite_engine, sim, tmp_path))
    sim.state.set_now(datetime(2025, 11, 5, 7, 0, tzinfo=PARIS))  # J-1 not published before 08:00
    jobs.daily()
    assert jobs.missing_yesterday()
    with sqlite_engine.connect() as conn:
        days = sync_ledger.ledger(conn, "99000000000001", "consumption_daily")
        assert days[TODAY - timedelta(days=1)][0] == "missing"

    sim.state.set_now(NOON)
    sim.state.requests.clear()
    jobs.retry_yesterday()
    assert sim.state.calls("/consumption/daily/")
    assert not jobs.missing_yesterday()

    sim.state.requests.clear()
    jobs.retry_yesterday()
    assert sim.state.requests == []  # nothing missing: no sync, no request


def test_tempo_check_asks_only_while_tomorrow_is_unknown(sqlite_engine, sim, tmp_path):
    jobs = SyncJobs(make_sync(sqlite_engine, sim, tmp_path))
    sim.state.set_now(datetime(2025, 11, 5, 10, 0, tzinfo=PARIS))  # before RTE publishes tomorrow
    jobs.tempo_tomorrow()
    assert len(sim.state.calls("/tempo/days")) == 1
    with sqlite_engine.connect() as conn:
        assert TODAY + timedelta(days=1) not in repo.tempo_known_days(conn, TODAY, TODAY + timedelta(days=1))
    sim.state.set_now(NOON)
    jobs.tempo_tomorrow()
    assert len(sim.state.calls("/tempo/days")) == 2
    jobs.tempo_tomorrow()
    assert len(sim.state.calls("/tempo/days")) == 2


def test_a_job_never_raises_and_skips_while_a_sync_runs(sqlite_engine, sim, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    sync = make_sync(sqlite_engine, sim, tmp_path)
    jobs = SyncJobs(sync)
    with sync_lock(sync.lock_path):
        jobs.daily()
    assert "skipped: a sync is already running" in caplog.text
    sync.engine = None  # anything unexpected inside a job is logged, never raised into the scheduler
    jobs.ecowatt()
    assert "EcoWatt failed" in caplog.text
