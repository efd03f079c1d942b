"""The MQTT exporter's topics: what a batch can support, as (topic, value, unit, date, pdl, extra) messages.

Pure functions, no broker. An exporter only sees its batch (the rows changed since its mark plus the snapshot), so:

- ``consumption/daily/<YYYY-MM-DD>`` is published for the newest ``DAILY_DAYS`` days of the batch;
- ``consumption/yesterday`` is the newest day of the batch (its date is in the JSON payload);
- ``consumption/{week,month,year}`` come from the snapshot's period totals (the stored daily rows up to yesterday),
  so every export publishes them, an incremental one included (same for production);
- ``tempo/remaining/{blue,white,red}`` are the snapshot's days left per colour in the current season.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ...energy.costs import euros_to_the_cent, kwh_to_the_wh
from ...energy.timeline import PARIS
from ..batches import DailyEnergy, ExportBatch, PeriodTotals

DAILY_DAYS = 31


@dataclass(frozen=True)
class Message:
    """One value to publish under ``<prefix>/<topic>``."""

    topic: str
    value: Any
    unit: str = ""
    day: date | None = None
    pdl: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def payload(self, fmt: str) -> str:
        """The JSON object (value, unit, date, pdl and extras) or, in ``plain`` format, the value alone."""
        if fmt == "plain":
            return "" if self.value is None else str(self.value)
        body = {"value": self.value, "unit": self.unit or None, "date": self.day.isoformat() if self.day else None,
                "pdl": self.pdl, **self.extra}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def iso(moment: datetime | None) -> str | None:
    """An aware ISO time in Paris (naive times from the database are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).isoformat()


def _energy(rows: list[DailyEnergy], pdl: str, kind: str) -> list[Message]:
    by_day = {r.day: r.wh for r in rows}
    if not by_day:
        return []
    days = sorted(by_day)
    newest = days[-1]
    out = [Message(f"{pdl}/{kind}/daily/{d.isoformat()}", by_day[d], "Wh", d, pdl) for d in days[-DAILY_DAYS:]]
    out.append(Message(f"{pdl}/{kind}/yesterday", by_day[newest], "Wh", newest, pdl))
    return out


def _totals(totals: PeriodTotals | None, pdl: str, kind: str) -> list[Message]:
    if totals is None:
        return []
    return [Message(f"{pdl}/{kind}/{period}", getattr(totals, period), "Wh", totals.end, pdl,
                    {"start": totals.start(period).isoformat(), "end": totals.end.isoformat()})
            for period in ("week", "month", "year")]


def _costs(batch: ExportBatch, pdl: str) -> list[Message]:
    days = sorted((c.cost for c in batch.costs if c.usage_point_id == pdl), key=lambda c: c.day)
    if not days:
        return []
    out = [Message(f"{pdl}/cost/daily/{c.day.isoformat()}", euros_to_the_cent(c.total), "EUR", c.day, pdl)
           for c in days[-DAILY_DAYS:]]
    last = days[-1]
    out.append(Message(f"{pdl}/cost/yesterday", euros_to_the_cent(last.total), "EUR", last.day, pdl,
                       {"energy": euros_to_the_cent(last.energy_cost),
                        "subscription": euros_to_the_cent(last.subscription), "offer": last.offer_key,
                        "estimated": last.estimated}))
    for slot, watt_minutes in sorted(last.energy.items()):
        key = slot.lower()
        out.append(Message(f"{pdl}/consumption/yesterday/{key}", kwh_to_the_wh(watt_minutes), "kWh", last.day,
                           pdl))
        out.append(Message(f"{pdl}/cost/yesterday/{key}", euros_to_the_cent(last.costs.get(slot, Decimal(0))), "EUR",
                           last.day, pdl))
    return out


def _max_power(batch: ExportBatch, pdl: str) -> list[Message]:
    rows = [r for r in batch.max_power if r.usage_point_id == pdl]
    if not rows:
        return []
    last = max(rows, key=lambda r: r.day)
    at = iso(datetime.fromtimestamp(last.at_utc, UTC))
    return [Message(f"{pdl}/max_power/yesterday", last.va, "VA", last.day, pdl, {"at": at}),
            Message(f"{pdl}/max_power/yesterday/time", at, "", last.day, pdl)]


def messages(batch: ExportBatch) -> list[Message]:
    """Every message the batch supports, per PDL then global (Tempo, EcoWatt, last sync)."""
    snap = batch.snapshot
    daily: dict[str, list[DailyEnergy]] = defaultdict(list)
    production: dict[str, list[DailyEnergy]] = defaultdict(list)
    for r in batch.daily:
        daily[r.usage_point_id].append(r)
    for r in batch.production:
        production[r.usage_point_id].append(r)
    pdls = {up.usage_point_id for up in snap.usage_points if up.enabled} | set(daily) | set(production)
    pdls |= {c.usage_point_id for c in batch.costs} | {r.usage_point_id for r in batch.max_power}
    states = {up.usage_point_id: up for up in snap.usage_points}
    out: list[Message] = []
    for pdl in sorted(pdls):
        out += _energy(daily[pdl], pdl, "consumption")
        out += _energy(production[pdl], pdl, "production")
        state = states.get(pdl)
        if state is not None and state.enabled:
            out += _totals(state.consumption, pdl, "consumption")
            out += _totals(state.production, pdl, "production")
        out += _costs(batch, pdl)
        out += _max_power(batch, pdl)
        if state is not None and state.last_sync_at is not None:
            out.append(Message(f"{pdl}/last_sync", iso(state.last_sync_at), "", None, pdl))
    today = snap.now.astimezone(PARIS).date()
    colours = {t.day: t.color for t in batch.tempo}
    for name, day, colour in (("today", today, snap.tempo_today), ("tomorrow", today + timedelta(days=1),
                                                                    snap.tempo_tomorrow)):
        colour = colour or colours.get(day)
        if colour:
            out.append(Message(f"tempo/{name}", colour, "", day))
    if snap.tempo_season is not None:
        season = f"{snap.tempo_season}-{snap.tempo_season + 1}"
        for colour, left in snap.tempo_remaining.items():
            out.append(Message(f"tempo/remaining/{colour.lower()}", left, "days", None, None, {"season": season}))
    for e in sorted(batch.ecowatt, key=lambda e: e.day):
        out.append(Message(f"ecowatt/{e.day.isoformat()}", e.level, "", e.day, None,
                           {"message": e.message, "hours": list(e.hours)}))
    if snap.last_sync_at is not None:
        out.append(Message("last_sync", iso(snap.last_sync_at)))
    return out
