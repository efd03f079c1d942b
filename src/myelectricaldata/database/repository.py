"""Set-based, idempotent writes and the reads the sync and status need."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from operator import lt
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Select, Table, func, select

from ..energy.aggregate import LocalClock
from ..energy.readings import overlaps
from . import curve_days
from . import models as m
from .bulk import COPY_FROM, conflict_clause, copy_upsert

CHUNK = 5000


def driver_rows(conn: Connection, query: Select) -> list[tuple[Any, ...]]:
    """The rows of a Core select as the database driver returns them: plain tuples, no ``Row`` objects and no type
    processing, for integer columns read by the ten thousand (a load curve)."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def utcnow() -> datetime:
    """Naive UTC now, as stored in DateTime columns."""
    return datetime.now(UTC).replace(tzinfo=None)


@cache
def _upsert_sql(table: Table, dialect: Dialect, columns: tuple[str, ...], update: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    verb = "INSERT IGNORE" if dialect.name in ("mysql", "mariadb") and not update else "INSERT"
    return (f"{verb} INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join([mark] * len(columns))}) {conflict_clause(table, dialect, update)}").rstrip()


@cache
def _bind_processors(table: Table, dialect: Dialect, columns: tuple[str, ...]) -> list[Any]:
    """Each column's conversion of Python values for this database (None where the driver does it)."""
    return [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def upsert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                update: Iterable[str] | None = None, fresh: bool = False) -> int:
    """Insert tuples of ``columns``; on a key already stored, overwrite ``update`` (default: all non-key).

    Set-based and idempotent on every backend; returns the rows given. One prepared statement run with executemany,
    or on PostgreSQL from ``COPY_FROM`` rows, COPY into a temporary table and one ``INSERT ... SELECT`` (``fresh``:
    the caller found none of the keys stored, COPY straight into the table).
    """
    if not rows:
        return 0
    columns = tuple(columns)
    keys = {c.name for c in table.primary_key.columns}
    cols = tuple(update) if update is not None else tuple(c for c in columns if c not in keys)
    dialect = conn.dialect
    procs = _bind_processors(table, dialect, columns)
    if any(procs):
        rows = [tuple(p(v) if p else v for p, v in zip(procs, row, strict=True)) for row in rows]
    if dialect.name == "postgresql" and dialect.driver == "psycopg" and len(rows) >= COPY_FROM:
        copy_upsert(conn, table, columns, cols, rows, fresh)
        return len(rows)
    sql = _upsert_sql(table, dialect, columns, cols)
    for i in range(0, len(rows), CHUNK):
        conn.exec_driver_sql(sql, list(rows[i:i + CHUNK]))
    return len(rows)


def upsert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]],
           update: Iterable[str] | None = None) -> int:
    """``upsert_rows`` for rows given as mappings (all with the same keys)."""
    if not rows:
        return 0
    columns = tuple(rows[0])
    return upsert_rows(conn, table, columns, [tuple(r[c] for c in columns) for r in rows], update)


def inserted_id(conn: Connection, statement: Insert) -> int:
    """Run an INSERT of one row; the integer primary key the database gave it."""
    key = conn.execute(statement).inserted_primary_key
    if key is None:
        raise RuntimeError(f"the database gave no key for the row inserted into {statement.table}")
    return int(key[0])


# -- readings ---------------------------------------------------------------------------------
GATEWAY = "gateway"  # the source of what a sync stores; imports name their own (models._source)
LOAD_CURVE_COLUMNS = ("usage_point_id", "direction", "start_utc", "minutes", "watts", "source")


def store_load_curve(conn: Connection, pdl: str, direction: str, points: Iterable[Any], source: str = GATEWAY,
                     profiles: bool = True) -> int:
    """Upsert load-curve points (objects with ``start``, ``minutes``, ``watts``) from ``source``, and re-make the
    stored day profiles of the days they fall on (``curve_days``; ``profiles=False``: the raw upsert alone, for a
    caller that re-makes them itself).

    The gateway's points overwrite what an import stored at the same start, and imported points of another
    step that overlap them are dropped: the gateway wins. Local days that held no point yet (a first sync) are
    written without an upsert's checks (``upsert_rows(fresh=True)``) and their profiles without counting them."""
    points = list(points)
    if not points:
        return 0
    given = [(p.start, p.minutes, p.watts) for p in points]
    starts = [p[0] for p in given]
    if not all(map(lt, starts, starts[1:])):
        given = sorted({p[0]: p for p in given}.values())  # in start order, the last of a start wins
    clock = LocalClock()
    first, end = clock.bounds(given[0][0]).start, clock.bounds(given[-1][0]).end  # their local days, in UTC
    fresh = not _holds_points(conn, pdl, direction, first, end)
    rows = [(pdl, direction, start, minutes, watts, source) for start, minutes, watts in given]
    upsert_rows(conn, m.load_curve, LOAD_CURVE_COLUMNS, rows, fresh=fresh)
    dropped = _drop_overlapped_imports(conn, pdl, direction, given, first if fresh else None) \
        if source == GATEWAY else []
    if profiles:
        curve_days.refresh_stored(conn, pdl, direction, given, curve_days.days_of(dropped, clock), fresh)
    return len(points)


