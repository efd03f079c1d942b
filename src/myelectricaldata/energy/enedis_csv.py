"""Enedis CSV downloads -> readings (pure): the legacy "Mes données" CSV (a metadata block, then ``Horodate;Valeur``),
the R63 CSV (metadata repeated on every row, the step in ``Pas``), and a ``Début;Fin;Valeur`` table saved from the
XLSX export. Recognised by their content, never by their name."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import timedelta
from functools import cache
from itertools import pairwise

from .enedis_files import (
    CONSUMPTION,
    DAILY,
    LOAD_CURVE,
    MAX_POWER,
    STEPS,
    FileError,
    FileReadings,
    Readings,
    curve_point,
    decimal,
    decode,
    direction_of,
    is_missing,
    local_instants,
    no_readings,
    one_prm,
    stamped,
    usual_step,
    whole,
)
from .enedis_sheets import TABLE_HINT, read_table
from .readings import DailyValue, MaxPower
from .timeline import PARIS, epoch, interval_minutes

Row = tuple[int, list[str]]  # line number (from 1), cells
KNOWN = ("le CSV « Mes données » de l'espace client (Identifiant PRM;Type de donnees;…), le CSV R63 "
         "(…;Horodate;Valeur;Nature;Pas;…), ou les exports XLSX de l'espace client")
POWER_UNITS = {"W": 1, "KW": 1000, "VA": 1, "KVA": 1000, "": 1}


def _rows(text: str, delimiter: str) -> list[Row]:
    try:
        return [(n, [c.strip() for c in cells]) for n, cells in enumerate(csv.reader(text.splitlines(),
                                                                                      delimiter=delimiter), 1)]
    except csv.Error as exc:
        raise FileError(f"CSV illisible ({exc})") from None


def _filled(rows: Sequence[Row]) -> list[Row]:
    return [(n, cells) for n, cells in rows if any(cells)]


def _words(cells: Sequence[str]) -> list[str]:
    return [c.casefold().replace("é", "e") for c in cells]


def parse_csv(data: bytes) -> FileReadings:
    """Readings of an Enedis CSV, whichever of its layouts it has; FileError (line and reason) when refused."""
    text = decode(data)
    rows = _filled(_rows(text, ";"))
    if not rows:
        raise FileError("le fichier est vide")
    head = _words(rows[0][1])
    if "horodate" in head and "pas" in head:
        return _r63(rows)
    if head[:2] == ["identifiant prm", "type de donnees"]:
        return _mes_donnees(rows)
    for table in (rows, _filled(_rows(text, ","))):  # a spreadsheet may save the XLSX export with either separator
        found = read_table([cells for _, cells in table], [n for n, _ in table])
        if found is not None:
            if not found.rows:
                raise no_readings()
            return FileReadings("CSV « Début ; Fin ; Valeur » (export XLSX enregistré en CSV)", "", (found,))
    raise FileError(f"format de fichier non reconnu : sont pris en charge {KNOWN} ({TABLE_HINT})", rows[0][0])


# -- the R63 CSV ---------------------------------------------------------------------------------------------
def _column(header: list[str], name: str, line: int, required: bool = True) -> int:
    if name in header:
        return header.index(name)
    if required:
        raise FileError(f"colonne « {name} » absente de l'en-tête", line)
    return -1


def _r63(rows: list[Row]) -> FileReadings:
    line, header = rows[0][0], _words(rows[0][1])
    at = {name: _column(header, name, line) for name in ("identifiant prm", "horodate", "valeur", "pas")}
    at |= {name: _column(header, name, line, False) for name in
           ("grandeur metier", "grandeur physique", "unite", "indice de vraisemblance")}

    def cell(cells: list[str], name: str) -> str:
        return cells[at[name]] if at[name] >= 0 else ""

    by_direction: dict[str, list[Row]] = {}
    doubtful = 0
    for n, cells in rows[1:]:
        if len(cells) < len(header):
            raise FileError(f"{len(cells)} colonnes au lieu de {len(header)}", n)
        if cell(cells, "grandeur physique").upper() not in ("PA", ""):
            raise FileError(f"grandeur physique « {cell(cells, 'grandeur physique')} » non prise en charge : seule la "
                            "courbe de puissance active (PA) s'importe", n)
        if cell(cells, "unite").upper() not in POWER_UNITS:
            raise FileError(f"unité « {cell(cells, 'unite')} » inattendue (W attendu)", n)
        doubtful += cell(cells, "indice de vraisemblance") not in ("", "0")
        by_direction.setdefault(direction_of(cell(cells, "grandeur metier")), []).append((n, cells))
    readings = []
    for direction, items in by_direction.items():
        ends = local_instants([stamped(cell(cells, "horodate"), n) for n, cells in items], [n for n, _ in items])
        points, empty = [], 0
        for (n, cells), end in zip(items, ends, strict=True):
            if is_missing(cell(cells, "valeur")):
                empty += 1
                continue
            watts = decimal(cell(cells, "valeur"), n) * POWER_UNITS[cell(cells, "unite").upper()]
            points.append(curve_point(end, _step(cell(cells, "pas"), n), whole(watts)))
        readings.append(Readings(LOAD_CURVE, direction, tuple(sorted(points)), empty))
    if not any(r.rows for r in readings):
        raise no_readings()
    notes = (f"{doubtful} point(s) signalé(s) par Enedis avec un indice de vraisemblance non nul (importés tels "
             "quels)",) if doubtful else ()
    prm = one_prm([(cells[at["identifiant prm"]], n) for n, cells in rows[1:]])
    return FileReadings("CSV R63 (courbe de charge)", prm, tuple(readings), notes)


@cache
def _minutes(length: str) -> int:
    return interval_minutes(length)


def _step(length: str, line: int) -> int:
    try:
        return _minutes(length)
    except ValueError:
        raise FileError(f"pas « {length} » : PT10M, PT15M, PT30M ou PT60M attendu", line) from None


# -- the legacy "Mes données" CSV ----------------------------------------------------------------------------
def _mes_donnees(rows: list[Row]) -> FileReadings:
    if len(rows) < 2:
        raise FileError("ligne de description (PRM, type de données…) absente", rows[0][0] + 1)
    meta = dict(zip(_words(rows[0][1]), rows[1][1], strict=False))
    kind = meta.get("type de donnees", "").casefold().replace("é", "e")
    direction = direction_of(meta.get("grandeur metier", ""))
    start = next((i for i, (_, cells) in enumerate(rows) if i > 1 and _words(cells)[:1] == ["horodate"]), None)
    if start is None:
        raise FileError("en-tête « Horodate;Valeur » introuvable après la description", rows[1][0])
    header = _words(rows[start][1])
    table = []
    for n, cells in rows[start + 1:]:
        if _words(cells)[:1] == ["periode"]:  # the index file's second table: the supplier's calendars
            break
        table.append((n, cells))
    prm = one_prm([(meta.get("identifiant prm", ""), rows[1][0])])
    step = meta.get("pas en minutes", "")
    if kind.startswith("courbe de charge"):
        found = _legacy_curve(table, direction, int(step) if step.isdigit() else None)
        layout = "CSV « Mes données » (courbe de charge)"
    elif kind.startswith("puissance maximale"):
        found, layout = _legacy_max_power(table), "CSV « Mes données » (puissance maximale quotidienne)"
    elif kind.startswith("index") or "quotidien" in kind:
        found, layout = _legacy_index(table, header, direction), "CSV « Mes données » (index quotidiens)"
    else:
        raise FileError(f"type de données « {meta.get('type de donnees', '')} » non pris en charge (courbe de charge, "
                        "puissance maximale quotidienne ou index attendus)", rows[1][0])
    if not found.rows:
        raise no_readings()
    return FileReadings(layout, prm, (found,))


def _stamps(table: list[Row]) -> list:
    return local_instants([stamped(cells[0], n) for n, cells in table], [n for n, _ in table])


def _value(cells: list[str]) -> str:
    return cells[1] if len(cells) > 1 else ""


def _legacy_curve(table: list[Row], direction: str, step: int | None) -> Readings:
    """Average W stamped at the end of each interval; the interval is the gap since the previous stamp (after a hole
    in the data, the gap to the next one; else the file's usual step)."""
    ends = _stamps(table)
    usual = step if step in STEPS else usual_step(ends)
    gaps = [int((b - a).total_seconds() // 60) for a, b in pairwise(ends)]
    points, empty = [], 0
    for i, ((n, cells), end) in enumerate(zip(table, ends, strict=True)):
        before, after = gaps[i - 1] if i else 0, gaps[i] if i < len(gaps) else 0
        minutes = before if before in STEPS else after if after in STEPS else usual
        if is_missing(_value(cells)):
            empty += 1
            continue
        if minutes is None:
            raise FileError("pas de temps introuvable : une seule mesure et pas de « Pas en minutes »", n)
        points.append(curve_point(end, minutes, whole(decimal(_value(cells), n))))
    return Readings(LOAD_CURVE, direction, tuple(sorted(points)), empty)


def _legacy_max_power(table: list[Row]) -> Readings:
    """The day's maximum power (VA, whatever the unit column says) stamped when it was reached."""
    rows, empty = {}, 0
    for (n, cells), at in zip(table, _stamps(table), strict=True):
        if is_missing(_value(cells)):
            empty += 1
            continue
        day = at.astimezone(PARIS).date()
        rows[day] = MaxPower(day, whole(decimal(_value(cells), n)), epoch(at))
    return Readings(MAX_POWER, CONSUMPTION, tuple(sorted(rows.values())), empty)


def _legacy_index(table: list[Row], header: list[str], direction: str) -> Readings:
    """Daily energy from the midnight readings of the total index (``EAS T``): the next reading minus the day's."""
    total = next((i for i, name in enumerate(header) if name in ("eas t", "eai t")), None)
    if total is None:
        raise FileError("colonne « EAS T » (index total) absente", table[0][0] - 1 if table else 0)
    readings = []
    for (n, cells), at in zip(table, _stamps(table), strict=True):
        raw = cells[total] if len(cells) > total else ""
        readings.append((at.astimezone(PARIS).date(), None if is_missing(raw) else decimal(raw, n, "l'index")))
    values, empty = [], 0
    for (day, index), (following, later) in pairwise(readings):
        if following != day + timedelta(days=1) or index is None or later is None or later < index:
            empty += 1
            continue
        values.append(DailyValue(day, whole(later - index)))
    return Readings(DAILY, direction, tuple(values), empty)
