"""Aggregates computed by hand: periods, curve buckets across DST, the exact HP/HC split, the heatmap."""

from datetime import UTC, date, datetime, time

import pytest

from myelectricaldata.energy.aggregate import (
    NEVER,
    SLOTS,
    LocalClock,
    curve_energy,
    heatmap,
    offpeak_split,
    period_start,
    points_in_days,
    sum_by_period,
    wh_of,
)
from myelectricaldata.energy.offpeak import parse_windows
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds

SPRING, AUTUMN, ORDINARY = date(2025, 3, 30), date(2025, 10, 26), date(2025, 11, 4)
NIGHT = parse_windows("22:00-06:00")


def utc(*args: int) -> int:
    return epoch(datetime(*args, tzinfo=UTC))


def day_of_points(day: date, minutes: int = 30, watts=lambda i: 1000) -> list[tuple[int, int, int]]:
    """Every interval of the local ``day``, in order; ``watts(i)`` gives the i-th point's power."""
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [(s, minutes, watts(i)) for i, s in enumerate(range(start, end, minutes * 60))]


@pytest.mark.parametrize(("day", "step", "first"), [
    (date(2025, 1, 1), "week", date(2024, 12, 30)),   # Wednesday of ISO week 2025-W01, which starts in 2024
    (date(2024, 12, 29), "week", date(2024, 12, 23)),  # a Sunday closes its week
    (date(2024, 12, 30), "week", date(2024, 12, 30)),
    (date(2025, 11, 4), "month", date(2025, 11, 1)),
    (date(2025, 11, 4), "year", date(2025, 1, 1)),
    (date(2025, 11, 4), "day", date(2025, 11, 4)),
])
def test_period_start(day, step, first):
    assert period_start(day, step) == first


def test_iso_weeks_across_a_year_end():
    rows = [(date(2024, 12, 28), 1), (date(2024, 12, 29), 2), (date(2024, 12, 30), 10), (date(2024, 12, 31), 20),
            (date(2025, 1, 1), 30), (date(2025, 1, 5), 40), (date(2025, 1, 6), 100)]
    assert sum_by_period(rows, "week") == [(date(2024, 12, 23), 3), (date(2024, 12, 30), 100),
                                           (date(2025, 1, 6), 100)]
    assert sum_by_period(rows, "year") == [(date(2024, 1, 1), 33), (date(2025, 1, 1), 170)]
    assert sum_by_period(rows, "month") == [(date(2024, 12, 1), 33), (date(2025, 1, 1), 170)]
    assert sum_by_period(reversed(rows), "day") == sorted(rows)


def test_unknown_step_is_refused_even_without_rows():
    with pytest.raises(ValueError, match="step"):
        sum_by_period([], "fortnight")
    with pytest.raises(ValueError, match="step"):
        curve_energy([], "minute")


def test_wh_rounds_half_up_once():
    assert [wh_of(wm) for wm in (0, 29, 30, 59, 60, 90, 119)] == [0, 0, 1, 1, 1, 2, 2]


def test_raw_curve_is_the_average_power_of_each_point():
    points = [(utc(2025, 11, 4, 0, 0), 30, 1000), (utc(2025, 11, 4, 0, 30), 30, 3000)]
    assert curve_energy(points, "raw") == [(points[0][0], 1000.0), (points[1][0], 3000.0)]


def test_hourly_energy_of_mixed_interval_lengths():
    # 01:00-02:00 local (00:00Z): 1000 W x 30 min + 3000 W x 30 min = 500 + 1500 Wh; then 4 x 15 min at 600 W = 600 Wh
    points = [(utc(2025, 11, 4, 0, 0), 30, 1000), (utc(2025, 11, 4, 0, 30), 30, 3000)]
    points += [(utc(2025, 11, 4, 1, 15 * i), 15, 600) for i in range(4)]
    assert curve_energy(points, "hour") == [(utc(2025, 11, 4, 0), 2000.0), (utc(2025, 11, 4, 1), 600.0)]
    assert curve_energy(points, "day") == [(epoch(local_day_bounds(ORDINARY)[0]), 2600.0)]


def test_hours_of_the_spring_forward_day():
    hours = curve_energy(day_of_points(SPRING), "hour")
    assert len(hours) == 23
    assert all(wh == 1000.0 for _, wh in hours)
    local = [datetime.fromtimestamp(t, PARIS).strftime("%H:%M") for t, _ in hours]
    assert local[:3] == ["00:00", "01:00", "03:00"]  # 02:00 does not exist
    assert curve_energy(day_of_points(SPRING), "day") == [(utc(2025, 3, 29, 23), 23000.0)]


