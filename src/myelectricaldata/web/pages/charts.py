"""The chart-and-table blocks the data, money and balance pages hand their template (``partials/chart.html``)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from ...energy.timeline import epoch, local_midnight_utc
from ..formatting import kwh_number

Wh = int | Fraction


def chart(chart_id: str, title: str, kind: str, x: list[int], series: list[dict[str, Any]], head: list[str],
          rows: list[list[str]]) -> dict[str, Any]:
    """One chart (``kind`` "bars" or "line"; ``x`` in epoch seconds) with the table that says the same."""
    return {"id": chart_id, "title": title, "series": {"x": x, "series": series, "kind": kind},
            "head": head, "rows": rows}


def midnight(day: date) -> int:
    """The epoch of a local day's start, where its bar is drawn."""
    return epoch(local_midnight_utc(day))


def kwh_value(wh: Wh | None) -> float | None:
    """Wh as kWh for a chart, to the Wh."""
    return None if wh is None else round(float(Fraction(wh) / 1000), 3)


def kwh_text(wh: Wh | None) -> str:
    """Wh as kWh for a table, with the one rule of decimals ("—" when unknown)."""
    return "—" if wh is None else kwh_number(float(Fraction(wh) / 1000))
