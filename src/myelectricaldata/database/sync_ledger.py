"""The sync ledger: per PDL, dataset and local day, whether its readings are stored (``sync_days``), and the
span of each PDL and dataset kept in step with it (``sync_spans``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, func, or_, select

from ..energy.timeline import PARIS
from . import models as m
from .repository import upsert, utcnow

# a day's status: its readings all stored, some, none yet, or none after the attempts allowed
COMPLETE, PARTIAL, MISSING, GIVEN_UP = "complete", "partial", "missing", "given_up"


class LedgerDay(NamedTuple):
    status: str
    attempts: int
    tried_on: date | None  # local day of the last request that covered it


def ledger(conn: Connection, pdl: str, dataset: str, day: date | None = None) -> dict[date, LedgerDay]:
    """Day -> its ledger entry for one PDL and dataset (only ``day`` when given)."""
    t = m.sync_days
    query = select(t.c.day, t.c.status, t.c.attempts, t.c.updated_at).where(
        t.c.usage_point_id == pdl, t.c.dataset == dataset)
    if day is not None:
        query = query.where(t.c.day == day)
    return {r.day: LedgerDay(r.status, r.attempts, r.updated_at.replace(tzinfo=UTC).astimezone(PARIS).date())
            for r in conn.execute(query)}


def write_ledger(conn: Connection, pdl: str, dataset: str,
                 entries: Iterable[tuple[date, str, int, int, str]], now: datetime | None = None) -> int:
    """Upsert ledger rows (day, status, attempts, points, last_error), stamped with ``now``."""
    stamp = now.astimezone(UTC).replace(tzinfo=None) if now else utcnow()
    rows = [{"usage_point_id": pdl, "dataset": dataset, "day": d, "status": s, "attempts": a,
             "points": p, "last_error": e[:500], "updated_at": stamp} for d, s, a, p, e in entries]
    written = upsert(conn, m.sync_days, rows)
    if written:
        _keep_span(conn, pdl, dataset)
    return written


def forget_ledger_days(conn: Connection, pdl: str, dataset: str, days: Iterable[date] | None = None) -> int:
    """Take days (all of them when None) out of one PDL and dataset's ledger; returns how many were."""
    t = m.sync_days
    query = t.delete().where(t.c.usage_point_id == pdl, t.c.dataset == dataset)
    if days is not None:
        query = query.where(t.c.day.in_(list(days)))
    forgotten = conn.execute(query).rowcount
    _keep_span(conn, pdl, dataset)
    return forgotten


def _keep_span(conn: Connection, pdl: str, dataset: str) -> None:
    """Bring the ledger's span of one PDL and dataset (``sync_spans``) in step with its days, read through the key."""
    t, spans = m.sync_days, m.sync_spans
    days, first, last = conn.execute(select(func.count(), func.min(t.c.day), func.max(t.c.day)).where(
        t.c.usage_point_id == pdl, t.c.dataset == dataset)).one()
    if days:
        upsert(conn, spans, [{"usage_point_id": pdl, "dataset": dataset, "days": int(days), "first_day": first,
                              "last_day": last}])
    else:
        conn.execute(spans.delete().where(spans.c.usage_point_id == pdl, spans.c.dataset == dataset))


def reset_given_up(conn: Connection, pdl: str | None = None) -> int:
    """Make given-up days eligible again, and forget the oldest dates the gateway gave (a retry asked
    for by hand). Returns the number of days made eligible."""
    days, states = m.sync_days, m.dataset_states
    cond = [days.c.status == GIVEN_UP]
    if pdl:
        cond.append(days.c.usage_point_id == pdl)
    reset = conn.execute(days.update().where(and_(*cond)).values(status=MISSING, attempts=0)).rowcount
    forget = states.update().values(oldest_available=None)
    conn.execute(forget.where(states.c.usage_point_id == pdl) if pdl else forget)
    return reset


def ledger_summary(conn: Connection, pdl: str, dataset: str) -> dict[str, Any]:
    """First and last complete day and the days by status."""
    t = m.sync_days
    where = (t.c.usage_point_id == pdl, t.c.dataset == dataset)
    counts = {status: int(n) for status, n in conn.execute(select(t.c.status, func.count()).where(*where)
                                                               .group_by(t.c.status))}
    first, last = conn.execute(select(func.min(t.c.day), func.max(t.c.day))
                               .where(*where, t.c.status == COMPLETE)).one()
    missing = list(conn.scalars(select(t.c.day).where(*where, t.c.status != COMPLETE)
                                .order_by(t.c.day)))
    return {"counts": counts, "first": first, "last": last, "not_complete": missing}


class LedgerSpan(NamedTuple):
    """What the ledger holds for one PDL and dataset: days by status, first and last complete day, the days not
    complete (in order), and the first and last day of any status with their count (no gap when the count is the
    days between them)."""

    counts: dict[str, int]
    first_complete: date | None
    last_complete: date | None
    not_complete: list[date]
    first: date
    last: date
    days: int

    @property
    def contiguous(self) -> bool:
        return self.days == (self.last - self.first).days + 1


def ledger_spans(conn: Connection) -> dict[tuple[str, str], LedgerSpan]:
    """``ledger_summary`` of every PDL and dataset: (PDL, dataset) -> its span. The spans kept in ``sync_spans`` and
    the days not complete (through the status index), then, only for a PDL and dataset with days not complete, its
    complete days' first and last."""
    t, spans = m.sync_days, m.sync_spans
    missing: dict[tuple[str, str], list[tuple[date, str]]] = {}
    for pdl, dataset, day, status in conn.execute(select(t.c.usage_point_id, t.c.dataset, t.c.day, t.c.status)
                                                  .where(or_(t.c.status < COMPLETE, t.c.status > COMPLETE))
                                                  .order_by(t.c.day)):
        missing.setdefault((pdl, dataset), []).append((day, status))
    out = {}
    for pdl, dataset, n, first, last in conn.execute(
            select(spans.c.usage_point_id, spans.c.dataset, spans.c.days, spans.c.first_day, spans.c.last_day)):
        held = missing.get((pdl, dataset), [])
        counts: dict[str, int] = {}
        for _, status in held:
            counts[status] = counts.get(status, 0) + 1
        if len(held) < n:
            counts[COMPLETE] = int(n) - len(held)
        complete: tuple[date | None, date | None] = (first, last)
        if held:
            row = conn.execute(select(func.min(t.c.day), func.max(t.c.day)).where(
                t.c.usage_point_id == pdl, t.c.dataset == dataset, t.c.status == COMPLETE)).one()
            complete = (row[0], row[1])
        out[(pdl, dataset)] = LedgerSpan(counts, complete[0], complete[1], [day for day, _ in held], first, last,
                                         int(n))
    return out


def ledger_days(conn: Connection, pdl: str, dataset: str, first: date, end: date) -> set[date]:
    """The days of [first, end) the ledger holds for one PDL and dataset, whatever their status."""
    t = m.sync_days
    return set(conn.scalars(select(t.c.day).where(t.c.usage_point_id == pdl, t.c.dataset == dataset,
                                                  t.c.day >= first, t.c.day < end)))
