"""PostgreSQL's path for large upserts: COPY into a temporary table, then one ``INSERT ... SELECT``; rows whose keys
are known to be new, COPY straight into the table."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table

COPY_FROM = 1000  # rows from which COPY beats executemany on PostgreSQL (docs/performance.md)


def conflict_clause(table: Table, dialect: Dialect, update: tuple[str, ...]) -> str:
    """What an insert does on a key already stored: overwrite ``update``, or keep the stored row ("" on MySQL,
    whose ``INSERT IGNORE`` says it)."""
    quote = dialect.identifier_preparer.quote
    if dialect.name in ("mysql", "mariadb"):
        return ("ON DUPLICATE KEY UPDATE " + ", ".join(f"{quote(c)} = VALUES({quote(c)})" for c in update)
                if update else "")
    target = f"ON CONFLICT ({', '.join(quote(c.name) for c in table.primary_key.columns)})"
    if not update:
        return f"{target} DO NOTHING"
    return f"{target} DO UPDATE SET " + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in update)


@cache
def _copy_sql(table: Table, dialect: Dialect, columns: tuple[str, ...],
              update: tuple[str, ...]) -> tuple[str, str, str]:
    """Create an empty temporary stage of ``columns`` (their types, no constraint), COPY into it, then upsert from
    it and drop it."""
    quote = dialect.identifier_preparer.quote
    stage, target, cols = quote(f"stage_{table.name}"), quote(table.name), ", ".join(quote(c) for c in columns)
    create = (f"DROP TABLE IF EXISTS {stage}; "
              f"CREATE TEMPORARY TABLE {stage} AS SELECT {cols} FROM {target} WITH NO DATA")
    merge = (f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage} {conflict_clause(table, dialect, update)}; "
             f"DROP TABLE {stage}")
    return create, f"COPY {stage} ({cols}) FROM STDIN", merge


@cache
def _copy_in_sql(table: Table, dialect: Dialect, columns: tuple[str, ...]) -> str:
    quote = dialect.identifier_preparer.quote
    return f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"


def _copied_in(cursor: Any, copy: str, rows: Sequence[Sequence[Any]]) -> bool:
    """COPY ``rows`` into their table within a savepoint; False, the savepoint rolled back, if a key was stored."""
    from psycopg.errors import UniqueViolation

    cursor.execute("SAVEPOINT fresh_rows")
    try:
        with cursor.copy(copy) as stream:
            for row in rows:
                stream.write_row(row)
    except UniqueViolation:
        cursor.execute("ROLLBACK TO SAVEPOINT fresh_rows")
        return False
    cursor.execute("RELEASE SAVEPOINT fresh_rows")
    return True


def one_per_key(rows: Sequence[Sequence[Any]], key_at: Sequence[int],
                update_at: Sequence[int]) -> Sequence[Sequence[Any]]:
    """One row per key, as row-by-row upserts would leave it: the first row of a key, with the ``update_at``
    values of its last row (one statement may not insert and update the same key)."""
    key = itemgetter(*key_at)
    if len(set(map(key, rows))) == len(rows):
        return rows
    merged: dict[Any, list[Any]] = {}
    for row in rows:
        kept = merged.setdefault(key(row), list(row))
        for i in update_at:
            kept[i] = row[i]
    return [tuple(row) for row in merged.values()]


def copy_upsert(conn: Connection, table: Table, columns: tuple[str, ...], update: tuple[str, ...],
                rows: Sequence[Sequence[Any]], fresh: bool = False) -> None:
    """Upsert ``rows`` (PostgreSQL through psycopg) with the outcome of row-by-row upserts. ``fresh``: the caller
    found none of their keys stored, so they are copied straight into the table; should one be stored meanwhile,
    that copy is undone and the upsert runs."""
    driver = conn.connection.driver_connection
    assert driver is not None, "a connection in use has its driver's connection"
    with driver.cursor() as cursor:
        if fresh and _copied_in(cursor, _copy_in_sql(table, conn.dialect, columns), rows):
            return  # a key given twice fails that copy as a stored one does: the upsert below keeps one row of it
        keys = {c.name for c in table.primary_key.columns}
        rows = one_per_key(rows, [i for i, c in enumerate(columns) if c in keys],
                           [i for i, c in enumerate(columns) if c in update])
        create, copy, merge = _copy_sql(table, conn.dialect, columns, update)
        cursor.execute(create)
        with cursor.copy(copy) as stream:
            for row in rows:
                stream.write_row(row)
        cursor.execute(merge)
