"""When syncs run: daily after Enedis publishes, retries while J-1 is missing, Tempo and EcoWatt checks; the supplier
catalog at start-up and daily, the Zen Flex days after EDF publishes tomorrow's."""

from __future__ import annotations

import logging
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from ..energy.timeline import PARIS
from .calendars import tempo_colours
from .catalog import CatalogSync
from .lock import SyncBusy
from .schedule import record_schedule, yesterday_missing
from .sync import SyncService

log = logging.getLogger(__name__)
SPREAD_MINUTES = 120
RETRY_HOURS = (11, 13, 15, 17, 19, 21)
CATALOG_AFTER = time(5, 0)  # the catalog's daily fetch, spread over the two hours after
ZEN_FLEX_HOURS = (12, 13, 15, 18, 21)  # EDF publishes tomorrow's Zen Flex type during the day, from about noon


def daily_time(after: time, rng: random.Random | None = None) -> time:
    """The daily sync time: ``after`` plus a random delay, so users do not all call at once."""
    rng = rng or random.Random()
    start = datetime.combine(date(2000, 1, 1), after) + timedelta(minutes=rng.randrange(SPREAD_MINUTES))
    return start.time()


class SyncJobs:
    """The scheduled jobs; each one is safe to call at any time and never raises."""

    def __init__(self, sync: SyncService) -> None:
        self.sync = sync

    def _run(self, what: str, **kwargs: Any) -> None:
        try:
            self.sync.run(**kwargs)
        except SyncBusy:
            log.info("%s skipped: a sync is already running", what)
        except Exception:
            log.exception("%s failed", what)

    def daily(self) -> None:
        self._run("daily sync")

    def missing_yesterday(self) -> bool:
        """True while J-1 is not complete for some active PDL's consumption or production."""
        return yesterday_missing(self.sync.engine, self.sync.today() - timedelta(days=1))

    def retry_yesterday(self) -> None:
        if self.missing_yesterday():
            self._run("J-1 retry", include=("data",))

    def tempo_tomorrow(self) -> None:
        tomorrow = self.sync.today() + timedelta(days=1)
        if tomorrow in tempo_colours(self.sync.engine, tomorrow, tomorrow):
            return
        self._run("Tempo check", include=("tempo",))

    def ecowatt(self) -> None:
        self._run("EcoWatt", include=("ecowatt",))


class CatalogJobs:
    """The catalog's scheduled jobs; each one is safe to call at any time and never raises."""

    def __init__(self, catalog: CatalogSync) -> None:
        self.catalog = catalog

    def daily(self) -> None:
        try:
            self.catalog.run()
        except Exception:
            log.exception("catalog sync failed")

    def zen_flex_tomorrow(self) -> None:
        try:
            self.catalog.zen_flex_tomorrow()
        except Exception:
            log.exception("Zen Flex check failed")


def build_scheduler(sync: SyncService, after: time, *, first_run_in: float | None = 5.0,
                    catalog: CatalogSync | None = None, catalog_first_run_in: float | None = 10.0) -> Any:
    """A started-later APScheduler with the sync jobs, and the catalog's when given (times are Europe/Paris)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    jobs = SyncJobs(sync)
    when = daily_time(after)
    scheduler = BackgroundScheduler(timezone=PARIS, job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": 3600})
    scheduler.add_job(jobs.daily, CronTrigger(hour=when.hour, minute=when.minute, timezone=PARIS),
                      id="daily_sync", name=f"daily sync at {when:%H:%M}")
    scheduler.add_job(jobs.retry_yesterday, CronTrigger(hour=",".join(map(str, RETRY_HOURS)),
                                                        minute=when.minute, timezone=PARIS),
                      id="retry_yesterday", name="retry while J-1 is missing")
    scheduler.add_job(jobs.tempo_tomorrow, CronTrigger(hour="11,12,14", minute=15, timezone=PARIS),
                      id="tempo_tomorrow", name="tomorrow's Tempo colour")
    scheduler.add_job(jobs.ecowatt, CronTrigger(hour=17, minute=30, timezone=PARIS),
                      id="ecowatt", name="EcoWatt signals")
    if first_run_in is not None:
        scheduler.add_job(jobs.daily, "date", run_date=datetime.now(PARIS) + timedelta(seconds=first_run_in),
                          id="first_sync", name="sync at start-up")
    if catalog is not None:
        _catalog_jobs(scheduler, CatalogJobs(catalog), catalog_first_run_in)
    if isinstance(sync, SyncService):  # the pages say when a failed sync is tried again and exporters next send
        record_schedule(sync.engine, when, RETRY_HOURS)
    log.info("daily sync scheduled at %s Europe/Paris", f"{when:%H:%M}")
    return scheduler


def _catalog_jobs(scheduler: Any, jobs: CatalogJobs, first_run_in: float | None) -> None:
    from apscheduler.triggers.cron import CronTrigger

    when = daily_time(CATALOG_AFTER)
    scheduler.add_job(jobs.daily, CronTrigger(hour=when.hour, minute=when.minute, timezone=PARIS),
                      id="catalog_daily", name=f"supplier catalog at {when:%H:%M}")
    scheduler.add_job(jobs.zen_flex_tomorrow, CronTrigger(hour=",".join(map(str, ZEN_FLEX_HOURS)), minute=20,
                                                          timezone=PARIS),
                      id="zen_flex_tomorrow", name="tomorrow's Zen Flex day")
    if first_run_in is not None:
        scheduler.add_job(jobs.daily, "date", run_date=datetime.now(PARIS) + timedelta(seconds=first_run_in),
                          id="first_catalog", name="supplier catalog at start-up")
