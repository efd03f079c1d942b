"""The record of sync runs and the account-wide quota pause."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Engine, select

from ..database import models as m
from ..database import repository as repo
from ..energy.timeline import next_utc_midnight
from .outcome import Outcome


class RunReport(Protocol):
    """What ``finish_run`` keeps of a sync's report."""

    outcome: Outcome
    message: str
    requests: dict[str, int]
    stored: dict[str, int]
    errors: list[str]


@dataclass(frozen=True)
class SyncRun:
    """One sync as recorded: times in naive UTC, gateway requests made, and the detail as JSON text."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    requests: int
    detail: str | None
    message: str


def start_run(engine: Engine) -> int:
    """Open a run record; runs left 'running' by a killed process are closed as interrupted."""
    t = m.sync_runs
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.outcome == Outcome.RUNNING.value)
                     .values(outcome=Outcome.INTERRUPTED.value, finished_at=repo.utcnow()))
        return repo.inserted_id(conn, t.insert().values(started_at=repo.utcnow(), outcome=Outcome.RUNNING.value))


def finish_run(engine: Engine, run_id: int, report: RunReport) -> None:
    t = m.sync_runs
    detail = json.dumps({"requests": report.requests, "stored": report.stored, "errors": report.errors[:20]})
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.id == run_id).values(
            finished_at=repo.utcnow(), outcome=Outcome(report.outcome).value, requests=sum(report.requests.values()),
            detail=detail, message=report.message[:500]))


def last_runs(engine: Engine, limit: int = 5) -> list[SyncRun]:
    """The latest runs, newest first."""
    t = m.sync_runs
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit))
        return [SyncRun(r.id, r.started_at, r.finished_at, Outcome(r.outcome), r.requests, r.detail, r.message)
                for r in rows]


def _pause(engine: Engine, key: str, now: datetime) -> datetime | None:
    """The end of the pause kept under ``key`` if it is in force at ``now``; an expired one is cleared."""
    with engine.connect() as conn:
        raw = repo.get_state(conn, key)
    if not raw:
        return None
    until = datetime.fromisoformat(raw)
    if until > now.astimezone(UTC):
        return until
    with engine.begin() as conn:
        repo.set_state(conn, key, "")
    return None


def quota_paused_until(engine: Engine, now: datetime) -> datetime | None:
    """The end of the quota pause if one is in force at ``now`` (an expired one is cleared)."""
    return _pause(engine, "quota_paused_until", now)


def ecowatt_paused_until(engine: Engine, now: datetime) -> str:
    """The end of EcoWatt's pause (ISO) if one is in force at ``now``, else "" (an expired one is cleared)."""
    until = _pause(engine, "ecowatt_paused_until", now)
    return until.isoformat() if until else ""


def pause_for_quota(engine: Engine, now: datetime) -> datetime:
    """Pause every sync until the gateway's counters reset, at the next 00:00 UTC."""
    until = next_utc_midnight(now)
    with engine.begin() as conn:
        repo.set_state(conn, "quota_paused_until", until.isoformat())
    return until
