from datetime import UTC, date, datetime

import pytest

from myelectricaldata.energy.timeline import (
    day_minutes,
    day_runs,
    expected_points,
    interval_minutes,
    interval_starts,
    local_day_bounds,
    resolve_local_times,
    years_before,
)


@pytest.mark.parametrize(("day", "minutes", "points"), [
    (date(2025, 3, 30), 1380, 46),   # spring forward: 23 h
    (date(2025, 10, 26), 1500, 50),  # fall back: 25 h
    (date(2025, 6, 1), 1440, 48),
])
def test_day_length_and_half_hours(day, minutes, points):
    assert day_minutes(day) == minutes
    assert expected_points(day, 30) == points


def test_expected_points_for_other_interval_lengths():
    assert expected_points(date(2025, 6, 1), 10) == 144
    assert expected_points(date(2025, 10, 26), 15) == 100
    assert expected_points(date(2025, 3, 30), 60) == 23


def test_local_day_bounds_in_utc():
    start, end = local_day_bounds(date(2025, 1, 15))
    assert start == datetime(2025, 1, 14, 23, 0, tzinfo=UTC)
    assert end == datetime(2025, 1, 15, 23, 0, tzinfo=UTC)
    start, end = local_day_bounds(date(2025, 10, 26))
    assert (start, end) == (datetime(2025, 10, 25, 22, 0, tzinfo=UTC), datetime(2025, 10, 26, 23, 0, tzinfo=UTC))


def test_fall_back_day_repeats_two_local_half_hours():
    labels = [t.strftime("%H:%M") for t in interval_starts(date(2025, 10, 26), 30)]
    assert labels[4:8] == ["02:00", "02:30", "02:00", "02:30"]
    assert len(labels) == 50


def test_repeated_local_times_resolve_by_order():
    naive = [datetime(2025, 10, 26, 2, 0), datetime(2025, 10, 26, 2, 30),
             datetime(2025, 10, 26, 2, 0), datetime(2025, 10, 26, 2, 30)]
    utc = resolve_local_times(naive)
    assert [t.strftime("%H:%M") for t in utc] == ["00:00", "00:30", "01:00", "01:30"]


def test_nonexistent_local_time_is_dropped():
    assert resolve_local_times([datetime(2025, 3, 30, 2, 30)]) == [None]
    assert resolve_local_times([datetime(2025, 3, 30, 3, 0)]) == [datetime(2025, 3, 30, 1, 0, tzinfo=UTC)]


@pytest.mark.parametrize("text", ["PT7M", "P1D", "30", "PT0M"])
def test_bad_interval_length_names_the_value(text):
    with pytest.raises(ValueError, match="interval_length"):
        interval_minutes(text)


def test_interval_lengths():
    assert [interval_minutes(x) for x in ("PT5M", "PT10M", "PT15M", "PT30M", "PT60M")] == [5, 10, 15, 30, 60]


def test_years_before_handles_leap_day():
    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert years_before(date(2026, 11, 27), 2) == date(2024, 11, 27)


def test_next_utc_midnight_from_paris_evening():
    from myelectricaldata.energy.timeline import PARIS, next_utc_midnight

    assert next_utc_midnight(datetime(2025, 11, 5, 23, 30, tzinfo=PARIS)) == datetime(2025, 11, 6, 0, 0, tzinfo=UTC)
    assert next_utc_midnight(datetime(2025, 11, 6, 0, 30, tzinfo=PARIS)) == datetime(2025, 11, 6, 0, 0, tzinfo=UTC)


def test_day_runs_fold_consecutive_days_in_order_whatever_the_order_given():
    d = date(2024, 2, 27)  # 2024 is a leap year: the 28th, 29th and 1 March run on
    days = [date(2024, 3, 1), d, date(2024, 2, 29), date(2024, 2, 28), d, date(2024, 3, 5)]
    assert day_runs(days) == [(d, date(2024, 3, 1)), (date(2024, 3, 5), date(2024, 3, 5))]
    assert day_runs([]) == []
