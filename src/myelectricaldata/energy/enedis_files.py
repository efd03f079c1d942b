"""What the Enedis download files share once read (pure): refusals in French, readings per dataset, numbers and
local times as Enedis writes them. The layouts themselves: ``enedis_csv`` and ``enedis_sheets``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from itertools import pairwise

from .readings import CurvePoint, DailyValue, MaxPower
from .timeline import PARIS, epoch, resolve_local_times

STEPS = (5, 10, 15, 30, 60)  # load-curve interval lengths (minutes) Enedis publishes
CONSUMPTION, PRODUCTION = "consumption", "production"
LOAD_CURVE, DAILY, MAX_POWER = "load_curve", "daily", "max_power"


class FileError(ValueError):
    """A file refused: the reason in French, the line it is about (0: the whole file) and the sheet of a workbook."""

    def __init__(self, reason: str, line: int = 0, sheet: str = "") -> None:
        self.reason, self.line, self.sheet = reason, line, sheet
        where = ", ".join(filter(None, (f"feuille « {sheet} »" if sheet else "", f"ligne {line}" if line else "")))
        super().__init__(f"{where} : {reason}" if where else reason)


@dataclass(frozen=True)
class Readings:
    """One dataset read from a file: its kind, its direction, its rows in time order."""

    kind: str  # load_curve | daily | max_power
    direction: str  # consumption | production
    rows: tuple[CurvePoint, ...] | tuple[DailyValue, ...] | tuple[MaxPower, ...]
    empty: int = 0  # values the file leaves empty or marks NA: missing, never zero


@dataclass(frozen=True)
class FileReadings:
    """What one file holds: the layout it was recognised as (French words), the PRM it names ("" if none)."""

    layout: str
    prm: str
    readings: tuple[Readings, ...]
    notes: tuple[str, ...] = ()


def decode(data: bytes) -> str:
    """Text of a CSV: UTF-8 (with or without BOM), else Windows-1252 as older exports were written."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def decimal(raw: object, line: int, what: str = "la valeur", sheet: str = "") -> Decimal:
    """A number as Enedis or a spreadsheet writes it: ``2,906``, ``692``, ``1 234,5``."""
    text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FileError(f"{what} « {raw} » n'est pas un nombre", line, sheet) from None
    if not value.is_finite():
        raise FileError(f"{what} « {raw} » n'est pas un nombre", line, sheet)
    return value


def whole(value: Decimal) -> int:
    """Rounded to the unit (Enedis publishes whole W, Wh and VA)."""
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def is_missing(raw: object) -> bool:
    """An empty cell, or ``NA`` ("Données indisponibles" in the exports' legend)."""
    return raw is None or str(raw).strip().upper() in ("", "NA", "N/A", "NULL")


def direction_of(text: str) -> str:
    """consumption or production from Enedis's words (``CONS``, ``Consommation horaire``, ``PROD``...)."""
    return PRODUCTION if "PROD" in text.upper() else CONSUMPTION


def local_instants(stamps: Sequence[datetime], lines: Sequence[int], sheet: str = "") -> list[datetime]:
    """UTC instants of local wall-clock times written in time order: offsets are used when written; a time repeated
    in the autumn hour is summer time the first time and winter time the second."""
    naive = [s for s in stamps if s.tzinfo is None]
    resolved = iter(resolve_local_times(naive)) if naive else iter(())
    out = []
    for stamp, line in zip(stamps, lines, strict=True):
        if stamp.tzinfo is not None:
            out.append(stamp.astimezone(UTC))
            continue
        instant = next(resolved)
        if instant is None:
            raise FileError(f"l'heure {stamp:%d/%m/%Y %H:%M} n'existe pas à Paris (passage à l'heure d'été)",
                            line, sheet)
        out.append(instant)
    return out


def curve_point(end: datetime, minutes: int, watts: int) -> CurvePoint:
    """A point stamped at the END of its interval (UTC), stored by its start."""
    start = end - timedelta(minutes=minutes)
    return CurvePoint(epoch(start), minutes, watts, start.astimezone(PARIS).date())


def usual_step(instants: Sequence[datetime]) -> int | None:
    """The most common gap (minutes) between successive stamps, among the published steps."""
    gaps = Counter(int((b - a).total_seconds() // 60) for a, b in pairwise(instants))
    usual = [gap for gap, _ in gaps.most_common() if gap in STEPS]
    return usual[0] if usual else None


def one_prm(found: Sequence[tuple[str, int]], sheet: str = "") -> str:
    """The PRM a file names on its lines (digits only); refused when two lines name different ones."""
    prms = [(str(p).strip(), line) for p, line in found if str(p).strip()]
    for prm, line in prms:
        if not (len(prm) == 14 and prm.isdigit()):
            raise FileError(f"PRM « {prm} » : 14 chiffres attendus", line, sheet)
        if prm != prms[0][0]:
            raise FileError(f"PRM {prm} différent de celui des lignes précédentes ({prms[0][0]})", line, sheet)
    return prms[0][0] if prms else ""


def no_readings(sheet: str = "") -> FileError:
    return FileError("le fichier ne contient aucune mesure", sheet=sheet)


def stamped(when: str, line: int, what: str = "Horodate", sheet: str = "") -> datetime:
    """An ISO time (``2023-10-29 02:00:00`` or ``2020-08-20T23:50:00+02:00``)."""
    try:
        return datetime.fromisoformat(when.strip())
    except ValueError:
        raise FileError(f"{what} « {when} » : date et heure AAAA-MM-JJ HH:MM:SS attendues", line, sheet) from None
