"""The legacy client's database: where its users have it, opened read-only (the legacy client may still be running),
read into typed rows. SQLite (``cache.db`` in 0.13, ``myelectricaldata.db`` in 1.0-rc) or PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..config import ADDON_CONFIG_DIR, Settings, mask_url
from ..energy import legacy_rows
from ..energy.legacy_rows import LegacyCurve
from ..energy.readings import DailyValue, MaxPower
from ..gateway.parse import TEMPO_COLOURS
from .history_import import DEMO_HISTORY

FILE_NAMES = {"myelectricaldata.db": "version 1.0", "cache.db": "version 0.13"}  # 1.0 renames cache.db at start
DIRECTIONS = ("consumption", "production")


class LegacyError(Exception):
    """The legacy database cannot be used; the message says why, in French, without any password."""


@dataclass(frozen=True)
class LegacyLocation:
    source: str  # a path or a URL as given (a URL may hold a password: never show it)
    shown: str  # the same, fit to show
    what: str  # what it is, in French


@dataclass(frozen=True)
class LegacyPdl:
    """One PDL as the legacy client kept it."""

    pdl: str
    name: str = ""
    plan: str = ""
    prices: dict[str, Any] = field(default_factory=dict)  # base, hc, hp
    production_price: Any = None
    offpeak: tuple[str, ...] = ()  # Monday first, as typed in its config
    contract: dict[str, Any] | None = None
    daily: dict[str, list[DailyValue]] = field(default_factory=dict)  # direction -> days
    curve: dict[str, LegacyCurve] = field(default_factory=dict)  # direction -> load curve
    max_power: list[MaxPower] = field(default_factory=list)
    placeholders: dict[str, int] = field(default_factory=dict)  # dataset -> placeholder rows left out


@dataclass(frozen=True)
class LegacyData:
    shown: str
    version: str
    pdls: tuple[LegacyPdl, ...]
    tempo: tuple[tuple[date, str], ...] = ()
    tempo_prices: dict[str, Any] = field(default_factory=dict)


def folders(settings: Settings) -> list[Path]:
    """Where the legacy client's data may be: its Home Assistant add-on's folder in Home Assistant's configuration
    (mapped read-only at /homeassistant), an old data volume mounted at /legacy, a copy in ``legacy/`` of the
    add-on's own folder or of the data directory, the demo's own copy."""
    if settings.demo:
        return [settings.data_dir / DEMO_HISTORY / "myelectricaldata"]
    own = [ADDON_CONFIG_DIR / "legacy"] if settings.supervised else []
    return [Path("/homeassistant/myelectricaldata"), Path("/legacy"), *own, settings.data_dir / "legacy"]


def _configured_url(folder: Path) -> str:
    """The external database its ``config.yaml`` names (0.13 ``storage_uri``, 1.0 ``backend.uri``), or ""."""
    import yaml

    try:
        config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return ""
    backend = config.get("backend") if isinstance(config, dict) else None
    url = (config.get("storage_uri") if isinstance(config, dict) else None) or (
        backend.get("uri") if isinstance(backend, dict) else None)
    return str(url) if url and str(url).startswith(("postgres", "postgresql")) else ""


def find(settings: Settings) -> list[LegacyLocation]:
    """The legacy databases found where its users have them, newest version first."""
    found = []
    for folder in folders(settings):
        url = _configured_url(folder)
        if url:
            found.append(LegacyLocation(url, mask_url(url), f"base PostgreSQL nommée par {folder / 'config.yaml'}"))
        for name, version in FILE_NAMES.items():
            if (folder / name).is_file():
                found.append(LegacyLocation(str(folder / name), str(folder / name), f"base SQLite de la {version}"))
    return found


def _engine_url(source: str) -> tuple[Any, dict]:
    """The SQLAlchemy URL opening ``source`` read-only, with its connect arguments."""
    source = source.strip()
    if "://" not in source:
        path = Path(source)
        if path.is_dir():
            path = next((path / n for n in FILE_NAMES if (path / n).is_file()), path / "cache.db")
        if not path.is_file():
            raise LegacyError(f"{path} : fichier introuvable")
        return f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true", {}
    try:
        url = make_url(source.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        raise LegacyError(f"{mask_url(source)} : adresse illisible (chemin d'un fichier ou postgresql://… "
                          "attendu)") from None
    if url.get_backend_name() == "sqlite":
        return _engine_url(url.database or "")
    if url.get_backend_name() != "postgresql":
        raise LegacyError(f"{mask_url(source)} : l'ancien client n'utilisait que SQLite ou PostgreSQL")
    return url.set(drivername="postgresql+psycopg"), {"options": "-c default_transaction_read_only=on",
                                                      "connect_timeout": 10}


@contextmanager
def open_readonly(source: str) -> Iterator[Connection]:
    """A read-only connection to the legacy database (SQLite ``mode=ro``, PostgreSQL read-only transactions)."""
    url, connect_args = _engine_url(source)
    engine = create_engine(url, connect_args=connect_args)
    shown = mask_url(source)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            yield conn
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise LegacyError(f"{shown} : lecture impossible ({mask_url(cause)})") from None
    finally:
        engine.dispose()


def _rows(conn: Connection, sql: str, **params: Any) -> list[Any]:
    return list(conn.execute(text(sql), params))


def _pdls(conn: Connection, tables: set[str]) -> dict[str, dict[str, Any]]:
    """PDL -> its ``usage_points`` row (empty for a PDL only seen in the readings)."""
    out = {r._mapping["usage_point_id"]: dict(r._mapping) for r in _rows(conn, "SELECT * FROM usage_points")}
    for table in ("consumption_daily", "consumption_detail", "production_daily", "production_detail"):
        if table in tables:
            for (pdl,) in _rows(conn, f"SELECT DISTINCT usage_point_id FROM {table}"):
                out.setdefault(pdl, {})
    return {str(p).strip(): row for p, row in out.items() if p and len(str(p).strip()) == 14 and str(p).isdigit()}


def _readings(conn: Connection, table: str, columns: str, pdl: str) -> list[Any]:
    """A PDL's rows of one legacy readings table (a fixed name), oldest first."""
    return _rows(conn, f"SELECT {columns} FROM {table} WHERE usage_point_id = :p ORDER BY date", p=pdl)


