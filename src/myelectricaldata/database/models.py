"""Tables. Raw facts as the gateway gives them; everything else is derived.

Instants are stored as whole seconds since the epoch (UTC) or naive UTC datetimes; local days as
dates (Europe/Paris). Every unique key is made of non-nullable columns, so upserts are idempotent.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql

metadata = MetaData(naming_convention={
    "pk": "pk_%(table_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
})


def _pdl(primary_key: bool = True) -> Column:
    return Column("usage_point_id", String(14), primary_key=primary_key, nullable=False)


def _source() -> Column:
    """Where a reading came from: ``gateway``, ``enedis_file`` or ``legacy_client`` (the gateway's wins)."""
    return Column("source", String(16), nullable=False, default="gateway", server_default="gateway")


usage_points = Table(
    "usage_points", metadata,
    _pdl(),
    Column("name", String(100), nullable=False, default=""),
    Column("pricing_option", String(20), nullable=False, default=""),
    Column("has_consumption", Boolean, nullable=False, default=True),
    Column("has_production", Boolean, nullable=False, default=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("activation_date", Date),
    Column("attention", String(500), nullable=False, default=""),
    Column("street", String(200), nullable=False, default=""),
    Column("locality", String(200), nullable=False, default=""),
    Column("postal_code", String(10), nullable=False, default=""),
    Column("insee_code", String(10), nullable=False, default=""),
    Column("city", String(100), nullable=False, default=""),
    Column("country", String(50), nullable=False, default=""),
    Column("latitude", String(20), nullable=False, default=""),
    Column("longitude", String(20), nullable=False, default=""),
    Column("contract_checked_on", Date),
    Column("address_checked_on", Date),
    Column("updated_at", DateTime, nullable=False),
    Column("linked_production_pdl_id", String(14), nullable=False, default="", server_default=""),
    Column("selected_offer_id", String(36), nullable=False, default="", server_default=""),  # the gateway's row id
)

contract_versions = Table(
    "contract_versions", metadata,
    _pdl(),
    Column("valid_from", Date, primary_key=True, nullable=False),
    Column("first_seen_on", Date, nullable=False),
    Column("subscribed_kva", Integer),
    Column("pricing_option", String(20), nullable=False, default=""),
    Column("offpeak_hours", String(100), nullable=False, default=""),
    Column("offpeak_raw", String(200), nullable=False, default=""),
    Column("distribution_tariff", String(20), nullable=False, default=""),
    Column("contract_status", String(20), nullable=False, default=""),
    Column("last_activation_date", Date),
    Column("last_tariff_change_date", Date),
)

daily_energy = Table(
    "daily_energy", metadata,
    _pdl(),
    Column("direction", String(12), primary_key=True, nullable=False),
    Column("day", Date, primary_key=True, nullable=False),
    Column("wh", BigInteger, nullable=False),
    _source(),
    sqlite_with_rowid=False,
)

daily_months = Table(  # derived from daily_energy by repository.store_daily: each calendar month's stored days summed
    "daily_months", metadata,
    _pdl(),
    Column("direction", String(12), primary_key=True, nullable=False),
    Column("month", Date, primary_key=True, nullable=False),  # its first day
    Column("days", Integer, nullable=False),
    Column("wh", BigInteger, nullable=False),
)

load_curve = Table(
    "load_curve", metadata,
    _pdl(),
    Column("direction", String(12), primary_key=True, nullable=False),
    Column("start_utc", BigInteger, primary_key=True, nullable=False, autoincrement=False),
    Column("minutes", SmallInteger, nullable=False),
    Column("watts", Integer, nullable=False),
    _source(),
    sqlite_with_rowid=False,
)

curve_days = Table(  # derived from load_curve and kept in step with it (database.curve_days)
    "curve_days", metadata,
    _pdl(),
    Column("direction", String(12), primary_key=True, nullable=False),
    Column("day", Date, primary_key=True, nullable=False),  # the local day (Europe/Paris)
    Column("points", Integer, nullable=False),  # load_curve rows starting that day
    Column("watts_sum", BigInteger, nullable=False),  # the sum of their watts
    Column("total", BigInteger, nullable=False),  # the day's watt-minutes
    Column("intervals", LargeBinary, nullable=False),  # energy.day_loads.pack_intervals of the day's DayLoad
    sqlite_with_rowid=False,
)

max_power = Table(
    "max_power", metadata,
    _pdl(),
    Column("day", Date, primary_key=True, nullable=False),
    Column("va", Integer, nullable=False),
    Column("at_utc", BigInteger, nullable=False),
    _source(),
    sqlite_with_rowid=False,
)

tempo_days = Table(
    "tempo_days", metadata,
    Column("day", Date, primary_key=True, nullable=False),
    Column("color", String(5), nullable=False),
)

ecowatt_days = Table(
    "ecowatt_days", metadata,
    Column("day", Date, primary_key=True, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("message", String(300), nullable=False, default=""),
    Column("hours", String(24), nullable=False),
    Column("fetched_at", DateTime, nullable=False),
)

sync_days = Table(
    "sync_days", metadata,
    _pdl(),
    Column("dataset", String(32), primary_key=True, nullable=False),
    Column("day", Date, primary_key=True, nullable=False),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("points", Integer, nullable=False, default=0),
    Column("last_error", String(500), nullable=False, default=""),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_sync_days_status", "status"),  # the few days not complete, read without a scan of the ledger
    sqlite_with_rowid=False,
)

sync_spans = Table(  # derived from sync_days by sync_ledger.write_ledger and forget_ledger_days, kept in step with it
    "sync_spans", metadata,
    _pdl(),
    Column("dataset", String(32), primary_key=True, nullable=False),
    Column("days", Integer, nullable=False),  # ledger days of any status
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
)

dataset_states = Table(
    "dataset_states", metadata,
    _pdl(),
    Column("dataset", String(32), primary_key=True, nullable=False),
    Column("oldest_available", Date),
    Column("last_sync_at", DateTime),
    Column("last_outcome", String(20), nullable=False, default=""),
    Column("last_error", String(500), nullable=False, default=""),
    Column("progress_done", Integer, nullable=False, default=0),
    Column("progress_total", Integer, nullable=False, default=0),
)

sync_runs = Table(
    "sync_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("outcome", String(20), nullable=False, default="running"),
    Column("requests", Integer, nullable=False, default=0),
    Column("detail", Text),
    Column("message", String(500), nullable=False, default=""),
)

app_state = Table(
    "app_state", metadata,
    Column("key", String(64), primary_key=True, nullable=False),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

pdl_preferences = Table(
    "pdl_preferences", metadata,
    _pdl(),
    Column("display_name", String(100), nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("datasets", String(200), nullable=False, default=""),  # comma list; "" means every dataset
    Column("updated_at", DateTime, nullable=False),
)

user_offers = Table(
    "user_offers", metadata,
    Column("offer_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("body", Text, nullable=False),  # the offer as JSON (prices as strings)
    Column("updated_at", DateTime, nullable=False),
)

pdl_pricing = Table(
    "pdl_pricing", metadata,
    _pdl(),
    # "" means the offer the gateway names for the PDL, else the regulated tariff of the contract; a catalog key
    # ("catalog:supplier|offer|kind|kVA") may be up to 333 characters
    Column("offer_key", String(400), nullable=False, default=""),
    Column("offpeak_overrides", String(500), nullable=False, default=""),  # JSON {weekday: "22:00-06:00"}
    Column("buyback", String(20), nullable=False, default=""),  # EUR/kWh, "" means none
    Column("kva", Integer),  # None means the contract's
    Column("updated_at", DateTime, nullable=False),
)

exporter_settings = Table(
    "exporter_settings", metadata,
    Column("name", String(64), primary_key=True, nullable=False),
    Column("enabled", Boolean, nullable=False, default=False),
    Column("config", Text, nullable=False),  # the exporter's config as JSON, secrets included
    Column("updated_at", DateTime, nullable=False),
)

exporter_runs = Table(
    "exporter_runs", metadata,
    Column("name", String(64), primary_key=True, nullable=False),
    Column("last_export_at", DateTime),
    Column("items_sent", Integer, nullable=False, default=0),
    Column("last_error", String(500), nullable=False, default=""),
    Column("failures", Integer, nullable=False, default=0),
    Column("retry_at", DateTime),
    Column("updated_at", DateTime, nullable=False),
)

exporter_marks = Table(
    "exporter_marks", metadata,
    Column("name", String(64), primary_key=True, nullable=False),
    Column("stream", String(64), primary_key=True, nullable=False),  # ledger | tempo | ecowatt | pricing:<PDL>
    Column("mark", String(200), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)


# -- supplier catalog: kept with its whole history, never deleted --------------------------------
def _key_text(length: int) -> String:
    """Text in a primary key compared byte for byte everywhere (MariaDB would fold case and accents)."""
    return String(length).with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql", "mariadb")


catalog_providers = Table(
    "catalog_providers", metadata,
    Column("name", _key_text(100), primary_key=True, nullable=False),
    Column("gateway_id", String(36), nullable=False, default=""),
    Column("logo_url", String(500), nullable=False, default=""),
    Column("website", String(500), nullable=False, default=""),
    Column("scraper_urls", Text, nullable=False),  # JSON list
    Column("seen_at", DateTime, nullable=False),
)

catalog_grids = Table(
    "catalog_grids", metadata,
    Column("provider", _key_text(100), primary_key=True, nullable=False),
    Column("offer", _key_text(200), primary_key=True, nullable=False),  # the offer's name without kVA
    Column("kind", String(20), primary_key=True, nullable=False),  # the rule pricing it (Zen Flex by name too)
    Column("kva", SmallInteger, primary_key=True, nullable=False, autoincrement=False),  # 0: not stated
    Column("valid_from", Date, primary_key=True, nullable=False),
    Column("valid_to", Date),  # the first day no longer covered
    Column("gateway_id", String(36), nullable=False),  # the row's id: a new one for every grid
    Column("name", String(200), nullable=False),  # as published, kVA included
    Column("offer_type", String(20), nullable=False),  # as published
    Column("subscription", String(20), nullable=False),  # EUR/month TTC, decimal text
    Column("prices", Text, nullable=False),  # JSON {catalog price field: "EUR/kWh as decimal text"}
    Column("hc_schedules", Text, nullable=False),  # JSON list of 7 windows (Monday first, null: the contract's), or ""
    Column("is_active", Boolean, nullable=False),
    Column("created_at", DateTime),
    Column("offer_url", String(500), nullable=False, default=""),
    Column("description", Text, nullable=False),
    Column("first_seen_at", DateTime, nullable=False),
    Column("seen_at", DateTime, nullable=False),  # the last fetch that listed it
    Index("ix_catalog_grids_gateway_id", "gateway_id"),
    Index("ix_catalog_grids_kva", "kva"),
)

catalog_offer_types = Table(
    "catalog_offer_types", metadata,
    Column("code", String(30), primary_key=True, nullable=False),
    Column("name", String(100), nullable=False),
    Column("description", String(500), nullable=False, default=""),
    Column("icon", String(50), nullable=False, default=""),
    Column("color", String(20), nullable=False, default=""),
    Column("required_price_fields", Text, nullable=False),  # JSON list
    Column("optional_price_fields", Text, nullable=False),  # JSON list
    Column("display_order", Integer, nullable=False, default=0),
    Column("seen_at", DateTime, nullable=False),
)

zen_flex_days = Table(
    "zen_flex_days", metadata,
    Column("day", Date, primary_key=True, nullable=False),  # a Paris civil date; a missing day is unknown
    Column("day_type", String(8), nullable=False),  # ECO, SOBRIETE or BONUS
    Column("fetched_at", DateTime, nullable=False),
)

catalog_fetches = Table(
    "catalog_fetches", metadata,
    Column("part", String(20), primary_key=True, nullable=False),  # providers | offers | offer_types | zen_flex
    Column("fetched_at", DateTime),  # the last fetch stored
    Column("received", Integer, nullable=False, default=0),  # rows in that answer
    Column("refused", Integer, nullable=False, default=0),  # rows of it that could not be read
    Column("problems", Text, nullable=False),  # what was wrong with them, one a line
    Column("tried_at", DateTime),  # the last attempt, stored or failed
    Column("last_error", String(500), nullable=False, default=""),  # "" when the last attempt was stored
)

DERIVED = frozenset({"sync_spans", "daily_months", "curve_days"})  # computed from other tables: not data
