import pytest

from myelectricaldata.energy.offpeak import WHOLE_DAY, format_windows, overlap, parse_windows


@pytest.mark.parametrize(("text", "canonical"), [
    ("HC (22H00-6H00)", "22:00-06:00"),
    ("HC (1H30-8H00;12H30-14H00)", "01:30-08:00;12:30-14:00"),
    ("HC (23h00-7h30)", "23:00-07:30"),
    ("HC (22H00-6H00;12h00-14h00)", "22:00-06:00;12:00-14:00"),
    ("22H00-6H00;12H00-14H00", "22:00-06:00;12:00-14:00"),
    ("", ""),
    (None, ""),
])
def test_contract_offpeak_strings(text, canonical):
    assert format_windows(parse_windows(text)) == canonical


def test_windows_are_minute_spans_split_at_midnight():
    assert parse_windows("HC (1H30-8H00;12H30-14H00)") == ((90, 480), (750, 840))
    assert parse_windows("HC (22H00-6H00)") == ((0, 360), (1320, 1440))


@pytest.mark.parametrize("text", ["HC (0H00-24H00)", "HC (0H00-0H00)", "00:00-24:00"])
def test_the_whole_day_as_off_peak(text):
    assert parse_windows(text) == WHOLE_DAY
    assert overlap(23 * 60 + 30, 30, WHOLE_DAY) == 30


@pytest.mark.parametrize("text", ["HC (25H00-6H00)", "HC (nuit)", "HC (6H61-8H00)"])
def test_bad_offpeak_text_names_the_field(text):
    with pytest.raises(ValueError, match="offpeak_hours"):
        parse_windows(text)


HCHP = parse_windows("HC (1H30-8H00;12H30-14H00)")
NIGHT = parse_windows("HC (22H00-6H00)")


@pytest.mark.parametrize(("start", "minutes", "spans", "expected"), [
    (60, 30, HCHP, 0),          # 01:00-01:30 is peak
    (90, 30, HCHP, 30),         # 01:30-02:00 off-peak
    (450, 60, HCHP, 30),        # 07:30-08:30: half in
    (720, 60, HCHP, 30),        # 12:00-13:00: 12:30-13:00 in
    (1410, 30, NIGHT, 30),      # 23:30-24:00, inside a window that wraps past midnight
    (345, 15, NIGHT, 15),       # 05:45-06:00
    (360, 30, NIGHT, 0),        # 06:00-06:30
    (1290, 60, NIGHT, 30),      # 21:30-22:30
    (1410, 60, HCHP, 0),        # 23:30-00:30: peak on both sides of midnight
    (60, 60, HCHP, 30),         # 01:00-02:00: 01:30-02:00 in
    (1410, 60, NIGHT, 60),      # 23:30-00:30 across midnight, all in
    (0, 30, (), 0),
])
def test_offpeak_minutes_of_an_interval(start, minutes, spans, expected):
    assert overlap(start, minutes, spans) == expected


def test_a_whole_day_of_half_hours_has_the_window_length_off_peak():
    assert sum(overlap(m, 30, HCHP) for m in range(0, 1440, 30)) == 6 * 60 + 30 + 90  # 01:30-08:00, 12:30-14:00
    assert sum(overlap(m, 60, NIGHT) for m in range(0, 1440, 60)) == 8 * 60
