"""When the next automatic sync runs: the scheduler's recorded daily time, the retries while yesterday is missing,
a quota pause in force; and the gateway's request counter as it stands now."""

from __future__ import annotations

from datetime import UTC, datetime, time

from myelectricaldata.database import repository as repo
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services.outcome import Outcome
from myelectricaldata.services.overview import RequestsToday, requests_today
from myelectricaldata.services.runs import SyncRun
from myelectricaldata.services.schedule import Schedule, next_run, next_sync_at, read_schedule, record_schedule
from myelectricaldata.services.scheduler import RETRY_HOURS, build_scheduler
from myelectricaldata.services.status import UsageStats
from myelectricaldata.services.sync import SyncService

SCHEDULE = Schedule(time(8, 47), (11, 13, 15, 17, 19, 21))


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_the_next_run_is_the_daily_time_or_a_retry_while_yesterday_is_missing():
    morning = paris(2025, 11, 5, 9, 0)
    assert next_run(SCHEDULE, morning, retries=True) == paris(2025, 11, 5, 11, 47)
    assert next_run(SCHEDULE, morning, retries=False) == paris(2025, 11, 6, 8, 47)
    assert next_run(SCHEDULE, paris(2025, 11, 5, 8, 0), retries=False) == paris(2025, 11, 5, 8, 47)
    assert next_run(SCHEDULE, paris(2025, 11, 5, 21, 47), retries=True) == paris(2025, 11, 6, 8, 47)  # strictly after
    assert next_run(SCHEDULE, paris(2025, 11, 5, 21, 46), retries=True) == paris(2025, 11, 5, 21, 47)


def test_the_next_run_is_told_in_paris_time_from_a_utc_moment():
    # 07:30 UTC on 5 November is 08:30 in Paris (UTC+1): the 08:47 sync comes the same morning
    assert next_run(SCHEDULE, datetime(2025, 11, 5, 7, 30, tzinfo=UTC), retries=False) == paris(2025, 11, 5, 8, 47)
    # in summer (UTC+2) 07:30 UTC is 09:30 in Paris: the daily sync is tomorrow's
    assert next_run(SCHEDULE, datetime(2025, 7, 5, 7, 30, tzinfo=UTC), retries=False) == paris(2025, 7, 6, 8, 47)


def test_next_sync_at_reads_the_recorded_schedule_and_waits_for_the_quota_pause(sqlite_engine):
    now = paris(2025, 11, 5, 22, 0)  # no PDL stored: nothing missing, no retry
    assert read_schedule(sqlite_engine) is None and next_sync_at(sqlite_engine, now) is None
    record_schedule(sqlite_engine, time(8, 47), RETRY_HOURS)
    assert read_schedule(sqlite_engine) == Schedule(time(8, 47), RETRY_HOURS)
    assert next_sync_at(sqlite_engine, paris(2025, 11, 5, 12, 0)) == paris(2025, 11, 6, 8, 47)
    assert next_sync_at(sqlite_engine, now) == paris(2025, 11, 6, 8, 47)
    with sqlite_engine.begin() as conn:  # paused until 11:00 Paris on the 6th: then the 7th
        repo.set_state(conn, "quota_paused_until", datetime(2025, 11, 6, 10, 0, tzinfo=UTC).isoformat())
    assert next_sync_at(sqlite_engine, now) == paris(2025, 11, 7, 8, 47)


def test_the_scheduler_records_its_daily_time(sqlite_engine, tmp_path):
    sync = SyncService(sqlite_engine, None, tmp_path / "sync.lock")  # type: ignore[arg-type]
    scheduler = build_scheduler(sync, time(8, 30), first_run_in=None)
    daily = next(job for job in scheduler.get_jobs() if job.id == "daily_sync")
    recorded = read_schedule(sqlite_engine)
    assert recorded is not None and recorded.retry_hours == RETRY_HOURS
    assert daily.name == f"daily sync at {recorded.daily:%H:%M}"


DETAIL = ('{"requests": {"token": 1, "pdl": 1, "contract": 3, "address": 3, "consumption_daily": 3, '
          '"consumption_load_curve": 3, "consumption_max_power": 3, "production_daily": 1, "production_load_curve": 1, '
          '"tempo": 1, "ecowatt": 1, "usage_stats": 1}, "stored": {}, "errors": []}')


def run(finished_at: datetime, detail: str | None = DETAIL) -> SyncRun:
    return SyncRun(1, finished_at, finished_at, Outcome.OK, 22, detail, "")


def test_the_request_counter_is_today_s_or_zero_once_the_gateway_reset_it():
    now = paris(2025, 11, 5, 12, 0)
    usage = UsageStats(cached_requests=42, cached_limit=500, date="2025-11-05")
    # 22 requests, of which the counter counts 17: 3 contracts + 3 addresses + 9 consumption + 2 production calls
    assert requests_today(usage, run(datetime(2025, 11, 5, 9, 0)), now) == RequestsToday(42, 500, 17)
    assert requests_today(usage, run(datetime(2025, 11, 5, 9, 0)), now).left == 458
    assert requests_today(usage, run(datetime(2025, 11, 5, 9, 0), None), now) == RequestsToday(42, 500, None)
    # read yesterday (UTC): the gateway has reset it since; yesterday's run is not today's
    stale = UsageStats(cached_requests=42, cached_limit=500, date="2025-11-04")
    assert requests_today(stale, run(datetime(2025, 11, 4, 9, 0)), now) == RequestsToday(0, 500, None)
    # 00:30 in Paris on 6 November is still 5 November in UTC: the counter has not reset yet
    assert requests_today(usage, None, paris(2025, 11, 6, 0, 30)) == RequestsToday(42, 500, None)
    assert requests_today(UsageStats(), None, now) is None
