"""Imported readings against what is stored: what an import adds, replaces, finds unchanged or leaves to the gateway,
per dataset; then the writes, with the ledger of the days written (the exporters' change log).

The gateway's value wins: an imported reading never overwrites one the gateway stored for the same interval (or a
day), and a differing one is counted as a conflict. An earlier import's value is replaced."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from ..database import history, sync_ledger
from ..database import repository as repo
from ..energy.readings import CurvePoint, DailyValue, MaxPower, Span, overlaps
from ..energy.timeline import PARIS, epoch, local_midnight_utc
from .datasets import BY_NAME, COMPLETE, GIVEN_UP, PARTIAL, curve_status


@dataclass(frozen=True)
class DatasetPlan:
    """What importing one dataset does, counted in intervals (load curve) or days."""

    dataset: str
    first: date | None = None  # first and last day of the readings given
    last: date | None = None
    given: int = 0  # readings given, repeats left out
    added: int = 0  # not stored yet
    replaced: int = 0  # an earlier import's different value
    unchanged: int = 0  # the same value is stored already
    conflicts: int = 0  # the gateway stored another value: it is kept
    repeated: int = 0  # given twice (or overlapping another given reading): the first one is kept
    empty: int = 0  # left empty by the source: missing, never zero
    incomplete_days: tuple[date, ...] = ()  # load-curve days written that are still not whole

    @property
    def writes(self) -> int:
        return self.added + self.replaced


@dataclass
class Plan:
    """The plans of one PDL's import, and the writes they lead to."""

    pdl: str
    source: str
    datasets: list[DatasetPlan] = field(default_factory=list)
    rows: dict[str, list[Any]] = field(default_factory=dict)  # dataset -> readings to write
    dropped: dict[str, list[int]] = field(default_factory=dict)  # dataset -> imported starts to remove
    ledger: dict[str, list[tuple[date, str, int, int, str]]] = field(default_factory=dict)

    @property
    def writes(self) -> int:
        return sum(d.writes for d in self.datasets)


def plan(conn: Connection, pdl: str, source: str, readings: Mapping[str, Sequence[Any]],
         empty: Mapping[str, int] | None = None) -> Plan:
    """Compare ``readings`` (dataset name -> CurvePoint, DailyValue or MaxPower) with the stored rows."""
    out = Plan(pdl, source)
    for name in sorted(set(readings) | set(empty or {})):
        rows = list(readings.get(name, ()))
        blank = (empty or {}).get(name, 0)
        if not rows:
            out.datasets.append(DatasetPlan(name, empty=blank))
            continue
        kind = BY_NAME[name].kind
        planned = _curve(conn, out, name, rows) if kind == "load_curve" else _days(conn, out, name, rows)
        out.datasets.append(DatasetPlan(name, **planned, empty=blank))
    return out


def write(conn: Connection, planned: Plan, now: datetime) -> int:
    """Store what ``planned`` adds or replaces, and the ledger of the days written; returns the readings written."""
    written = 0
    for name, rows in planned.rows.items():
        ds = BY_NAME[name]
        if ds.kind == "load_curve":
            repo.delete_curve_points(conn, planned.pdl, ds.direction, planned.dropped.get(name, []))
            written += repo.store_load_curve(conn, planned.pdl, ds.direction, rows, planned.source)
        elif ds.kind == "max_power":
            written += repo.store_max_power(conn, planned.pdl, rows, planned.source)
        else:
            written += repo.store_daily(conn, planned.pdl, ds.direction, rows, planned.source)
        sync_ledger.write_ledger(conn, planned.pdl, name, planned.ledger.get(name, []), now)
    return written


def _kept_in_order(rows: list[Any], span: Any) -> tuple[list[Any], int]:
    """Readings in time order, a reading meeting one kept before it left out (the first given wins)."""
    kept: list[Any] = []
    for row in sorted(rows, key=lambda r: span(r)[0]):  # sorted() is stable: the first given comes first
        if kept and span(row)[0] < span(kept[-1])[1]:
            continue
        kept.append(row)
    return kept, len(rows) - len(kept)


