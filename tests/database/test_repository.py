"""The storage suite: the same tests on SQLite, PostgreSQL and MariaDB."""

from datetime import date

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.database.migrate import HEAD, current_revision, script_head, upgrade
from myelectricaldata.gateway.parse import CurvePoint, DailyValue, EcowattDay, MaxPower

PDL = "99000000000001"


def count(engine, table):
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(table))


def test_migrations_are_idempotent(engine):
    upgrade(engine)
    assert current_revision(engine) == HEAD == script_head()
    names = set(sa.inspect(engine).get_table_names())
    assert {"usage_points", "load_curve", "daily_energy", "max_power", "sync_days", "contract_versions"} <= names


def test_unique_keys_have_no_nullable_column():
    for table in m.metadata.tables.values():
        assert all(not c.nullable for c in table.primary_key.columns), table.name


def test_load_curve_upsert_is_idempotent_and_updates(engine):
    points = [CurvePoint(1_700_000_000 + i * 1800, 30, 1000 + i, date(2023, 11, 14)) for i in range(12_000)]
    with engine.begin() as conn:
        assert repo.store_load_curve(conn, PDL, "consumption", points) == 12_000
    with engine.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", [*points[:10], points[10]._replace(watts=7)])
        repo.store_load_curve(conn, PDL, "production", points[:5])
    assert count(engine, m.load_curve) == 12_005
    with engine.connect() as conn:
        t = m.load_curve
        watts = conn.scalar(sa.select(t.c.watts).where(t.c.start_utc == points[10].start,
                                                       t.c.direction == "consumption"))
        total = conn.scalar(sa.select(sa.func.sum(t.c.watts)).where(t.c.direction == "consumption"))
    assert watts == 7
    assert total == sum(p.watts for p in points) - points[10].watts + 7


def test_daily_max_power_tempo_ecowatt_upserts(engine):
    with engine.begin() as conn:
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2025, 1, 1), 10), DailyValue(date(2025, 1, 2), 20)])
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2025, 1, 2), 25)])
        repo.store_max_power(conn, PDL, [MaxPower(date(2025, 1, 1), 5400, 1_735_700_000)])
        repo.store_max_power(conn, PDL, [MaxPower(date(2025, 1, 1), 5500, 1_735_700_100)])
        repo.store_tempo(conn, [(date(2025, 1, 1), "BLUE"), (date(2025, 1, 2), "RED")])
        repo.store_tempo(conn, [(date(2025, 1, 2), "WHITE")])
        repo.store_ecowatt(conn, [EcowattDay(date(2025, 1, 1), 2, "Orange", (1,) * 20 + (2,) * 4)])
    with engine.connect() as conn:
        assert conn.execute(sa.select(m.daily_energy.c.day, m.daily_energy.c.wh)
                            .order_by(m.daily_energy.c.day)).all() == [(date(2025, 1, 1), 10), (date(2025, 1, 2), 25)]
        assert conn.execute(sa.select(m.max_power.c.va, m.max_power.c.at_utc)).one() == (5500, 1_735_700_100)
        assert repo.tempo_known_days(conn, date(2025, 1, 1), date(2025, 1, 3)) == {date(2025, 1, 1), date(2025, 1, 2)}
        assert conn.scalar(sa.select(m.tempo_days.c.color).where(m.tempo_days.c.day == date(2025, 1, 2))) == "WHITE"
        assert conn.scalar(sa.select(m.ecowatt_days.c.hours)) == "1" * 20 + "2222"
        assert repo.first_stored_day(conn) == date(2025, 1, 1)


