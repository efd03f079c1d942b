"""The Energy statistics read back from a real Home Assistant the way its Energy dashboard reads them: hourly and
daily ``change`` equal to the local sums over slot gaps, both DST days and an off-peak window change; the
incremental and price-change paths; switching between total and slots; the start hour."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.timeline import PARIS, local_day_bounds
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services import pricing, pricing_store
from myelectricaldata.simulator import start_simulator
from tests.support.ha_energy import (
    clear_ours,
    daily_changes,
    day_change,
    export,
    hourly_changes,
    listed,
    manager_for,
    reconfigure,
    rows,
    sid,
    split_by_hand,
)
from tests.support.homeassistant import HomeAssistant
from tests.support.syncing import NOON, TODAY, make_sync, synced_sqlite

pytestmark = pytest.mark.slow

PDL = "99000000000002"  # HP/HC household, "HC (1H30-8H00;12H30-14H00)"
SINCE = date(2025, 3, 25)  # both DST days: 2025-03-30 (23 h) and 2025-10-26 (25 h)
CHANGE = date(2025, 9, 1)  # the off-peak windows move to 23:30-07:30
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)
OLD, NEW = [(90, 480), (750, 840)], [(1410, 1440), (0, 450)]
HP, HC = sid(PDL, "consumption_hp"), sid(PDL, "consumption_hc")
HP_COST, HC_COST = f"{HP}_cost", f"{HC}_cost"
FROM = local_day_bounds(SINCE)[0]


def local_hour(start_utc: int) -> int:
    return datetime.fromtimestamp(start_utc, PARIS).hour


def windows_on(day: date) -> list[tuple[int, int]]:
    return NEW if day >= CHANGE else OLD


@pytest.fixture(scope="module")
def engine(tmp_path_factory, home_assistant):
    """A synced database for each Home Assistant: the tests below add a day and change the prices."""
    with synced_sqlite(tmp_path_factory.mktemp("ha-energy"), [PDL], SINCE) as engine:
        with engine.begin() as conn:
            first = repo.contract_history(conn, PDL)[0]
            repo.upsert(conn, m.contract_versions, [{**first, "valid_from": CHANGE, "first_seen_on": CHANGE,
                                                     "offpeak_hours": "23:30-07:30",
                                                     "offpeak_raw": "HC (23H30-7H30)"}])
        yield engine


@pytest.fixture(scope="module")
def manager(engine, home_assistant: HomeAssistant, tmp_path_factory) -> Iterator[ExporterManager]:
    clear_ours(home_assistant)
    manager = manager_for(engine, tmp_path_factory.mktemp("data"), home_assistant, energy_series="slots")
    export(manager, NOON)
    yield manager
    manager.close()
    clear_ours(home_assistant)


def local_costs(engine, start: date, end: date) -> dict[str, dict[int, float]]:
    """The local hourly cost per slot (pricing in force each day), in euros."""
    out: dict[str, dict[int, float]] = {"HP": defaultdict(float), "HC": defaultdict(float)}
    for hour in pricing.cost_by_hour(engine, PDL, start, end):
        for slot, amount in hour.costs.items():
            if hour.energy[slot]:
                out[slot][hour.start_utc] += float(amount)
    return out


def assert_hours_equal(shown: dict[int, float], local: dict[int, float], abs_: float) -> None:
    for hour in sorted(set(shown) | set(local)):
        assert shown.get(hour, 0.0) == pytest.approx(local.get(hour, 0.0), abs=abs_), \
            datetime.fromtimestamp(hour, PARIS).isoformat()


def test_slot_rows_exist_only_where_the_slot_has_energy_and_at_23_00(manager, home_assistant, engine):
    local = split_by_hand(engine, PDL, SINCE, TODAY - timedelta(days=1), windows_on)
    every = {h for hours in local.values() for h in hours}
    for statistic, slot in ((HP, "HP"), (HC, "HC")):
        expected = {h for h, v in local[slot].items() if v} | {h for h in every if local_hour(h) == 23}
        assert sorted(rows(home_assistant, statistic, FROM)) == sorted(expected)
    on = {d: {local_hour(h) for h in rows(home_assistant, HC, FROM) if datetime.fromtimestamp(h, PARIS).date() == d}
          for d in (CHANGE - timedelta(days=1), CHANGE)}
    assert on == {CHANGE - timedelta(days=1): {1, 2, 3, 4, 5, 6, 7, 12, 13, 23}, CHANGE: {0, 1, 2, 3, 4, 5, 6, 7, 23}}


def test_hourly_changes_equal_the_local_sums_over_gaps_dst_and_the_window_change(manager, home_assistant, engine):
    end = local_day_bounds(TODAY)[0]
    local = split_by_hand(engine, PDL, SINCE, TODAY - timedelta(days=1), windows_on)
    costs = local_costs(engine, SINCE, TODAY - timedelta(days=1))
    for statistic, slot in ((HP, "HP"), (HC, "HC")):
        assert_hours_equal(hourly_changes(home_assistant, [statistic], FROM, end), local[slot], 1e-6)
    for statistic, slot in ((HP_COST, "HP"), (HC_COST, "HC")):
        assert_hours_equal(hourly_changes(home_assistant, [statistic], FROM, end), costs[slot], 1e-6)
    both = hourly_changes(home_assistant, [HP, HC], FROM, end)
    for day, hours in ((SPRING, 23), (AUTUMN, 25)):
        first, last = (int(t.timestamp()) for t in local_day_bounds(day))
        assert len([h for h in both if first <= h < last]) == hours


def test_daily_changes_equal_the_local_day_sums(manager, home_assistant, engine):
    local = split_by_hand(engine, PDL, SINCE, TODAY - timedelta(days=1), windows_on)
    costs = local_costs(engine, SINCE, TODAY - timedelta(days=1))
    kwh, eur = defaultdict(float), defaultdict(float)
    for table, target in ((local, kwh), (costs, eur)):
        for hours in table.values():
            for hour, value in hours.items():
                target[datetime.fromtimestamp(hour, PARIS).date()] += value
    end = local_day_bounds(TODAY)[0]
    days = daily_changes(home_assistant, [HP, HC], FROM, end)
    assert sorted(days) == sorted(kwh)
    for day, value in days.items():
        assert value == pytest.approx(kwh[day], abs=1e-6), day
    for day, value in daily_changes(home_assistant, [HP_COST, HC_COST], FROM, end).items():
        assert value == pytest.approx(eur[day], abs=1e-6), day
    for day in (SPRING, AUTUMN, CHANGE - timedelta(days=1), CHANGE):
        assert day_change(home_assistant, [HP, HC], day) == pytest.approx(kwh[day], abs=1e-6), day
        assert day_change(home_assistant, [HP_COST, HC_COST], day) == pytest.approx(eur[day], abs=1e-6), day


def test_one_more_day_is_imported_alone_with_its_sums_continued(manager, home_assistant, engine, tmp_path):
    before = {s: rows(home_assistant, s, FROM) for s in (HP, HC)}
    tomorrow = NOON + timedelta(days=1)
    with start_simulator(today=TODAY) as sim:
        sim.state.set_contract(PDL, since=CHANGE, offpeak_hours="HC (23H30-7H30)")
        sim.state.set_now(tomorrow)
        assert make_sync(engine, sim, tmp_path).run(pdls=[PDL], since=TODAY).ok
    outcome = export(manager, tomorrow)
    local = split_by_hand(engine, PDL, TODAY, TODAY, windows_on)
    new = sum(1 for hours in local.values() for h, v in hours.items() if v or local_hour(h) == 23)
    assert f"{2 * new} lignes de statistiques importées" in outcome.message  # energy and cost of that day only
    first, last = (int(t.timestamp()) for t in local_day_bounds(TODAY))
    for statistic, slot in ((HP, "HP"), (HC, "HC")):
        after = rows(home_assistant, statistic, FROM)
        assert {h: v for h, v in after.items() if h < first} == before[statistic]
        assert_hours_equal(hourly_changes(home_assistant, [statistic], datetime.fromtimestamp(first, PARIS),
                                          datetime.fromtimestamp(last, PARIS)), local[slot], 1e-6)


def test_a_price_change_reimports_the_costs_and_leaves_the_energy_alone(manager, home_assistant, engine):
    energy = {s: rows(home_assistant, s, FROM) for s in (HP, HC)}
    offer = {"name": "HP/HC maison", "kind": "HPHC", "versions": [
        {"valid_from": "2024-01-01", "energy": {"HP": "0.3000", "HC": "0.1000"}, "subscription": "20"}]}
    with engine.begin() as conn:
        pricing_store.save_choice(conn, PDL, f"user:{pricing_store.save_offer(conn, offer)}")
    export(manager, NOON + timedelta(days=1, hours=1))
    assert {s: rows(home_assistant, s, FROM) for s in (HP, HC)} == energy
    for statistic, cost, price in ((HP, HP_COST, 0.3), (HC, HC_COST, 0.1)):
        kwh = energy[statistic]
        paid = rows(home_assistant, cost, FROM)
        assert sorted(paid) == sorted(kwh)
        for hour, (state, _) in paid.items():
            assert state == pytest.approx(kwh[hour][0] * price, abs=1e-9)


def test_switching_to_the_total_clears_the_slots_and_sends_every_hour(manager, home_assistant, engine):
    reconfigure(manager, energy_series="total")
    outcome = export(manager, NOON + timedelta(days=1, hours=2))
    assert "4 statistiques qui ne sont plus envoyées effacées" in outcome.message
    assert not listed(home_assistant) & {HP, HC, HP_COST, HC_COST}
    local = split_by_hand(engine, PDL, SINCE, TODAY, windows_on)
    total = defaultdict(float)
    for hours in local.values():
        for hour, value in hours.items():
            total[hour] += value
    energy = sid(PDL, "consumption")
    assert sorted(rows(home_assistant, energy, FROM)) == sorted(total)
    assert_hours_equal(hourly_changes(home_assistant, [energy], FROM, local_day_bounds(TODAY)[1]), total, 1e-6)


def test_the_start_hour_rebuilds_our_statistics_from_it(manager, home_assistant, engine):
    energy, cost = sid(PDL, "consumption"), sid(PDL, "consumption_cost")
    before = rows(home_assistant, energy, FROM)
    reconfigure(manager, energy_start="2025-10-26 02:00")
    export(manager, NOON + timedelta(days=1, hours=3))
    start = int(datetime(2025, 10, 26, 2, tzinfo=PARIS).timestamp())  # the first of the two 02:00
    after = rows(home_assistant, energy, FROM)
    assert sorted(after) == sorted(h for h in before if h >= start)
    running = 0.0
    for hour in sorted(after):
        running += before[hour][0]
        assert after[hour] == pytest.approx((before[hour][0], running), abs=1e-6)  # summed from 0 at the start
    assert min(rows(home_assistant, cost, FROM)) == start

    reconfigure(manager, energy_start="")
    export(manager, NOON + timedelta(days=1, hours=4))
    again = rows(home_assistant, energy, FROM)
    assert sorted(again) == sorted(before)  # the whole history again, nothing doubled
    for hour, (state, total) in again.items():
        assert (state, total) == pytest.approx(before[hour], abs=1e-6)
