"""Realism and determinism of the simulated households' data."""

from __future__ import annotations

from datetime import date

import pytest

from myelectricaldata.simulator import DEMO_HOUSEHOLDS, Household, SimulatorState
from myelectricaldata.simulator.households import offpeak_windows
from tests.support.simulator import CONVECTORS, FLAT, HEAT_PUMP, Gateway


def yearly_kwh(gateway: Gateway, pdl: str, kind: str = "consumption") -> float:
    items = gateway.readings(f"/enedis/{kind}/daily/{pdl}", start="2025-01-01", end="2026-01-01")
    assert len(items) == 365
    return sum(int(i["value"]) for i in items) / 1000


def mean_daily_kwh(gateway: Gateway, pdl: str, start: str, end: str) -> float:
    items = gateway.readings(f"/enedis/consumption/daily/{pdl}", start=start, end=end)
    return sum(int(i["value"]) for i in items) / len(items) / 1000


def test_demo_households_are_the_three_documented_ones():
    assert [h.usage_point_id for h in DEMO_HOUSEHOLDS] == [FLAT, CONVECTORS, HEAT_PUMP]
    flat, convectors, heat_pump = DEMO_HOUSEHOLDS
    assert (flat.pricing_option, flat.subscribed_kva, flat.heating, flat.offpeak_hours) == ("BASE", 6, "gas", None)
    assert flat.water_heater and flat.pv_kwc == 0
    assert (convectors.pricing_option, convectors.subscribed_kva, convectors.heating) == ("HC_HP", 9, "electric")
    assert convectors.offpeak_hours == "HC (1H30-8H00;12H30-14H00)"
    assert (heat_pump.pricing_option, heat_pump.offpeak_hours, heat_pump.pv_kwc) == ("TEMPO", "HC (22H00-6H00)", 3.0)
    assert all(h.activation_date < date(2020, 1, 1) for h in DEMO_HOUSEHOLDS)


def test_offpeak_windows_parse_enedis_text():
    assert offpeak_windows("HC (1H30-8H00;12H30-14H00)") == [(90, 480), (750, 840)]
    assert offpeak_windows("HC (22H00-6H00)") == [(1320, 360)]
    assert offpeak_windows(None) == []
    with pytest.raises(ValueError):
        Household(usage_point_id="123", name="x", pricing_option="BASE", subscribed_kva=6)


@pytest.mark.parametrize(
    ("pdl", "low", "high"), [(FLAT, 1500, 3000), (CONVECTORS, 10000, 16000), (HEAT_PUMP, 6000, 9000)]
)
def test_annual_consumption_is_realistic(pdl, low, high):
    assert low <= yearly_kwh(Gateway(), pdl) <= high


def test_pv_surplus_is_a_plausible_share_of_a_3_kwc_roof():
    assert 1000 <= yearly_kwh(Gateway(), HEAT_PUMP, "production") <= 3500


def test_electric_heating_makes_winter_three_to_five_times_summer():
    gateway = Gateway()
    january = mean_daily_kwh(gateway, CONVECTORS, "2026-01-01", "2026-02-01")
    july = mean_daily_kwh(gateway, CONVECTORS, "2025-07-01", "2025-08-01")
    assert 12 <= july <= 18
    assert 3 <= january / july <= 5


def test_daily_max_power_is_mostly_40_to_90_percent_of_the_subscription():
    gateway = Gateway()
    for household in DEMO_HOUSEHOLDS:
        items = gateway.readings(f"/enedis/power/{household.usage_point_id}", start="2025-01-01", end="2026-01-01")
        shares = sorted(int(i["value"]) / (household.subscribed_kva * 1000) for i in items)
        assert 0.4 <= shares[len(shares) // 2] <= 0.9
        assert sum(share >= 0.95 for share in shares) <= 15
        assert shares[-1] <= 1.0


def test_night_base_load_of_the_flat():
    items = Gateway().readings(f"/enedis/consumption/detail/{FLAT}", start="2025-07-07", end="2025-07-14")
    night = [int(i["value"]) for i in items if "03:00" <= i["date"][11:16] < "05:00"]
    assert len(night) == 7 * 4
    assert all(150 <= w <= 400 for w in night)


def test_water_heaters_run_at_the_start_of_the_offpeak_window():
    gateway = Gateway()
    summer = {"start": "2025-07-07", "end": "2025-07-14"}
    convectors = gateway.readings(f"/enedis/consumption/detail/{CONVECTORS}", **summer)
    at_start = [int(i["value"]) for i in convectors if i["date"][11:16] in ("01:30", "02:00")]
    before = [int(i["value"]) for i in convectors if i["date"][11:16] == "01:00"]
    assert min(at_start) >= 2000 and max(before) < 1000
    heat_pump = gateway.readings(f"/enedis/consumption/detail/{HEAT_PUMP}", **summer)
    assert min(int(i["value"]) for i in heat_pump if i["date"][11:16] == "22:00") >= 2000


def test_payloads_are_identical_across_calls_and_states():
    first, second = Gateway(), Gateway()
    path = f"/enedis/consumption/detail/batch/{HEAT_PUMP}"
    one = first.json(path, start="2026-01-01", end="2026-01-20")["data"]
    assert one == first.json(path, start="2026-01-01", end="2026-01-20")["data"]
    assert one == second.json(path, start="2026-01-01", end="2026-01-20")["data"]
    power = f"/enedis/power/{CONVECTORS}"
    assert first.json(power, start="2025-12-01", end="2026-01-01") == second.json(
        power, start="2025-12-01", end="2026-01-01"
    )


def test_clock_defaults():
    assert SimulatorState(today=date(2026, 3, 1)).now().isoformat() == "2026-03-01T12:00:00+01:00"
    state = SimulatorState()
    assert state.now().tzinfo is not None and state.today() == state.now().date()
