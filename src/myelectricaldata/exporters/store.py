"""Exporters' rows in the database: config and enabled flag, run status, high-water marks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from ..database import models as m
from ..database.repository import upsert, utcnow

MEMORY = "memory:"  # marks of this prefix are the exporter's own memory, not the manager's streams


@dataclass(frozen=True)
class ExporterSettings:
    """What the user saved for an exporter (config holds secrets in clear: never show it)."""

    enabled: bool = False
    config: dict[str, Any] | None = None


@dataclass(frozen=True)
class RunStatus:
    """How an exporter's exports went: last success, items sent then, last error and the retry time."""

    last_export_at: datetime | None = None
    items_sent: int = 0
    last_error: str = ""
    failures: int = 0
    retry_at: datetime | None = None


def get_settings(conn: Connection, name: str) -> ExporterSettings:
    t = m.exporter_settings
    row = conn.execute(select(t.c.enabled, t.c.config).where(t.c.name == name)).first()
    return ExporterSettings(bool(row.enabled), json.loads(row.config)) if row else ExporterSettings()


def save_settings(conn: Connection, name: str, enabled: bool, config: dict[str, Any]) -> None:
    upsert(conn, m.exporter_settings, [{"name": name, "enabled": enabled, "config": json.dumps(config),
                                        "updated_at": utcnow()}])


def get_status(conn: Connection, name: str) -> RunStatus:
    t = m.exporter_runs
    row = conn.execute(select(t).where(t.c.name == name)).first()
    if row is None:
        return RunStatus()
    return RunStatus(row.last_export_at, row.items_sent, row.last_error, row.failures, row.retry_at)


def save_status(conn: Connection, name: str, status: RunStatus) -> None:
    upsert(conn, m.exporter_runs, [{"name": name, "last_export_at": status.last_export_at,
                                    "items_sent": status.items_sent, "last_error": status.last_error[:500],
                                    "failures": status.failures, "retry_at": status.retry_at,
                                    "updated_at": utcnow()}])


def get_marks(conn: Connection, name: str) -> dict[str, str]:
    t = m.exporter_marks
    return dict(conn.execute(select(t.c.stream, t.c.mark).where(t.c.name == name)).all())


def save_marks(conn: Connection, name: str, marks: dict[str, str]) -> None:
    now = utcnow()
    upsert(conn, m.exporter_marks, [{"name": name, "stream": s, "mark": v[:200], "updated_at": now}
                                    for s, v in marks.items()])


def save_memory(conn: Connection, name: str, memory: dict[str, str]) -> None:
    """Keep exactly ``memory`` as the exporter's own memory."""
    t = m.exporter_marks
    kept = [MEMORY + key for key in memory]
    conn.execute(t.delete().where(t.c.name == name, t.c.stream.startswith(MEMORY), t.c.stream.not_in(kept)))
    if memory:
        save_marks(conn, name, {MEMORY + key: value for key, value in memory.items()})


def clear_marks(conn: Connection, name: str) -> None:
    """Forget an exporter's high-water marks (its memory kept): its next batch holds everything."""
    t = m.exporter_marks
    conn.execute(t.delete().where(t.c.name == name, ~t.c.stream.startswith(MEMORY)))
