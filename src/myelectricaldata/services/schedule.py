"""When the next automatic sync runs: the scheduler records its daily time at start-up (it is drawn at random), the
pages read it to say when a failed sync is tried again and when exporters next send (after each sync)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from ..database import repository as repo
from ..database import sync_ledger
from ..energy.timeline import PARIS
from .datasets import COMPLETE
from .runs import quota_paused_until
from .usage_points import read_usage_points

SCHEDULE_KEY = "sync_schedule"


@dataclass(frozen=True)
class Schedule:
    """The daily sync's Paris time, and the Paris hours of the retries while yesterday is missing (same minute)."""

    daily: time
    retry_hours: tuple[int, ...] = ()


def record_schedule(engine: Engine, daily: time, retry_hours: Sequence[int]) -> None:
    with engine.begin() as conn:
        repo.set_state(conn, SCHEDULE_KEY, {"daily": daily.strftime("%H:%M"), "retry_hours": list(retry_hours)})


def read_schedule(engine: Engine) -> Schedule | None:
    """The schedule of the running app, None when no scheduler ever ran (no gateway configured)."""
    with engine.connect() as conn:
        raw = repo.get_state(conn, SCHEDULE_KEY)
    if not isinstance(raw, dict) or not raw.get("daily"):
        return None
    return Schedule(time.fromisoformat(raw["daily"]), tuple(int(h) for h in raw.get("retry_hours") or ()))


def next_run(schedule: Schedule, after: datetime, retries: bool) -> datetime:
    """The first scheduled sync strictly after ``after``, in Paris time: the daily one, and the retries of yesterday's
    data when ``retries`` (they run only while it is missing)."""
    local = after.astimezone(PARIS)
    times = [schedule.daily, *(time(h, schedule.daily.minute) for h in schedule.retry_hours if retries)]
    for offset in (0, 1):
        day = local.date() + timedelta(days=offset)
        upcoming = [at for t in times if (at := datetime.combine(day, t, PARIS).astimezone(PARIS)) > local]
        if upcoming:
            return min(upcoming)
    raise AssertionError("a daily time always comes within two days")


def yesterday_missing(engine: Engine, yesterday: date) -> bool:
    """True while ``yesterday`` is not complete for some active PDL's consumption or production (the scheduler then
    retries during the day)."""
    with engine.connect() as conn:
        for up in read_usage_points(conn):
            if not up.is_active or up.attention:
                continue
            for name, wanted in (("consumption_daily", up.has_consumption), ("production_daily", up.has_production)):
                entry = sync_ledger.ledger(conn, up.usage_point_id, name, yesterday).get(yesterday)
                if wanted and (entry is None or entry.status != COMPLETE):
                    return True
    return False


def next_sync_at(engine: Engine, now: datetime) -> datetime | None:
    """When the scheduler next syncs the data (after a quota pause in force), None without a scheduler; exporters
    send after it."""
    schedule = read_schedule(engine)
    if schedule is None:
        return None
    paused = quota_paused_until(engine, now)
    after = max(now.astimezone(UTC), paused.astimezone(UTC)) if paused else now
    retries = bool(schedule.retry_hours) and yesterday_missing(engine, now.astimezone(PARIS).date() - timedelta(days=1))
    return next_run(schedule, after, retries)
