"""The legacy client's database (MyElectricalData import 0.13 and 1.0-rc: one schema, ``src/db_schema.py``), and a
household's history written into it the way that client wrote it: average W keyed by the naive local start (so the
autumn twin overwrites the summer-time interval), placeholder rows where data was missing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Boolean, Column, DateTime, Engine, Float, Integer, MetaData, String, Table, Text, insert

from myelectricaldata.energy.timeline import PARIS, interval_starts

from .households import Household
from .meter import meter_day

LEGACY = MetaData()


def _pdl() -> Column:
    return Column("usage_point_id", String, index=True)


LEGACY_USAGE_POINTS = Table(
    "usage_points", LEGACY,
    Column("usage_point_id", String, primary_key=True),
    *(Column(name, String) for name in ("name", "token", "last_error", "progress_status")),
    *(Column(name, Boolean) for name in ("cache", "consumption", "consumption_detail", "production",
                                         "production_detail", "refresh_addresse", "refresh_contract", "enable",
                                         "consumption_max_power", "quota_reached", "ban")),
    *(Column(name, Float) for name in ("consumption_price_base", "consumption_price_hc", "consumption_price_hp",
                                       "production_price")),
    *(Column(f"offpeak_hours_{day}", String) for day in range(7)),
    Column("plan", String, default="BASE"),
    *(Column(name, DateTime) for name in ("consumption_max_date", "consumption_detail_max_date",
                                          "production_max_date", "production_detail_max_date",
                                          "consentement_expiration", "quota_reset_at", "last_call")),
    *(Column(name, Integer) for name in ("progress", "call_number", "quota_limit")),
)
LEGACY_CONTRACTS = Table(
    "contracts", LEGACY,
    Column("id", Integer, primary_key=True, autoincrement=True), _pdl(),
    *(Column(name, String) for name in ("usage_point_status", "meter_type", "segment", "subscribed_power",
                                        "distribution_tariff", "contract_status")),
    *(Column(f"offpeak_hours_{day}", String) for day in range(7)),
    Column("last_activation_date", DateTime), Column("last_distribution_tariff_change_date", DateTime),
    Column("count", Integer),
)
LEGACY_ADDRESSES = Table(
    "addresses", LEGACY,
    Column("id", Integer, primary_key=True, autoincrement=True), _pdl(),
    *(Column(name, String) for name in ("street", "locality", "postal_code", "insee_code", "city", "country",
                                        "geo_points")),
    Column("count", Integer),
)


def _readings(name: str, *extra: Column) -> Table:
    return Table(name, LEGACY, Column("id", String, primary_key=True), _pdl(), Column("date", DateTime),
                 *extra, Column("value", Integer), Column("blacklist", Integer, default=0),
                 Column("fail_count", Integer, default=0))


LEGACY_DAILY = {d: _readings(f"{d}_daily") for d in ("consumption", "production")}
LEGACY_DETAIL = {d: _readings(f"{d}_detail", Column("interval", Integer), Column("measure_type", String))
                 for d in ("consumption", "production")}
LEGACY_MAX_POWER = _readings("consumption_daily_max_power", Column("event_date", DateTime))
LEGACY_TEMPO = Table("tempo", LEGACY, Column("date", DateTime, primary_key=True), Column("color", String))
LEGACY_TEMPO_CONFIG = Table("tempo_config", LEGACY, Column("key", String, primary_key=True), Column("value", String))
LEGACY_CONFIG = Table("config", LEGACY, Column("key", String, primary_key=True), Column("value", String))
Table("statistique", LEGACY, Column("id", Integer, primary_key=True), _pdl(), Column("key", String),
      Column("value", Text))
Table("ecowatt", LEGACY, Column("date", DateTime, primary_key=True), Column("value", Integer),
      Column("message", String), Column("detail", String))

PLANS = {"BASE": "BASE", "HC_HP": "HC/HP", "TEMPO": "TEMPO"}  # as the legacy config writes them
PRICES = {"consumption_price_base": 0.2516, "consumption_price_hc": 0.2068, "consumption_price_hp": 0.27}
TEMPO_PRICES = {"blue_hc": "0,1296", "blue_hp": "0,1609", "white_hc": "0,1486", "white_hp": "0,1894",
                "red_hc": "0,1568", "red_hp": "0,7562"}


def legacy_id(pdl: str, when: datetime) -> str:
    """The legacy row key: md5 of ``<pdl>/<naive local time>``."""
    return hashlib.md5(f"{pdl}/{when}".encode()).hexdigest()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _detail_rows(household: Household, days: Iterable[date]) -> list[dict]:
    """Load-curve rows keyed as the legacy client keyed them: a repeated naive start keeps the later interval."""
    rows: dict[str, dict] = {}
    for day in days:
        record = meter_day(household, day)
        step = timedelta(minutes=record.minutes)
        for start, watts in zip(interval_starts(day, record.minutes), record.consumption, strict=True):
            naive = (start.astimezone(UTC) + step).astimezone(PARIS).replace(tzinfo=None) - step
            key = legacy_id(household.usage_point_id, naive)
            rows[key] = {"id": key, "usage_point_id": household.usage_point_id, "date": naive, "value": watts,
                         "interval": record.minutes, "measure_type": "", "blacklist": 0, "fail_count": 0}
    return list(rows.values())


def write_legacy_database(engine: Engine, households: Iterable[Household], detail_days: list[date],
                          daily_days: list[date], missing: Iterable[date] = ()) -> None:
    """Create the legacy schema in ``engine`` and write each household's history; the ``missing`` days get the
    placeholder rows the legacy client wrote when the gateway had nothing (value 0, interval 0, failures counted)."""
    LEGACY.create_all(engine)
    missing = set(missing)
    with engine.begin() as conn:
        conn.execute(insert(LEGACY_CONFIG), [{"key": "version", "value": "0.13.2"}])
        conn.execute(insert(LEGACY_TEMPO_CONFIG), [{"key": "price", "value": json.dumps(TEMPO_PRICES)}])
        for household in households:
            pdl, offpeak = household.usage_point_id, (household.offpeak_hours or "").removeprefix("HC ").strip("()")
            conn.execute(insert(LEGACY_USAGE_POINTS), [{
                "usage_point_id": pdl, "name": household.name, "plan": PLANS[household.pricing_option],
                "consumption": True, "consumption_detail": True, "production": False, "enable": True, **PRICES,
                **{f"offpeak_hours_{day}": offpeak for day in range(7)}}])
            conn.execute(insert(LEGACY_CONTRACTS), [{
                "usage_point_id": pdl, "subscribed_power": f"{household.subscribed_kva} kVA",
                "distribution_tariff": "BTINFMUDT" if offpeak else "BTINFCUST", "contract_status": "SERVC",
                "last_activation_date": _midnight(household.activation_date),
                "last_distribution_tariff_change_date": _midnight(household.activation_date),
                **{f"offpeak_hours_{day}": household.offpeak_hours or "" for day in range(7)}}])
            kept = [d for d in detail_days if d not in missing]
            conn.execute(insert(LEGACY_DETAIL["consumption"]), _detail_rows(household, kept) + [
                {"id": legacy_id(pdl, _midnight(d)), "usage_point_id": pdl, "date": _midnight(d), "value": 0,
                 "interval": 0, "measure_type": "HP", "blacklist": 0, "fail_count": 1} for d in detail_days
                if d in missing])
            conn.execute(insert(LEGACY_DAILY["consumption"]), [
                {"id": legacy_id(pdl, _midnight(d)), "usage_point_id": pdl, "date": _midnight(d),
                 "value": 0 if d in missing else meter_day(household, d).consumption_wh,
                 "blacklist": 0, "fail_count": 3 if d in missing else 0} for d in daily_days])
            conn.execute(insert(LEGACY_MAX_POWER), [
                {"id": legacy_id(pdl, _midnight(d)), "usage_point_id": pdl, "date": _midnight(d),
                 "event_date": datetime.fromisoformat(meter_day(household, d).peak_at),
                 "value": meter_day(household, d).peak_va, "blacklist": 0, "fail_count": 0}
                for d in daily_days if d not in missing])