def test_repeated_hour_of_the_fall_back_day_stays_two_buckets():
    hours = curve_energy(day_of_points(AUTUMN, watts=lambda i: 1000 + i), "hour")
    assert len(hours) == 25
    keys = [t for t, _ in hours]
    assert keys[2:4] == [utc(2025, 10, 26, 0), utc(2025, 10, 26, 1)]  # 02:00 CEST then 02:00 CET
    assert [datetime.fromtimestamp(t, PARIS).strftime("%H:%M") for t in keys[2:4]] == ["02:00", "02:00"]
    # points 4, 5 (1004, 1005 W) then 6, 7 (1006, 1007 W), 30 min each
    assert [wh for _, wh in hours[2:4]] == [(1004 + 1005) * 30 / 60, (1006 + 1007) * 30 / 60]
    assert curve_energy(day_of_points(AUTUMN), "day") == [(utc(2025, 10, 25, 22), 25000.0)]


def test_offpeak_split_of_a_point_straddling_a_window_edge():
    windows = parse_windows("01:30-08:00;12:30-14:00")
    points = [(utc(2025, 11, 4, 6, 30), 60, 1200)]  # 07:30-08:30 local: 30 min in, 30 min out
    assert offpeak_split(points, lambda day: windows) == [(ORDINARY, 36000, 36000)]


@pytest.mark.parametrize(("day", "off_minutes", "peak_minutes"), [
    (SPRING, 7 * 60, 16 * 60),   # 00:00-06:00 lasts 5 h, plus 22:00-24:00
    (AUTUMN, 9 * 60, 16 * 60),   # 00:00-06:00 lasts 7 h
    (ORDINARY, 8 * 60, 16 * 60),
])
def test_offpeak_split_on_dst_days_uses_the_wall_clock(day, off_minutes, peak_minutes):
    assert offpeak_split(day_of_points(day, watts=lambda i: 600), lambda d: NIGHT) == [
        (day, 600 * off_minutes, 600 * peak_minutes)]


def test_offpeak_split_is_exact_in_watt_minutes():
    points = day_of_points(AUTUMN, 10, watts=lambda i: 997 + 13 * i % 211)
    points += day_of_points(ORDINARY, 15, watts=lambda i: 31 * i % 1009)
    split = offpeak_split(points, lambda day: parse_windows("01:30-08:00;12:30-14:00"))
    assert [d for d, _, _ in split] == [AUTUMN, ORDINARY]
    assert sum(off + peak for _, off, peak in split) == sum(w * m for _, m, w in points)
    for day, off, peak in split:
        assert off + peak == sum(w * m for s, m, w in points if datetime.fromtimestamp(s, PARIS).date() == day)


def test_offpeak_split_asks_the_windows_of_each_local_day():
    asked = []
    points = day_of_points(date(2025, 11, 3)) + day_of_points(ORDINARY)

    def windows_of(day):
        asked.append(day)
        return NIGHT if day == ORDINARY else []

    split = offpeak_split(points, windows_of)
    assert split == [(date(2025, 11, 3), 0, 1000 * 1440), (ORDINARY, 1000 * 480, 1000 * 960)]
    assert set(asked) == {date(2025, 11, 3), ORDINARY}


def test_heatmap_of_an_ordinary_day():
    grid = heatmap(day_of_points(ORDINARY, watts=lambda i: 100 * i))
    assert grid["slots"][:3] == ["00:00", "00:30", "01:00"] and len(grid["slots"]) == 48 == len(SLOTS)
    (row,) = grid["days"]
    assert row["day"] == ORDINARY and row["minutes"] == 1440
    assert [c["watts"] for c in row["cells"]] == [100.0 * i for i in range(48)]
    assert grid["max_watts"] == 4700.0
    assert not any(c["repeated"] or not c["exists"] for c in row["cells"])


def test_heatmap_leaves_the_skipped_half_hours_empty_in_spring():
    (row,) = heatmap(day_of_points(SPRING, watts=lambda i: 1000 + i))["days"]
    assert row["minutes"] == 1380
    cells = row["cells"]
    assert [c["exists"] for c in cells[3:7]] == [True, False, False, True]
    assert [c["watts"] for c in cells[3:7]] == [1003.0, None, None, 1004.0]  # 01:30, 02:00, 02:30, 03:00
    assert sum(c["watts"] is not None for c in cells) == 46


