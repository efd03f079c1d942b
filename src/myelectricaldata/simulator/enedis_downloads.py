"""What a simulated household downloads from the Enedis customer area (an R63 load-curve CSV, a daily XLSX export)
and the legacy client's database it kept, from the same meter as the simulated gateway, older than what the gateway
serves: the demo's files to import, and the benchmarks' inputs."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, date, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from myelectricaldata.energy.timeline import PARIS, date_range, interval_starts, years_before

from .households import DEMO_HOUSEHOLDS, Household
from .legacy_database import write_legacy_database
from .meter import meter_day

R63_HEADER = ("Identifiant PRM;Date de début;Date de fin;Grandeur physique;Grandeur métier;Etape métier;Unité;"
              "Horodate;Valeur;Nature;Pas;Indice de vraisemblance;Etat complémentaire")
CURVE_YEARS, DAILY_YEARS = 2, 3  # what the gateway serves, back from today


def r63_csv(household: Household, days: list[date]) -> bytes:
    """The R63 load-curve CSV of ``days``: UTF-8, ``;``, every row stamped at the END of its interval (local time)."""
    first, last = days[0], days[-1] + timedelta(days=1)
    meta = f"{household.usage_point_id};{first} 00:00:00;{last} 00:00:00;PA;CONS;BRUT;W"
    lines = [R63_HEADER]
    for day in days:
        record = meter_day(household, day)
        step = timedelta(minutes=record.minutes)
        for start, watts in zip(interval_starts(day, record.minutes), record.consumption, strict=True):
            end = (start.astimezone(UTC) + step).astimezone(PARIS)
            lines.append(f"{meta};{end:%Y-%m-%d %H:%M:%S};{watts};B;PT{record.minutes}M;0;0")
    return "\n".join(lines).encode()


def daily_xlsx(household: Household, days: list[date]) -> bytes:
    """The customer area's daily export of ``days``: text cells, comma decimals, kWh under a "kW" heading."""
    import openpyxl

    book = openpyxl.Workbook()
    welcome = book.active
    welcome.title = "Page d'accueil"
    welcome["B12"] = "Elle est calculée en kWh à partir des index relevés."
    sheet = book.create_sheet("Export Consommation Quotidienne")
    for cell, text in (("B6", "Compte Client"), ("E6", "Export des données de l'énergie  "),
                       ("E7", "Grandeur physique : "), ("F7", "Energie Active"),
                       ("B8", "Point Référence Mesure (PRM) : "), ("C8", household.usage_point_id),
                       ("E8", "Type de comptage : "), ("F8", "Consommation Quotidienne"),
                       ("E9", "Date de début : "), ("F9", f"{days[0]:%d/%m/%Y}"), ("B10", "NA"),
                       ("C10", "Données indisponibles"), ("E10", "Date de fin :"), ("F10", f"{days[-1]:%d/%m/%Y}"),
                       ("B14", "Date"), ("C14", "Valeur (en kW)")):
        sheet[cell] = text
    for row, day in enumerate(days, 15):
        sheet[f"B{row}"] = f"{day:%d/%m/%Y}"
        sheet[f"C{row}"] = f"{meter_day(household, day).consumption_wh / 1000:.3f}".replace(".", ",")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def last_autumn_change(before: date) -> date:
    """The last Sunday of October (the 25-hour day) strictly before ``before``."""
    year = before.year if before > date(before.year, 10, 31) else before.year - 1
    day = date(year, 10, 31)
    day -= timedelta(days=(day.weekday() + 1) % 7)
    return day if day < before else last_autumn_change(date(year, 1, 1))


def _around(day: date, days: int) -> list[date]:
    return list(date_range(day - timedelta(days=days), day + timedelta(days=days + 1)))


def write_demo_history(folder: Path, today: date, households: Iterable[Household] = DEMO_HOUSEHOLDS[:2]) -> list[Path]:
    """The demo's history from before the gateway's: an R63 CSV and a daily XLSX of the first household, and the
    legacy client's ``myelectricaldata/cache.db`` of the first two (as its Home Assistant add-on leaves it). Written
    afresh; returns the Enedis files."""
    households = list(households)
    curve_horizon, daily_horizon = years_before(today, CURVE_YEARS), years_before(today, DAILY_YEARS)
    autumn = last_autumn_change(curve_horizon - timedelta(days=14))
    legacy = folder / "myelectricaldata" / "cache.db"
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.unlink(missing_ok=True)
    files = [folder / f"ENEDIS_R63_P_CdC_{households[0].usage_point_id}.csv",
             folder / f"Export_consommation_quotidienne_{households[0].usage_point_id}.xlsx"]
    files[0].write_bytes(r63_csv(households[0], _around(autumn, 10)))
    files[1].write_bytes(daily_xlsx(households[0], list(date_range(daily_horizon - timedelta(days=60),
                                                                   daily_horizon))))
    earlier = last_autumn_change(autumn)
    engine = create_engine(f"sqlite:///{legacy}")
    try:
        write_legacy_database(engine, households, _around(earlier, 14) + list(date_range(curve_horizon, curve_horizon
                                                                                           + timedelta(days=7))),
                              list(date_range(daily_horizon - timedelta(days=90), daily_horizon + timedelta(days=7))),
                              missing=[earlier + timedelta(days=5), daily_horizon - timedelta(days=40)])
    finally:
        engine.dispose()
    return files
