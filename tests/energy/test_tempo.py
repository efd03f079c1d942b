from datetime import date, datetime

import pytest

from myelectricaldata.energy.tempo import season_bounds, season_of, season_quotas, season_summary, tempo_day_of


@pytest.mark.parametrize(("day", "season"), [
    (date(2025, 8, 31), 2024), (date(2025, 9, 1), 2025), (date(2026, 1, 15), 2025), (date(2026, 8, 31), 2025),
])
def test_season_runs_september_to_august(day, season):
    assert season_of(day) == season


def test_quotas_blue_takes_the_leap_day():
    assert season_quotas(2023) == {"BLUE": 301, "WHITE": 43, "RED": 22}  # Sep 2023 - Aug 2024 has 29 Feb
    assert season_quotas(2025) == {"BLUE": 300, "WHITE": 43, "RED": 22}
    assert season_bounds(2025) == (date(2025, 9, 1), date(2026, 8, 31))


@pytest.mark.parametrize(("local", "day"), [
    (datetime(2026, 1, 10, 5, 59), date(2026, 1, 9)),  # before 06:00: still yesterday's colour
    (datetime(2026, 1, 10, 6, 0), date(2026, 1, 10)),
    (datetime(2026, 1, 10, 23, 30), date(2026, 1, 10)),
    (datetime(2026, 1, 1, 0, 0), date(2025, 12, 31)),
])
def test_tempo_day_runs_six_to_six(local, day):
    assert tempo_day_of(local) == day


def test_season_summary_counts_used_and_remaining():
    colours = {date(2025, 8, 30): "RED", date(2025, 12, 1): "RED", date(2025, 12, 2): "RED",
               date(2025, 12, 3): "WHITE", date(2025, 12, 4): "BLUE", date(2026, 1, 5): "RED"}
    summary = season_summary(colours, 2025, up_to=date(2025, 12, 31))
    assert summary["RED"] == {"used": 2, "remaining": 20, "quota": 22}  # 2025-08-30 is last season, Jan is later
    assert summary["WHITE"] == {"used": 1, "remaining": 42, "quota": 43}
    assert summary["BLUE"] == {"used": 1, "remaining": 299, "quota": 300}
