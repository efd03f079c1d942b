"""The hand-over from the legacy client's Energy statistics in a real Home Assistant: its statistics imported first,
shaped as it wrote them, then each strategy; the dashboard's hourly changes over the junction show every hour once,
no gap and no negative bar."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters import store
from myelectricaldata.exporters.manager import ExporterManager
from tests.support.ha_energy import (
    EXPORTER,
    clear_ours,
    day_change,
    export,
    hourly_changes,
    manager_for,
    rows,
    sid,
    split_by_hand,
)
from tests.support.homeassistant import HomeAssistant
from tests.support.syncing import NOON, TODAY, synced_sqlite

pytestmark = pytest.mark.slow

PDL = "99000000000002"  # HP/HC household, "HC (1H30-8H00;12H30-14H00)"
SINCE = date(2025, 10, 20)
JUNCTION = datetime(2025, 11, 1, tzinfo=PARIS)  # the legacy client's last hour is 2025-10-31 23:00
WINDOWS = [(90, 480), (750, 840)]
LEGACY = {slot: sid(PDL, f"{slot.lower()}_consumption") for slot in ("HC", "HP")}
PRICES = {"HC": 0.1, "HP": 0.2}  # the legacy's own flat prices


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with synced_sqlite(tmp_path_factory.mktemp("ha-legacy"), [PDL], SINCE) as engine:
        yield engine


@pytest.fixture(scope="module")
def local(engine) -> dict[str, dict[int, float]]:
    return split_by_hand(engine, PDL, SINCE, TODAY - timedelta(days=1), lambda day: WINDOWS)


def legacy_statistics(local: dict[str, dict[int, float]]) -> dict[str, list[dict]]:
    """The legacy client's rows up to the junction: kWh of the slot's hours, sums from 0, and the cost twins."""
    out = {}
    for slot, statistic in LEGACY.items():
        for suffix, factor in (("", 1.0), ("_cost", PRICES[slot])):
            running, stats = 0.0, []
            for hour in sorted(h for h, v in local[slot].items() if v and h < JUNCTION.timestamp()):
                running += local[slot][hour] * factor
                stats.append({"start": datetime.fromtimestamp(hour, UTC).isoformat(),
                              "state": local[slot][hour] * factor, "sum": running})
            out[statistic + suffix] = stats
    return out


@pytest.fixture
def legacy(home_assistant: HomeAssistant, local) -> Iterator[dict[str, dict[int, tuple[float, float]]]]:
    """A clean slate, then the legacy statistics imported as the legacy client sent them (``has_mean``, its names,
    kWh and EURO); what HA then holds of them."""
    ha = home_assistant
    clear_ours(ha)
    made = legacy_statistics(local)
    for statistic, stats in made.items():
        slot = statistic.split("_")[1].upper()
        cost = statistic.endswith("_cost")
        ha.call("recorder/import_statistics", metadata={
            "has_mean": False, "has_sum": True, "source": "myelectricaldata", "statistic_id": statistic,
            "name": f"MyElectricalData - {PDL} {slot} consumption" + (" Cost" if cost else ""),
            "unit_of_measurement": "EURO" if cost else "kWh"}, stats=stats)
    last = {s: int(datetime.fromisoformat(stats[-1]["start"]).timestamp()) for s, stats in made.items()}
    ha.wait_for(lambda: all(last[s] in rows(ha, s, JUNCTION - timedelta(days=20)) for s in made), timeout=60,
                what="the legacy statistics written")
    yield {s: rows(ha, s, JUNCTION - timedelta(days=20)) for s in made}
    clear_ours(ha)


@pytest.fixture
def manager(engine, tmp_path) -> Iterator[ExporterManager]:
    made: list[ExporterManager] = []

    def build(ha: HomeAssistant, **config) -> ExporterManager:
        made.append(manager_for(engine, tmp_path, ha, **config))
        return made[-1]

    yield build
    for manager in made:
        manager.close()


def assert_junction_shown_once(ha: HomeAssistant, sources: list[str], local: dict[str, dict[int, float]]) -> None:
    """Every hour of the two days around the junction is one bar equal to the local consumption: no gap, nothing
    negative, nothing counted twice; and the junction's day, as the period cards ask (the legacy client's own days lose
    their first hour there when a slot has no row at 23:00 the day before: its layout, not ours)."""
    start, end = JUNCTION - timedelta(days=1), JUNCTION + timedelta(days=1)
    total: dict[int, float] = defaultdict(float)
    for hours in local.values():
        for hour, value in hours.items():
            total[hour] += value
    shown = hourly_changes(ha, sources, start, end)
    expected = {h: v for h, v in total.items() if start.timestamp() <= h < end.timestamp()}
    assert sorted(shown) == sorted(expected)
    for hour, value in shown.items():
        assert value >= 0 and value == pytest.approx(expected[hour], abs=1e-6), datetime.fromtimestamp(hour, PARIS)
    for day in (date(2025, 11, 1), date(2025, 11, 2)):
        in_day = sum(v for h, v in total.items() if datetime.fromtimestamp(h, PARIS).date() == day)
        assert day_change(ha, sources, day) == pytest.approx(in_day, abs=1e-6), day


def test_without_a_choice_nothing_is_imported_for_the_meter(home_assistant, legacy, manager):
    outcome = manager(home_assistant).run_exports(NOON)[EXPORTER]
    assert not outcome.ok and "statistiques de l'ancien module MyElectricalData trouvées" in outcome.error
    assert "dernière heure le 31/10/2025 23:00" in outcome.error
    assert {s: rows(home_assistant, s, JUNCTION - timedelta(days=20)) for s in legacy} == legacy
    assert not {sid(PDL, "consumption"), sid(PDL, "consumption_cost")} & {
        s["statistic_id"] for s in home_assistant.call("recorder/list_statistic_ids")}


def test_continuing_the_legacy_statistics(home_assistant, legacy, manager, local):
    ha = home_assistant
    made = manager(ha, legacy_handover="continue")
    export(made, NOON)
    junction = int(JUNCTION.timestamp())
    for statistic, before in legacy.items():
        after = rows(ha, statistic, JUNCTION - timedelta(days=20))
        # their hours untouched, and a 0 at 23:00 when they had no row there
        closing = {h: (0.0, before[max(before)][1]) for h in (junction - 3600,) if h not in before}
        assert {h: v for h, v in after.items() if h < junction} == before | closing
        ours = sorted(h for h in after if h >= junction)
        assert ours and after[ours[0]][1] == pytest.approx(before[max(before)][1] + after[ours[0]][0], abs=1e-6)
    assert_junction_shown_once(ha, list(LEGACY.values()), local)
    with made.engine.connect() as conn:
        assert store.get_marks(conn, EXPORTER)[f"{store.MEMORY}junction:{PDL}"] == str(junction)


def test_starting_after_the_legacy_statistics(home_assistant, legacy, manager, local):
    ha = home_assistant
    export(manager(ha, legacy_handover="after"), NOON)
    assert {s: rows(ha, s, JUNCTION - timedelta(days=20)) for s in legacy} == legacy
    ours = rows(ha, sid(PDL, "consumption"), JUNCTION - timedelta(days=20))
    junction = int(JUNCTION.timestamp())
    assert min(ours) == junction and ours[junction][1] == pytest.approx(ours[junction][0], abs=1e-9)  # from 0
    assert_junction_shown_once(ha, [*LEGACY.values(), sid(PDL, "consumption")], local)
