"""Metering routes: DST days, exact daily totals, date windows, publication time and history limits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from myelectricaldata.simulator import DEMO_HOUSEHOLDS, Household
from tests.support.simulator import CONVECTORS, FLAT, HEAT_PUMP, Gateway, paris

SAMPLE_DAYS = [date(2025, 3, 30), date(2025, 6, 21), date(2025, 10, 26), date(2026, 1, 15), date(2026, 11, 26)]


def clock(item: dict) -> str:
    return item["date"][11:16]


def day_curve(gateway: Gateway, kind: str, pdl: str, day: date) -> list[dict]:
    return gateway.readings(f"/enedis/{kind}/detail/{pdl}", start=day.isoformat(), end=(day + timedelta(1)).isoformat())


def test_spring_forward_day_has_46_half_hours_stamped_as_the_gateway_does():
    # Enedis stamps interval ends (01:30 CET -> 03:00 CEST ends at "03:00"); the gateway moves the stamp
    # back 30 min on the wall clock, so that interval reads "02:30", a time that never existed
    items = day_curve(Gateway(), "consumption", CONVECTORS, date(2025, 3, 30))
    assert len(items) == 46
    times = [clock(i) for i in items]
    assert "01:30" not in times and "02:00" not in times
    assert times[:5] == ["00:00", "00:30", "01:00", "02:30", "03:00"]
    assert all(i["interval_length"] == "PT30M" and i["measure_type"] == "B" for i in items)


def test_fall_back_day_has_50_half_hours_with_repeated_stamps_in_order():
    # the interval 02:30 CEST -> 02:00 CET ends at "02:00": moved back 30 min it reads "01:30" again
    items = day_curve(Gateway(), "consumption", CONVECTORS, date(2025, 10, 26))
    assert len(items) == 50
    times = [clock(i) for i in items]
    assert times[:9] == ["00:00", "00:30", "01:00", "01:30", "02:00", "01:30", "02:00", "02:30", "03:00"]
    assert times[-1] == "23:30"
    assert all(i["date"].startswith("2025-10-26 ") for i in items)


@pytest.mark.parametrize("pdl", [FLAT, CONVECTORS, HEAT_PUMP])
def test_daily_energy_is_exactly_the_sum_of_the_curve(pdl):
    gateway = Gateway()
    daily = {
        i["date"]: int(i["value"])
        for i in gateway.readings(f"/enedis/consumption/daily/{pdl}", start="2025-01-01", end="2025-12-31")
        + gateway.readings(f"/enedis/consumption/daily/{pdl}", start="2026-01-01", end="2026-11-27")
    }
    for day in SAMPLE_DAYS:
        curve = day_curve(gateway, "consumption", pdl, day)
        assert all(int(i["value"]) % 2 == 0 for i in curve)
        assert daily[day.isoformat()] == sum(int(i["value"]) for i in curve) // 2


def test_daily_production_is_exactly_the_sum_of_the_surplus_curve():
    gateway = Gateway()
    daily = {
        i["date"]: int(i["value"])
        for i in gateway.readings(f"/enedis/production/daily/{HEAT_PUMP}", start="2025-03-01", end="2026-01-31")
        + gateway.readings(f"/enedis/production/daily/{HEAT_PUMP}", start="2026-11-01", end="2026-11-27")
    }
    for day in SAMPLE_DAYS:
        curve = day_curve(gateway, "production", HEAT_PUMP, day)
        assert daily[day.isoformat()] == sum(int(i["value"]) for i in curve) // 2
    assert daily["2025-06-21"] > 0


def test_production_is_zero_at_night():
    gateway = Gateway()
    for day in (date(2025, 6, 21), date(2025, 10, 26), date(2026, 1, 15)):
        for item in day_curve(gateway, "production", HEAT_PUMP, day):
            if clock(item) < "05:00" or clock(item) >= "22:30":
                assert item["value"] == "0", item


def test_surplus_and_import_never_overlap_much():
    gateway = Gateway()
    day = date(2025, 7, 14)
    imported = day_curve(gateway, "consumption", HEAT_PUMP, day)
    exported = day_curve(gateway, "production", HEAT_PUMP, day)
    assert [i["date"] for i in imported] == [e["date"] for e in exported]
    assert all(int(i["value"]) == 0 or int(e["value"]) == 0 for i, e in zip(imported, exported, strict=True))


def test_daily_end_is_exclusive_and_capped_at_today():
    gateway = Gateway()
    days = [
        i["date"] for i in gateway.readings(f"/enedis/consumption/daily/{FLAT}", start="2026-11-01", end="2026-11-05")
    ]
    assert days == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    capped = gateway.readings(f"/enedis/consumption/daily/{FLAT}", start="2026-11-20", end="2026-12-15")
    assert capped[-1]["date"] == "2026-11-26" and len(capped) == 7


def test_detail_end_is_exclusive_and_batch_end_inclusive():
    gateway = Gateway()
    detail = gateway.readings(f"/enedis/consumption/detail/{FLAT}", start="2026-11-01", end="2026-11-03")
    assert len(detail) == 96 and detail[-1]["date"] == "2026-11-02 23:30:00"
    batch = gateway.readings(f"/enedis/consumption/detail/batch/{FLAT}", start="2026-11-01", end="2026-11-03")
    assert len(batch) == 144 and batch[-1]["date"] == "2026-11-03 23:30:00"


def test_yesterday_appears_only_after_eight():
    early = Gateway(now=paris(2026, 11, 27, 7, 30))
    daily = early.readings(f"/enedis/consumption/daily/{CONVECTORS}", start="2026-11-20", end="2026-11-27")
    assert daily[-1]["date"] == "2026-11-25"
    batch = early.readings(f"/enedis/consumption/detail/batch/{CONVECTORS}", start="2026-11-20", end="2026-11-26")
    assert batch[-1]["date"] == "2026-11-25 23:30:00"
    no_data = early.error(f"/enedis/consumption/detail/{CONVECTORS}", start="2026-11-26", end="2026-11-27")
    assert no_data["code"] == "NO_DATA"
    early.state.set_now(paris(2026, 11, 27, 8, 30))
    daily = early.readings(f"/enedis/consumption/daily/{CONVECTORS}", start="2026-11-20", end="2026-11-27")
    assert daily[-1]["date"] == "2026-11-26"
    assert len(early.readings(f"/enedis/consumption/detail/{CONVECTORS}", start="2026-11-26", end="2026-11-27")) == 48


def test_daily_window_is_365_days():
    gateway = Gateway()
    assert len(gateway.readings(f"/enedis/consumption/daily/{FLAT}", start="2025-11-01", end="2026-11-01")) == 365
    error = gateway.error(f"/enedis/consumption/daily/{FLAT}", start="2025-11-01", end="2026-11-02")
    assert error["code"] == "INVALID_DATE_RANGE"


def test_detail_window_is_7_days():
    gateway = Gateway()
    assert len(gateway.readings(f"/enedis/consumption/detail/{FLAT}", start="2026-11-01", end="2026-11-08")) == 336
    error = gateway.error(f"/enedis/consumption/detail/{FLAT}", start="2026-11-01", end="2026-11-09")
    assert error == {
        "code": "ENEDIS_ERROR",
        "message": "ADAM-DC-0015: The requested period cannot exceed 7 days",
        "field": None,
    }


def test_batch_window_is_729_days_and_answers_in_full():
    gateway = Gateway()
    error = gateway.error(f"/enedis/consumption/detail/batch/{HEAT_PUMP}", start="2024-11-27", end="2026-11-26")
    assert error["code"] == "INVALID_DATE_RANGE"
    body = gateway.json(f"/enedis/consumption/detail/batch/{HEAT_PUMP}", start="2024-11-28", end="2026-11-26")
    assert body["success"] is True and body["error"] is None
    items = body["data"]["meter_reading"]["interval_reading"]
    assert len(items) == 729 * 48
    assert items[0]["date"] == "2024-11-28 00:00:00" and items[-1]["date"] == "2026-11-26 23:30:00"


def test_batch_clamps_silently_and_rejects_reversed_ranges():
    gateway = Gateway()
    items = gateway.readings(f"/enedis/consumption/detail/batch/{FLAT}", start="2026-11-20", end="2027-01-10")
    assert items[-1]["date"] == "2026-11-26 23:30:00"
    error = gateway.error(f"/enedis/consumption/detail/batch/{FLAT}", start="2026-11-27", end="2026-11-30")
    assert error["code"] == "INVALID_DATE_RANGE"


def test_history_limits_say_the_oldest_allowed_date():
    gateway = Gateway()
    daily = gateway.error(f"/enedis/consumption/daily/{FLAT}", start="2023-11-26", end="2023-12-10")
    assert daily["code"] == "DATE_TOO_OLD" and daily["message"].endswith("Oldest allowed date: 2023-11-27")
    assert gateway.readings(f"/enedis/power/{FLAT}", start="2023-11-27", end="2023-12-10")
    detail = gateway.error(f"/enedis/consumption/detail/{FLAT}", start="2024-11-26", end="2024-11-28")
    assert detail["code"] == "DATE_TOO_OLD" and detail["message"].endswith("Oldest allowed date: 2024-11-27")


def recent_meter(**extra: object) -> Household:
    fields = {"pricing_option": "BASE", "subscribed_kva": 6, "activation_date": date(2026, 11, 10)} | extra
    return Household(usage_point_id="99000000000042", name="Studio neuf", **fields)


def test_curve_before_activation_is_adam_err0123():
    gateway = Gateway(households=[recent_meter()])
    error = gateway.error("/enedis/consumption/detail/99000000000042", start="2026-11-05", end="2026-11-12")
    assert error["code"] == "ADAM-ERR0123"
    assert error["message"] == (
        "The requested period (2026-11-05 - 2026-11-12) cannot be anterior to the meter's last activation date"
    )
    batch = gateway.error("/enedis/consumption/detail/batch/99000000000042", start="2026-10-01", end="2026-11-05")
    assert batch["code"] == "ADAM-ERR0123"


def test_batch_across_activation_is_partial():
    gateway = Gateway(households=[recent_meter()])
    body = gateway.json("/enedis/consumption/detail/batch/99000000000042", start="2026-10-20", end="2026-11-26")
    assert body["success"] is True and body["error"]["code"] == "PARTIAL_DATA"
    items = body["data"]["meter_reading"]["interval_reading"]
    assert len(items) == 17 * 48 and items[0]["date"] == "2026-11-10 00:00:00"


def test_gap_days_have_no_data_anywhere():
    gateway = Gateway(households=[recent_meter(gap_days=frozenset({date(2026, 11, 15)}))])
    pdl = "99000000000042"
    daily = gateway.readings(f"/enedis/consumption/daily/{pdl}", start="2026-11-14", end="2026-11-17")
    assert [i["date"] for i in daily] == ["2026-11-14", "2026-11-16"]
    power = gateway.readings(f"/enedis/power/{pdl}", start="2026-11-14", end="2026-11-17")
    assert [i["date"][:10] for i in power] == ["2026-11-14", "2026-11-16"]
    assert gateway.error(f"/enedis/consumption/detail/{pdl}", start="2026-11-15", end="2026-11-16")["code"] == "NO_DATA"
    batch = gateway.readings(f"/enedis/consumption/detail/batch/{pdl}", start="2026-11-13", end="2026-11-19")
    assert len(batch) == 6 * 48 and not any(i["date"].startswith("2026-11-15") for i in batch)


def test_max_power_sits_between_the_peak_average_and_the_subscription():
    gateway = Gateway()
    for household in DEMO_HOUSEHOLDS:
        pdl = household.usage_point_id
        power = gateway.readings(f"/enedis/power/{pdl}", start="2026-01-05", end="2026-01-12")
        curve = gateway.readings(f"/enedis/consumption/detail/{pdl}", start="2026-01-05", end="2026-01-12")
        for item in power:
            day_points = [c for c in curve if c["date"][:10] == item["date"][:10]]
            top = max(day_points, key=lambda c: int(c["value"]))
            assert int(top["value"]) <= int(item["value"]) <= household.subscribed_kva * 1000
            start = datetime.fromisoformat(top["date"])
            assert start <= datetime.fromisoformat(item["date"]) < start + timedelta(minutes=30)


def test_reading_types():
    gateway = Gateway()
    args = {"start": "2026-11-01", "end": "2026-11-02"}
    daily = gateway.json(f"/enedis/consumption/daily/{FLAT}", **args)["data"]["meter_reading"]
    assert daily["reading_type"] == {
        "measurement_kind": "energy",
        "measuring_period": "P1D",
        "unit": "Wh",
        "aggregate": "sum",
    }
    assert set(daily) == {"interval_reading", "reading_type"}
    power = gateway.json(f"/enedis/power/{FLAT}", **args)["data"]["meter_reading"]["reading_type"]
    assert power == {"measurement_kind": "power", "measuring_period": "P1D", "unit": "VA", "aggregate": "maximum"}
    curve = gateway.json(f"/enedis/consumption/detail/{FLAT}", **args)["data"]["meter_reading"]["reading_type"]
    assert curve == {"measurement_kind": "power", "unit": "W", "aggregate": "average"}
