"""Stored day profiles on SQLite, PostgreSQL and MariaDB: kept equal to ``loads_by_day`` of the stored points by every
writer of the load curve, back-filled by the migration."""

from __future__ import annotations

import struct
from datetime import date, timedelta

import sqlalchemy as sa

from myelectricaldata.database import curve_days
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.energy.day_loads import DayLoad, loads_by_day, pack_intervals, unpack_intervals
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint

PDL = "99000000000001"
SPRING, AUTUMN = date(2025, 3, 30), date(2025, 10, 26)  # 23 and 25 hours


def day_points(day: date, watts: int = 100, step: int = 30) -> list[CurvePoint]:
    start, end = (epoch(t) for t in local_day_bounds(day))
    return [CurvePoint(s, step, watts, day) for s in range(start, end, 60 * step)]


def raw(engine, direction: str = "consumption") -> list[tuple[int, int, int]]:
    t = m.load_curve
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == PDL, t.c.direction == direction).order_by(t.c.start_utc))]


def profiles(engine, first: date = date(2020, 1, 1), last: date = date(2030, 1, 1),
             direction: str = "consumption") -> curve_days.Profiles:
    with engine.connect() as conn:
        return curve_days.read(conn, PDL, direction, first, last)


def stored_rows(engine) -> dict[date, tuple[int, int, int]]:
    t = m.curve_days
    with engine.connect() as conn:
        return {r.day: (r.points, r.watts_sum, r.total) for r in conn.execute(sa.select(t).where(
            t.c.usage_point_id == PDL, t.c.direction == "consumption"))}


def test_intervals_pack_as_little_endian_triples_in_the_dicts_order():
    load = DayLoad({(60, 30): 500, (0, 30): 250}, 22_500)
    blob = pack_intervals(load)
    assert blob == struct.pack("<6q", 60, 30, 500, 0, 30, 250)
    back = unpack_intervals(blob, 22_500)
    assert back == load and list(back.watts) == [(60, 30), (0, 30)]
    assert back.shape() == DayLoad(dict(back.watts)).shape() == (load.shape()[0], (500, 250))  # shape kept
    other = unpack_intervals(struct.pack("<6q", 60, 30, 1, 0, 30, 2), 90)
    assert other.shape()[0] == load.shape()[0] and other.watts == {(60, 30): 1, (0, 30): 2}
    assert unpack_intervals(b"", 0) == DayLoad()


def test_profiles_of_the_23_and_25_hour_days_are_their_grouped_points(engine):
    points = day_points(SPRING) + day_points(AUTUMN)
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points)
    found = profiles(engine)
    # spring: 46 half-hours, the wall clock skipping 02:00-03:00; autumn: 50, 02:00-03:00 lived twice (summed)
    spring = {(w, 30): 100 for w in range(0, 1440, 30) if not 120 <= w < 180}
    autumn = {(w, 30): 200 if 120 <= w < 180 else 100 for w in range(0, 1440, 30)}
    assert found.days == {SPRING: DayLoad(spring, 46 * 100 * 30), AUTUMN: DayLoad(autumn, 50 * 100 * 30)}
    assert list(found.days[AUTUMN].watts) == sorted(autumn)
    assert (found.points, found.watts_sum) == (96, 9600)
    assert stored_rows(engine) == {SPRING: (46, 4600, 138_000), AUTUMN: (50, 5000, 150_000)}
    assert found.days == loads_by_day(raw(engine))


def test_more_points_into_a_day_then_new_watts_update_its_profile(engine):
    day = date(2025, 6, 2)
    points = day_points(day)
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points[:24])
    assert stored_rows(engine) == {day: (24, 2400, 72_000)}
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points[24:])
    assert stored_rows(engine) == {day: (48, 4800, 144_000)}
    with engine.begin() as conn:  # one point from 100 to 700 W: +600 W x 30 min
        repo.store_load_curve(conn, PDL, "consumption", [points[0]._replace(watts=700)])
    assert stored_rows(engine) == {day: (48, 5400, 162_000)}
    assert profiles(engine).days[day].watts[(0, 30)] == 700
    assert profiles(engine).days == loads_by_day(raw(engine))
    assert profiles(engine, direction="production").days == {}


