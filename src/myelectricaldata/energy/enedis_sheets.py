"""The Enedis customer area's XLSX exports, read as rows of cells (pure): the load curve (``Début``, ``Fin``,
``Valeur (en kW)``: average kW over the slot) and the daily energy (``Date``, ``Valeur (en kW)``: kWh despite the
label). Every cell is text with a comma decimal; labels are found by their words, never by their address."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from .enedis_files import (
    DAILY,
    LOAD_CURVE,
    STEPS,
    FileError,
    FileReadings,
    Readings,
    curve_point,
    decimal,
    direction_of,
    is_missing,
    local_instants,
    no_readings,
    one_prm,
    whole,
)
from .readings import DailyValue

Cell = str | int | float | datetime | date | None
Sheet = tuple[str, Sequence[Sequence[Cell]]]  # title, rows from the sheet's first row
TABLE_HINT = "un tableau « Début ; Fin ; Valeur (en kW) » ou « Date ; Valeur (en kW) »"
UNITS = {"w": 1, "wh": 1, "kw": 1000, "kwh": 1000}  # daily "kW" is kWh: the export's own legend says so
PRM_LABEL, KIND_LABEL = "point référence mesure (prm)", "type de comptage"
LAYOUTS = {LOAD_CURVE: "XLSX de l'espace client (courbe de charge)",
           DAILY: "XLSX de l'espace client (énergie quotidienne)"}


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _label(cell: Cell) -> str:
    return _text(cell).rstrip(": ").strip().casefold()


def _header(rows: Sequence[Sequence[Cell]]) -> tuple[int, str, tuple[int, ...]] | None:
    """(row index, kind, columns) of the table's header row, or None."""
    for i, row in enumerate(rows):
        words = [_label(c) for c in row]
        value = next((j for j, word in enumerate(words) if word.startswith("valeur")), None)
        if value is None:
            continue
        if "début" in words and "fin" in words:
            return i, LOAD_CURVE, (words.index("début"), words.index("fin"), value)
        if "date" in words:
            return i, DAILY, (words.index("date"), value)
    return None


def _meta(rows: Sequence[Sequence[Cell]], label: str) -> tuple[str, int]:
    """The first text right of a cell reading ``label`` (``Point Référence Mesure (PRM) : ``), with its line."""
    for n, row in enumerate(rows, 1):
        for j, cell in enumerate(row):
            if _label(cell) == label:
                return next((_text(c) for c in row[j + 1:] if _text(c)), ""), n
    return "", 0


def _factor(heading: Cell, line: int, sheet: str) -> int:
    unit = re.search(r"\(\s*(?:en\s+)?([a-zA-Z]+)\s*\)", _text(heading))
    key = unit.group(1).casefold() if unit else "kw"
    if key not in UNITS:
        raise FileError(f"unité « {unit.group(1) if unit else ''} » inattendue dans « {_text(heading)} » (kW attendu)",
                        line, sheet)
    return UNITS[key]


def _when(cell: Cell, line: int, sheet: str, with_time: bool) -> datetime:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)
    if isinstance(cell, date):
        return datetime(cell.year, cell.month, cell.day)
    text = _text(cell)
    for layout in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    shape = "JJ/MM/AAAA HH:MM:SS" if with_time else "JJ/MM/AAAA"
    raise FileError(f"date « {text} » illisible ({shape} attendu)", line, sheet)


def _cell(row: Sequence[Cell], column: int) -> Cell:
    return row[column] if column < len(row) else None


def read_table(rows: Sequence[Sequence[Cell]], lines: Sequence[int], sheet: str = "",
               direction: str = "consumption") -> Readings | None:
    """The readings of a ``Début/Fin/Valeur`` or ``Date/Valeur`` table found among ``rows`` (None: no such table)."""
    found = _header(rows)
    if found is None:
        return None
    top, kind, columns = found
    factor = _factor(rows[top][columns[-1]], lines[top], sheet)
    body = [(n, row) for n, row in zip(lines[top + 1:], rows[top + 1:], strict=True) if any(_text(c) for c in row)]
    filled = [(n, row) for n, row in body if not is_missing(_cell(row, columns[-1]))]
    if kind == DAILY:
        values = {}
        for n, row in filled:
            day = _when(_cell(row, columns[0]), n, sheet, False).date()
            values[day] = DailyValue(day, whole(decimal(_cell(row, columns[1]), n, sheet=sheet) * factor))
        return Readings(DAILY, direction, tuple(sorted(values.values())), len(body) - len(filled))
    starts = local_instants([_when(_cell(row, columns[0]), n, sheet, True) for n, row in body], [n for n, _ in body],
                            sheet)
    ends = local_instants([_when(_cell(row, columns[1]), n, sheet, True) for n, row in body], [n for n, _ in body],
                          sheet)
    points = []
    for (n, row), start, end in zip(body, starts, ends, strict=True):
        minutes = int((end - start).total_seconds() // 60)
        if minutes not in STEPS:
            raise FileError(f"de {_text(_cell(row, columns[0]))} à {_text(_cell(row, columns[1]))} : {minutes} min, "
                            "un pas de 10, 15, 30 ou 60 min attendu", n, sheet)
        if not is_missing(_cell(row, columns[2])):
            points.append(curve_point(end, minutes, whole(decimal(_cell(row, columns[2]), n, sheet=sheet) * factor)))
    return Readings(LOAD_CURVE, direction, tuple(sorted(points)), len(body) - len(points))


def parse_sheets(sheets: Sequence[Sheet]) -> FileReadings:
    """Readings of a customer-area workbook (one data sheet, or one per direction for a producer)."""
    readings, prms, kinds = [], [], []
    for title, rows in sheets:
        found = _header(rows)
        if found is None:
            continue
        prm, line = _meta(rows[:found[0]], PRM_LABEL)
        kind_text = _meta(rows[:found[0]], KIND_LABEL)[0]
        table = read_table(rows, range(1, len(rows) + 1), title, direction_of(f"{kind_text} {title}"))
        if table is not None:
            readings.append(table)
            prms.append((one_prm([(prm, line)], title), line))
            kinds.append(table.kind)
    if not readings:
        names = ", ".join(f"« {title} »" for title, _ in sheets) or "aucune"
        raise FileError(f"aucune feuille ne contient {TABLE_HINT} (feuilles : {names})")
    if not any(r.rows for r in readings):
        raise no_readings()
    return FileReadings(LAYOUTS[kinds[0]], one_prm(prms), tuple(readings))
