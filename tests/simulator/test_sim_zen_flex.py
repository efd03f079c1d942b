"""The simulated Zen Flex calendar: the yearly counts and where Sobriété and Bonus days fall, the gateway's
routes and defaults, and tomorrow's type appearing only once published."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from myelectricaldata.energy.holidays import is_public_holiday
from tests.support.fixtures import fixture_json
from tests.support.simulator import TODAY, Gateway, paris

QUOTED = fixture_json("gateway", "catalog", "zen-flex-days.json")


def days(gateway: Gateway, **params) -> dict[date, str]:
    response = gateway.get("/zen-flex/days", headers={}, **params)
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True, body
    return {date.fromisoformat(d["date"]): d["day_type"] for d in body["data"]}


def test_entries_have_the_quoted_shape_and_need_no_authentication():
    body = Gateway().get("/zen-flex/days", headers={}, start="2025-12-15", end="2025-12-16").get_json()
    assert list(body) == list(QUOTED["days_response"])
    assert [list(d) for d in body["data"]] == [list(d) for d in QUOTED["days_response"]["data"]]
    assert [d["date"] for d in body["data"]] == ["2025-12-15", "2025-12-16"]  # both ends included
    today = Gateway().get("/zen-flex/today", headers={}).get_json()["data"]
    assert list(today) == ["today", "tomorrow"] and list(today["today"]) == ["date", "day_type"]


def test_each_full_year_has_20_sobriete_days_a_few_bonus_and_eco_the_rest():
    calendar = days(Gateway(today=date(2027, 1, 10)), start="2024-01-01", end="2026-12-31")
    for year in (2024, 2025, 2026):
        kinds = Counter(kind for d, kind in calendar.items() if d.year == year)
        length = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        assert kinds["SOBRIETE"] == 20 and kinds["BONUS"] == 3, year
        assert kinds["ECO"] == length - 23 and sum(kinds.values()) == length, year


def test_sobriete_days_are_winter_working_days_and_bonus_days_summer_weekends():
    calendar = days(Gateway(today=date(2027, 1, 10)))
    sobriete = [d for d, kind in calendar.items() if kind == "SOBRIETE"]
    assert all(d.weekday() < 5 and not is_public_holiday(d) for d in sobriete)
    assert all((d.month, d.day) >= (10, 15) or (d.month, d.day) <= (4, 15) for d in sobriete)
    bonus = [d for d, kind in calendar.items() if kind == "BONUS"]
    assert bonus and all(d.weekday() >= 5 and 5 <= d.month <= 8 for d in bonus)


def test_the_calendar_starts_with_the_offer_and_its_first_sobriete_day():
    calendar = days(Gateway(today=date(2024, 3, 1)))
    assert min(calendar) == date(2023, 11, 1)
    assert min(d for d, kind in calendar.items() if kind == "SOBRIETE") == date(2023, 11, 29)
    first_winter = Counter(kind for d, kind in calendar.items() if d.year == 2023)
    assert 0 < first_winter["SOBRIETE"] < 20  # the first year's quota is prorated to its weeks


def test_tomorrow_is_known_from_noon_and_never_a_guess_before():
    morning = Gateway(now=paris(2025, 12, 15, 11, 59))
    assert max(days(morning)) == date(2025, 12, 15)
    assert morning.get("/zen-flex/today", headers={}).get_json()["data"]["tomorrow"] == \
        {"date": "2025-12-16", "day_type": None}
    noon = Gateway(now=paris(2025, 12, 15, 12, 0))
    assert max(days(noon)) == date(2025, 12, 16)
    assert days(noon, start="2025-12-01", end="2026-01-31") == {
        d: kind for d, kind in days(noon).items() if d >= date(2025, 12, 1)}


def test_default_range_and_bad_dates():
    gateway = Gateway()
    calendar = days(gateway)
    assert min(calendar) == date(2023, 11, 1) and max(calendar) == TODAY + timedelta(days=1)
    assert len(calendar) == (max(calendar) - min(calendar)).days + 1
    assert days(gateway, start="2020-01-01", end="2023-11-02") == {date(2023, 11, 1): "ECO", date(2023, 11, 2): "ECO"}
    body = gateway.get("/zen-flex/days", headers={}, start="2025-02-30").get_json()
    assert body["success"] is False and body["error"]["code"] == "INVALID_DATE" and "start" in body["error"]["message"]
