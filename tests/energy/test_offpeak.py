from datetime import time

import pytest

from myelectricaldata.energy.offpeak import format_offpeak_hours, parse_offpeak_hours


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
