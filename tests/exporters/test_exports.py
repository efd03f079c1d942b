"""Incremental batches per exporter, failures isolated with back-off, exports after a real sync."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta

import pytest

from myelectricaldata.exporters.manager import ExporterManager, retry_delay
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from tests.support.exporting import batches_of, days_from, noon, recorder_source, store_calendars, store_days
from tests.support.syncing import NOON, TODAY, make_sync

FIRST = date(2025, 10, 1)


def two_recorders(folder, tmp_path, engine) -> ExporterManager:
    (folder / "first.py").write_text(recorder_source("first"))
    (folder / "second.py").write_text(recorder_source("second"))
    manager = ExporterManager(engine, tmp_path, folder, entry_points=False)
    for name in ("first", "second"):
        manager.save_config(name, {"host": "localhost"}, enabled=True)
    return manager


def test_each_exporter_gets_only_what_changed_since_its_own_mark(engine, folder, tmp_path):
    store_days(engine, days_from(FIRST, 3), datetime(2025, 10, 4, 5))
    store_calendars(engine, days_from(FIRST, 4))
    manager = two_recorders(folder, tmp_path, engine)
    try:
        first = manager.run_exports(noon(date(2025, 10, 4)), names=["first"])["first"]
        [batch] = batches_of(manager, "first")
        assert (len(batch.daily), len(batch.load_curve), len(batch.max_power), len(batch.costs)) == (3, 144, 3, 3)
        assert (len(batch.tempo), len(batch.ecowatt)) == (4, 4)
        assert batch.snapshot.tempo_today == "BLUE" and first.items_sent == batch.size

        again = manager.run_exports(noon(date(2025, 10, 4)), names=["first"])["first"]
        assert again.ok and again.items_sent == 0 and batches_of(manager, "first")[-1].is_empty

        store_days(engine, [date(2025, 10, 4)], datetime(2025, 10, 5, 5))
        store_calendars(engine, [date(2025, 10, 5)])
        manager.run_exports(noon(date(2025, 10, 5)))
        newer = batches_of(manager, "first")[-1]
        assert [d.day for d in newer.daily] == [date(2025, 10, 4)] and len(newer.load_curve) == 48
        assert [t.day for t in newer.tempo] == [date(2025, 10, 5)]
        assert [c.cost.day for c in newer.costs] == [date(2025, 10, 4)]
        [caught_up] = batches_of(manager, "second")  # its own mark: everything, once
        assert len(caught_up.daily) == 4 and len(caught_up.tempo) == 5
        assert manager.run_exports(noon(date(2025, 10, 5)))["second"].items_sent == 0
        assert manager.status("first").items_sent == 0 and manager.status("first").last_export_at
    finally:
        manager.close()


def test_older_tempo_days_filled_in_later_are_sent(sqlite_engine, folder, tmp_path):
    store_calendars(sqlite_engine, days_from(FIRST, 2))
    manager = two_recorders(folder, tmp_path, sqlite_engine)
    manager.run_exports(noon(FIRST), names=["first"])
    store_calendars(sqlite_engine, [FIRST - timedelta(days=1)])
    manager.run_exports(noon(FIRST), names=["first"])
    assert FIRST - timedelta(days=1) in {t.day for t in batches_of(manager, "first")[-1].tempo}
    manager.close()


def test_a_failing_exporter_is_isolated_backed_off_and_loses_nothing(engine, folder, tmp_path):
    store_days(engine, days_from(FIRST, 2), datetime(2025, 10, 3, 5))
    manager = two_recorders(folder, tmp_path, engine)
    try:
        manager.save_config("first", {"host": "down"}, enabled=True)
        now = noon(date(2025, 10, 3))
        results = manager.run_exports(now)
        assert not results["first"].ok and results["first"].error == "ConnectionError: broker down"
        assert results["second"].ok and results["second"].items_sent > 0
        status = manager.status("first")
        assert status.retry_at == now.replace(tzinfo=None) + retry_delay(1) and status.failures == 1
        assert manager.run_exports(now + timedelta(seconds=30))["first"].skipped
        later = now + timedelta(minutes=2)
        assert manager.run_exports(later)["first"].error and manager.status("first").failures == 2
        assert manager.status("first").retry_at == later.replace(tzinfo=None) + timedelta(minutes=2)
        manager.save_config("first", {"host": "up"}, enabled=True)
        recovered = manager.run_exports(later)["first"]
        assert recovered.ok and len(batches_of(manager, "first")[-1].daily) == 2
        assert manager.status("first").last_error == "" and manager.status("first").retry_at is None
    finally:
        manager.close()


def test_retry_delay_doubles_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(30) == timedelta(hours=6)


@pytest.mark.slow
def test_exports_after_a_sync_against_the_simulator(sqlite_engine, folder, tmp_path):
    (folder / "recorder.py").write_text(recorder_source())
    manager = ExporterManager(sqlite_engine, tmp_path, folder, entry_points=False)
    manager.save_config("recorder", {"host": "localhost"}, enabled=True)
    with start_simulator(households=DEMO_HOUSEHOLDS[:1], today=TODAY) as sim:
        sync = make_sync(sqlite_engine, sim, tmp_path)
        manager.after_sync(sync.run(), NOON)
        [full] = batches_of(manager, "recorder")
        assert len(full.daily) > 700 and len(full.load_curve) > 30_000 and full.costs and full.tempo
        assert full.snapshot.usage_points and full.snapshot.last_sync_at
        sim.state.set_now(NOON + timedelta(days=1))
        manager.after_sync(sync.run(), NOON + timedelta(days=1))
        manager.after_sync(sync.run(), NOON + timedelta(days=1))
    newer, nothing = batches_of(manager, "recorder")[1:]
    assert TODAY in {d.day for d in newer.daily} and len(newer.daily) <= 3
    assert nothing.is_empty
    manager.close()
    sys.modules.pop("myelectricaldata_user_exporters.recorder", None)


def test_a_pricing_change_sends_every_cost_again(sqlite_engine, folder, tmp_path):
    from myelectricaldata.database import repository as repo

    store_days(sqlite_engine, days_from(FIRST, 3), datetime(2025, 10, 4, 5))
    manager = two_recorders(folder, tmp_path, sqlite_engine)
    manager.run_exports(noon(date(2025, 10, 4)), names=["first"])
    with sqlite_engine.begin() as conn:
        repo.record_contract(conn, "99000000000001", date(2025, 10, 4), {"subscribed_kva": 9,
                                                                          "pricing_option": "BASE"})
    manager.run_exports(noon(date(2025, 10, 4)), names=["first"])
    again = batches_of(manager, "first")[-1]
    assert len(again.costs) == 3 and not again.daily
    manager.close()


SLOW = '''
import threading

from myelectricaldata.exporters import BaseExporter, ExportResult

EVENTS = []
GATE = threading.Event()


class Slow(BaseExporter):
    name = "slow"

    def export(self, batch):
        EVENTS.append("start")
        GATE.wait(5)
        EVENTS.append("end")
        return ExportResult(1)
'''


def test_two_exports_of_one_exporter_never_overlap(sqlite_engine, folder, tmp_path):
    """A sync's export and the "export now" button at the same time run one after the other."""
    import threading

    (folder / "slow.py").write_text(SLOW)
    manager = ExporterManager(sqlite_engine, tmp_path, folder, entry_points=False)
    manager.save_config("slow", {}, enabled=True)
    module = next(m for m in list(sys.modules.values()) if getattr(m, "__file__", "") and
                  m.__file__.endswith("slow.py") and hasattr(m, "EVENTS"))
    threads = [threading.Thread(target=manager.run_exports, kwargs={"force": True}) for _ in range(2)]
    for t in threads:
        t.start()
    while not module.EVENTS:  # the first export is inside export(), holding its lock
        threading.Event().wait(0.01)
    threading.Event().wait(0.2)  # the second thread has had time to try
    assert module.EVENTS == ["start"]
    module.GATE.set()
    for t in threads:
        t.join(10)
    assert module.EVENTS == ["start", "end", "start", "end"]
    manager.close()