def _holds_points(conn: Connection, pdl: str, direction: str, first: int, end: int) -> bool:
    """Whether the load curve holds a point starting in [first, end)."""
    t = m.load_curve
    return conn.scalar(select(t.c.start_utc).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.start_utc >= first, t.c.start_utc < end)
        .limit(1)) is not None


def _drop_overlapped_imports(conn: Connection, pdl: str, direction: str, given: Sequence[tuple[int, int, int]],
                             before: int | None) -> list[int]:
    """Delete the imported points overlapping the ``given`` (start, minutes, watts), in start order; their starts,
    in order. ``before``: no point starts from there to the end of the given ones, but the given."""
    t = m.load_curve
    end = given[-1][0] + 60 * given[-1][1] if before is None else before
    found = conn.execute(select(t.c.start_utc, t.c.minutes).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.source != GATEWAY,
        t.c.start_utc > given[0][0] - 3600, t.c.start_utc < end)).all()
    if not found:
        return []
    spans = [(start, start + 60 * minutes) for start, minutes, _ in given]
    dropped = sorted(s for s, mins in found if overlaps(spans, s, s + 60 * mins))
    delete_curve_points(conn, pdl, direction, dropped, profiles=False)  # the caller re-makes their days
    return dropped


def delete_curve_points(conn: Connection, pdl: str, direction: str, starts: list[int], profiles: bool = True) -> int:
    """Remove the load-curve points of these starts, and re-make the day profiles of their days (unless
    ``profiles`` is False: the caller does); returns how many were."""
    t = m.load_curve
    deleted = 0
    for i in range(0, len(starts), CHUNK):
        deleted += conn.execute(t.delete().where(t.c.usage_point_id == pdl, t.c.direction == direction,
                                                 t.c.start_utc.in_(starts[i:i + CHUNK]))).rowcount
    if profiles and starts:
        curve_days.refresh(conn, pdl, direction, curve_days.days_of(sorted(starts), LocalClock()))
    return deleted


def store_daily(conn: Connection, pdl: str, direction: str, values: Iterable[Any], source: str = GATEWAY) -> int:
    """Upsert daily values (objects with ``day`` and ``value`` in Wh), and the sums of the months they fall in."""
    rows = [{"usage_point_id": pdl, "direction": direction, "day": v.day, "wh": v.value, "source": source}
            for v in values]
    stored = upsert(conn, m.daily_energy, rows)
    _keep_months(conn, pdl, direction, {r["day"].replace(day=1) for r in rows})
    return stored


def _keep_months(conn: Connection, pdl: str, direction: str, months: set[date]) -> None:
    """Bring ``daily_months`` in step with the daily values of these months (each summed through the key)."""
    if not months:
        return
    t, kept = m.daily_energy, m.daily_months
    ends = {month: date(month.year + month.month // 12, month.month % 12 + 1, 1) for month in months}
    sums = [{"usage_point_id": pdl, "direction": direction, "month": month, "days": int(n), "wh": int(wh)}
            for month, (n, wh) in ((month, conn.execute(select(func.count(), func.sum(t.c.wh)).where(
                t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= month, t.c.day < end)).one())
                for month, end in sorted(ends.items())) if n]
    upsert(conn, kept, sums)


def month_sums(conn: Connection, pdls: list[str], first: date | None = None, end: date | None = None
               ) -> dict[tuple[str, str], int]:
    """(PDL, direction) -> Wh of the calendar months starting in [first, end) (unbounded where None), from the
    months kept by ``store_daily``."""
    t = m.daily_months
    query = select(t.c.usage_point_id, t.c.direction, func.sum(t.c.wh)).where(t.c.usage_point_id.in_(pdls))
    if first is not None:
        query = query.where(t.c.month >= first)
    if end is not None:
        query = query.where(t.c.month < end)
    return {(pdl, direction): int(wh)
            for pdl, direction, wh in conn.execute(query.group_by(t.c.usage_point_id, t.c.direction))}


def store_max_power(conn: Connection, pdl: str, values: Iterable[Any], source: str = GATEWAY) -> int:
    rows = [{"usage_point_id": pdl, "day": v.day, "va": v.va, "at_utc": v.at, "source": source} for v in values]
    return upsert(conn, m.max_power, rows)


def store_tempo(conn: Connection, days: Iterable[tuple[date, str]]) -> int:
    return upsert(conn, m.tempo_days, [{"day": d, "color": c} for d, c in days])


def store_ecowatt(conn: Connection, days: Iterable[Any]) -> int:
    now = utcnow()
    rows = [{"day": d.day, "level": d.level, "message": d.message[:300],
             "hours": "".join(str(max(0, min(9, h))) for h in d.hours), "fetched_at": now} for d in days]
    return upsert(conn, m.ecowatt_days, rows)


def tempo_known_days(conn: Connection, start: date, end: date) -> set[date]:
    t = m.tempo_days
    return set(conn.scalars(select(t.c.day).where(t.c.day >= start, t.c.day <= end)))


def first_stored_day(conn: Connection) -> date | None:
    return conn.scalar(select(func.min(m.daily_energy.c.day)))


# -- state ------------------------------------------------------------------------------------
def dataset_states(conn: Connection) -> dict[tuple[str, str], dict[str, Any]]:
    """(PDL, dataset) -> its stored state, for every PDL, in one query."""
    t = m.dataset_states
    return {(r.usage_point_id, r.dataset): dict(r._mapping) for r in conn.execute(select(t))}


def dataset_state(conn: Connection, pdl: str, dataset: str) -> dict[str, Any]:
    t = m.dataset_states
    row = conn.execute(select(t).where(t.c.usage_point_id == pdl, t.c.dataset == dataset)).first()
    return dict(row._mapping) if row else {}


def set_dataset_state(conn: Connection, pdl: str, dataset: str, **values: Any) -> None:
    current = dataset_state(conn, pdl, dataset)
    row = {"usage_point_id": pdl, "dataset": dataset, "last_outcome": "", "last_error": "",
           "progress_done": 0, "progress_total": 0,
           **{k: v for k, v in current.items()}, **values}
    row["last_error"] = str(row["last_error"] or "")[:500]
    upsert(conn, m.dataset_states, [row])


def get_state(conn: Connection, key: str, default: Any = None) -> Any:
    t = m.app_state
    raw = conn.scalar(select(t.c.value).where(t.c.key == key))
    return default if raw is None else json.loads(raw)


def set_state(conn: Connection, key: str, value: Any) -> None:
    upsert(conn, m.app_state, [{"key": key, "value": json.dumps(value, default=str), "updated_at": utcnow()}])


# -- usage points and contracts ---------------------------------------------------------------
def usage_point_rows(conn: Connection) -> list[dict[str, Any]]:
    t = m.usage_points
    return [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.usage_point_id))]