def test_deleting_points_updates_the_profile_and_an_emptied_day_loses_it(engine):
    first, second = date(2025, 6, 2), date(2025, 6, 3)
    a, b = day_points(first), day_points(second, 200)
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", a + b)
    with engine.begin() as conn:
        assert repo.delete_curve_points(conn, PDL, "consumption", [a[0].start, a[1].start]) == 2
    assert stored_rows(engine) == {first: (46, 4600, 138_000), second: (48, 9600, 288_000)}
    assert (0, 30) not in profiles(engine).days[first].watts
    with engine.begin() as conn:
        repo.delete_curve_points(conn, PDL, "consumption", [p.start for p in b])
    assert stored_rows(engine) == {first: (46, 4600, 138_000)}
    assert profiles(engine).days == loads_by_day(raw(engine))


def test_the_gateway_dropping_overlapped_imported_points_remakes_their_days(engine):
    day = date(2025, 6, 3)
    midnight = epoch(local_day_bounds(day)[0])
    imported = [CurvePoint(midnight - 1800, 60, 900, day - timedelta(days=1)),  # 23:30 the day before, to 00:30
                CurvePoint(midnight + 3600, 60, 800, day)]
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", imported, "enedis_file")
    assert stored_rows(engine) == {day - timedelta(days=1): (1, 900, 54_000), day: (1, 800, 48_000)}
    with engine.begin() as conn:  # the gateway's first hour of the day, in half-hours, overlaps both
        repo.store_load_curve(conn, PDL, "consumption", [CurvePoint(midnight, 30, 100, day),
                                                         CurvePoint(midnight + 1800, 30, 300, day),
                                                         CurvePoint(midnight + 3600, 30, 500, day)])
    assert stored_rows(engine) == {day: (3, 900, 27_000)}
    assert profiles(engine).days == {day: DayLoad({(0, 30): 100, (30, 30): 300, (60, 30): 500}, 27_000)}


def test_refresh_remakes_days_a_writer_left_wrong(engine):
    day = date(2025, 6, 2)
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", day_points(day))
        t = m.load_curve  # a writer bypassing the profiles
        conn.execute(t.update().where(t.c.start_utc == epoch(local_day_bounds(day)[0])).values(watts=1100))
        repo.upsert_rows(conn, m.load_curve, repo.LOAD_CURVE_COLUMNS,
                         [(PDL, "consumption", epoch(local_day_bounds(day)[1]), 30, 50, "gateway")])
    assert stored_rows(engine) == {day: (48, 4800, 144_000)}
    with engine.begin() as conn:
        curve_days.refresh(conn, PDL, "consumption", [day, day + timedelta(days=1), day + timedelta(days=2)])
    assert stored_rows(engine) == {day: (48, 5800, 174_000), day + timedelta(days=1): (1, 50, 1500)}
    assert profiles(engine).days == loads_by_day(raw(engine))


def test_the_migration_back_fills_every_stored_curve(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0008")
        rows = [(PDL, direction, p.start, p.minutes, p.watts + n, "gateway")
                for direction in ("consumption", "production")
                for n, p in enumerate(day_points(date(2024, 12, 31)) + day_points(AUTUMN, 300))]
        with engine.begin() as conn:
            conn.execute(sa.table("load_curve", *(sa.column(c) for c in repo.LOAD_CURVE_COLUMNS)).insert(),
                         [dict(zip(repo.LOAD_CURVE_COLUMNS, r, strict=True)) for r in rows])
        upgrade(engine)
        for direction in ("consumption", "production"):
            found = profiles(engine, direction=direction)
            assert found.days == loads_by_day(raw(engine, direction))
            # 48 points of 100 + n W, then 50 of 300 + n W (n counting on): sums of an arithmetic series
            assert found.points == 98 and found.watts_sum == 48 * 100 + 50 * 300 + sum(range(98))
        assert set(profiles(engine).days) == {date(2024, 12, 31), AUTUMN}
    finally:
        engine.dispose()


def test_the_migration_creates_what_the_model_describes(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.metadata)
    assert [d for d in diff if "curve_days" in repr(d)] == []
