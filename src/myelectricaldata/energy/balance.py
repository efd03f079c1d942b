"""The energy balance of a PDL (pure): import against injection per day or month, production revenue, and, from a
total production measured or estimated from the peak power (kWc), self-consumption and self-sufficiency."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

Wh = int | Fraction

# Typical PV yield in kWh per kWc for each month, central France; sums to 1,200 kWh/kWc/year.
YIELD = (45, 65, 100, 125, 140, 150, 155, 135, 110, 80, 50, 45)


@dataclass(frozen=True)
class BalanceRow:
    """A day, a month (its first day) or a total (``day`` None); every amount is None when unknown.

    ``production``, ``self_consumed`` and ``self_import`` are set only on days with import, injection and a total
    production; ``self_import`` is the import of those days, what self-sufficiency is measured against."""

    day: date | None
    imported: Wh | None = None  # Wh taken from the grid
    injected: Wh | None = None  # Wh sent to the grid
    net: Wh | None = None  # imported - injected, when both are known
    revenue: Decimal | None = None  # EUR, injected kWh x buy-back price
    production: Wh | None = None  # total production of the panels (measured or estimated)
    self_consumed: Wh | None = None  # production - injection, floored at 0
    self_import: Wh | None = None

    @property
    def sufficiency(self) -> Fraction | None:
        """Self-consumption / (self-consumption + import), or None when it cannot be computed."""
        if self.self_consumed is None or self.self_import is None or not self.self_consumed + self.self_import:
            return None
        return Fraction(self.self_consumed) / (self.self_consumed + self.self_import)


def estimated_wh(kwc: Decimal, day: date) -> Fraction:
    """Estimated total production of a day: kWc x the month's yield / days in the month, in Wh (exact)."""
    days = calendar.monthrange(day.year, day.month)[1]
    return Fraction(kwc) * YIELD[day.month - 1] * 1000 / days


def balance_days(imported: Mapping[date, int], injected: Mapping[date, int], kwc: Decimal | None,
                 buyback: Decimal | None, measured: Mapping[date, int] | None = None) -> list[BalanceRow]:
    """Per day with import or injection: both, the net when both are known, the revenue at ``buyback``, and the
    total production (``measured`` when given, else estimated when a kWc is) on days with import and injection."""
    out = []
    for day in sorted(set(imported) | set(injected)):
        imp, inj = imported.get(day), injected.get(day)
        row = BalanceRow(day, imp, inj, imp - inj if imp is not None and inj is not None else None,
                         buyback * inj / 1000 if buyback is not None and inj is not None else None)
        total: Wh | None = measured.get(day) if measured is not None else None if kwc is None else estimated_wh(
            kwc, day)
        if total is not None and imp is not None and inj is not None:
            row = replace(row, production=total, self_consumed=max(total - inj, Fraction(0)), self_import=imp)
        out.append(row)
    return out


def _sum(values: Iterable[Any]) -> Any:
    """The sum of the known amounts (energy or euros), None when none is known."""
    known = [v for v in values if v is not None]
    return sum(known[1:], known[0]) if known else None


def summed(rows: Iterable[BalanceRow], day: date | None = None) -> BalanceRow:
    """``rows`` added up: each amount is the sum of the rows that know it, None when none does."""
    rows = list(rows)
    return BalanceRow(day, _sum(r.imported for r in rows), _sum(r.injected for r in rows), _sum(r.net for r in rows),
                      _sum(r.revenue for r in rows), _sum(r.production for r in rows),
                      _sum(r.self_consumed for r in rows), _sum(r.self_import for r in rows))


def by_month(days: Iterable[BalanceRow]) -> list[BalanceRow]:
    """Days summed per calendar month, each month dated by its first day."""
    months: dict[date, list[BalanceRow]] = {}
    for row in days:
        if row.day is not None:
            months.setdefault(row.day.replace(day=1), []).append(row)
    return [summed(rows, first) for first, rows in months.items()]
