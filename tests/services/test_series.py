"""Stored readings over a range: local-day bounds, contract changes in a range, DST days, exact HP/HC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from myelectricaldata.database import repository as repo
from myelectricaldata.energy import aggregate
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, MaxPower
from myelectricaldata.services import series, usage_points
from myelectricaldata.services.usage_points import Contract

PDL, OTHER = "12345678901234", "22222222222222"
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)


def points_of(day: date, watts: int = 1000, minutes: int = 30) -> list[CurvePoint]:
    """Every interval of the local ``day`` at a constant power."""
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [CurvePoint(s, minutes, watts, day) for s in range(start, end, minutes * 60)]


def contract(conn, pdl: str, seen: date, offpeak: str, kva: int = 9, option: str = "HC_HP") -> None:
    repo.record_contract(conn, pdl, seen, {"subscribed_kva": kva, "pricing_option": option, "offpeak_hours": offpeak,
                                           "last_tariff_change_date": date(2024, 1, 1)})


@pytest.fixture
def engine(sqlite_engine):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison", has_production=True)
        repo.save_usage_point(conn, OTHER, name="Appartement", has_production=False)
    return sqlite_engine


def test_daily_is_inclusive_and_only_stored_days(engine):
    with engine.begin() as conn:
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2025, 11, d), 1000 * d) for d in (1, 2, 4, 5)])
        repo.store_daily(conn, PDL, "production", [DailyValue(date(2025, 11, 2), 7)])
        repo.store_daily(conn, OTHER, "consumption", [DailyValue(date(2025, 11, 2), 9)])
    assert series.daily(engine, PDL, "consumption", date(2025, 11, 2), date(2025, 11, 4)) == [
        (date(2025, 11, 2), 2000), (date(2025, 11, 4), 4000)]
    assert series.daily(engine, PDL, "production", date(2025, 11, 1), date(2025, 11, 30)) == [(date(2025, 11, 2), 7)]


def test_by_period_is_the_aggregate():
    assert series.by_period is aggregate.sum_by_period
    assert series.by_period([(date(2024, 12, 31), 5), (date(2025, 1, 2), 6)], "week") == [(date(2024, 12, 30), 11)]


def test_load_curve_takes_whole_local_days(engine):
    with engine.begin() as conn:
        for day in (date(2025, 10, 25), AUTUMN, date(2025, 10, 27)):
            repo.store_load_curve(conn, PDL, "consumption", points_of(day))
        repo.store_load_curve(conn, PDL, "production", points_of(AUTUMN, 5))
    curve = series.load_curve(engine, PDL, "consumption", AUTUMN, AUTUMN)
    assert len(curve) == 50
    assert curve[0] == (epoch(datetime(2025, 10, 25, 22, tzinfo=UTC)), 30, 1000)  # local midnight, CEST
    assert curve[-1][0] == epoch(datetime(2025, 10, 26, 22, 30, tzinfo=UTC))  # 23:30 CET
    assert len(series.load_curve(engine, PDL, "consumption", date(2025, 10, 25), date(2025, 10, 27))) == 48 + 50 + 48
    assert {w for _, _, w in series.load_curve(engine, PDL, "production", AUTUMN, AUTUMN)} == {5}


def test_load_curve_of_the_spring_forward_day(engine):
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points_of(SPRING) + points_of(SPRING + timedelta(days=1)))
    assert len(series.load_curve(engine, PDL, "consumption", SPRING, SPRING)) == 46


def test_curve_energy_of_stored_dst_days(engine):
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points_of(SPRING) + points_of(AUTUMN))
    spring = series.curve_energy(series.load_curve(engine, PDL, "consumption", SPRING, SPRING), "hour")
    autumn = series.curve_energy(series.load_curve(engine, PDL, "consumption", AUTUMN, AUTUMN), "hour")
    assert (len(spring), len(autumn)) == (23, 25)
    assert series.curve_energy(series.load_curve(engine, PDL, "consumption", SPRING, AUTUMN), "day") == [
        (epoch(local_day_bounds(SPRING)[0]), 23000.0), (epoch(local_day_bounds(AUTUMN)[0]), 25000.0)]


def test_max_power(engine):
    at = epoch(datetime(2025, 10, 26, 1, 15, tzinfo=UTC))
    with engine.begin() as conn:
        repo.store_max_power(conn, PDL, [MaxPower(AUTUMN, 7310, at), MaxPower(date(2025, 10, 28), 5000, at + 86400)])
    assert series.max_power(engine, PDL, AUTUMN, date(2025, 10, 27)) == [(AUTUMN, 7310, at)]


def test_hphc_follows_the_contract_in_force_each_day(engine, monkeypatch):
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "22:00-06:00")
        contract(conn, PDL, date(2025, 11, 3), "02:00-07:00")
        repo.store_load_curve(conn, PDL, "consumption",
                              [p for d in range(1, 5) for p in points_of(date(2025, 11, d))])
    calls = []
    history = repo.contract_history
    monkeypatch.setattr(repo, "contract_history", lambda conn, pdl: calls.append(pdl) or history(conn, pdl))
    assert series.hphc_by_day(engine, PDL, date(2025, 11, 1), date(2025, 11, 4)) == [
        (date(2025, 11, 1), 8000, 16000), (date(2025, 11, 2), 8000, 16000),
        (date(2025, 11, 3), 5000, 19000), (date(2025, 11, 4), 5000, 19000)]
    assert calls == [PDL]


def test_hphc_before_the_first_contract_version_uses_it(engine):
    with engine.begin() as conn:
        repo.record_contract(conn, PDL, date(2025, 11, 3), {"subscribed_kva": 6, "pricing_option": "HC_HP",
                                                            "offpeak_hours": "22:00-06:00"})
        repo.store_load_curve(conn, PDL, "consumption", points_of(date(2025, 1, 5), 500))
    assert series.hphc_by_day(engine, PDL, date(2025, 1, 5), date(2025, 1, 5)) == [(date(2025, 1, 5), 4000, 8000)]


def test_hphc_on_dst_days(engine):
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "22:00-06:00")
        repo.store_load_curve(conn, PDL, "consumption", points_of(SPRING) + points_of(AUTUMN))
    assert series.hphc_by_day(engine, PDL, SPRING, AUTUMN) == [(SPRING, 7000, 16000), (AUTUMN, 9000, 16000)]


def test_hphc_of_tempo_is_22_to_6_whatever_the_contract_says(engine):
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "01:00-07:00", option="TEMPO")
        repo.store_load_curve(conn, PDL, "consumption", points_of(date(2025, 11, 4)))
    assert series.hphc_by_day(engine, PDL, date(2025, 11, 4), date(2025, 11, 4)) == [(date(2025, 11, 4), 8000, 16000)]


def test_hphc_is_empty_without_offpeak_hours(engine):
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points_of(date(2025, 11, 4)))
    assert series.hphc_by_day(engine, PDL, date(2025, 11, 4), date(2025, 11, 4)) == []  # no contract at all
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "", option="BASE")
    assert series.hphc_by_day(engine, PDL, date(2025, 11, 4), date(2025, 11, 4)) == []


def test_hphc_parts_add_up_to_the_rounded_exact_total(engine):
    points = [CurvePoint(p.start, 10, 1001 + 7 * i % 313, p.day)
              for i, p in enumerate(points_of(AUTUMN, minutes=10) + points_of(date(2025, 10, 27), minutes=10))]
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "01:30-08:00;12:30-14:00")
        repo.store_load_curve(conn, PDL, "consumption", points)
    result = series.hphc_by_day(engine, PDL, AUTUMN, date(2025, 10, 27))
    for day, off, peak in result:
        watt_minutes = sum(p.watts * p.minutes for p in points if p.day == day)
        assert off + peak == aggregate.wh_of(watt_minutes)
    windows = series.offpeak_windows(Contract(PDL, date(2025, 1, 10), date(2025, 1, 10),
                                              offpeak_hours="01:30-08:00;12:30-14:00"))
    split = aggregate.offpeak_split(series.load_curve(engine, PDL, "consumption", AUTUMN, date(2025, 10, 27)),
                                    lambda day: windows)
    assert sum(off + peak for _, off, peak in split) == sum(p.watts * p.minutes for p in points)


def test_heatmap_of_stored_points(engine):
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points_of(SPRING, 800) + points_of(AUTUMN, 600))
    grid = series.heatmap(series.load_curve(engine, PDL, "consumption", SPRING, AUTUMN))
    assert [(d["day"], d["minutes"]) for d in grid["days"]] == [(SPRING, 1380), (AUTUMN, 1500)]
    assert sum(c["watts"] is not None for c in grid["days"][0]["cells"]) == 46
    assert sum(c["repeated"] for c in grid["days"][1]["cells"]) == 2


def test_usage_points_by_label_and_direction(engine):
    assert [p.label for p in usage_points.labels(engine, "consumption")] == ["Appartement", "Maison"]
    assert usage_points.labels(engine, "production") == [usage_points.UsagePointLabel(PDL, "Maison")]


def test_contracts_by_day(engine):
    with engine.begin() as conn:
        contract(conn, PDL, date(2025, 1, 10), "22:00-06:00", kva=6)
        contract(conn, PDL, date(2025, 11, 3), "22:00-06:00", kva=9)
    by_day = series.contracts_by_day(engine, PDL, date(2023, 12, 31), date(2025, 11, 4))
    assert by_day[date(2023, 12, 31)].subscribed_kva == 6  # before the first version: the first one
    assert by_day[date(2025, 11, 2)].subscribed_kva == 6
    assert by_day[date(2025, 11, 3)].subscribed_kva == 9
    assert series.contracts_by_day(engine, OTHER, date(2025, 11, 3), date(2025, 11, 3)) == {date(2025, 11, 3): None}


def test_day_energy_comes_from_the_stored_day_profiles_and_from_the_points_when_they_disagree(engine):
    from myelectricaldata.database import models as m

    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points_of(SPRING, 1000) + points_of(AUTUMN, 600))
    midnight = {day: epoch(local_day_bounds(day)[0]) for day in (SPRING, AUTUMN)}
    # 23 hours at 1,000 W and 25 hours at 600 W
    assert series.day_energy(engine, PDL, "consumption", SPRING, AUTUMN) == [(midnight[SPRING], 23_000.0),
                                                                              (midnight[AUTUMN], 15_000.0)]
    with engine.begin() as conn:  # a writer that does not keep the profiles: the points are read instead
        t = m.load_curve
        conn.execute(t.update().where(t.c.usage_point_id == PDL, t.c.start_utc == midnight[SPRING]).values(watts=3000))
    assert series.day_energy(engine, PDL, "consumption", SPRING, AUTUMN) == [(midnight[SPRING], 23_000.0 + 1_000.0),
                                                                              (midnight[AUTUMN], 15_000.0)]
    assert series.day_energy(engine, PDL, "production", SPRING, AUTUMN) == []
