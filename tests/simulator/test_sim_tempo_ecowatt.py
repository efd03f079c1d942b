"""Tempo calendar rules over a season, publication of tomorrow's colour, and EcoWatt signals."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from myelectricaldata.simulator.tempo import easter_sunday, is_public_holiday
from tests.support.simulator import Gateway, paris


def season(gateway: Gateway, first_year: int) -> dict[date, str]:
    body = gateway.json("/tempo/days", start_date=f"{first_year}-09-01", end_date=f"{first_year + 1}-08-31")
    return {date.fromisoformat(d["date"]): d["color"] for d in body["data"]}


def longest_red_run(colours: dict[date, str]) -> int:
    longest = run = 0
    for day in sorted(colours):
        run = run + 1 if colours[day] == "RED" else 0
        longest = max(longest, run)
    return longest


def test_public_holidays():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert is_public_holiday(date(2025, 12, 25)) and is_public_holiday(date(2026, 1, 1))
    assert is_public_holiday(date(2026, 4, 6)) and is_public_holiday(date(2026, 5, 14))
    assert not is_public_holiday(date(2026, 1, 2))


def test_a_whole_season_follows_the_tempo_rules():
    colours = season(Gateway(), 2025)
    assert len(colours) == 365
    assert Counter(colours.values()) == {"BLUE": 300, "WHITE": 43, "RED": 22}
    reds = [d for d, c in colours.items() if c == "RED"]
    assert all(date(2025, 11, 1) <= d <= date(2026, 3, 31) for d in reds)
    assert all(d.weekday() < 5 and not is_public_holiday(d) for d in reds)
    assert colours[date(2025, 12, 25)] != "RED" and colours[date(2026, 1, 1)] != "RED"
    assert all(d.weekday() != 6 for d, c in colours.items() if c == "WHITE")
    assert longest_red_run(colours) <= 5


def test_reds_never_run_past_five_working_days_across_weekends():
    colours = season(Gateway(), 2025)
    working = [d for d in sorted(colours) if d.weekday() < 5 and not is_public_holiday(d)]
    assert longest_red_run({d: colours[d] for d in working}) <= 5


def test_red_days_are_cold_high_consumption_days():
    gateway = Gateway()
    colours = season(gateway, 2025)
    daily = {}
    for start in ("2025-11-01", "2026-01-01", "2026-03-01"):
        end = (date.fromisoformat(start) + timedelta(days=61)).isoformat()
        for item in gateway.readings("/enedis/consumption/daily/99000000000002", start=start, end=end):
            daily[date.fromisoformat(item["date"])] = int(item["value"])
    red = [v for d, v in daily.items() if colours[d] == "RED"]
    blue = [v for d, v in daily.items() if colours[d] == "BLUE"]
    assert sum(red) / len(red) > 1.5 * sum(blue) / len(blue)


def test_tomorrow_is_published_at_eleven():
    gateway = Gateway(now=paris(2026, 11, 27, 10, 59))
    days = gateway.json("/tempo/days", start_date="2026-11-20")["data"]
    assert days[-1]["date"] == "2026-11-27"
    gateway.state.set_now(paris(2026, 11, 27, 11, 0))
    days = gateway.json("/tempo/days", start_date="2026-11-20")["data"]
    assert days[-1]["date"] == "2026-11-28"
    assert set(days[0]) == {"date", "color", "updated_at", "rte_updated_date"}
    assert (
        gateway.json("/tempo/days", start_date="2026-11-20", end_date="2026-12-31")["data"][-1]["date"] == "2026-11-28"
    )


def test_tempo_is_deterministic_across_states():
    assert season(Gateway(), 2023) == season(Gateway(today=date(2027, 2, 1)), 2023)


def test_ecowatt_forecast_shape():
    data = Gateway().json("/ecowatt/forecast", days=3)["data"]
    assert [d["periode"] for d in data] == [
        "2026-11-27T00:00:00+01:00",
        "2026-11-28T00:00:00+01:00",
        "2026-11-29T00:00:00+01:00",
    ]
    for signal in data:
        assert 1 <= signal["dvalue"] <= 3 and signal["hdebut"] == 0 and signal["hfin"] == 23
        assert [v["pas"] for v in signal["values"]] == list(range(24))
        assert signal["dvalue"] == max(1, *(v["hvalue"] for v in signal["values"]))
        assert {"id", "generation_datetime", "created_at", "updated_at", "message"} <= set(signal)
    assert Gateway().get("/ecowatt/forecast", days=9).status_code == 422