REMEMBERING = '''
from myelectricaldata.exporters import BaseExporter, ConfigField, ExportResult


class Remembering(BaseExporter):
    name = "remembering"
    config_schema = (ConfigField("fail", type="bool", default=False), ConfigField("mode", reexport=True))

    def export(self, batch):
        self.memory["runs"] = str(int(self.memory.get("runs", "0")) + 1)
        self.memory.pop("learnt", None)
        if self.config["fail"]:
            raise ConnectionError("down")
        self.memory["learnt"] = "yes"
        return ExportResult(batch.size)

    def reset(self):
        return "cleared"
'''


def test_an_exporter_memory_outlives_failures_resets_and_reexports(engine, folder, tmp_path):
    """Memory is stored after every export, failed or not, and kept when the marks are forgotten."""
    from myelectricaldata.exporters import store

    store_days(engine, days_from(FIRST, 2), datetime(2025, 10, 3, 5))
    (folder / "remembering.py").write_text(REMEMBERING)
    manager = ExporterManager(engine, tmp_path, folder, entry_points=False)

    def marks() -> dict[str, str]:
        with engine.connect() as conn:
            return store.get_marks(conn, "remembering")

    try:
        assert not manager.save_config("remembering", {"mode": "a"}, enabled=True)
        assert manager.run_exports(noon(FIRST), names=["remembering"])["remembering"].ok
        assert {"memory:runs": "1", "memory:learnt": "yes"}.items() <= marks().items() and "ledger" in marks()
        manager.save_config("remembering", {"mode": "a", "fail": True}, enabled=True)
        assert not manager.run_exports(noon(FIRST), names=["remembering"])["remembering"].ok
        assert marks()["memory:runs"] == "2" and "memory:learnt" not in marks() and "ledger" in marks()
        manager.save_config("remembering", {"mode": "b"}, enabled=True)  # a reexport field changed
        assert "ledger" not in marks() and marks()["memory:runs"] == "2"
        assert manager.reset("remembering", noon(FIRST)).ok
        assert marks()["memory:runs"] == "3" and "ledger" in marks()
    finally:
        manager.close()


