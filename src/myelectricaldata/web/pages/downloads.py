"""What the data pages share besides the period: the CSV download of a table (written by ``web/csv_files``), its
link keeping the current query, the chart spec's category axis and the table's phone marks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request, url_for

from ..csv_files import csv_response, file_name

__all__ = ["MONTH_SHORT", "csv_response", "csv_url", "file_name", "marked_columns", "on_categories", "pick_table",
           "wants_csv"]

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
