"""Home Assistant long-term statistics for the Energy dashboard, built from a batch: pure, no socket.

External statistics ``myelectricaldata:<pdl>_<what>``, hourly and keyed by UTC start: consumption and production
from the load curves (kWh), each tariff slot (``_hp``, ``_hc``, ``_blue_hp``...) and a cost per series in HA's
currency (energy only, no subscription), and the production's revenue at the buyback price. Each import continues
the running sum from the last sum HA holds strictly before the first hour sent, and carries every later hour again
(HA's own hourly values where the batch has none), so a day filled in late or a price change keeps the sums
continuous. The metadata follow the HA version: ``has_mean`` up to 2025.10; ``mean_type`` and ``unit_class`` from
2025.11 (required from 2026.11, refused before 2025.11).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ...energy.aggregate import LocalClock
from ...energy.costs import WM_PER_KWH
from ..batches import ExportBatch, UsagePointState
from .discovery import slug

SOURCE = "myelectricaldata"
MEAN_TYPE_FROM = (2025, 11, 0)
CHUNK = 2000  # rows per import message
EPSILON = 1e-9
NAMES = {"consumption": "consommation", "production": "production"}
COLOUR_WORDS = {"BLUE": "bleu", "WHITE": "blanc", "RED": "rouge"}


@dataclass
class Series:
    """One statistic: id, name, unit, and hour values keyed by UTC epoch seconds: watt-minutes (int) for an energy,
    unrounded Decimal amounts for money."""

    statistic_id: str
    name: str
    unit: str
    energy: bool
    values: dict[int, Any] = field(default_factory=dict)

    def amount(self, value: Any) -> float:
        """A value (or running sum) in the statistic's unit."""
        return value / WM_PER_KWH if self.energy else float(value)

    def native(self, amount: float) -> Any:
        """A value read back from HA in this series' own terms."""
        return round(amount * WM_PER_KWH) if self.energy else Decimal(repr(amount))

    def metadata(self, version: tuple[int, int, int]) -> dict[str, Any]:
        """The import metadata for an HA version."""
        out: dict[str, Any] = {"has_sum": True, "name": self.name, "source": SOURCE,
                               "statistic_id": self.statistic_id, "unit_of_measurement": self.unit}
        if version >= MEAN_TYPE_FROM:
            out["mean_type"] = 0
            out["unit_class"] = "energy" if self.energy else None
        else:
            out["has_mean"] = False
        return out


def statistic_id(pdl: str, what: str) -> str:
    return f"{SOURCE}:{slug(f'{pdl}_{what}')}"


def hour_start(start_utc: int, clock: LocalClock) -> int:
    """The UTC start of the hour holding an instant (offsets change on whole hours)."""
    return start_utc - clock.local_seconds(start_utc) % 3600


def series_of(batch: ExportBatch, currency: str) -> list[Series]:
    """Every statistic the batch has hours for, by PDL: totals from the curves, slots and costs from the hours."""
    labels = {up.usage_point_id: up for up in batch.snapshot.usage_points}
    out: dict[tuple[str, str], Series] = {}

    def series(pdl: str, what: str, name: str, unit: str = "kWh") -> Series:
        found = out.get((pdl, what))
        if found is None:
            found = out[(pdl, what)] = Series(statistic_id(pdl, what), f"Linky {label_of(labels.get(pdl), pdl)} "
                                              f"{name}", unit, unit == "kWh")
        return found

    clock = LocalClock()
    for points, kind in ((batch.load_curve, "consumption"), (batch.production_curve, "production")):
        for p in points:
            hour = hour_start(p.start_utc, clock)
            values = series(p.usage_point_id, kind, NAMES[kind]).values
            values[hour] = values.get(hour, 0) + p.watts * p.minutes
    for row in batch.hourly_costs:
        pdl, hour = row.usage_point_id, row.cost
        state = labels.get(pdl)
        if state is None or state.has_consumption:
            series(pdl, "consumption_cost", "coût consommation", currency).values[hour.start_utc] = hour.energy_cost
            for slot, wm in hour.energy.items():
                if slot == "BASE":
                    continue
                key, words = slot.lower(), slot_words(slot)
                series(pdl, f"consumption_{key}", f"consommation {words}").values[hour.start_utc] = wm
                series(pdl, f"consumption_{key}_cost", f"coût consommation {words}", currency) \
                    .values[hour.start_utc] = hour.costs.get(slot, Decimal(0))
        if state is not None and state.has_production:
            series(pdl, "production_compensation", "revenu production", currency).values[hour.start_utc] = \
                hour.revenue
    return sorted(out.values(), key=lambda s: s.statistic_id)


def slot_words(slot: str) -> str:
    """``HP`` -> ``HP``, ``BLUE_HC`` -> ``HC bleu``."""
    colour, _, part = slot.rpartition("_")
    return f"{part} {COLOUR_WORDS.get(colour, colour.lower())}" if colour else slot


def label_of(state: UsagePointState | None, pdl: str) -> str:
    return state.label if state is not None and state.label else pdl


def iso_hour(start_utc: int) -> str:
    return datetime.fromtimestamp(start_utc, UTC).isoformat()


def epoch_of(value: Any) -> int:
    """A statistics row's ``start`` as HA returns it (epoch milliseconds or an ISO string) in epoch seconds."""
    if isinstance(value, int | float):
        return int(value // 1000)
    return int(datetime.fromisoformat(str(value)).timestamp())


def rows_from(series: Series, base: float, stored: dict[int, tuple[float, float]]) -> list[dict]:
    """Rows from the series' first hour on, summed from ``base`` (HA's sum before it): the series' values, and
    HA's stored hour values (``state``) for later hours the series does not have. Rows HA already holds unchanged
    are left out, but still counted in the running sum."""
    if not series.values:
        return []
    first = min(series.values)
    merged = {h: series.native(s[0]) for h, s in stored.items() if h >= first}
    merged.update(series.values)
    running = series.native(base)
    out = []
    for hour in sorted(merged):
        running += merged[hour]
        state, total = series.amount(merged[hour]), series.amount(running)
        known = stored.get(hour)
        if known is not None and abs(known[0] - state) < EPSILON and abs(known[1] - total) < EPSILON:
            continue
        out.append({"start": iso_hour(hour), "state": state, "sum": total})
    return out


def chunks(rows: list[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def stored_rows(reply: Any, sid: str) -> dict[int, tuple[float, float]]:
    """HA's ``statistics_during_period`` rows of one statistic as {UTC start: (state, sum)}."""
    out = {}
    for row in (reply or {}).get(sid, []):
        out[epoch_of(row["start"])] = (float(row.get("state") or 0.0), float(row.get("sum") or 0.0))
    return out