def save_usage_point(conn: Connection, pdl: str, **values: Any) -> None:
    t = m.usage_points
    current = conn.execute(select(t).where(t.c.usage_point_id == pdl)).first()
    row = dict(current._mapping) if current else {
        "usage_point_id": pdl, "name": pdl, "pricing_option": "", "has_consumption": True,
        "has_production": False, "is_active": True, "attention": "", "street": "", "locality": "",
        "postal_code": "", "insee_code": "", "city": "", "country": "", "latitude": "", "longitude": ""}
    row.update(values, updated_at=utcnow())
    upsert(conn, t, [row])


def contract_histories(conn: Connection, pdls: Sequence[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """PDL -> its contract versions, oldest first, for every PDL (or those of ``pdls``), in one query."""
    t = m.contract_versions
    query = select(t).order_by(t.c.usage_point_id, t.c.valid_from)
    if pdls is not None:
        query = query.where(t.c.usage_point_id.in_(pdls))
    out: dict[str, list[dict[str, Any]]] = {}
    for r in conn.execute(query):
        out.setdefault(r.usage_point_id, []).append(dict(r._mapping))
    return out


def contract_history(conn: Connection, pdl: str) -> list[dict[str, Any]]:
    t = m.contract_versions
    rows = conn.execute(select(t).where(t.c.usage_point_id == pdl).order_by(t.c.valid_from))
    return [dict(r._mapping) for r in rows]


CONTRACT_FIELDS = ("subscribed_kva", "pricing_option", "offpeak_hours", "distribution_tariff")


def record_contract(conn: Connection, pdl: str, today: date, facts: Mapping[str, Any]) -> bool:
    """Keep ``facts`` as a new contract version when they differ from the one in force; True if new.

    The first version seen holds from the contract's last distribution-tariff change (or else the
    meter's last activation): before that date the contract is not known, and days before it are
    priced with this first version. Later changes hold from the day they were first seen.
    """
    history = contract_history(conn, pdl)
    if history and all(history[-1][k] == facts.get(k) for k in CONTRACT_FIELDS):
        return False
    valid_from = today
    if not history:
        valid_from = (facts.get("last_tariff_change_date") or facts.get("last_activation_date")
                      or date(2000, 1, 1))
        valid_from = min(valid_from, today)
    elif valid_from <= history[-1]["valid_from"]:
        valid_from = history[-1]["valid_from"]
    row = {"usage_point_id": pdl, "valid_from": valid_from, "first_seen_on": today,
           **{k: facts.get(k) for k in ("subscribed_kva", "last_activation_date", "last_tariff_change_date")},
           **{k: facts.get(k) or "" for k in ("pricing_option", "offpeak_hours", "offpeak_raw",
                                              "distribution_tariff", "contract_status")}}
    upsert(conn, m.contract_versions, [row])
    return True
