"""The chart-and-table blocks the data, money and balance pages hand their template (``partials/chart.html``)."""

from __future__ import annotations

import itertools
from datetime import date
from fractions import Fraction
from typing import Any

from ...energy.timeline import epoch, local_midnight_utc
from ..formatting import kwh_number

Wh = int | Fraction


MONTHLY = 28 * 86400  # bars at least this far apart are months or years: drawn on a category axis


def chart(chart_id: str, title: str, kind: str, x: list[int], series: list[dict[str, Any]], head: list[str],
          rows: list[list[str]], *, categories: list[str] | None = None, stacked: bool = False,
          yunit: str | None = None, key: int | None = None, aux: tuple[int, ...] = ()) -> dict[str, Any]:
    """One chart (``kind`` "bars" or "line"; ``x`` in epoch seconds) with the table that says the same.

    ``categories`` names each x on a category axis (one slot per x); bars at least a month apart, or a single bar,
    get the first cell of their table rows when none is given. ``stacked`` piles the bar series instead of grouping
    them side by side; ``yunit`` is the unit of the y axis (the first series' by default). In the table, ``key`` is
    the column of the key number (the one kept in view on a phone: by default the last whose heading starts with
    "Total", else the second) and ``aux`` the columns a phone may hide."""
    spec: dict[str, Any] = {"x": x, "series": series, "kind": kind}
    if categories is None and kind == "bars" and x and len(rows) >= len(x) \
            and (len(x) == 1 or min(b - a for a, b in itertools.pairwise(x)) >= MONTHLY):
        categories = [str(row[0]) for row in rows[:len(x)]]
    if categories is not None:
        spec["categories"] = categories
    if stacked:
        spec["stacked"] = True
    if yunit:
        spec["yunit"] = yunit
    return {"id": chart_id, "title": title, "series": spec, "head": head, "rows": rows,
            "key": key_column(head) if key is None else key, "aux": tuple(aux)}


def key_column(head: list[str]) -> int:
    """The column of a table's key number: the last whose heading starts with "Total", else the second one."""
    totals = [i for i, h in enumerate(head) if h.lower().startswith("total")]
    return totals[-1] if totals else min(1, len(head) - 1)


def midnight(day: date) -> int:
    """The epoch of a local day's start, where its bar is drawn."""
    return epoch(local_midnight_utc(day))


def kwh_value(wh: Wh | None) -> float | None:
    """Wh as kWh for a chart, to the Wh."""
    return None if wh is None else round(float(Fraction(wh) / 1000), 3)


def kwh_text(wh: Wh | None) -> str:
    """Wh as kWh for a table, with the one rule of decimals ("—" when unknown)."""
    return "—" if wh is None else kwh_number(float(Fraction(wh) / 1000))
