"""What the data pages share besides the period: the CSV download of a table (``;``, decimal comma, UTF-8 with a
BOM, French headers, Paris dates), its link keeping the current query, and the chart spec's category axis."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Response, request, url_for

FRENCH_NUMBER = re.compile(r"[−+-]?\d{1,3}(?:\xa0\d{3})*(?:,\d+)?")
MONTH_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def csv_cell(text: str) -> str:
    """A table cell as a spreadsheet reads it: a French number loses its thousands spaces ("1 234,5" -> "1234,5"),
    any other text is kept."""
    return text.replace("\xa0", "").replace("−", "-") if FRENCH_NUMBER.fullmatch(text) else text


def csv_text(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The table as CSV: ``;`` between cells, CRLF line ends, a BOM so that spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows([csv_cell(str(c)) for c in row] for row in rows)
    return "\ufeff" + out.getvalue()


def slug(text: str) -> str:
    """A name fit for a file name: ASCII lower case, words joined by hyphens ("Appartement Paris" -> "appartement-paris")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "pdl"


def file_name(what: str, name: str, start: date, end: date) -> str:
    """``consommation-appartement-paris-2025-01-01_2025-12-31.csv``."""
    return f"{what}-{slug(name)}-{start.isoformat()}_{end.isoformat()}.csv"


def csv_response(name: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> Response:
    """The table as a CSV download named ``name``."""
    return Response(csv_text(head, rows), mimetype="text/csv", headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"'})


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
