"""The catalog sync against the simulated gateway: each part stored with its freshness, a failing part noted without
touching what is stored, the price cache forgotten only when grids or Zen Flex days change, Zen Flex asked again
only while tomorrow is unknown, one run at a time; and the jobs that run it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from myelectricaldata.database import catalog as store
from myelectricaldata.database import models as m
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services import catalog
from myelectricaldata.services.catalog import CatalogSync
from myelectricaldata.services.price_cache import PriceCache
from myelectricaldata.services.scheduler import ZEN_FLEX_HOURS, build_scheduler
from myelectricaldata.simulator.catalog import catalog as published
from tests.support.simfront import TODAY, make_client, plug_in, serving_front, statuses
from tests.support.syncing import make_sync

NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)


@pytest.fixture(scope="module")
def server():
    with serving_front() as running:
        yield running


@pytest.fixture
def sim(server):
    return plug_in(server)


@pytest.fixture
def prices():
    cache: PriceCache = PriceCache()
    cache.get("kept", 1, lambda: "a priced result")
    return cache


def make_catalog(engine, sim, prices=None, clock=lambda: NOON) -> CatalogSync:
    return CatalogSync(engine, make_client(sim.url), clock=clock, prices=prices)


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def test_a_sync_stores_every_part_and_its_freshness(engine, sim, prices):
    report = make_catalog(engine, sim, prices).run()
    assert report.ok and report.changed and set(report.stored) == {"offers", "offer_types", "zen_flex"}
    status = catalog.status(engine)
    offers = status.offers
    assert offers.fetched_at is not None and offers.received == len(published(TODAY)) and offers.last_error == ""
    assert offers.stored == count(engine, m.catalog_grids) == report.stored["offers"]
    assert status.parts["providers"].received == count(engine, m.catalog_providers) >= 12
    assert status.parts["offer_types"].received == 7
    assert status.zen_flex_until == TODAY + timedelta(days=1)  # tomorrow is published from noon
    assert len(prices) == 0  # the grids changed: priced results forgotten
    assert sim.state.calls("/energy/offers")[0].query == {"include_history": "true"}


def test_the_same_answer_again_changes_nothing_and_keeps_the_cache(engine, sim, prices):
    make_catalog(engine, sim).run()
    with engine.connect() as conn:
        before = store.grids_fingerprint(conn)
    report = make_catalog(engine, sim, prices).run()
    assert report.ok and not report.changed and len(prices) == 1
    with engine.connect() as conn:
        assert store.grids_fingerprint(conn) == before
    # the second Zen Flex fetch asks only the last week again, the calendar having no gap
    assert sim.state.calls("/zen-flex/days")[-1].query == {
        "start": (TODAY - timedelta(days=7)).isoformat(), "end": (TODAY + timedelta(days=1)).isoformat()}


def test_a_failing_part_is_noted_and_what_is_stored_stays(engine, sim, prices):
    make_catalog(engine, sim).run()
    grids, days = count(engine, m.catalog_grids), count(engine, m.zen_flex_days)
    with engine.connect() as conn:
        fetched = store.catalog_freshness(conn)["offers"].fetched_at
    sim.state.inject("server_error", 3, path="/energy/offers")
    report = make_catalog(engine, sim, prices).run()
    assert not report.ok and set(report.errors) == {"offers"} and "HTTP 500" in report.errors["offers"]
    assert report.stored["zen_flex"] and report.stored["offer_types"] == 7  # the other parts went on
    assert statuses(sim, "/energy/offers")[-3:] == [500, 500, 500]  # retried with back-off, then given up
    assert (count(engine, m.catalog_grids), count(engine, m.zen_flex_days)) == (grids, days)
    status = catalog.status(engine)
    assert status.offers.fetched_at == fetched and "HTTP 500" in status.offers.last_error
    assert "HTTP 500" in status.parts["providers"].last_error
    assert status.offers.tried_at >= fetched and len(prices) == 1
    assert make_catalog(engine, sim).run().ok and catalog.status(engine).offers.last_error == ""


def test_the_routes_are_public_and_work_with_the_quota_used_up(engine, sim):
    sim.state.exhaust_quota()
    assert make_catalog(engine, sim).run().ok
    assert all(auth is None for method, path, auth in sim.front.seen)


def test_zen_flex_is_asked_only_while_tomorrow_is_unknown(engine, sim, prices):
    morning = datetime(2025, 11, 5, 9, 0, tzinfo=PARIS)
    sim.state.set_now(morning)
    job = make_catalog(engine, sim, prices, clock=lambda: morning)
    first = job.zen_flex_tomorrow()  # tomorrow not published before noon
    assert first is not None and first.changed and catalog.status(engine).zen_flex_until == TODAY
    assert sim.state.calls("/energy/offers") == []  # the Zen Flex job fetches the days only
    sim.state.set_now(NOON)
    job.clock = lambda: NOON
    second = job.zen_flex_tomorrow()
    assert second is not None and second.changed and catalog.status(engine).zen_flex_until == TODAY + timedelta(1)
    calls = len(sim.state.calls("/zen-flex/days"))
    assert job.zen_flex_tomorrow() is None and len(sim.state.calls("/zen-flex/days")) == calls


def test_one_run_at_a_time(engine, sim):
    job = make_catalog(engine, sim)
    with job._running:  # as a run in another thread holds it
        report = job.run()
    assert report.skipped and not report.ok and "skipped" in report.summary()
    assert sim.state.calls("/energy") == []


def test_the_scheduler_runs_the_catalog_daily_at_start_up_and_zen_flex_after_noon(sqlite_engine, sim, tmp_path):
    scheduler = build_scheduler(make_sync(sqlite_engine, sim, tmp_path), time(8, 30), first_run_in=None,
                                catalog=make_catalog(sqlite_engine, sim), catalog_first_run_in=5)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"catalog_daily", "zen_flex_tomorrow", "first_catalog"} <= set(jobs)
    now = datetime(2025, 11, 5, 4, 0, tzinfo=PARIS)
    daily = jobs["catalog_daily"].trigger.get_next_fire_time(None, now).astimezone(PARIS)
    assert daily.date() == TODAY and time(5, 0) <= daily.time() <= time(6, 59)
    zen = jobs["zen_flex_tomorrow"].trigger.get_next_fire_time(None, now).astimezone(PARIS)
    assert zen == datetime(2025, 11, 5, ZEN_FLEX_HOURS[0], 20, tzinfo=PARIS) and ZEN_FLEX_HOURS[0] >= 12
    without = build_scheduler(make_sync(sqlite_engine, sim, tmp_path), time(8, 30), first_run_in=None)
    assert not {"catalog_daily", "zen_flex_tomorrow", "first_catalog"} & {job.id for job in without.get_jobs()}
