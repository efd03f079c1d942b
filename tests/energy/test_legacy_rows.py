"""The legacy client's rows turned into ours, worked out by hand: placeholders, naive local times, the autumn twin it
overwrote, its plan and prices."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from myelectricaldata.energy import legacy_rows
from myelectricaldata.energy.readings import CurvePoint, DailyValue, MaxPower, overlaps
from tests.support.enedis_files import z


def test_an_hourly_autumn_day_keeps_the_winter_hour_and_reports_the_summer_one():
    found = legacy_rows.curve([("2023-10-29 01:00:00.000000", 900, 60, 0, 0),  # ends at 02:00: twice that day
                               ("2023-10-29 02:00:00.000000", 800, 60, 0, 0)])  # ends at 03:00 CET
    assert found.points == (CurvePoint(z(2023, 10, 29, 0, 0), 60, 900, date(2023, 10, 29)),
                            CurvePoint(z(2023, 10, 29, 1, 0), 60, 800, date(2023, 10, 29)))
    assert found.lost == ((z(2023, 10, 28, 23, 0), 60),)


def test_a_spring_day_needs_no_guess_and_placeholders_are_left_out():
    found = legacy_rows.curve([(datetime(2024, 3, 31, 1, 0), 700, 30, 0, 0),  # ends 01:30 CET
                               (datetime(2024, 3, 31, 2, 30), 710, 30, 0, 0),  # the end 03:00 CEST minus 30 min
                               (datetime(2024, 3, 31, 1, 30), 0, 0, 0, 1),  # interval 0: a placeholder
                               (datetime(2024, 3, 31, 4, 0), 0, 30, 1, 20),  # blacklisted zero
                               (datetime(2024, 3, 31, 1, 30), 650, 30, 0, 0)])  # ends 02:00, which never happens
    assert found.points == (CurvePoint(z(2024, 3, 31, 0, 0), 30, 700, date(2024, 3, 31)),
                            CurvePoint(z(2024, 3, 31, 0, 30), 30, 710, date(2024, 3, 31)))
    assert (found.placeholders, found.unplaced, found.lost) == (2, 1, ())


def test_daily_zero_is_kept_unless_it_follows_failures():
    values, placeholders = legacy_rows.daily([(datetime(2024, 1, 1), 0, 0, 0), (datetime(2024, 1, 2), 0, 0, 3),
                                              (datetime(2024, 1, 3), 0, 1, 0), ("2024-01-04 00:00:00", 8000, 0, 0)])
    assert values == [DailyValue(date(2024, 1, 1), 0), DailyValue(date(2024, 1, 4), 8000)] and placeholders == 2


def test_max_power_is_placed_at_its_paris_time():
    values, _ = legacy_rows.max_power([(datetime(2024, 7, 1), datetime(2024, 7, 1, 19, 5, 30), 6100, 0, 0),
                                       (datetime(2024, 7, 2), None, 5000, 0, 0)])
    assert values == [MaxPower(date(2024, 7, 1), 6100, z(2024, 7, 1, 17, 5, 30)),
                      MaxPower(date(2024, 7, 2), 5000, z(2024, 7, 1, 22, 0))]


@pytest.mark.parametrize(("plan", "prices", "tempo", "energy"), [
    ("BASE", {"base": "0,2516"}, {}, {"BASE": "0.2516"}),
    ("HC/HP", {"hc": 0.2068, "hp": 0.27}, {}, {"HP": "0.27", "HC": "0.2068"}),
    ("TEMPO", {}, {"blue_hc": "0,1296", "blue_hp": "0,1609", "white_hc": "0,1486", "white_hp": "0,1894",
                   "red_hc": "0,1568", "red_hp": "0,7562"},
     {"BLUE_HC": "0.1296", "BLUE_HP": "0.1609", "WHITE_HC": "0.1486", "WHITE_HP": "0.1894", "RED_HC": "0.1568",
      "RED_HP": "0.7562"}),
])
def test_a_plan_and_its_prices_make_a_user_offer(plan, prices, tempo, energy):
    raw = legacy_rows.offer("Ancien client", plan, prices, tempo, date(2022, 1, 1))
    assert raw["versions"] == [{"valid_from": "2022-01-01", "energy": energy}]


@pytest.mark.parametrize(("plan", "prices"), [("HC/HP", {"hc": 0.2068, "hp": 0}), ("EJP", {"base": 0.2}),
                                              ("BASE", {"base": "abc"})])
def test_no_offer_without_every_price_its_plan_needs(plan, prices):
    assert legacy_rows.offer("x", plan, prices, {}, date(2022, 1, 1)) is None


def test_only_the_off_peak_days_that_differ_from_the_contract_are_kept():
    days = ["22H00-6H00"] * 5 + ["22H00-6H00;12H00-14H00", "n'importe quoi"]
    assert legacy_rows.offpeak_overrides(days, "22:00-06:00") == {5: "22:00-06:00;12:00-14:00"}
    assert legacy_rows.offpeak_overrides(["", None], "") == {}


def test_overlaps():
    spans = [(0, 1800), (3600, 7200)]
    assert overlaps(spans, 1700, 1900) and overlaps(spans, 3000, 3700) and overlaps(spans, 4000, 4100)
    assert not overlaps(spans, 1800, 3600) and not overlaps(spans, 7200, 9000) and not overlaps([], 0, 10)
