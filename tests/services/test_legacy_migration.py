"""The legacy client's database (schema of its ``src/db_schema.py``, rows written as it wrote them) migrated: expected
counts, placeholder rows left out, the overwritten autumn half-hours reported and left missing, its settings taken
over, the source never written to; SQLite under both versions' file names, and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.readings import DailyValue
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services import legacy_migration, legacy_source
from myelectricaldata.services.pricing_store import get_choice, user_offers
from myelectricaldata.simulator.legacy_database import (
    LEGACY,
    LEGACY_CONFIG,
    LEGACY_CONTRACTS,
    LEGACY_DAILY,
    LEGACY_DETAIL,
    LEGACY_MAX_POWER,
    LEGACY_TEMPO,
    LEGACY_USAGE_POINTS,
    legacy_id,
)
from tests.support.enedis_files import z

PDL = "12345678901234"
TODAY = date(2025, 11, 5)
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
AUTUMN = date(2023, 10, 29)


def detail(naive: str, watts: int, minutes: int = 30, blacklist: int = 0, fails: int = 0) -> dict:
    when = datetime.fromisoformat(naive)
    return {"id": legacy_id(PDL, when), "usage_point_id": PDL, "date": when, "value": watts, "interval": minutes,
            "measure_type": "" if minutes else "HP", "blacklist": blacklist, "fail_count": fails}


def day_row(day: str, value: int, fails: int = 0, blacklist: int = 0, **extra) -> dict:
    when = datetime.fromisoformat(day)
    return {"id": legacy_id(PDL, when), "usage_point_id": PDL, "date": when, "value": value, "blacklist": blacklist,
            "fail_count": fails, **extra}


def fill_legacy(engine: sa.Engine) -> None:
    """A household on HC/HP whose 2023-10-29 went through the legacy client's keys: naive starts 01:30 and 02:00
    repeat on that day, so they hold the later (winter-time) intervals, 1134 W and 630 W."""
    LEGACY.create_all(engine)
    offpeak = ["22H00-6H00"] * 5 + ["22H00-6H00;12H00-14H00", "22H00-6H00"]
    with engine.begin() as conn:
        conn.execute(sa.insert(LEGACY_CONFIG), [{"key": "version", "value": "0.13.2"}])
        conn.execute(sa.insert(LEGACY_USAGE_POINTS), [{
            "usage_point_id": PDL, "name": "Maison", "plan": "HC/HP", "consumption_price_base": 0.2516,
            "consumption_price_hc": 0.2068, "consumption_price_hp": 0.27, "production_price": 0.1276,
            **{f"offpeak_hours_{d}": hours for d, hours in enumerate(offpeak)}}])
        conn.execute(sa.insert(LEGACY_CONTRACTS), [{
            "usage_point_id": PDL, "subscribed_power": "9 kVA", "distribution_tariff": "BTINFMUDT",
            "contract_status": "SERVC", "last_activation_date": datetime(2014, 10, 6),
            "last_distribution_tariff_change_date": datetime(2020, 3, 1),
            **{f"offpeak_hours_{d}": "HC (22H00-6H00)" for d in range(7)}}])
        conn.execute(sa.insert(LEGACY_DETAIL["consumption"]), [
            detail("2023-10-29 01:00:00", 624), detail("2023-10-29 01:30:00", 1134),
            detail("2023-10-29 02:00:00", 630), detail("2023-10-29 02:30:00", 622),
            detail("2023-10-30 00:00:00", 500), detail("2023-10-30 00:30:00", 480),
            detail("2023-10-31 00:00:00", 0, minutes=0, fails=1), detail("2023-10-31 00:30:00", 0, minutes=0, fails=1),
            detail("2023-11-01 00:00:00", 0, blacklist=1, fails=20)])
        conn.execute(sa.insert(LEGACY_DAILY["consumption"]), [
            day_row("2023-10-29", 12_000), day_row("2023-10-30", 9_000), day_row("2023-10-31", 0, fails=3),
            day_row("2023-11-01", 0)])
        conn.execute(sa.insert(LEGACY_MAX_POWER), [
            day_row("2023-10-29", 5400, event_date=datetime(2023, 10, 29, 19, 12)),
            day_row("2023-10-31", 0, blacklist=1, event_date=None)])
        conn.execute(sa.insert(LEGACY_TEMPO), [{"date": datetime(2023, 10, 29), "color": "BLUE"},
                                               {"date": datetime(2023, 10, 30), "color": "WHITE"}])


def legacy_sqlite(folder: Path, name: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    fill_legacy(engine)
    engine.dispose()
    return path


def stored(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]


def check_migrated(engine) -> None:
    """What the legacy rows above become here, worked out by hand."""
    curve = {r[2]: (r[3], r[4], r[5]) for r in stored(engine, m.load_curve)}
    assert curve == {
        z(2023, 10, 28, 23, 0): (30, 624, "legacy_client"),  # 01:00-01:30 CEST
        z(2023, 10, 29, 0, 30): (30, 1134, "legacy_client"),  # naive 01:30: ends at the second 02:00 (CET)
        z(2023, 10, 29, 1, 0): (30, 630, "legacy_client"),  # naive 02:00: ends at the second 02:30
        z(2023, 10, 29, 1, 30): (30, 622, "legacy_client"),  # naive 02:30: ends at 03:00 CET
        z(2023, 10, 29, 23, 0): (30, 500, "legacy_client"),  # 30/10 00:00 CET
        z(2023, 10, 29, 23, 30): (30, 480, "legacy_client"),
    }  # 23:30Z and 00:00Z on the 29th (the summer-time twins) stay missing, never zero
    assert stored(engine, m.daily_energy) == [(PDL, "consumption", date(2023, 10, 29), 12_000, "legacy_client"),
                                              (PDL, "consumption", date(2023, 10, 30), 9_000, "legacy_client"),
                                              (PDL, "consumption", date(2023, 11, 1), 0, "legacy_client")]
    assert stored(engine, m.max_power) == [(PDL, date(2023, 10, 29), 5400, z(2023, 10, 29, 18, 12), "legacy_client")]
    assert stored(engine, m.tempo_days) == [(date(2023, 10, 29), "BLUE"), (date(2023, 10, 30), "WHITE")]
    with engine.connect() as conn:
        (contract,) = repo.contract_history(conn, PDL)
        (offer,) = user_offers(conn)
        choice = get_choice(conn, PDL)
        ledger = sync_ledger.ledger(conn, PDL, "consumption_load_curve")
    assert (contract["valid_from"], contract["subscribed_kva"], contract["offpeak_hours"],
            contract["pricing_option"]) == (date(2020, 3, 1), 9, "22:00-06:00", "HC_HP")
    assert (offer.name, offer.kind, offer.versions[0].valid_from, offer.versions[0].energy) == (
        "Ancien client · Maison", "HPHC", AUTUMN, {"HP": Decimal("0.27"), "HC": Decimal("0.2068")})
    assert choice.offer_key == offer.key and choice.buyback == Decimal("0.1276")
    assert choice.overrides == {5: ((0, 360), (720, 840), (1320, 1440))}  # Saturday differs from the contract
    assert {d: e.status for d, e in ledger.items()} == {AUTUMN: "partial", date(2023, 10, 30): "partial"}


def check_report(report: legacy_migration.MigrationReport) -> None:
    (pdl,) = report.pdls
    plans = {p.dataset: p for p in pdl.datasets}
    assert (plans["consumption_load_curve"].added, plans["consumption_load_curve"].empty) == (6, 3)
    assert (plans["consumption_daily"].added, plans["consumption_daily"].empty) == (3, 1)
    assert (plans["consumption_max_power"].added, plans["consumption_max_power"].empty) == (1, 1)
    (lost,) = pdl.lost
    assert (lost.day, lost.start.isoformat(), lost.end.isoformat(), lost.slots) == (
        AUTUMN, "2023-10-29T01:30:00+02:00", "2023-10-29T02:30:00+02:00", 2)
    assert report.tempo_days == 2 and not pdl.known
    assert pdl.offer == "« Ancien client · Maison » (HP 0,27 €/kWh, HC 0,2068 €/kWh)"
    assert pdl.overrides == {5: "22:00-06:00;12:00-14:00"}


@pytest.mark.parametrize("name", ["cache.db", "myelectricaldata.db"])  # 0.13's name, then 1.0's
def test_a_legacy_sqlite_database_migrates_with_the_expected_counts(engine, tmp_path, name):
    path = legacy_sqlite(tmp_path / "legacy", name)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    (found,) = legacy_source.find(settings)
    assert (found.source, found.what) == (str(path), "base SQLite de la " + legacy_source.FILE_NAMES[name])
    report = legacy_migration.preview(engine, found.source, TODAY)
    assert report.version == "version 0.13.2" and report.written == 0
    check_report(report)
    assert stored(engine, m.load_curve) == [] and stored(engine, m.usage_points) == []  # the dry run wrote nothing
    done = legacy_migration.migrate(engine, found.source, tmp_path / "sync.lock", TODAY, now=NOW)
    assert done.written == 6 + 3 + 1
    check_migrated(engine)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # never written to
    assert sorted(p.name for p in path.parent.iterdir()) == [name]  # no journal left beside it
    again = legacy_migration.preview(engine, found.source, TODAY)
    assert not again.ready and again.pdls[0].known and again.pdls[0].pricing == "déjà réglée ici : inchangée"
    legacy_migration.migrate(engine, found.source, tmp_path / "sync.lock", TODAY)  # run twice: nothing doubled
    check_migrated(engine)


def test_the_gateway_values_stay_and_the_pricing_chosen_here_is_kept(sqlite_engine, tmp_path):
    path = legacy_sqlite(tmp_path, "cache.db")
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Gateway name")
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2023, 10, 29), 11_500)])
        repo.record_contract(conn, PDL, TODAY, {"subscribed_kva": 6, "pricing_option": "BASE"})
        repo.upsert(conn, m.pdl_pricing, [{"usage_point_id": PDL, "offer_key": "", "offpeak_overrides": "{}",
                                           "buyback": "", "kva": None, "updated_at": repo.utcnow()}])
    report = legacy_migration.migrate(sqlite_engine, str(path), tmp_path / "sync.lock", TODAY)
    (pdl,) = report.pdls
    daily = {p.dataset: p for p in pdl.datasets}["consumption_daily"]
    assert (daily.conflicts, daily.added) == (1, 2)
    assert (pdl.contract, pdl.pricing) == ("déjà connu ici : inchangé", "déjà réglée ici : inchangée")
    assert stored(sqlite_engine, m.daily_energy)[0] == (PDL, "consumption", date(2023, 10, 29), 11_500, "gateway")
    with sqlite_engine.connect() as conn:
        assert get_choice(conn, PDL).offer_key == "" and len(repo.contract_history(conn, PDL)) == 1
        assert repo.usage_point_rows(conn)[0]["name"] == "Gateway name"


def test_the_legacy_database_is_opened_read_only(tmp_path):
    path = legacy_sqlite(tmp_path, "cache.db")
    with pytest.raises(legacy_source.LegacyError, match=r"readonly|read-only"), \
            legacy_source.open_readonly(str(path)) as conn:
        conn.exec_driver_sql("DELETE FROM consumption_daily")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_legacy_postgresql_database_migrates_read_only(db_url, sqlite_engine, tmp_path):
    source = sa.create_engine(db_url)
    fill_legacy(source)
    source.dispose()
    legacy_url = db_url.replace("postgresql+psycopg://", "postgresql://")  # as its config.yaml writes it
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "config.yaml").write_text(f"storage_uri: {legacy_url}\n", encoding="utf-8")
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    (found,) = legacy_source.find(settings)
    assert found.source == legacy_url and found.what.startswith("base PostgreSQL nommée par")
    check_report(legacy_migration.preview(sqlite_engine, found.source, TODAY))
    legacy_migration.migrate(sqlite_engine, found.source, tmp_path / "sync.lock", TODAY, now=NOW)
    check_migrated(sqlite_engine)
    with pytest.raises(legacy_source.LegacyError, match="read-only transaction"), \
            legacy_source.open_readonly(found.source) as conn:
        conn.exec_driver_sql("DELETE FROM consumption_daily")


@pytest.mark.parametrize(("source", "message"), [
    ("{tmp}/missing.db", "missing.db : fichier introuvable"),
    ("{tmp}/not-legacy.db", "n'est pas une base de l'ancien client"),
    ("{tmp}/garbage.db", "lecture impossible (file is not a database)"),
    ("mysql://me:secret@host/db", "mysql://me:***@host/db : l'ancien client n'utilisait que SQLite ou PostgreSQL"),
])
def test_sources_that_are_not_a_legacy_database_are_named(tmp_path, source, message):
    sa.create_engine(f"sqlite:///{tmp_path / 'not-legacy.db'}").connect().exec_driver_sql("CREATE TABLE t (x)")
    (tmp_path / "garbage.db").write_bytes(b"this is not SQLite at all" * 100)
    with pytest.raises(legacy_source.LegacyError) as refused:
        legacy_source.read(source.format(tmp=tmp_path))
    assert message in str(refused.value) and "secret" not in str(refused.value)