def test_ledger_round_trip_and_manual_retry(engine):
    with engine.begin() as conn:
        sync_ledger.write_ledger(conn, PDL, "consumption_daily", [
            (date(2025, 1, 1), "complete", 1, 1, ""),
            (date(2025, 1, 2), "given_up", 5, 0, "no_data_found"),
            (date(2025, 1, 3), "missing", 2, 0, "no data yet")])
        sync_ledger.write_ledger(conn, PDL, "consumption_daily", [(date(2025, 1, 3), "partial", 3, 20, "x" * 900)])
    with engine.connect() as conn:
        ledger = sync_ledger.ledger(conn, PDL, "consumption_daily")
        summary = sync_ledger.ledger_summary(conn, PDL, "consumption_daily")
    assert {d: (e.status, e.attempts) for d, e in ledger.items()} == {
        date(2025, 1, 1): ("complete", 1), date(2025, 1, 2): ("given_up", 5), date(2025, 1, 3): ("partial", 3)}
    assert summary["counts"] == {"complete": 1, "given_up": 1, "partial": 1}
    assert summary["not_complete"] == [date(2025, 1, 2), date(2025, 1, 3)]
    with engine.begin() as conn:
        assert sync_ledger.reset_given_up(conn, PDL) == 1
        assert sync_ledger.ledger(conn, PDL, "consumption_daily")[date(2025, 1, 2)][:2] == ("missing", 0)


def test_contract_versions_are_dated(engine):
    base = {"subscribed_kva": 9, "pricing_option": "HC_HP", "offpeak_hours": "22:00-06:00",
            "distribution_tariff": "BTINFMUDT", "last_activation_date": date(2015, 3, 12)}
    with engine.begin() as conn:
        assert repo.record_contract(conn, PDL, date(2025, 9, 1), base)
        assert not repo.record_contract(conn, PDL, date(2025, 9, 2), base)
        assert repo.record_contract(conn, PDL, date(2025, 11, 20), {**base, "offpeak_hours": "02:00-07:00;13:00-16:00"})
        history = repo.contract_history(conn, PDL)
        assert [(h["valid_from"], h["offpeak_hours"]) for h in history] == [
            (date(2015, 3, 12), "22:00-06:00"), (date(2025, 11, 20), "02:00-07:00;13:00-16:00")]


def test_usage_point_and_state(engine):
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison", has_production=True)
        repo.save_usage_point(conn, PDL, attention="consent needed")
        repo.set_dataset_state(conn, PDL, "consumption_daily", last_outcome="ok", progress_done=3)
        repo.set_dataset_state(conn, PDL, "consumption_daily", oldest_available=date(2024, 1, 1))
        repo.set_state(conn, "usage_stats", {"cached_requests": 3})
        repo.set_state(conn, "usage_stats", {"cached_requests": 4})
    with engine.connect() as conn:
        (up,) = repo.usage_point_rows(conn)
        state = repo.dataset_state(conn, PDL, "consumption_daily")
        assert (up["name"], up["has_production"], up["attention"]) == ("Maison", True, "consent needed")
        assert (state["last_outcome"], state["progress_done"], state["oldest_available"]) == ("ok", 3, date(2024, 1, 1))
        assert repo.get_state(conn, "usage_stats") == {"cached_requests": 4}
        assert repo.get_state(conn, "absent", "dflt") == "dflt"


def spans(engine) -> dict[tuple[str, str], tuple[int, date, date]]:
    t = m.sync_spans
    with engine.connect() as conn:
        return {(r.usage_point_id, r.dataset): (r.days, r.first_day, r.last_day) for r in conn.execute(sa.select(t))}


def test_the_ledger_keeps_its_span_per_pdl_and_dataset_as_days_are_written_and_forgotten(engine):
    ds = "consumption_daily"
    with engine.begin() as conn:
        sync_ledger.write_ledger(conn, PDL, ds, [(date(2025, 3, d), "complete", 1, 1, "") for d in (10, 11, 12)])
        sync_ledger.write_ledger(conn, PDL, "consumption_load_curve", [(date(2025, 3, 11), "partial", 1, 20, "")])
    assert spans(engine) == {(PDL, ds): (3, date(2025, 3, 10), date(2025, 3, 12)),
                             (PDL, "consumption_load_curve"): (1, date(2025, 3, 11), date(2025, 3, 11))}
    with engine.begin() as conn:  # a day already held changes status: same span; a day before the first widens it
        sync_ledger.write_ledger(conn, PDL, ds, [(date(2025, 3, 12), "missing", 2, 0, ""),
                                          (date(2025, 3, 1), "given_up", 5, 0, "")])
    assert spans(engine)[(PDL, ds)] == (4, date(2025, 3, 1), date(2025, 3, 12))
    with engine.connect() as conn:
        span = sync_ledger.ledger_spans(conn)[(PDL, ds)]
    # 10 and 11 complete, 1 given up and 12 missing (in order), a gap from the 2nd to the 9th
    assert span.counts == {"complete": 2, "given_up": 1, "missing": 1}
    assert (span.first_complete, span.last_complete) == (date(2025, 3, 10), date(2025, 3, 11))
    assert span.not_complete == [date(2025, 3, 1), date(2025, 3, 12)] and not span.contiguous
    with engine.begin() as conn:
        assert sync_ledger.forget_ledger_days(conn, PDL, ds, [date(2025, 3, 1), date(2025, 3, 12)]) == 2
    assert spans(engine)[(PDL, ds)] == (2, date(2025, 3, 10), date(2025, 3, 11))
    with engine.connect() as conn:
        assert sync_ledger.ledger_spans(conn)[(PDL, ds)].contiguous
    with engine.begin() as conn:
        assert sync_ledger.forget_ledger_days(conn, PDL, ds) == 2
    assert (PDL, ds) not in spans(engine) and (PDL, "consumption_load_curve") in spans(engine)


