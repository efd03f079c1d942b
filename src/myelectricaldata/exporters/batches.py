"""What an exporter receives: the rows changed since its high-water mark plus a current-state snapshot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..energy.costs import DayCost, HourCost


@dataclass(frozen=True)
class DailyEnergy:
    """Wh of one local day for one PDL and direction (consumption or production)."""

    usage_point_id: str
    direction: str
    day: date
    wh: int


@dataclass(frozen=True)
class CurvePoint:
    """One load-curve point: mean watts over ``minutes`` from ``start_utc`` (epoch seconds)."""

    usage_point_id: str
    direction: str
    start_utc: int
    minutes: int
    watts: int


@dataclass(frozen=True)
class MaxPower:
    """The day's maximum power in VA and when it was reached (epoch seconds)."""

    usage_point_id: str
    day: date
    va: int
    at_utc: int


@dataclass(frozen=True)
class DailyCost:
    """One priced day of a PDL (``cost`` holds energy per slot, EUR per slot, subscription share)."""

    usage_point_id: str
    cost: DayCost


@dataclass(frozen=True)
class HourlyCost:
    """One priced hour of a PDL (``cost`` holds energy and EUR per slot, production and revenue; no subscription)."""

    usage_point_id: str
    cost: HourCost


@dataclass(frozen=True)
class TempoDay:
    """The Tempo colour of a day (BLUE, WHITE or RED)."""

    day: date
    color: str


@dataclass(frozen=True)
class EcowattDay:
    """RTE's EcoWatt signal of a day: level 1-3, message and the 24 hourly levels (0-3)."""

    day: date
    level: int
    message: str
    hours: tuple[int, ...]


@dataclass(frozen=True)
class PeriodTotals:
    """Wh of one PDL and direction summed over the stored daily rows, periods ending ``end`` (yesterday, Paris).

    ``yesterday`` is None when that day is not stored yet; ``week`` (ISO, from Monday), ``month`` and ``year``
    run from the period's first day to ``end`` included (missing days count as 0).
    """

    end: date
    yesterday: int | None
    week: int
    month: int
    year: int

    def start(self, period: str) -> date:
        """First day of ``week``, ``month`` or ``year``."""
        if period == "week":
            return self.end - timedelta(days=self.end.weekday())
        return self.end.replace(day=1) if period == "month" else self.end.replace(month=1, day=1)


@dataclass(frozen=True)
class UsagePointState:
    """A PDL as it stands now: label, contract and when its data last synced."""

    usage_point_id: str
    label: str
    enabled: bool
    has_consumption: bool
    has_production: bool
    pricing_option: str
    subscribed_kva: int | None
    offpeak_hours: str
    last_sync_at: datetime | None
    consumption: PeriodTotals | None = None
    production: PeriodTotals | None = None  # None without production
    yesterday_cost: DayCost | None = None  # yesterday priced, when its load curve is stored
    max_power: MaxPower | None = None  # the newest stored day's maximum power


@dataclass(frozen=True)
class Snapshot:
    """The current state, sent with every batch whether or not rows changed."""

    now: datetime
    usage_points: tuple[UsagePointState, ...] = ()
    last_sync_at: datetime | None = None
    tempo_today: str | None = None
    tempo_tomorrow: str | None = None
    tempo_season: int | None = None  # the year the current Tempo season starts in (1 September)
    tempo_remaining: dict[str, int] = field(default_factory=dict)  # BLUE/WHITE/RED -> days left, up to tomorrow
    ecowatt: tuple[EcowattDay, ...] = ()  # today and the days after, as far as RTE announced them


@dataclass
class ExportBatch:
    """Rows changed since the exporter's own high-water mark; a row may come again (exports are idempotent)."""

    snapshot: Snapshot
    daily: list[DailyEnergy] = field(default_factory=list)
    load_curve: list[CurvePoint] = field(default_factory=list)
    max_power: list[MaxPower] = field(default_factory=list)
    production: list[DailyEnergy] = field(default_factory=list)
    production_curve: list[CurvePoint] = field(default_factory=list)
    costs: list[DailyCost] = field(default_factory=list)
    tempo: list[TempoDay] = field(default_factory=list)
    ecowatt: list[EcowattDay] = field(default_factory=list)
    repriced: frozenset[str] = frozenset()  # PDLs whose every priced day is in ``costs`` (a first export, or what
    # their prices depend on changed): an exporter may then drop what it holds of them that is no longer sent
    hourly_reader: Callable[[], list[HourlyCost]] | None = field(default=None, repr=False, compare=False)
    _hourly: list[HourlyCost] | None = field(default=None, init=False, repr=False, compare=False)

    ROWS = ("daily", "load_curve", "max_power", "production", "production_curve", "costs", "tempo", "ecowatt")

    @property
    def size(self) -> int:
        """How many changed rows the batch holds (the snapshot not counted)."""
        return sum(len(getattr(self, name)) for name in self.ROWS)

    @property
    def hourly_costs(self) -> list[HourlyCost]:
        """The hours of the days in ``costs``, priced: read on first use (only exporters that need hours pay)."""
        if self._hourly is None:
            self._hourly = self.hourly_reader() if self.hourly_reader else []
        return self._hourly

    @property
    def is_empty(self) -> bool:
        """True when nothing changed since the mark."""
        return self.size == 0
