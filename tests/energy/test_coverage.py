"""Period coverage: days with data out of the days of the period, counted by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from myelectricaldata.energy.coverage import coverage, coverage_by_period, data_span, marked, period_end, short_mark


@pytest.mark.parametrize(("first", "step", "last"), [
    (date(2024, 2, 1), "month", date(2024, 2, 29)),  # leap February
    (date(2025, 2, 1), "month", date(2025, 2, 28)),
    (date(2025, 12, 1), "month", date(2025, 12, 31)),
    (date(2025, 11, 3), "week", date(2025, 11, 9)),
    (date(2024, 1, 1), "year", date(2024, 12, 31)),
    (date(2025, 3, 30), "day", date(2025, 3, 30)),
])
def test_period_end(first, step, last):
    assert period_end(first, step) == last


def test_a_year_of_25_days_out_of_366_is_marked_partial():
    days = [date(2024, 12, 7) + timedelta(days=i) for i in range(25)]  # 7 -> 31 December 2024
    days += [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]  # the whole of 2025
    cover = coverage_by_period(days, "year")
    assert list(cover) == [date(2024, 1, 1), date(2025, 1, 1)]
    assert (cover[date(2024, 1, 1)].covered, cover[date(2024, 1, 1)].length) == (25, 366)
    assert marked("2024", cover[date(2024, 1, 1)]) == "2024 (partiel : 25 j / 366)"
    assert short_mark("2024", cover[date(2024, 1, 1)]) == "2024 (partiel)"
    assert not cover[date(2025, 1, 1)].partial
    assert marked("2025", cover[date(2025, 1, 1)]) == "2025" and short_mark("2025", cover[date(2025, 1, 1)]) == "2025"


def test_months_and_weeks_count_each_day_once():
    days = [date(2025, 11, 1), date(2025, 11, 2), date(2025, 11, 2), date(2025, 11, 3), date(2025, 11, 4)]
    months = coverage_by_period(days, "month")
    assert months[date(2025, 11, 1)].mark == "partiel : 4 j / 30"
    weeks = coverage_by_period(days, "week")  # Saturday 1 and Sunday 2 are in the week of Monday 27 October
    assert [(c.first, c.covered, c.length) for c in weeks.values()] == [
        (date(2025, 10, 27), 2, 7), (date(2025, 11, 3), 2, 7)]
    assert coverage(date(2025, 10, 1), "month", 31).mark == ""


def test_data_span():
    assert data_span([date(2025, 3, 2), date(2025, 1, 5), date(2025, 2, 1)]) == (date(2025, 1, 5), date(2025, 3, 2))
    assert data_span([]) is None
