"""Enedis download files built for tests, laid out as the real ones (reference: history-import.md, A.2 to A.4)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

WELCOME = ("Page d'accueil", [[None, "Les données de ce fichier sont destinées à l’usage exclusif du titulaire"]])


def z(*parts: int) -> int:
    """Seconds since the epoch of a UTC time."""
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def curve_sheet(slots: list[tuple[str, str, str]], first: str, last: str, prm: str = "12345678901234",
                kind: str = "Consommation horaire", title: str = "Consommation Horaire") -> tuple[str, list]:
    """Rows B6..E16 as in the load-curve export (A.4), then one row per (Début, Fin, Valeur) from row 17."""
    rows: list[list] = [[] for _ in range(5)]
    rows += [[None, "Compte Client", None, "Export des données de la courbe de charge"],
             [None, None, None, "Données :", "Brutes"],
             [None, "Point Référence Mesure (PRM) : ", prm, "Grandeur physique :", "Puissance Active"],
             [None, None, None, "Type de comptage :", kind],
             [None, "NA", "Données indisponibles", "Date de début :", first],
             [None, None, None, "Date de fin :", last], [], [], [],
             [None, None, "Plage horaire"],
             [None, None, "Début", "Fin", "Valeur (en kW)"]]
    rows += [[None, None, start, end, value] for start, end, value in slots]
    return title, rows


def daily_sheet(days: list[tuple[str, str]]) -> tuple[str, list]:
    """Rows B6..F10 and B14 as in the daily export (labels in E/F, not D/E), then one row per day from row 15."""
    rows: list[list] = [[] for _ in range(5)]
    rows += [[None, "Compte Client", None, None, "Export des données de l'énergie  "],
             [None, None, None, None, "Grandeur physique : ", "Energie Active"],
             [None, "Point Référence Mesure (PRM) : ", "12345678901234", None, "Type de comptage : ",
              "Consommation Quotidienne"],
             [None, None, None, None, "Date de début : ", days[0][0]],
             [None, "NA", "Données indisponibles", None, "Date de fin :", days[-1][0]], [], [], [],
             [None, "Date", "Valeur (en kW)"]]
    rows += [[None, day, value] for day, value in days]
    return "Export Consommation Quotidienne", rows


def week(first: date) -> list[tuple[str, str, str]]:
    """A week of half-hours as exported: 7 x 48 - 1 slots (the last 23:30-00:00 is never in the file)."""
    slots, start = [], datetime.combine(first, datetime.min.time())
    for n in range(7 * 48 - 1):
        a, b = start + timedelta(minutes=30 * n), start + timedelta(minutes=30 * (n + 1))
        slots.append((f"{a:%d/%m/%Y %H:%M:%S}", f"{b:%d/%m/%Y %H:%M:%S}", f"{1 + n % 7},{n % 1000:03d}"))
    return slots


def workbook(*sheets: tuple[str, list]) -> bytes:
    """An XLSX holding ``sheets`` (title, rows from row 1), every value written as a cell of its own type."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row or [None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
