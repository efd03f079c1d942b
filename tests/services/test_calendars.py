"""Tempo colours and EcoWatt signals read back, on every backend: the one query each of them has."""

from __future__ import annotations

from datetime import date, datetime

from myelectricaldata.database import repository as repo
from myelectricaldata.gateway.parse import EcowattDay
from myelectricaldata.services import calendars
from tests.support.syncing import synced_sqlite

TEMPO = "99000000000003"


def test_tempo_colours_of_a_range_in_day_order(engine):
    assert calendars.tempo_colours(engine, date(2025, 1, 1), date(2025, 12, 31)) == {}
    assert calendars.first_tempo_day(engine) is None
    with engine.begin() as conn:
        repo.store_tempo(conn, [(date(2025, 11, 6), "RED"), (date(2025, 11, 4), "BLUE"), (date(2025, 11, 5), "WHITE")])
    colours = calendars.tempo_colours(engine, date(2025, 11, 5), date(2025, 11, 30))
    assert list(colours.items()) == [(date(2025, 11, 5), "WHITE"), (date(2025, 11, 6), "RED")]
    assert calendars.first_tempo_day(engine) == date(2025, 11, 4)


def test_ecowatt_signals_from_a_day_on(engine):
    assert calendars.ecowatt_signals(engine, date(2025, 11, 5)) == [] and calendars.last_ecowatt_day(engine) is None
    with engine.begin() as conn:
        repo.store_ecowatt(conn, [EcowattDay(date(2025, 11, d), level, f"jour {d}", [level] * 12 + [0] * 12)
                                  for d, level in ((4, 1), (6, 3), (5, 2))])
    signals = calendars.ecowatt_signals(engine, date(2025, 11, 5))
    assert [(s.day, s.level, s.message) for s in signals] == [(date(2025, 11, 5), 2, "jour 5"),
                                                               (date(2025, 11, 6), 3, "jour 6")]
    assert signals[1].hours == (3,) * 12 + (0,) * 12
    assert isinstance(signals[0].fetched_at, datetime)
    assert calendars.last_ecowatt_day(engine) == date(2025, 11, 6)


def test_the_colour_of_the_day_before_the_first_stored_day_is_fetched(tmp_path):
    """The first stored day's hours before 06:00 belong to the previous Tempo day: its colour is fetched with the
    rest, so they are not priced with an assumed colour."""
    since = date(2025, 8, 20)  # before the season that today (2025-11-05) is in
    with synced_sqlite(tmp_path, [TEMPO], since) as engine, engine.connect() as conn:
        first = repo.first_stored_day(conn)
        known = repo.tempo_known_days(conn, date(2025, 8, 1), date(2025, 11, 6))
    assert first == since
    assert min(known) == date(2025, 8, 19)  # the day before the first stored day, not the first stored day
    assert date(2025, 11, 6) in known  # and tomorrow, as before


def test_every_day_of_the_current_season_is_fetched_for_the_days_left(tmp_path):
    """A history that starts inside the season still gets the season's colours from 1 September, so the days used
    and left count every day of it."""
    with synced_sqlite(tmp_path, [TEMPO], date(2025, 10, 20)) as engine, engine.connect() as conn:
        known = repo.tempo_known_days(conn, date(2025, 8, 1), date(2025, 11, 6))
    assert min(known) == date(2025, 9, 1) and len(known) == 67  # 1 September -> 6 November (tomorrow): 30 + 31 + 6
