from datetime import time

import pytest

from myelectricaldata.energy.offpeak import format_offpeak_hours, offpeak_minutes, parse_offpeak_hours


@pytest.mark.parametrize(("text", "canonical"), [
    ("HC (22H00-6H00)", "22:00-06:00"),
    ("HC (1H30-8H00;12H30-14H00)", "01:30-08:00;12:30-14:00"),
    ("HC (23h00-7h30)", "23:00-07:30"),
    ("22H00-6H00;12H00-14H00", "22:00-06:00;12:00-14:00"),
    ("", ""),
    (None, ""),
])
def test_contract_offpeak_strings(text, canonical):
    assert format_offpeak_hours(parse_offpeak_hours(text)) == canonical


def test_windows_are_times():
    assert parse_offpeak_hours("HC (1H30-8H00;12H30-14H00)") == [(time(1, 30), time(8)), (time(12, 30), time(14))]


@pytest.mark.parametrize("text", ["HC (25H00-6H00)", "HC (nuit)", "HC (6H00-6H00)"])
def test_bad_offpeak_text_names_the_field(text):
    with pytest.raises(ValueError, match="offpeak_hours"):
        parse_offpeak_hours(text)


HCHP = parse_offpeak_hours("HC (1H30-8H00;12H30-14H00)")
NIGHT = parse_offpeak_hours("HC (22H00-6H00)")


@pytest.mark.parametrize(("start", "minutes", "windows", "expected"), [
    (time(1, 0), 30, HCHP, 0),       # 01:00-01:30 is peak
    (time(1, 30), 30, HCHP, 30),     # 01:30-02:00 off-peak
    (time(7, 30), 60, HCHP, 30),     # 07:30-08:30: half in
    (time(12, 0), 60, HCHP, 30),     # 12:00-13:00: 12:30-13:00 in
    (time(23, 30), 30, NIGHT, 30),   # inside a window that wraps past midnight
    (time(5, 45), 15, NIGHT, 15),
    (time(6, 0), 30, NIGHT, 0),
    (time(21, 30), 60, NIGHT, 30),   # 21:30-22:30
    (time(23, 30), 60, HCHP, 0),     # 23:30-00:30: peak on both sides of midnight
    (time(1, 0), 60, HCHP, 30),      # 01:00-02:00: 01:30-02:00 in
    (time(23, 30), 60, NIGHT, 60),   # 23:30-00:30 across midnight, all in
    (time(0, 0), 30, [], 0),
])
def test_offpeak_minutes_of_an_interval(start, minutes, windows, expected):
    assert offpeak_minutes(start, minutes, windows) == expected


def test_a_whole_day_of_half_hours_has_the_window_length_off_peak():
    total = sum(offpeak_minutes(time(h, m), 30, HCHP) for h in range(24) for m in (0, 30))
    assert total == 6 * 60 + 30 + 90  # 01:30-08:00 and 12:30-14:00
    assert sum(offpeak_minutes(time(h, 0), 60, NIGHT) for h in range(24)) == 8 * 60
