"""Helpers of the Energy-statistics tests against a real Home Assistant: our exporter's manager, a clean slate, and
what the Energy dashboard reads back (``change`` per hour and per day, as its cards ask for them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from myelectricaldata.energy.timeline import PARIS, local_day_bounds
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services import series
from tests.support.homeassistant import HomeAssistant

EXPORTER = "homeassistant"
H = 3600
Windows = list[tuple[int, int]]  # off-peak spans in wall-clock minutes [start, end)


def sid(pdl: str, what: str) -> str:
    return f"myelectricaldata:{pdl}_{what}"


def manager_for(engine: sa.Engine, folder: Path, ha: HomeAssistant, **config: Any) -> ExporterManager:
    """Our exporter manager with the Home Assistant exporter enabled, its Energy part pointed at ``ha``."""
    manager = ExporterManager(engine, folder, None, entry_points=False)
    settings = {"discovery": False, "energy": True, "ha_url": ha.url, "ha_token": ha.token, **config}
    assert not manager.save_config(EXPORTER, settings, enabled=True)  # nothing refused
    return manager


def reconfigure(manager: ExporterManager, **changes: Any) -> None:
    assert not manager.save_config(EXPORTER, {**manager.settings(EXPORTER).config, **changes}, enabled=True)


def export(manager: ExporterManager, at: datetime) -> Any:
    outcome = manager.run_exports(at, force=True)[EXPORTER]
    assert outcome.ok, outcome.error
    return outcome


def clear_ours(ha: HomeAssistant) -> None:
    """Remove every ``myelectricaldata:`` statistic (ours and legacy-shaped ones) and wait until HA has."""
    ids = [s["statistic_id"] for s in ha.call("recorder/list_statistic_ids")
           if s["statistic_id"].startswith("myelectricaldata:")]
    if ids:
        ha.call("recorder/clear_statistics", statistic_ids=ids)
        ha.wait_for(lambda: not {s["statistic_id"] for s in ha.call("recorder/list_statistic_ids")} & set(ids),
                    timeout=60, what="the statistics cleared")


def listed(ha: HomeAssistant) -> set[str]:
    return {s["statistic_id"] for s in ha.call("recorder/list_statistic_ids")}


def rows(ha: HomeAssistant, statistic: str, start: datetime) -> dict[int, tuple[float, float]]:
    """HA's hourly rows of a statistic from ``start``: {UTC start: (state, sum)}."""
    found = ha.statistics(statistic, start, types=("state", "sum")).get(statistic, [])
    return {int(r["start"] // 1000): (r["state"], r["sum"]) for r in found}


def hourly_changes(ha: HomeAssistant, ids: Iterable[str], start: datetime, end: datetime) -> dict[int, float]:
    """The dashboard's hourly bars of these statistics together: HA's ``change`` per hour, summed over them."""
    out: dict[int, float] = defaultdict(float)
    for found in ha.statistics(list(ids), start, end, period="hour", types=("change",)).values():
        for row in found:
            out[int(row["start"] // 1000)] += row["change"] or 0.0
    return dict(out)


def daily_changes(ha: HomeAssistant, ids: Iterable[str], start: datetime, end: datetime) -> dict[date, float]:
    """The dashboard's daily bars (buckets of HA's local days), summed over the statistics."""
    out: dict[date, float] = defaultdict(float)
    for found in ha.statistics(list(ids), start, end, period="day", types=("change",)).values():
        for row in found:
            out[datetime.fromtimestamp(row["start"] / 1000, PARIS).date()] += row["change"] or 0.0
    return dict(out)


def day_change(ha: HomeAssistant, ids: Iterable[str], day: date) -> float:
    """``recorder/statistic_during_period`` over one local day, as the Energy dashboard's period cards ask."""
    first, last = local_day_bounds(day)
    return sum(ha.call("recorder/statistic_during_period", statistic_id=s, types=["change"],
                       fixed_period={"start_time": first.isoformat(), "end_time": last.isoformat()})["change"] or 0.0
               for s in ids)


def split_by_hand(engine: sa.Engine, pdl: str, start: date, end: date,
                  windows_on: Any) -> dict[str, dict[int, float]]:
    """The local load curve in kWh per UTC hour, split HP/HC point by point with ``windows_on(day)`` (the off-peak
    spans in force that day): {"HP": {hour: kWh}, "HC": {...}}."""
    out: dict[str, dict[int, float]] = {"HP": defaultdict(float), "HC": defaultdict(float)}
    for begin, minutes, watts in series.load_curve(engine, pdl, "consumption", start, end):
        wall = datetime.fromtimestamp(begin, PARIS)
        minute = wall.hour * 60 + wall.minute
        offpeak = any(a <= minute < b for a, b in windows_on(wall.date()))
        out["HC" if offpeak else "HP"][begin - begin % H] += watts * minutes / 60_000
    return {slot: dict(hours) for slot, hours in out.items()}


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