def test_heatmap_averages_and_flags_the_repeated_half_hours_in_autumn():
    (row,) = heatmap(day_of_points(AUTUMN, watts=lambda i: 1000 + 100 * i))["days"]
    assert row["minutes"] == 1500
    cells = row["cells"]
    # points 4, 5 are 02:00 and 02:30 CEST, points 6, 7 the same wall-clock times in CET
    assert [c["watts"] for c in cells[4:6]] == [(1400 + 1600) / 2, (1500 + 1700) / 2]
    assert [c["repeated"] for c in cells[3:7]] == [False, True, True, False]
    assert cells[6]["watts"] == 1800.0  # 03:00 CET is point 8
    assert len(cells) == 48


def test_heatmap_spreads_hourly_points_and_averages_short_ones():
    points = [(utc(2025, 11, 4, 0, 0), 60, 900)]  # 01:00-02:00 local
    points += [(utc(2025, 11, 4, 2, 10 * i), 10, 100 * (i + 1)) for i in range(3)]  # 03:00-03:30 local
    cells = heatmap(points)["days"][0]["cells"]
    assert [c["watts"] for c in cells[2:7]] == [900.0, 900.0, None, None, 200.0]


def test_heatmap_days_are_local_days():
    late = (epoch(datetime(2025, 11, 4, 23, 30, tzinfo=PARIS)), 30, 500)  # 22:30Z, still 4 November in Paris
    grid = heatmap([late])
    assert [d["day"] for d in grid["days"]] == [ORDINARY]
    assert grid["days"][0]["cells"][47]["watts"] == 500.0
    assert time.fromisoformat(grid["slots"][47]) == time(23, 30)


def test_local_clock_agrees_with_the_zone_database_around_both_changes():
    clock = LocalClock()
    for day in (date(2025, 3, 29), SPRING, AUTUMN, date(2025, 10, 27), date(2025, 12, 31)):
        for start, _, _ in day_of_points(day, minutes=15):
            local = datetime.fromtimestamp(start, PARIS)
            assert clock.wall(start) == (local.date(), local.hour * 60 + local.minute)
        assert clock.midnight(day) == epoch(local_day_bounds(day)[0])


def test_day_bounds_of_the_dst_days_and_an_ordinary_one():
    utc = lambda *args: int(datetime(*args, tzinfo=UTC).timestamp())  # noqa: E731
    clock = LocalClock()
    # spring: 23 h from 2025-03-29 23:00 UTC; at 01:00 UTC the wall clock goes from 02:00 to 03:00 (+60 min)
    spring = clock.bounds(utc(2025, 3, 30, 12, 0))
    assert spring == (date(2025, 3, 30), utc(2025, 3, 29, 23, 0), utc(2025, 3, 30, 22, 0), utc(2025, 3, 30, 1, 0), 60)
    assert spring.wall(utc(2025, 3, 30, 0, 30)) == 90 and spring.wall(utc(2025, 3, 30, 1, 0)) == 180
    # autumn: 25 h from 2025-10-25 22:00 UTC; at 01:00 UTC the wall clock goes back from 03:00 to 02:00 (-60 min)
    autumn = clock.bounds(utc(2025, 10, 25, 22, 0))
    assert autumn == (date(2025, 10, 26), utc(2025, 10, 25, 22, 0), utc(2025, 10, 26, 23, 0), utc(2025, 10, 26, 1, 0),
                      -60)
    assert autumn.wall(utc(2025, 10, 26, 0, 0)) == autumn.wall(utc(2025, 10, 26, 1, 0)) == 120
    ordinary = clock.bounds(utc(2025, 1, 15, 22, 59))  # 23:59 local on the 15th
    assert ordinary == (date(2025, 1, 15), utc(2025, 1, 14, 23, 0), utc(2025, 1, 15, 23, 0), NEVER, 0)
    assert clock.wall(utc(2025, 1, 15, 23, 0)) == (date(2025, 1, 16), 0)


def test_points_in_days_keep_the_local_days_asked_for():
    utc = lambda *args: int(datetime(*args, tzinfo=UTC).timestamp())  # noqa: E731
    # 2025-10-25 22:30 UTC is 00:30 on the 26th (summer time); 2025-10-26 23:00 UTC is 00:00 on the 27th (winter)
    curve = [(utc(2025, 10, 25, 21, 30), 30, 1), (utc(2025, 10, 25, 22, 30), 30, 2), (utc(2025, 10, 26, 22, 30), 30, 3),
             (utc(2025, 10, 26, 23, 0), 30, 4), (utc(2025, 10, 27, 12, 0), 30, 5)]
    assert [w for _, _, w in points_in_days(curve, {date(2025, 10, 26)}, LocalClock())] == [2, 3]
    assert [w for _, _, w in points_in_days(curve, {date(2025, 10, 25), date(2025, 10, 27)}, LocalClock())] == [1, 4, 5]
