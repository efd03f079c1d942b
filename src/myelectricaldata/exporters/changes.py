"""What changed since an exporter's high-water marks, read into a batch, and the marks that batch reaches.

The sync ledger (``sync_days``) stamps every day it stores with the time it did, in the same transaction
as the readings: it is the change log of daily energy, load curves and max power. Tempo colours are
immutable once known, EcoWatt rows carry their fetch time, and costs follow their readings, the Tempo
colours and the PDL's pricing fingerprint.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from ..database import models as m
from ..database import repository as repo
from ..energy import timeline
from ..energy.aggregate import LocalClock, points_in_days
from ..energy.tempo import counted_up_to, season_count, season_of
from ..energy.timeline import PARIS
from ..services import series
from ..services.calendars import read_ecowatt, read_tempo
from ..services.preferences import all_preferences
from ..services.pricing import cost_by_day, cost_by_hour
from ..services.pricing_store import pricing_fingerprints
from ..services.usage_points import read_all_contracts, read_usage_points
from .batches import (
    CurvePoint,
    DailyCost,
    DailyEnergy,
    EcowattDay,
    ExportBatch,
    HourlyCost,
    MaxPower,
    PeriodTotals,
    Snapshot,
    TempoDay,
    UsagePointState,
)

log = logging.getLogger(__name__)
MAX_RANGES = 20  # beyond this many runs of days, read the whole span once and filter
CURVES = ("consumption_load_curve", "production_load_curve")
Changed = dict[tuple[str, str], set[date]]  # (PDL, dataset) -> days stored since the mark


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Inclusive ranges of consecutive days covering ``days``; one span when they are too scattered."""
    runs = timeline.day_runs(days)
    return [(runs[0][0], runs[-1][1])] if len(runs) > MAX_RANGES else runs


