"""Importing Enedis files on the three databases: what is stored reads back as the files say, marked with its source;
the gateway's values win both ways; a refused file writes nothing; the preview writes nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from myelectricaldata.database import curve_days, sync_ledger
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.day_loads import DayLoad, loads_by_day
from myelectricaldata.energy.enedis_files import FileError
from myelectricaldata.energy.readings import CurvePoint, DailyValue, MaxPower
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services import history_import
from myelectricaldata.services.history_import import ImportRefused
from myelectricaldata.services.lock import SyncBusy, sync_lock
from tests.support.enedis_files import WELCOME, curve_sheet, week, workbook, z
from tests.support.fixtures import FIXTURES

PDL = "12345678901234"
SAMPLES = FIXTURES / "history-import"
NOW = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
AUTUMN = date(2023, 10, 29)


def sample(name: str) -> tuple[str, bytes]:
    return name, (SAMPLES / name).read_bytes()


def rows(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]


def curve(engine) -> dict[int, tuple[int, int, str]]:
    return {r[2]: (r[3], r[4], r[5]) for r in rows(engine, m.load_curve)}


def profiles(engine) -> dict[date, DayLoad]:
    """The stored day profiles of the consumption curve, checked against the stored points grouped."""
    t = m.load_curve
    with engine.connect() as conn:
        points = [tuple(r) for r in conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == PDL, t.c.direction == "consumption").order_by(t.c.start_utc))]
        found = curve_days.read(conn, PDL, "consumption", date(2020, 1, 1), date(2030, 1, 1))
    assert (found.days, found.points, found.watts_sum) == (loads_by_day(points), len(points),
                                                           sum(w for _, _, w in points))
    return found.days


@pytest.fixture
def known(engine):
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")
    return engine


def test_the_migration_adds_what_the_models_describe(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.metadata)
    assert [d for d in diff if any(t in repr(d) for t in ("load_curve", "daily_energy", "max_power"))] == []
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("load_curve")}
    assert columns["source"]["nullable"] is False


def test_the_four_layouts_round_trip_marked_as_from_a_file(known, tmp_path):
    files = [sample("enedis_r63_courbe_de_charge.csv"), sample("enedis_mesdonnees_legacy_courbe_de_charge.csv"),
             sample("enedis_export_courbe_de_charge.xlsx"), sample("enedis_export_consommation_quotidienne.xlsx")]
    preview = history_import.preview(known, PDL, files)
    assert preview.refused == () and preview.ready
    assert [(f.layout, f.readings) for f in preview.files] == [
        ("CSV R63 (courbe de charge)", 9), ("CSV « Mes données » (courbe de charge)", 5),
        ("XLSX de l'espace client (courbe de charge)", 6), ("XLSX de l'espace client (énergie quotidienne)", 3)]
    plans = {p.dataset: p for p in preview.datasets}
    # the legacy CSV repeats 5 of the R63's intervals (same values): the first file given is kept
    assert (plans["consumption_load_curve"].given, plans["consumption_load_curve"].added,
            plans["consumption_load_curve"].repeated, plans["consumption_load_curve"].empty) == (15, 15, 5, 1)
    assert plans["consumption_load_curve"].incomplete_days == (AUTUMN, date(2024, 1, 1))
    assert (plans["consumption_daily"].first, plans["consumption_daily"].last, plans["consumption_daily"].added) == (
        date(2024, 7, 15), date(2024, 7, 17), 3)
    assert rows(known, m.load_curve) == []  # a preview writes nothing

    done = history_import.run(known, PDL, files, tmp_path / "sync.lock", now=NOW)
    assert done.written == 18
    stored = curve(known)
    assert stored[z(2023, 10, 29, 0, 30)] == (30, 1134, "enedis_file")  # the second 02:00 of the R63 file
    assert stored[z(2023, 12, 31, 23, 0)] == (30, 2906, "enedis_file")  # "2,906" kW from 01/01/2024 00:00
    assert len(stored) == 15
    assert set(profiles(known)) == {AUTUMN, date(2024, 1, 1)}  # 23:00Z on 31 December is 00:00 local
    assert rows(known, m.daily_energy) == [(PDL, "consumption", date(2024, 7, 15), 25_247, "enedis_file"),
                                           (PDL, "consumption", date(2024, 7, 16), 23_720, "enedis_file"),
                                           (PDL, "consumption", date(2024, 7, 17), 33_967, "enedis_file")]
    with known.connect() as conn:
        ledger = sync_ledger.ledger(conn, PDL, "consumption_load_curve")
        assert {d: e.status for d, e in ledger.items()} == {AUTUMN: "partial", date(2024, 1, 1): "partial"}
        assert {d: e.status for d, e in sync_ledger.ledger(conn, PDL, "consumption_daily").items()} == dict.fromkeys(
            (date(2024, 7, 15), date(2024, 7, 16), date(2024, 7, 17)), "complete")
    with pytest.raises(ImportRefused):  # the same files again: nothing new
        history_import.run(known, PDL, files, tmp_path / "sync.lock")
    assert history_import.preview(known, PDL, files).datasets[1].unchanged == 15


def test_the_gateway_value_is_kept_and_a_differing_one_counted(known, tmp_path):
    with known.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", [
            CurvePoint(z(2023, 10, 28, 23, 30), 30, 650, AUTUMN),  # the file says 640
            CurvePoint(z(2023, 10, 29, 0, 0), 30, 1144, AUTUMN),  # the file says the same
            CurvePoint(z(2023, 10, 29, 1, 30), 60, 700, AUTUMN)])  # an hour covering two of the file's half-hours
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2024, 7, 15), 25_000)])
    files = [sample("enedis_r63_courbe_de_charge.csv"), sample("enedis_export_consommation_quotidienne.xlsx")]
    plans = {p.dataset: p for p in history_import.preview(known, PDL, files).datasets}
    assert (plans["consumption_load_curve"].added, plans["consumption_load_curve"].unchanged,
            plans["consumption_load_curve"].conflicts) == (5, 1, 3)
    assert (plans["consumption_daily"].added, plans["consumption_daily"].conflicts) == (2, 1)
    history_import.run(known, PDL, files, tmp_path / "sync.lock")
    stored = curve(known)
    assert stored[z(2023, 10, 28, 23, 30)] == (30, 650, "gateway")
    assert stored[z(2023, 10, 29, 1, 30)] == (60, 700, "gateway") and z(2023, 10, 29, 2, 0) not in stored
    assert profiles(known)[AUTUMN].watts[(150, 60)] == 700
    assert rows(known, m.daily_energy)[0] == (PDL, "consumption", date(2024, 7, 15), 25_000, "gateway")


def test_a_later_gateway_sync_overwrites_the_imported_rows(known, tmp_path):
    history_import.run(known, PDL, [sample("enedis_r63_courbe_de_charge.csv"),
                                    sample("enedis_export_consommation_quotidienne.xlsx")], tmp_path / "sync.lock")
    with known.begin() as conn:
        repo.store_load_curve(conn, PDL, "consumption", [CurvePoint(z(2023, 10, 29, 0, 30), 30, 999, AUTUMN),
                                                         CurvePoint(z(2023, 10, 29, 1, 30), 60, 800, AUTUMN)])
        repo.store_daily(conn, PDL, "consumption", [DailyValue(date(2024, 7, 16), 23_000)])
        repo.store_max_power(conn, PDL, [MaxPower(date(2024, 7, 16), 6000, z(2024, 7, 16, 18, 0))])
    stored = curve(known)
    assert stored[z(2023, 10, 29, 0, 30)] == (30, 999, "gateway")
    # the gateway's hour from 01:30Z replaces the imported half-hours 01:30Z (same start) and 02:00Z (inside it)
    assert stored[z(2023, 10, 29, 1, 30)] == (60, 800, "gateway") and z(2023, 10, 29, 2, 0) not in stored
    assert stored[z(2023, 10, 29, 2, 30)] == (30, 600, "enedis_file")
    # on the local wall clock: 00:30Z is the first 02:30, 01:30Z the second, 02:00Z (03:00) dropped
    autumn = profiles(known)[AUTUMN].watts
    assert autumn[(150, 30)] == 999 and autumn[(150, 60)] == 800 and (180, 30) not in autumn
    assert rows(known, m.daily_energy)[1] == (PDL, "consumption", date(2024, 7, 16), 23_000, "gateway")


def test_a_refused_file_refuses_the_whole_import(known, tmp_path):
    good = sample("enedis_export_consommation_quotidienne.xlsx")
    other_prm = ("autre.csv", (SAMPLES / "enedis_r63_courbe_de_charge.csv").read_bytes()
                 .replace(b"12345678901234", b"19125759625988"))
    broken = ("casse.csv", (SAMPLES / "enedis_r63_courbe_de_charge.csv").read_bytes().replace(b";624;", b";x;", 1))
    preview = history_import.preview(known, PDL, [good, other_prm, broken])
    assert preview.refused == ("casse.csv : ligne 2 : la valeur « x » n'est pas un nombre",
                               "autre.csv : fichier du PRM 19125759625988, pas du PDL 12345678901234")
    with pytest.raises(ImportRefused):
        history_import.run(known, PDL, [good, other_prm, broken], tmp_path / "sync.lock")
    assert rows(known, m.daily_energy) == [] and rows(known, m.sync_days) == []


def test_the_pdl_comes_from_the_files_or_must_be_given(known):
    assert history_import.preview(known, None, [sample("enedis_r63_courbe_de_charge.csv")]).pdl == PDL
    hand_made = ("fait-main.csv", "Début;Fin;Valeur (en kW)\n01/02/2024 00:00:00;01/02/2024 00:30:00;1,2\n".encode())
    assert history_import.preview(known, None, [hand_made]).refused == (
        "indiquez le PDL : les fichiers n'en nomment aucun",)
    assert history_import.preview(known, "99999999999999", [hand_made]).refused == (
        "PDL 99999999999999 inconnu ici : il apparaît après la première synchronisation",)


def test_nothing_is_written_while_a_sync_runs(known, tmp_path):
    with sync_lock(tmp_path / "sync.lock"), pytest.raises(SyncBusy):
        history_import.run(known, PDL, [sample("enedis_r63_courbe_de_charge.csv")], tmp_path / "sync.lock")
    assert rows(known, m.load_curve) == []


def test_a_week_of_xlsx_leaves_its_last_day_incomplete(sqlite_engine, tmp_path):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL)
    book = workbook(WELCOME, curve_sheet(week(date(2024, 1, 1)), "01/01/2024", "07/01/2024"))
    (plan,) = history_import.preview(sqlite_engine, PDL, [("janvier.xlsx", book)]).datasets
    assert (plan.added, plan.first, plan.last, plan.incomplete_days) == (335, date(2024, 1, 1), date(2024, 1, 7),
                                                                         (date(2024, 1, 7),))


def test_workbooks_that_cannot_be_read_are_refused():
    with pytest.raises(FileError, match=r"ancien format Excel \(\.xls\)"):
        history_import.read_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(FileError, match="classeur XLSX illisible"):
        history_import.read_file(b"PK\x03\x04 not really a zip")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"0" * (history_import.MAX_UNPACKED + 1))
    with pytest.raises(FileError, match="trop volumineux"):
        history_import.read_file(bomb.getvalue())
