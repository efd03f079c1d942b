"""The French words and Paris time a person reads (docs/words.md), with hand-written expected values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from myelectricaldata.energy.words import dataset_word, kwh_text, of_name, option_word, paris_clock, yes_no


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2026, 12, 7, 10, 29), "07/12/2026 11:29"),  # naive UTC, winter: UTC+1
    (datetime(2025, 7, 1, 10, 0, tzinfo=UTC), "01/07/2025 12:00"),  # summer: UTC+2
    (datetime(2025, 10, 26, 0, 30), "26/10/2025 02:30 (UTC+2)"),  # the hour that repeats, first time
    (datetime(2025, 10, 26, 1, 30), "26/10/2025 02:30 (UTC+1)"),  # ... and second time
    (datetime(2025, 10, 26, 2, 30), "26/10/2025 03:30"),  # the same day, after the repeated hour: no offset
    (datetime(2025, 3, 30, 1, 30), "30/03/2025 03:30"),  # spring: no hour repeats, no offset
])
def test_paris_time_with_the_offset_only_in_the_repeated_hour(moment, text):
    assert paris_clock(moment) == text


def test_a_date_alone_never_carries_an_offset():
    assert paris_clock(datetime(2025, 10, 26, 0, 30), "%d/%m/%Y") == "26/10/2025"


def test_codes_in_words():
    assert dataset_word("consumption_load_curve") == "Courbe de charge (consommation)"
    assert dataset_word("something_new") == "something new"
    assert (option_word("HC_HP"), option_word("TEMPO"), option_word(None)) == ("Heures creuses", "Tempo", "?")
    assert (yes_no(True), yes_no(False)) == ("oui", "non")


def test_elision_before_a_vowel():
    assert of_name("Appartement Paris") == "d'Appartement Paris"
    assert of_name("Écurie") == "d'Écurie" and of_name("Maison Tours") == "de Maison Tours"
    assert of_name("99000000000001") == "de 99000000000001"


def test_kwh_one_decimal():
    assert kwh_text(1234.56) == "1\xa0234,6\xa0kWh" and kwh_text(0.3) == "0,3\xa0kWh"
