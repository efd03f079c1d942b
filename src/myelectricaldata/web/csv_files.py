"""Tables as CSV files a French spreadsheet opens as they are: ``;`` between cells, decimal comma, UTF-8 with a BOM,
French headers and Paris dates (the cells come already written the French way), and the file's name."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FRENCH_NUMBER = re.compile(r"[−+-]?\d{1,3}(?:\xa0\d{3})*(?:,\d+)?")


def csv_cell(text: str) -> str:
    """A table cell as a spreadsheet reads it: a French number loses its thousands spaces ("1 234,5" -> "1234,5");
    a text a spreadsheet would run as a formula (=, +, -, @ first, such as a custom offer's period name) is
    quoted with an apostrophe; any other text is kept."""
    if FRENCH_NUMBER.fullmatch(text):
        return text.replace("\xa0", "").replace("−", "-")
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_text(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The table as CSV: ``;`` between cells, CRLF line ends, a BOM so that spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in head])
    writer.writerows([csv_cell(str(c)) for c in row] for row in rows)
    return "\ufeff" + out.getvalue()


def slug(text: str) -> str:
    """A name fit for a file name: ASCII lower case, words joined by hyphens ("Appartement Paris" ->
    "appartement-paris")."""
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