def test_the_migration_finds_the_span_of_a_ledger_written_before_it(db_url):
    from myelectricaldata.database.session import make_engine

    eng = make_engine(db_url)
    try:
        upgrade(eng, "0008")
        with eng.begin() as conn:  # written as a client before 0009 did: the ledger alone
            repo.upsert(conn, m.sync_days, [
                {"usage_point_id": PDL, "dataset": "production_daily", "day": date(2024, 12, d), "status": "complete",
                 "attempts": 1, "points": 1, "last_error": "", "updated_at": repo.utcnow()} for d in (5, 6, 9)])
        upgrade(eng)
        assert spans(eng) == {(PDL, "production_daily"): (3, date(2024, 12, 5), date(2024, 12, 9))}
        with eng.connect() as conn:
            assert not sync_ledger.ledger_spans(conn)[(PDL, "production_daily")].contiguous  # 3 days over 5
    finally:
        eng.dispose()


def test_the_months_of_the_daily_values_are_kept_summed_as_values_are_stored(engine):
    with engine.begin() as conn:
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2025, 1, 30), 1000),
                                                    DailyValue(date(2025, 1, 31), 2000),
                                                    DailyValue(date(2025, 2, 1), 500)])
        repo.store_daily(conn, PDL, "production", [DailyValue(date(2025, 2, 1), 7)])
    with engine.begin() as conn:  # the 31st again with another value, the 29th added: January is summed again
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2025, 1, 31), 2500),
                                                    DailyValue(date(2025, 1, 29), 10)])
    t = m.daily_months
    with engine.connect() as conn:
        kept = {(r.direction, r.month): (r.days, r.wh) for r in conn.execute(sa.select(t))}
        assert kept == {("consumption", date(2025, 1, 1)): (3, 1000 + 2500 + 10),
                        ("consumption", date(2025, 2, 1)): (1, 500), ("production", date(2025, 2, 1)): (1, 7)}
        assert repo.month_sums(conn, [PDL]) == {(PDL, "consumption"): 4010, (PDL, "production"): 7}
        assert repo.month_sums(conn, [PDL], date(2025, 2, 1), date(2025, 3, 1)) == {(PDL, "consumption"): 500,
                                                                                    (PDL, "production"): 7}
        assert repo.month_sums(conn, ["99000000000009"]) == {}


def test_the_migration_sums_the_months_of_daily_values_stored_before_it(db_url):
    from myelectricaldata.database.session import make_engine

    eng = make_engine(db_url)
    try:
        upgrade(eng, "0009")
        with eng.begin() as conn:  # stored as a client before 0010 did: the daily values alone
            repo.upsert(conn, m.daily_energy, [{"usage_point_id": PDL, "direction": "consumption", "day": d, "wh": wh,
                                                "source": "gateway"}
                                               for d, wh in ((date(2024, 12, 31), 40), (date(2025, 1, 1), 2),
                                                             (date(2025, 1, 2), 3))])
        upgrade(eng)
        with eng.connect() as conn:
            assert {r.month: (r.days, r.wh) for r in conn.execute(sa.select(m.daily_months))} == {
                date(2024, 12, 1): (1, 40), date(2025, 1, 1): (2, 5)}
    finally:
        eng.dispose()