def _stamp(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _ledger_changes(conn: Connection, mark: datetime | None) -> tuple[Changed, datetime | None]:
    t = m.sync_days
    query = select(t.c.usage_point_id, t.c.dataset, t.c.day, t.c.updated_at)
    if mark is not None:
        query = query.where(t.c.updated_at > mark)
    changed: Changed = defaultdict(set)
    newest = mark
    for pdl, dataset, day, stamp in conn.execute(query):
        changed[(pdl, dataset)].add(day)
        newest = stamp if newest is None or stamp > newest else newest
    return changed, newest


def _tempo_changes(conn: Connection, mark: str | None) -> tuple[list[TempoDay], str | None]:
    t = m.tempo_days
    newest, count = (mark.split("/") if mark else (None, "0"))
    newest_day = date.fromisoformat(newest) if newest else None
    query = select(t.c.day, t.c.color).order_by(t.c.day)
    if newest_day is not None:
        known = conn.scalar(select(func.count()).select_from(t).where(t.c.day <= newest_day))
        if known == int(count):  # no older day filled in since: only the newer ones
            query = query.where(t.c.day > newest_day)
    rows = [TempoDay(d, c) for d, c in conn.execute(query)]
    if not rows:
        return [], mark
    last = max(rows[-1].day, newest_day or rows[-1].day)
    total = conn.scalar(select(func.count()).select_from(t).where(t.c.day <= last))
    return rows, f"{last.isoformat()}/{total}"


def _ecowatt_changes(conn: Connection, mark: datetime | None) -> tuple[list[EcowattDay], datetime | None]:
    t = m.ecowatt_days
    query = select(t).order_by(t.c.day)
    if mark is not None:
        query = query.where(t.c.fetched_at > mark)
    rows = conn.execute(query).all()
    days = [EcowattDay(r.day, r.level, r.message, tuple(int(h) for h in r.hours)) for r in rows]
    return days, max([mark, *(r.fetched_at for r in rows)], key=lambda s: s or datetime.min)


def _tempo_remaining(conn: Connection, today: date) -> tuple[int, dict[str, int]]:
    season = season_of(today)
    colours = read_tempo(conn, date(season, 9, 1), counted_up_to(season, today))
    return season, {c: s["remaining"] for c, s in season_count(colours, season, today).items()}


def periods_totals(conn: Connection, pdls: list[str], yesterday: date) -> dict[tuple[str, str], PeriodTotals]:
    """Yesterday, ISO week, month and year-to-date Wh up to ``yesterday`` of each of ``pdls`` and direction with
    stored days this year: the days of the week and month read through the primary key, the year's earlier months
    from the sums ``store_daily`` keeps."""
    t = m.daily_energy
    week_start = yesterday - timedelta(days=yesterday.weekday())
    month_start = yesterday.replace(day=1)

    def since(first: date) -> Any:
        return func.sum(case((t.c.day >= first, t.c.wh), else_=0))

    rows = conn.execute(select(t.c.usage_point_id, t.c.direction, func.max(case((t.c.day == yesterday, t.c.wh))),
                               since(week_start), since(month_start))
                        .where(t.c.usage_point_id.in_(pdls), t.c.direction.in_(("consumption", "production")),
                               t.c.day >= min(week_start, month_start), t.c.day <= yesterday)
                        .group_by(t.c.usage_point_id, t.c.direction))
    recent = {(pdl, direction): (day, int(week), int(month)) for pdl, direction, day, week, month in rows}
    earlier = repo.month_sums(conn, pdls, yesterday.replace(month=1, day=1), month_start)
    out = {}
    for key in sorted(set(recent) | set(earlier)):
        day, week, month = recent.get(key, (None, 0, 0))
        out[key] = PeriodTotals(yesterday, None if day is None else int(day), week, month, month + earlier.get(key, 0))
    return out


def newest_max_powers(conn: Connection, up_to: date) -> dict[str, MaxPower]:
    """PDL -> its newest stored maximum power on or before ``up_to``, for every PDL, in one query."""
    t, up = m.max_power, m.usage_points

    def newest(column: Any) -> Any:  # a seek per PDL through the primary key, whatever the database's planner
        return select(column).where(t.c.usage_point_id == up.c.usage_point_id, t.c.day <= up_to) \
            .order_by(t.c.day.desc()).limit(1).scalar_subquery()

    rows = [r for r in conn.execute(select(up.c.usage_point_id, newest(t.c.day), newest(t.c.va), newest(t.c.at_utc)))
            if r[1] is not None]
    return {pdl: MaxPower(pdl, day, int(va), int(at)) for pdl, day, va, at in rows}


def snapshot(conn: Connection, now: datetime) -> Snapshot:
    """The current state: PDLs with their label, contract, last sync and period totals, the last sync,
    Tempo today/tomorrow and the days of each colour left in the season (one query per table for every PDL)."""
    prefs = all_preferences(conn)
    ds = m.dataset_states
    synced = dict(conn.execute(select(ds.c.usage_point_id, func.max(ds.c.last_sync_at))
                               .group_by(ds.c.usage_point_id)).all())
    today = now.astimezone(PARIS).date()
    yesterday = today - timedelta(days=1)
    usage_points = read_usage_points(conn)
    histories, powers = read_all_contracts(conn), newest_max_powers(conn, yesterday)
    totals = periods_totals(conn, [up.usage_point_id for up in usage_points], yesterday)
    empty = PeriodTotals(yesterday, None, 0, 0, 0)
    points = []
    for up in usage_points:
        pdl = up.usage_point_id
        pref = prefs.get(pdl)
        history = histories.get(pdl, [])
        contract = history[-1] if history else None
        points.append(UsagePointState(
            pdl, up.label(pref.display_name if pref else ""), pref.enabled if pref else True,
            up.has_consumption, up.has_production,
            (contract.pricing_option if contract else "") or up.pricing_option,
            contract.subscribed_kva if contract else None, contract.offpeak_hours if contract else "",
            synced.get(pdl),
            totals.get((pdl, "consumption"), empty) if up.has_consumption else None,
            totals.get((pdl, "production"), empty) if up.has_production else None,
            max_power=powers.get(pdl)))
    runs = m.sync_runs
    last_sync = conn.scalar(select(func.max(runs.c.finished_at)))
    tempo = read_tempo(conn, today, today + timedelta(days=1))
    season, remaining = _tempo_remaining(conn, today)
    ecowatt = tuple(EcowattDay(e.day, e.level, e.message, e.hours) for e in read_ecowatt(conn, today))
    return Snapshot(now, tuple(points), last_sync, tempo.get(today), tempo.get(today + timedelta(days=1)),
                    season, remaining, ecowatt)


def fingerprints(conn: Connection, pdls: list[str]) -> dict[str, str]:
    """A short digest of what pricing each of ``pdls`` depends on besides readings, read together."""
    return {pdl: hashlib.sha1(repr(print_).encode(), usedforsecurity=False).hexdigest()
            for pdl, print_ in pricing_fingerprints(conn, pdls).items()}


def _readings(engine: Engine, batch: ExportBatch, pdl: str, changed: Changed) -> None:
    for dataset, rows in (("consumption_daily", batch.daily), ("production_daily", batch.production)):
        days = changed.get((pdl, dataset), set())
        direction = dataset.split("_")[0]
        for start, end in day_runs(days):
            rows += [DailyEnergy(pdl, direction, d, wh) for d, wh in series.daily(engine, pdl, direction, start, end)
                     if d in days]
    clock = LocalClock()
    for dataset, rows in zip(CURVES, (batch.load_curve, batch.production_curve), strict=True):
        direction = dataset.split("_")[0]
        days = changed.get((pdl, dataset), set())
        for start, end in day_runs(days):
            points = series.load_curve(engine, pdl, direction, start, end)
            if (end - start).days + 1 != len([d for d in days if start <= d <= end]):  # a span with gaps
                points = points_in_days(points, days, clock)
            rows += [CurvePoint(pdl, direction, s, mins, w) for s, mins, w in points]
    days = changed.get((pdl, "consumption_max_power"), set())
    for start, end in day_runs(days):
        batch.max_power += [MaxPower(pdl, d, va, at) for d, va, at in series.max_power(engine, pdl, start, end)
                            if d in days]


def _costs(engine: Engine, pdl: str, days: set[date]) -> list[DailyCost]:
    out: list[DailyCost] = []
    try:
        for start, end in day_runs(days):
            out += [DailyCost(pdl, c) for c in cost_by_day(engine, pdl, start, end) if c.day in days]
    except Exception:
        log.warning("costs of %s left out of the export: pricing failed", pdl, exc_info=True)
        return []
    return out


def _hourly_costs(engine: Engine, days_of: dict[str, set[date]]) -> list[HourlyCost]:
    out: list[HourlyCost] = []
    for pdl, days in days_of.items():
        try:
            for start, end in day_runs(days):
                out += [HourlyCost(pdl, h) for h in cost_by_hour(engine, pdl, start, end) if h.day in days]
        except Exception:
            log.warning("hourly costs of %s left out of the export: pricing failed", pdl, exc_info=True)
    return out


def collect(engine: Engine, marks: dict[str, str], now: datetime) -> tuple[ExportBatch, dict[str, str]]:
    """The batch of what changed since ``marks``, and the marks to keep once it is exported."""
    with engine.connect() as conn:
        changed, ledger_mark = _ledger_changes(conn, _stamp(marks.get("ledger")))
        tempo, tempo_mark = _tempo_changes(conn, marks.get("tempo"))
        ecowatt, ecowatt_mark = _ecowatt_changes(conn, _stamp(marks.get("ecowatt")))
        batch = ExportBatch(snapshot(conn, now), tempo=tempo, ecowatt=ecowatt)
        enabled = [up.usage_point_id for up in batch.snapshot.usage_points if up.enabled]
        prints = fingerprints(conn, enabled)
        repriced = [pdl for pdl in enabled if prints[pdl] != marks.get(f"pricing:{pdl}")]
        every_day: dict[str, set[date]] = {pdl: set() for pdl in repriced}
        t = m.sync_days
        for pdl, day in conn.execute(select(t.c.usage_point_id, t.c.day).distinct().where(
                t.c.usage_point_id.in_(repriced), t.c.dataset.in_(CURVES))) if repriced else ():
            every_day[pdl].add(day)
    tempo_days = {d for t in tempo for d in (t.day, t.day + timedelta(days=1))}
    priced: dict[str, set[date]] = {}
    for pdl in enabled:
        _readings(engine, batch, pdl, changed)
        cost_days = every_day.get(pdl) or set().union(*(changed.get((pdl, c), set()) for c in CURVES))
        batch.costs += _costs(engine, pdl, cost_days | tempo_days)
        priced[pdl] = {c.cost.day for c in batch.costs if c.usage_point_id == pdl}
    batch.hourly_reader = lambda: _hourly_costs(engine, priced)
    batch.repriced = frozenset(every_day)
    yesterday = now.astimezone(PARIS).date() - timedelta(days=1)
    points = tuple(replace(up, yesterday_cost=next((c.cost for c in _costs(engine, up.usage_point_id, {yesterday})),
                                                   None)) if up.enabled else up
                   for up in batch.snapshot.usage_points)
    batch.snapshot = replace(batch.snapshot, usage_points=points)
    new_marks = {f"pricing:{pdl}": fp for pdl, fp in prints.items()}
    for stream, value in (("ledger", ledger_mark), ("ecowatt", ecowatt_mark)):
        if value is not None:
            new_marks[stream] = value.isoformat()
    if tempo_mark:
        new_marks["tempo"] = tempo_mark
    return batch, new_marks