def test_the_newest_max_power_of_each_pdl_is_the_last_on_or_before_the_day_asked(engine):
    from myelectricaldata.database import models as m
    from myelectricaldata.database import repository as repo
    from myelectricaldata.exporters.changes import newest_max_powers

    a, b, c = "99000000000011", "99000000000012", "99000000000013"
    with engine.begin() as conn:
        conn.execute(m.usage_points.insert(), [{"usage_point_id": p, "updated_at": repo.utcnow()} for p in (a, b, c)])
        rows = [(a, date(2025, 3, d), 1000 * d, 1_740_000_000 + d) for d in (1, 2, 5)]
        repo.upsert(conn, m.max_power, [{"usage_point_id": p, "day": d, "va": va, "at_utc": at, "source": "gateway"}
                                        for p, d, va, at in [*rows, (b, date(2025, 3, 9), 4242, 1_741_500_000)]])
    with engine.connect() as conn:
        newest = newest_max_powers(conn, date(2025, 3, 4))
    # a: the 2nd (the 5th is after the day asked); b: only the 9th, after it; c: none stored
    assert {p: (mp.day, mp.va, mp.at_utc) for p, mp in newest.items()} == {a: (date(2025, 3, 2), 2000, 1_740_000_002)}


def test_period_totals_run_from_each_periods_first_day_the_iso_week_across_new_year(engine):
    from myelectricaldata.database import repository as repo
    from myelectricaldata.exporters.changes import periods_totals
    from myelectricaldata.gateway.parse import DailyValue

    pdl = "99000000000021"
    days = {date(2025, 11, 15): 1000, date(2025, 12, 28): 1, date(2025, 12, 29): 10, date(2025, 12, 30): 20,
            date(2025, 12, 31): 30, date(2026, 1, 1): 40, date(2026, 1, 2): 50, date(2026, 1, 31): 5,
            date(2026, 2, 2): 6, date(2026, 2, 3): 7}
    with engine.begin() as conn:
        repo.store_daily(conn, pdl, "consumption", [DailyValue(d, wh) for d, wh in days.items()])
    with engine.connect() as conn:
        friday = periods_totals(conn, [pdl], date(2026, 1, 2))
        tuesday = periods_totals(conn, [pdl], date(2026, 2, 3))
    # Friday 2 January 2026: the week from Monday 29 December (10+20+30+40+50), the month and year 40+50
    assert [(t.yesterday, t.week, t.month, t.year) for t in friday.values()] == [(50, 150, 90, 90)]
    # Tuesday 3 February: the week from Monday 2 February (6+7), the year January (40+50+5) and February
    assert list(tuesday) == [(pdl, "consumption")]
    assert (tuesday[(pdl, "consumption")].week, tuesday[(pdl, "consumption")].month,
            tuesday[(pdl, "consumption")].year, tuesday[(pdl, "consumption")].yesterday) == (13, 13, 95 + 13, 7)