def _curve(conn: Connection, out: Plan, name: str, given: list[CurvePoint]) -> dict[str, Any]:
    direction = BY_NAME[name].direction
    points, repeated = _kept_in_order(given, lambda p: (p.start, p.start + 60 * p.minutes))
    first, last = points[0].day, points[-1].day
    low, high = epoch(local_midnight_utc(first)), epoch(local_midnight_utc(last + timedelta(days=1)))
    stored = history.curve_rows(conn, out.pdl, direction, low - 3600, high + 3600)
    gateway: list[Span] = sorted((s, s + 60 * r.value[0]) for s, r in stored.items() if r.source == repo.GATEWAY)
    imported: list[Span] = sorted((s, s + 60 * r.value[0]) for s, r in stored.items() if r.source != repo.GATEWAY)
    counts = dict.fromkeys(("added", "replaced", "unchanged", "conflicts"), 0)
    rows: list[CurvePoint] = []
    dropped: set[int] = set()
    for p in points:
        end = p.start + 60 * p.minutes
        have = stored.get(p.start)
        if have and have.value == (p.minutes, p.watts):
            counts["unchanged"] += 1
        elif (have and have.source == repo.GATEWAY) or (not have and overlaps(gateway, p.start, end)):
            counts["conflicts"] += 1
        else:
            counts["replaced" if have or overlaps(imported, p.start, end) else "added"] += 1
            dropped.update(s for s, e in imported if s < end and e > p.start and s != p.start)
            rows.append(p)
    after = {s: r.value[0] for s, r in stored.items() if s not in dropped and low <= s < high}
    after.update((p.start, p.minutes) for p in rows)
    covered: dict[date, list[int]] = defaultdict(lambda: [0, 0])  # day -> [points, minutes] once written
    for start, length in after.items():
        day = covered[datetime.fromtimestamp(start, PARIS).date()]
        day[0], day[1] = day[0] + 1, day[1] + length
    ledger = sync_ledger.ledger(conn, out.pdl, name)
    out.rows[name], out.dropped[name] = rows, sorted(dropped)
    out.ledger[name] = [_ledger_entry(d, curve_status(d, covered[d][1]), covered[d][0], ledger)
                        for d in sorted({p.day for p in rows})]
    incomplete = tuple(d for d, status, *_ in out.ledger[name] if status != COMPLETE)
    return {"first": first, "last": last, "given": len(points), "repeated": repeated, "incomplete_days": incomplete,
            **counts}


def _days(conn: Connection, out: Plan, name: str, given: list[DailyValue] | list[MaxPower]) -> dict[str, Any]:
    values, repeated = _kept_in_order(given, lambda v: (v.day.toordinal(), v.day.toordinal() + 1))
    first, last = values[0].day, values[-1].day
    ds = BY_NAME[name]
    stored = (history.max_power_rows(conn, out.pdl, first, last) if ds.kind == "max_power"
              else history.daily_rows(conn, out.pdl, ds.direction, first, last))
    counts = dict.fromkeys(("added", "replaced", "unchanged", "conflicts"), 0)
    rows = []
    for v in values:
        have = stored.get(v.day)
        mine = (v.va, v.at) if isinstance(v, MaxPower) else (v.value,)
        if have and have.value == mine:
            counts["unchanged"] += 1
        elif have and have.source == repo.GATEWAY:
            counts["conflicts"] += 1
        else:
            counts["replaced" if have else "added"] += 1
            rows.append(v)
    ledger = sync_ledger.ledger(conn, out.pdl, name)
    out.rows[name] = rows
    out.ledger[name] = [_ledger_entry(v.day, COMPLETE, 1, ledger) for v in rows]
    return {"first": first, "last": last, "given": len(values), "repeated": repeated, **counts}


def _ledger_entry(day: date, status: str, points: int,
                  ledger: Mapping[date, sync_ledger.LedgerDay]) -> tuple[date, str, int, int, str]:
    """The ledger row of a day written: complete when what is stored covers it, else as the sync left it (partial
    when it had not)."""
    before = ledger.get(day)
    if status != COMPLETE:
        status = before.status if before is not None and before.status in (COMPLETE, GIVEN_UP) else PARTIAL
    return day, status, before.attempts if before else 0, points, ""
