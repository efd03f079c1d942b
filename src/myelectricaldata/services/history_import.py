"""Importing Enedis download files into one PDL: read them (XLSX through openpyxl), preview what they add, then write
them in one transaction, marked ``enedis_file``. A refused file refuses the whole import: nothing is half-written."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ..energy.enedis_csv import parse_csv
from ..energy.enedis_files import FileError, FileReadings
from ..energy.enedis_sheets import parse_sheets
from ..energy.timeline import PARIS
from . import history_plan
from .history_plan import DatasetPlan
from .lock import sync_lock
from .price_cache import PriceCache
from .usage_points import usage_point

SOURCE = "enedis_file"
DEMO_HISTORY = "demo-history"  # the demo's files from before the gateway's history, in the data directory
MAX_UNPACKED = 200 * 1024 * 1024  # what a workbook may unpack to: a year of weekly exports is a few MB
MAX_SHEET_ROWS = 200_000
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ImportRefused(Exception):
    """The import was not written; ``preview`` says why."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__("; ".join(preview.refused) or "rien à importer")
        self.preview = preview


@dataclass(frozen=True)
class FileSummary:
    name: str
    layout: str  # what it was recognised as, in French
    prm: str
    readings: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    """What importing files into a PDL does (or did, once written), per dataset; ``refused`` stops it."""

    pdl: str
    files: tuple[FileSummary, ...]
    datasets: tuple[DatasetPlan, ...]
    refused: tuple[str, ...] = ()  # "<file>: <line and reason>", in French
    written: int = 0  # readings written (0 for a preview)

    @property
    def ready(self) -> bool:
        """Nothing refused and something to write."""
        return not self.refused and any(d.writes for d in self.datasets)


def _sheets(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    """Every worksheet of an XLSX as rows of cell values (row 1 first)."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise FileError("classeur trop volumineux une fois décompressé")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, FileError):
            raise
        raise FileError(f"classeur XLSX illisible ({type(exc).__name__})") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            sheet.reset_dimensions()  # exports state no size, or a wrong one
            rows = []
            for row in sheet.iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_SHEET_ROWS:
                    raise FileError(f"plus de {MAX_SHEET_ROWS} lignes", sheet=sheet.title)
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        book.close()


def read_file(data: bytes) -> FileReadings:
    """The readings of one Enedis file, whatever its layout (by its content); FileError in French when refused."""
    if data.startswith(ZIP):
        return parse_sheets(_sheets(data))
    if data.startswith(OLE):
        raise FileError("ancien format Excel (.xls) : ouvrez-le et enregistrez-le en .xlsx ou en CSV")
    return parse_csv(data)


def demo_files(data_dir: Path) -> list[Path]:
    """The demo's sample Enedis files (none outside the demo)."""
    folder = data_dir / DEMO_HISTORY
    return sorted(p for p in folder.glob("*") if p.suffix in (".csv", ".xlsx")) if folder.is_dir() else []


def _read_all(engine: Engine, pdl: str | None, files: Sequence[tuple[str, bytes]]):
    """The PDL (the files' PRM when not given), each file's summary, the readings and the empty values by dataset,
    and the refusals."""
    summaries, refused, found = [], [], []
    for name, data in files:
        try:
            found.append((name, read_file(data)))
        except FileError as exc:
            refused.append(f"{name} : {exc}")
    if not files:
        refused.append("aucun fichier choisi")
    named = sorted({f.prm for _, f in found if f.prm})
    if pdl is None and len(named) == 1:
        pdl = named[0]
    elif pdl is None:
        refused.append("indiquez le PDL : les fichiers " + ("en nomment plusieurs (" + ", ".join(named) + ")"
                                                            if named else "n'en nomment aucun"))
    elif usage_point(engine, pdl) is None:
        refused.append(f"PDL {pdl} inconnu ici : il apparaît après la première synchronisation")
    readings: dict[str, list] = defaultdict(list)
    empty: dict[str, int] = defaultdict(int)
    for name, readings_of in found:
        if pdl and readings_of.prm and readings_of.prm != pdl:
            refused.append(f"{name} : fichier du PRM {readings_of.prm}, pas du PDL {pdl}")
            continue
        for part in readings_of.readings:
            dataset = f"{part.direction}_{part.kind}"
            if dataset not in history_plan.BY_NAME:
                refused.append(f"{name} : {part.kind} de {part.direction} non pris en charge")
                continue
            readings[dataset].extend(part.rows)
            empty[dataset] += part.empty
        summaries.append(FileSummary(name, readings_of.layout, readings_of.prm,
                                     sum(len(r.rows) for r in readings_of.readings), readings_of.notes))
    return pdl or "", summaries, readings, empty, refused


def preview(engine: Engine, pdl: str | None, files: Sequence[tuple[str, bytes]]) -> ImportPreview:
    """What importing ``files`` (name, bytes) into ``pdl`` (None: the PRM they name) would add, replace and leave
    alone; writes nothing."""
    pdl, summaries, readings, empty, refused = _read_all(engine, pdl, files)
    if refused:
        return ImportPreview(pdl, tuple(summaries), (), tuple(refused))
    with engine.connect() as conn:
        planned = history_plan.plan(conn, pdl, SOURCE, readings, empty)
    return ImportPreview(pdl, tuple(summaries), tuple(planned.datasets))


def run(engine: Engine, pdl: str | None, files: Sequence[tuple[str, bytes]], lock_path: Path, *,
        prices: PriceCache[Any] | None = None, now: datetime | None = None) -> ImportPreview:
    """Write what ``preview`` shows, in one transaction, while no sync runs (SyncBusy otherwise); ImportRefused
    when a file is refused or nothing is new."""
    pdl, summaries, readings, empty, refused = _read_all(engine, pdl, files)
    if refused:
        raise ImportRefused(ImportPreview(pdl, tuple(summaries), (), tuple(refused)))
    with sync_lock(lock_path), engine.begin() as conn:
        planned = history_plan.plan(conn, pdl, SOURCE, readings, empty)
        if not planned.writes:
            raise ImportRefused(ImportPreview(pdl, tuple(summaries), tuple(planned.datasets)))
        written = history_plan.write(conn, planned, now or datetime.now(PARIS))
    if prices is not None:
        prices.clear()
    return ImportPreview(pdl, tuple(summaries), tuple(planned.datasets), written=written)
