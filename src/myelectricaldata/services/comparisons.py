"""What the money views compare: this month's costs against the same days a year earlier (the offers are ranked by
``services.ranking``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from ..energy.costs import ZERO, DayCost
from .pricing import PricedDays, cost_by_day


@dataclass(frozen=True)
class PricedSpan:
    """The priced days of [first, last] (days without readings are left out)."""

    first: date
    last: date
    days: list[DayCost]

    @property
    def total(self) -> Decimal:
        """EUR, subscription share included, unrounded."""
        return sum((d.total for d in self.days), ZERO)

    @property
    def energy(self) -> int:
        """Watt-minutes consumed over the priced days."""
        return sum(sum(d.energy.values()) for d in self.days)


@dataclass(frozen=True)
class MonthComparison:
    """This month so far (last month on the 1st) and the same days a year earlier."""

    now: PricedSpan
    before: PricedSpan

    @property
    def difference(self) -> Decimal | None:
        """Now minus a year earlier (positive: dearer now); None unless both sides have priced days."""
        return self.now.total - self.before.total if self.now.days and self.before.days else None


def month_against_last_year(engine: Engine, pdl: str, today: date, prices: PricedDays | None = None
                            ) -> MonthComparison | None:
    """From the 1st of yesterday's month to yesterday, against the same days a year earlier (29 February compared
    with the 28th); None when neither side has a priced day."""
    end = today - timedelta(days=1)
    start = end.replace(day=1)
    before_start = start.replace(year=start.year - 1)
    before_end = date(end.year - 1, 2, 28) if (end.month, end.day) == (2, 29) else end.replace(year=end.year - 1)
    now = PricedSpan(start, end, cost_by_day(engine, pdl, start, end, prices))
    before = PricedSpan(before_start, before_end, cost_by_day(engine, pdl, before_start, before_end, prices))
    if not now.days and not before.days:
        return None
    return MonthComparison(now, before)
