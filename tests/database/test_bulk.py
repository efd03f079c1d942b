"""Bulk upserts: the same outcome whether a batch goes row by row or through COPY (PostgreSQL, large batches)."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from myelectricaldata.database import bulk
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, MaxPower

PDL = "99000000000001"
START = 1_735_686_000  # 2025-01-01 00:00 Paris
SIZES = {"small": 40, "large": bulk.COPY_FROM + 260}


def points(n: int, watts: int = 1000, first: int = 0) -> list[CurvePoint]:
    return [CurvePoint(START + (first + i) * 1800, 30, watts + i, date(2025, 1, 1)) for i in range(n)]


def stored_curve(engine, direction: str = "consumption") -> dict[int, tuple[int, int]]:
    t = m.load_curve
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts)
                            .where(t.c.usage_point_id == PDL, t.c.direction == direction))
        return {r.start_utc: (r.minutes, r.watts) for r in rows}


@pytest.fixture
def copy_calls(monkeypatch):
    """The batches that went through COPY (the real COPY still runs)."""
    calls = []
    real = repo.copy_upsert

    def spy(conn, table, columns, update, rows, fresh=False):
        calls.append((table.name, len(rows), fresh))
        return real(conn, table, columns, update, rows, fresh)

    monkeypatch.setattr(repo, "copy_upsert", spy)
    return calls


@pytest.mark.parametrize("size", SIZES)
def test_storing_the_same_rows_again_changes_nothing(engine, size, copy_calls):
    n = SIZES[size]
    batch = points(n)
    with engine.begin() as conn:
        assert repo.store_load_curve(conn, PDL, "consumption", batch) == n
    first = stored_curve(engine)
    with engine.begin() as conn:
        assert repo.store_load_curve(conn, PDL, "consumption", batch) == n
    assert stored_curve(engine) == first
    assert first == {p.start: (30, p.watts) for p in batch}
    copied = engine.dialect.name == "postgresql" and size == "large"
    # the first time, no point was stored on those days: copied straight in; then upserted
    assert [c for c in copy_calls if c[0] == "load_curve"] == \
        ([("load_curve", n, True), ("load_curve", n, False)] if copied else [])


@pytest.mark.parametrize("size", SIZES)
def test_rows_said_fresh_that_are_stored_or_given_twice_are_upserted_all_the_same(engine, size):
    n = SIZES[size]
    t, columns = m.load_curve, repo.LOAD_CURVE_COLUMNS
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(5, watts=1))
    rows = [(PDL, "consumption", START + i * 1800, 30, 1000 + i, "gateway") for i in range(n)]
    with engine.begin() as conn:  # stored meanwhile: the first 5 (on PostgreSQL, the copy is undone)
        assert repo.upsert_rows(conn, t, columns, rows, fresh=True) == n
        assert repo.upsert_rows(conn, t, columns, [(PDL, "production", START, 30, 7, "gateway")] * 2 + [
            (PDL, "production", START, 30, 9, "gateway")], fresh=True) == 3
    assert stored_curve(engine) == {START + i * 1800: (30, 1000 + i) for i in range(n)}
    assert stored_curve(engine, "production") == {START: (30, 9)}


@pytest.mark.parametrize("size", SIZES)
def test_changed_values_overwrite_the_stored_ones(engine, size):
    n = SIZES[size]
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(n, watts=1000))
        repo.store_load_curve(conn, PDL, "consumption", [p._replace(minutes=15) for p in points(n, watts=5)])
    assert stored_curve(engine) == {START + i * 1800: (15, 5 + i) for i in range(n)}


@pytest.mark.parametrize("size", SIZES)
def test_a_batch_mixing_new_and_stored_rows(engine, size):
    n = SIZES[size]
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(n, watts=1000))
        repo.store_load_curve(conn, PDL, "production", points(3, watts=7))
    half = n // 2
    with engine.begin() as conn:  # the second half of the stored rows, changed, then as many new ones
        assert repo.store_load_curve(conn, PDL, "consumption", points(n, watts=2000, first=half)) == n
    expected = {START + i * 1800: (30, 1000 + i) for i in range(half)}
    expected.update({START + (half + i) * 1800: (30, 2000 + i) for i in range(n)})
    assert stored_curve(engine) == expected
    assert stored_curve(engine, "production") == {START: (30, 7), START + 1800: (30, 8), START + 3600: (30, 9)}


@pytest.mark.parametrize("size", SIZES)
def test_a_key_twice_in_one_batch_keeps_the_last_values(engine, size):
    n = SIZES[size]
    batch = points(n, watts=1000)
    batch.append(batch[3]._replace(watts=42))
    with engine.begin() as conn:
        assert repo.store_load_curve(conn, PDL, "consumption", batch) == n + 1
    stored = stored_curve(engine)
    assert len(stored) == n
    assert stored[START + 3 * 1800] == (30, 42)
    assert stored[START + 4 * 1800] == (30, 1004)


@pytest.mark.parametrize("size", SIZES)
def test_update_names_the_columns_overwritten(engine, size):
    n = SIZES[size]
    t, columns = m.load_curve, ("usage_point_id", "direction", "start_utc", "minutes", "watts")
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(n, watts=1000))
        rows = [(PDL, "consumption", START + i * 1800, 10, 7) for i in range(n + 2)]
        assert repo.upsert_rows(conn, t, columns, rows, update=("watts",)) == n + 2
    assert stored_curve(engine) == {**{START + i * 1800: (30, 7) for i in range(n)},
                                    START + n * 1800: (10, 7), START + (n + 1) * 1800: (10, 7)}
    with engine.begin() as conn:  # nothing to update: stored rows are kept as they are
        repo.upsert_rows(conn, t, columns, [(PDL, "consumption", START + i * 1800, 60, 1) for i in range(n + 3)],
                         update=())
    assert stored_curve(engine) == {**{START + i * 1800: (30, 7) for i in range(n)},
                                    START + n * 1800: (10, 7), START + (n + 1) * 1800: (10, 7),
                                    START + (n + 2) * 1800: (60, 1)}


def test_daily_and_max_power_batches_of_any_size(engine):
    days = [date(2021, 1, 1) + timedelta(days=i) for i in range(bulk.COPY_FROM + 10)]
    with engine.begin() as conn:
        repo.store_daily(conn, PDL, "consumption", [DailyValue(d, 10) for d in days[:400]])
        assert repo.store_daily(conn, PDL, "consumption", [DailyValue(d, 20 + i) for i, d in enumerate(days)]) \
            == len(days)
        repo.store_max_power(conn, PDL, [MaxPower(d, 3000, 1_600_000_000) for d in days[:5]])
        repo.store_max_power(conn, PDL, [MaxPower(d, 4000 + i, 1_600_000_000 + i) for i, d in enumerate(days)])
    d, p = m.daily_energy, m.max_power
    with engine.connect() as conn:
        assert dict(conn.execute(sa.select(d.c.day, d.c.wh)).all()) == {day: 20 + i for i, day in enumerate(days)}
        assert conn.execute(sa.select(p.c.day, p.c.va, p.c.at_utc).order_by(p.c.day)).all() == [
            (day, 4000 + i, 1_600_000_000 + i) for i, day in enumerate(days)]


def test_large_batches_twice_in_one_transaction_and_after_a_rollback(engine):
    n = SIZES["large"]
    with pytest.raises(RuntimeError), engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(n, watts=1))
        raise RuntimeError("the sync stops before its commit")
    assert stored_curve(engine) == {}
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", points(n, watts=100))
        repo.store_load_curve(conn, PDL, "production", points(n, watts=200))
        if engine.dialect.name == "postgresql":  # the stage is gone once the batch is stored
            assert conn.scalar(sa.text("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'stage_%'")) == 0
    assert stored_curve(engine) == {START + i * 1800: (30, 100 + i) for i in range(n)}
    assert stored_curve(engine, "production") == {START + i * 1800: (30, 200 + i) for i in range(n)}


def test_one_per_key_keeps_the_first_row_with_the_last_updated_values():
    rows = [("a", 1, "x"), ("b", 2, "y"), ("a", 3, "z"), ("a", 4, "w")]
    assert bulk.one_per_key(rows, [0], [1]) == [("a", 4, "x"), ("b", 2, "y")]
    assert bulk.one_per_key(rows, [0], []) == [("a", 1, "x"), ("b", 2, "y")]
    assert bulk.one_per_key(rows, [0, 1], [2]) is rows
