"""Home Assistant long-term statistics for the Energy dashboard, built from a batch: pure, no socket.

Each PDL's consumption goes out in the shape the user chose: its total with the total cost, or one statistic per
tariff slot (``_hp``, ``_hc``, ``_blue_hp``...) each with its own cost; never both. The energy injected into the
grid and its revenue come beside. Ids are ``myelectricaldata:<pdl>_<what>`` (or the legacy client's, when its
statistics are continued: ``legacy``), hourly rows keyed by UTC start. A slot statistic has rows only for the hours
in which its slot has energy (an hour straddling a window edge has a row in both), and at 23:00 of every day: HA
measures a period (``recorder/statistic_during_period``, the statistic cards) from the row of the hour before it,
so without that row a day, week or month would lose its first hour. HA keeps the sum of the last row over the hours
without one. Each import continues the running sum from the last sum HA holds strictly before the
first hour sent and carries every later hour again (HA's own values where the batch has none), so a day filled in
late or a price change keeps the sums continuous; a row HA holds for an hour the batch settles without a value (an
hour that left its slot) is rewritten with 0. The metadata follow the HA version: ``has_mean`` up to 2025.10;
``mean_type`` and ``unit_class`` from 2025.11 (required from 2026.11, refused before 2025.11).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from ...energy.aggregate import LocalClock
from ...energy.costs import WM_PER_KWH
from ...energy.words import slot_word
from ..batches import ExportBatch, UsagePointState
from .discovery import slug

SOURCE = "myelectricaldata"
TOTAL, SLOTS = "total", "slots"
MEAN_TYPE_FROM = (2025, 11, 0)
CHUNK = 2000  # rows per import message
EPSILON = 1e-9
LAST_HOUR = 23 * 60  # wall-clock minute of a day's last hour: every slot statistic has a row there (see below)


@dataclass(frozen=True)
class Role:
    """What a statistic holds: ``consumption`` (of one slot, or the total when ``slot`` is None) or ``injection``,
    as energy or as money (cost, revenue)."""

    kind: str
    slot: str | None = None
    money: bool = False


class Statistic(NamedTuple):
    statistic_id: str
    name: str
    unit: str


Naming = Callable[[Role], Statistic]


@dataclass(frozen=True)
class Plan:
    """How one PDL's statistics go out: the shape (TOTAL or SLOTS), their ids and names, and the first hour sent
    (UTC epoch seconds; None: all the history)."""

    shape: str
    naming: Naming
    start: int | None = None


@dataclass
class Series:
    """One statistic: id, name, unit, and hour values keyed by UTC epoch seconds: watt-minutes (int) for an energy,
    unrounded Decimal amounts for money. ``known``: hours the batch settles (HA's row there is rewritten as 0 when
    the series has no value); ``start``: with ``rewrite``, every row HA holds from that hour on is rewritten."""

    statistic_id: str
    name: str
    unit: str
    energy: bool
    values: dict[int, Any] = field(default_factory=dict)
    known: set[int] = field(default_factory=set)
    pdl: str = ""
    start: int | None = None
    rewrite: bool = False

    @property
    def first(self) -> int | None:
        """The first hour this series may change in HA."""
        hours = self.values.keys() | self.known
        if self.start is not None and (self.rewrite or not hours):
            return self.start
        return min(hours) if hours else None

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


def ours(pdl: str, label: str, currency: str) -> Naming:
    """Our own ids and French names for a PDL: ``<pdl>_consumption[_<slot>][_cost]``, ``<pdl>_injection[_revenue]``."""

    def naming(role: Role) -> Statistic:
        if role.kind == "injection":
            what, words = ("injection_revenue", "Revenu de la production") if role.money else \
                ("injection", "Production injectée")
        else:
            what = "consumption" + (f"_{role.slot}" if role.slot else "") + ("_cost" if role.money else "")
            words = ("Coût de la consommation" if role.money else "Consommation") + \
                (f" {slot_words(role.slot)}" if role.slot else "")
        return Statistic(statistic_id(pdl, what), f"Linky {label} — {words}", currency if role.money else "kWh")

    return naming


def hour_start(start_utc: int, clock: LocalClock) -> int:
    """The UTC start of the hour holding an instant (offsets change on whole hours)."""
    return start_utc - clock.local_seconds(start_utc) % 3600


def series_of(batch: ExportBatch, currency: str, shape: str = TOTAL,
              plans: Mapping[str, Plan | None] | None = None) -> list[Series]:
    """Every statistic the batch has hours for, by PDL: ours in ``shape`` unless ``plans`` says otherwise (a PDL
    planned as None is left out). Total energy and injection come from the curves, slots and money from the
    priced hours."""
    labels = {up.usage_point_id: up for up in batch.snapshot.usage_points}
    plans = plans or {}
    out: dict[str, Series] = {}
    made: dict[str, Plan | None] = {}

    def plan_of(pdl: str) -> Plan | None:
        if pdl not in made:
            made[pdl] = plans[pdl] if pdl in plans else Plan(shape, ours(pdl, label_of(labels.get(pdl), pdl),
                                                                          currency))
        return made[pdl]

    def series(pdl: str, plan: Plan, role: Role) -> Series:
        stat = plan.naming(role)
        found = out.get(stat.statistic_id)
        if found is None:
            found = out[stat.statistic_id] = Series(stat.statistic_id, stat.name, stat.unit, not role.money, pdl=pdl)
        return found

    def put(pdl: str, plan: Plan, role: Role, hour: int, value: Any, every_hour: bool = True) -> None:
        target = series(pdl, plan, role)
        target.known.add(hour)
        if value or every_hour:
            target.values[hour] = value

    clock = LocalClock()
    for points, kind in ((batch.load_curve, "consumption"), (batch.production_curve, "injection")):
        for p in points:
            plan = plan_of(p.usage_point_id)
            if plan is None or (kind == "consumption" and plan.shape != TOTAL):
                continue
            hour = hour_start(p.start_utc, clock)
            if plan.start is None or hour >= plan.start:
                target = series(p.usage_point_id, plan, Role(kind))
                target.values[hour] = target.values.get(hour, 0) + p.watts * p.minutes
                target.known.add(hour)
    for row in batch.hourly_costs:
        pdl, priced = row.usage_point_id, row.cost
        plan = plan_of(pdl)
        if plan is None or (plan.start is not None and priced.start_utc < plan.start):
            continue
        state = labels.get(pdl)
        if state is None or state.has_consumption:
            if plan.shape == TOTAL:
                put(pdl, plan, Role("consumption", money=True), priced.start_utc, priced.energy_cost)
            else:
                closing = clock.wall(priced.start_utc)[1] >= LAST_HOUR
                for slot, wm in priced.energy.items():
                    key = None if slot == "BASE" else slot.lower()
                    put(pdl, plan, Role("consumption", key), priced.start_utc, wm, every_hour=closing)
                    put(pdl, plan, Role("consumption", key, money=True), priced.start_utc,
                        priced.costs.get(slot, Decimal(0)) if wm else Decimal(0), every_hour=closing)
        if state is not None and state.has_production:
            put(pdl, plan, Role("injection", money=True), priced.start_utc, priced.revenue)
    return sorted(out.values(), key=lambda s: s.statistic_id)


def slot_words(slot: str) -> str:
    """``hp`` -> ``HP``, ``blue_hc`` -> ``Bleu HC``: a slot's code as the pages write it, HP/HC kept short."""
    colour, _, part = slot.upper().rpartition("_")
    return slot_word(slot.upper()) if colour else part


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
    """Rows from the series' first hour on, summed from ``base`` (HA's sum before it): the series' values, 0 for
    the hours it settles without a value (or every stored hour when it rewrites), and HA's stored hour values
    (``state``) for the other later hours. Rows HA already holds unchanged are left out, but still counted in the
    running sum."""
    first = series.first
    if first is None:
        return []
    zero = series.native(0.0)
    merged = {h: series.native(s[0]) for h, s in stored.items()
              if h >= first and h not in series.known and not series.rewrite}
    merged.update({h: zero for h in stored if h >= first and (h in series.known or series.rewrite)})
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
