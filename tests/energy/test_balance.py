"""The energy balance's arithmetic, every value computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from fractions import Fraction

from myelectricaldata.energy.balance import YIELD, BalanceRow, balance_days, by_month, estimated_wh, summed

OCT1, OCT2, OCT3, NOV1 = date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3), date(2025, 11, 1)


def test_the_monthly_yields_add_up_to_1200_kwh_per_kwc():
    assert sum(YIELD) == 1200


def test_an_estimated_day_is_kwc_times_the_months_yield_over_its_days():
    assert estimated_wh(D("3.5"), OCT1) == Fraction(280_000, 31)  # 3.5 x 80 kWh x 1000 / 31 days
    assert estimated_wh(D(3), date(2024, 2, 10)) == Fraction(195_000, 29)  # 3 x 65 x 1000 / 29 (leap February)


def test_import_injection_net_and_revenue_per_day():
    rows = balance_days({OCT1: 5000, OCT2: 4000}, {OCT1: 3000, OCT3: 1000}, None, D("0.13"))
    assert rows == [
        BalanceRow(OCT1, 5000, 3000, 2000, D("0.39")),  # 3 kWh x 0.13 EUR
        BalanceRow(OCT2, 4000, None, None, None),  # no injection stored: no net, no revenue
        BalanceRow(OCT3, None, 1000, None, D("0.13")),
    ]
    assert balance_days({OCT1: 5000}, {OCT1: 3000}, None, None)[0].revenue is None  # no buy-back price


def test_a_measured_production_gives_self_consumption_and_sufficiency():
    [row] = balance_days({OCT1: 5000}, {OCT1: 3000}, D("3.5"), None, measured={OCT1: 8250})
    assert (row.production, row.self_consumed, row.self_import) == (8250, 5250, 5000)  # 8250 - 3000 injected
    assert row.sufficiency == Fraction(5250, 10_250)  # 5250 / (5250 + 5000)


def test_the_kwc_estimate_is_used_only_without_a_measured_production():
    [row] = balance_days({OCT1: 5000}, {OCT1: 3000}, D("3.5"), None)
    assert row.production == Fraction(280_000, 31)
    assert row.self_consumed == Fraction(280_000, 31) - 3000  # 9032.26 - 3000 Wh
    [unmeasured] = balance_days({OCT1: 5000}, {OCT1: 3000}, D("3.5"), None, measured={})  # the sensor has no day
    assert unmeasured.production is None and unmeasured.sufficiency is None


def test_self_consumption_is_floored_at_zero():
    [row] = balance_days({OCT1: 5000}, {OCT1: 3000}, None, None, measured={OCT1: 2000})
    assert row.self_consumed == 0 and row.sufficiency == 0  # 0 / (0 + 5000)
    [nothing] = balance_days({OCT1: 0}, {OCT1: 3000}, None, None, measured={OCT1: 2000})
    assert nothing.sufficiency is None  # 0 / (0 + 0): not computed


def test_a_production_needs_both_import_and_injection_that_day():
    rows = balance_days({OCT1: 5000}, {OCT2: 3000}, None, None, measured={OCT1: 8000, OCT2: 8000})
    assert [r.production for r in rows] == [None, None]


def test_months_and_totals_add_what_is_known():
    days = balance_days({OCT1: 5000, OCT2: 4000, NOV1: 1000}, {OCT1: 3000, NOV1: 500}, None, D("0.10"),
                        measured={OCT1: 8000, NOV1: 600})
    october, november = by_month(days)
    assert october == BalanceRow(OCT1, 9000, 3000, 2000, D("0.30"), 8000, 5000, 5000)  # OCT2 adds its import only
    assert november == BalanceRow(NOV1, 1000, 500, 500, D("0.05"), 600, 100, 1000)
    assert october.sufficiency == Fraction(5000, 10_000)  # self-sufficiency from the days with a production
    total = summed([october, november])
    assert total == BalanceRow(None, 10_000, 3500, 2500, D("0.35"), 8600, 5100, 6000)
    assert summed([BalanceRow(OCT2, 4000)]) == BalanceRow(None, 4000)  # nothing else known: None
