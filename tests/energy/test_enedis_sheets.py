"""The customer area's XLSX exports read as rows of text cells, laid out as the real files are (same labels, same
cells), with expected rows worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from myelectricaldata.energy.enedis_files import FileError
from myelectricaldata.energy.enedis_sheets import parse_sheets
from myelectricaldata.energy.readings import CurvePoint, DailyValue
from tests.support.enedis_files import WELCOME, curve_sheet, daily_sheet, week, z


def test_the_seven_day_load_curve_export_lacks_only_its_last_half_hour():
    found = parse_sheets([WELCOME, curve_sheet(week(date(2024, 1, 1)), "01/01/2024", "07/01/2024")])
    assert (found.layout, found.prm) == ("XLSX de l'espace client (courbe de charge)", "12345678901234")
    (curve,) = found.readings
    assert (curve.kind, curve.direction, curve.empty, len(curve.rows)) == ("load_curve", "consumption", 0, 335)
    # 01/01/2024 00:00 CET = 31/12/2023 23:00Z, "1,000" kW = 1000 W; slot 334 ends 07/01 23:30 CET
    assert curve.rows[0] == CurvePoint(z(2023, 12, 31, 23, 0), 30, 1000, date(2024, 1, 1))
    assert curve.rows[1] == CurvePoint(z(2023, 12, 31, 23, 30), 30, 2001, date(2024, 1, 1))
    assert curve.rows[-1] == CurvePoint(z(2024, 1, 7, 22, 0), 30, 6334, date(2024, 1, 7))  # 1 + 334 % 7 = 6
    assert sum(1 for p in curve.rows if p.day == date(2024, 1, 7)) == 47


def test_an_autumn_day_in_the_export_keeps_its_repeated_hour_in_order():
    slots = [("29/10/2023 01:30:00", "29/10/2023 02:00:00", "1,000"), ("29/10/2023 02:00:00", "29/10/2023 02:30:00",
                                                                         "2,000"),
             ("29/10/2023 02:30:00", "29/10/2023 02:00:00", "3,000"), ("29/10/2023 02:00:00", "29/10/2023 02:30:00",
                                                                         "4,000"),
             ("29/10/2023 02:30:00", "29/10/2023 03:00:00", "NA"), ("29/10/2023 03:00:00", "29/10/2023 03:30:00",
                                                                      "0,622")]
    (curve,) = parse_sheets([curve_sheet(slots, "29/10/2023", "29/10/2023")]).readings
    day = date(2023, 10, 29)
    assert curve.empty == 1
    assert list(curve.rows) == [
        CurvePoint(z(2023, 10, 28, 23, 30), 30, 1000, day),  # 01:30 CEST
        CurvePoint(z(2023, 10, 29, 0, 0), 30, 2000, day),  # 02:00 CEST
        CurvePoint(z(2023, 10, 29, 0, 30), 30, 3000, day),  # 02:30 CEST -> 02:00 CET
        CurvePoint(z(2023, 10, 29, 1, 0), 30, 4000, day),  # 02:00 CET
        CurvePoint(z(2023, 10, 29, 2, 0), 30, 622, day),  # 03:00 CET
    ]


def test_a_spring_hour_in_the_export_lasts_thirty_minutes_across_the_gap():
    slots = [("31/03/2024 01:30:00", "31/03/2024 03:00:00", "1,5")]
    (curve,) = parse_sheets([curve_sheet(slots, "31/03/2024", "31/03/2024")]).readings
    assert curve.rows == (CurvePoint(z(2024, 3, 31, 0, 30), 30, 1500, date(2024, 3, 31)),)


def test_the_daily_export_labelled_kw_holds_kwh():
    found = parse_sheets([WELCOME, daily_sheet([("15/07/2024", "25,247"), ("16/07/2024", "23,720"),
                                                ("17/07/2024", "33,967"), ("18/07/2024", "NA")])])
    assert (found.layout, found.prm) == ("XLSX de l'espace client (énergie quotidienne)", "12345678901234")
    (daily,) = found.readings
    assert (daily.kind, daily.direction, daily.empty) == ("daily", "consumption", 1)
    assert daily.rows == (DailyValue(date(2024, 7, 15), 25_247), DailyValue(date(2024, 7, 16), 23_720),
                          DailyValue(date(2024, 7, 17), 33_967))


def test_a_production_sheet_and_cells_a_spreadsheet_turned_into_dates_and_numbers():
    slots = [(datetime(2024, 6, 1, 13, 0), datetime(2024, 6, 1, 13, 30), 2.5)]
    title, rows = curve_sheet(slots, "01/06/2024", "01/06/2024", kind="Production horaire",
                              title="Production Horaire")
    (curve,) = parse_sheets([(title, rows)]).readings
    assert (curve.direction, curve.rows) == ("production", (CurvePoint(z(2024, 6, 1, 11, 0), 30, 2500,
                                                                       date(2024, 6, 1)),))


@pytest.mark.parametrize(("sheets", "message"), [
    ([WELCOME], "aucune feuille ne contient un tableau « Début ; Fin ; Valeur (en kW) » ou « Date ; Valeur (en kW) » "
                "(feuilles : « Page d'accueil »)"),
    ([curve_sheet([("01/01/2024 00:00:00", "01/01/2024 00:30:00", "deux")], "01/01/2024", "01/01/2024")],
     "feuille « Consommation Horaire », ligne 17 : la valeur « deux » n'est pas un nombre"),
    ([curve_sheet([("2024/01/01", "01/01/2024 00:30:00", "1")], "01/01/2024", "01/01/2024")],
     "feuille « Consommation Horaire », ligne 17 : date « 2024/01/01 » illisible (JJ/MM/AAAA HH:MM:SS attendu)"),
    ([curve_sheet([("01/01/2024 00:00:00", "01/01/2024 00:45:00", "1")], "01/01/2024", "01/01/2024")],
     "feuille « Consommation Horaire », ligne 17 : de 01/01/2024 00:00:00 à 01/01/2024 00:45:00 : 45 min"),
    ([curve_sheet([("01/01/2024 00:00:00", "01/01/2024 00:30:00", "1")], "01/01/2024", "01/01/2024", prm="1234")],
     "feuille « Consommation Horaire », ligne 8 : PRM « 1234 » : 14 chiffres attendus"),
    ([curve_sheet([], "01/01/2024", "01/01/2024")], "le fichier ne contient aucune mesure"),
])
def test_bad_workbooks_are_refused_with_the_sheet_the_line_and_the_reason(sheets, message):
    with pytest.raises(FileError) as refused:
        parse_sheets(sheets)
    assert str(refused.value).startswith(message)
