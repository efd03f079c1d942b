"""French public holidays: the lists of 2024, 2025 and 2026 written out by hand from the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from myelectricaldata.energy.holidays import easter, is_public_holiday, public_holidays

HAND_WRITTEN = {
    # Easter Sunday 31 March 2024: Monday 1 April, Ascension Thursday 9 May, Whit Monday 20 May
    2024: ["01-01", "04-01", "05-01", "05-08", "05-09", "05-20", "07-14", "08-15", "11-01", "11-11", "12-25"],
    # Easter Sunday 20 April 2025: Monday 21 April, Ascension Thursday 29 May, Whit Monday 9 June
    2025: ["01-01", "04-21", "05-01", "05-08", "05-29", "06-09", "07-14", "08-15", "11-01", "11-11", "12-25"],
    # Easter Sunday 5 April 2026: Monday 6 April, Ascension Thursday 14 May, Whit Monday 25 May
    2026: ["01-01", "04-06", "05-01", "05-08", "05-14", "05-25", "07-14", "08-15", "11-01", "11-11", "12-25"],
}


@pytest.mark.parametrize("year", sorted(HAND_WRITTEN))
def test_the_eleven_holidays_of_a_year(year):
    assert list(public_holidays(year)) == [date.fromisoformat(f"{year}-{md}") for md in HAND_WRITTEN[year]]


@pytest.mark.parametrize(("year", "sunday"), [
    (2000, "2000-04-23"), (2019, "2019-04-21"), (2038, "2038-04-25"),  # the latest possible date, 25 April
    (2285, "2285-03-22"),  # the earliest possible date, 22 March
])
def test_easter_sunday(year, sunday):
    assert easter(year) == date.fromisoformat(sunday)


def test_names_and_lookup():
    holidays = public_holidays(2025)
    assert holidays[date(2025, 6, 9)] == "Lundi de Pentecôte" and holidays[date(2025, 5, 29)] == "Ascension"
    assert is_public_holiday(date(2025, 11, 11)) and not is_public_holiday(date(2025, 11, 12))
    assert not is_public_holiday(date(2025, 4, 20))  # Easter Sunday itself is a Sunday, not a public holiday