def _read_pdl(conn: Connection, tables: set[str], pdl: str, row: dict[str, Any]) -> LegacyPdl:
    daily, curve, placeholders = {}, {}, {}
    for direction in DIRECTIONS:
        if f"{direction}_daily" in tables:
            values, skipped = legacy_rows.daily(_readings(conn, f"{direction}_daily", "date, value, blacklist, "
                                                                                     "fail_count", pdl))
            daily[direction], placeholders[f"{direction}_daily"] = values, skipped
        if f"{direction}_detail" in tables:
            found = legacy_rows.curve(_readings(conn, f"{direction}_detail", 'date, value, "interval", blacklist, '
                                                                            "fail_count", pdl))
            curve[direction], placeholders[f"{direction}_load_curve"] = found, found.placeholders
    peaks: list[MaxPower] = []
    if "consumption_daily_max_power" in tables:
        peaks, placeholders["consumption_max_power"] = legacy_rows.max_power(_readings(
            conn, "consumption_daily_max_power", "date, event_date, value, blacklist, fail_count", pdl))
    contract = None
    if "contracts" in tables:
        found_contract = _rows(conn, "SELECT * FROM contracts WHERE usage_point_id = :p", p=pdl)
        contract = dict(found_contract[-1]._mapping) if found_contract else None
    return LegacyPdl(pdl, str(row.get("name") or ""), str(row.get("plan") or ""),
                     {k: row.get(f"consumption_price_{k}") for k in ("base", "hc", "hp")},
                     row.get("production_price"), tuple(str(row.get(f"offpeak_hours_{d}") or "") for d in range(7)),
                     contract, daily, curve, peaks, placeholders)


def read(source: str) -> LegacyData:
    """Everything the migration takes from the legacy database at ``source`` (a path or a URL); LegacyError else."""
    shown = mask_url(source)
    with open_readonly(source) as conn:
        tables = set(inspect(conn).get_table_names())
        if "usage_points" not in tables or not {"consumption_daily", "consumption_detail"} & tables:
            raise LegacyError(f"{shown} n'est pas une base de l'ancien client (tables usage_points et "
                              "consumption_daily absentes)")
        version = ""
        if "config" in tables:
            version = next((str(v) for (v,) in _rows(conn, "SELECT value FROM config WHERE key = 'version'")), "")
        pdls = tuple(_read_pdl(conn, tables, pdl, row) for pdl, row in sorted(_pdls(conn, tables).items()))
        tempo: dict[date, str] = {}
        if "tempo" in tables:
            for when, colour in _rows(conn, "SELECT date, color FROM tempo"):
                if str(colour or "").upper() in TEMPO_COLOURS:
                    tempo[legacy_rows.local_day(when)] = TEMPO_COLOURS[str(colour).upper()]
        prices: dict[str, Any] = {}
        if "tempo_config" in tables:
            for (raw,) in _rows(conn, "SELECT value FROM tempo_config WHERE key = 'price'"):
                try:
                    loaded = json.loads(raw)
                except (TypeError, ValueError):
                    continue
                prices = loaded if isinstance(loaded, dict) else {}
    name = Path(source).name if "://" not in source else ""
    label = f"version {version}" if version else FILE_NAMES.get(name, "")
    return LegacyData(shown, label, pdls, tuple(sorted(tempo.items())), prices)
