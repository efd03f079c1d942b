"""What the data pages share besides the period: the CSV download of a table (written by ``web/csv_files``), its
link keeping the current query, the chart spec's category axis and the table's phone marks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from flask import request, url_for

from ...energy.coverage import Coverage
from ..csv_files import csv_response, file_name
from ..formatting import MONTHS, num
from .charts import chart, midnight

__all__ = ["MONTH_SHORT", "csv_response", "csv_url", "file_name", "marked_columns", "on_categories", "pick_table",
           "wants_csv", "year_over_year"]

MONTH_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def wants_csv() -> bool:
    return request.args.get("format", "").strip() == "csv"


def csv_url(table: str | None = None) -> str:
    """This page's address with its current query, asking for the CSV of ``table`` (a chart id)."""
    args = {k: v for k, v in request.args.items() if k not in ("format", "table")}
    return url_for(request.endpoint or "", **request.view_args or {}, **args, format="csv",
                   **({"table": table} if table else {}))


def pick_table(blocks: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The chart block the CSV asks for (``table``, a chart id), else the first."""
    asked = request.args.get("table", "").strip()
    return next((b for b in blocks if b["id"] == asked), None) if asked else (blocks[0] if blocks else None)


def on_categories(block: dict[str, Any], categories: list[str], *, stacked: bool = False,
                  key: int | None = None, aux: Sequence[int] = ()) -> dict[str, Any]:
    """A chart block drawn on a category axis (one label per bar: months, years), stacked if asked; ``key`` and
    ``aux`` name the table's key column and its low-priority columns (by index)."""
    block["series"]["categories"] = categories
    if stacked:
        block["series"]["stacked"] = True
    return marked_columns(block, key, aux)


def marked_columns(block: dict[str, Any], key: int | None, aux: Sequence[int] = ()) -> dict[str, Any]:
    """Record the key column (``data-key`` cells) and the low-priority ones (``col-aux``) of a block's table."""
    if key is not None:
        block["key"] = key
    block["aux"] = list(aux)
    block["csv"] = csv_url(block["id"])
    return block


def year_over_year(months: Mapping[date, Any], cover: Mapping[date, Coverage], today: date, title: str, unit: str,
                   number: Callable[[Any], float], decimals: int) -> dict[str, Any] | None:
    """This year against last year, month by month (``months``: a month's first day -> its amount, ``number``
    turning it into ``unit``): grouped bars on "janv." ... "déc." and a table with each month's coverage; None when
    neither year has data."""
    this, last = today.year, today.year - 1
    if not any(first.year in (this, last) for first in months):
        return None
    firsts = [(date(this, m, 1), date(last, m, 1)) for m in range(1, 13)]
    sides = ((this, "cette année"), (last, "l'an dernier"))
    values = [{"label": f"{year} ({when})", "unit": unit,
               "values": [round(number(months[pair[i]]), decimals) if pair[i] in months else None for pair in firsts]}
              for i, (year, when) in enumerate(sides)]

    def days(first: date) -> str:
        found = cover.get(first)
        if found is None:
            return "—"
        return f"{found.covered} j / {found.length}" + (" (partiel)" if found.partial else "")

    def text(first: date) -> str:
        return "—" if first not in months else num(number(months[first]), decimals)

    rows = []
    for now, before in firsts:
        both = now in months and before in months
        gap = num(number(months[now] - months[before]), decimals) if both else "—"
        rows.append([MONTHS[now.month - 1], text(now), text(before), gap, days(now), days(before)])
    head = ["Mois", f"{this} ({unit})", f"{last} ({unit})", f"Écart ({unit})", f"Jours {this}", f"Jours {last}"]
    block = chart("year-over-year", title, "bars", [midnight(now) for now, _ in firsts], values, head, rows)
    return on_categories(block, list(MONTH_SHORT), key=1, aux=[3, 4, 5])
