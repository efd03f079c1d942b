"""Enedis CSV downloads: the R63 file and the legacy "Mes données" CSV, with the headers quoted from real files and
expected rows worked out by hand (UTC starts, interval lengths, W)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from myelectricaldata.energy.enedis_csv import parse_csv
from myelectricaldata.energy.enedis_files import FileError
from myelectricaldata.energy.readings import CurvePoint, DailyValue, MaxPower
from tests.support.fixtures import FIXTURES

SAMPLES = FIXTURES / "history-import"
R63_HEADER = ("Identifiant PRM;Date de début;Date de fin;Grandeur physique;Grandeur métier;Etape métier;Unité;"
              "Horodate;Valeur;Nature;Pas;Indice de vraisemblance;Etat complémentaire")
CURVE_HEADER = ("Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;Grandeur metier;"
                "Etape metier;Unite;Pas en minutes")
MAX_POWER_HEADER = ("Identifiant PRM;Type de donnees;Date de debut;Date de fin;Grandeur physique;Grandeur metier;"
                    "Etape metier;Unite")


def z(*parts: int) -> int:
    """Seconds since the epoch of a UTC time."""
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def r63(*rows: str, prm: str = "12345678901234") -> bytes:
    """An R63 file: the quoted header, then ``Horodate;Valeur;Pas`` triples with the repeated metadata."""
    lines = [R63_HEADER]
    for row in rows:
        stamp, value, step = row.split(";")
        lines.append(f"{prm};2023-03-13 00:00:00;2025-03-13 00:00:00;PA;CONS;BRUT;W;{stamp};{value};B;{step};0;0")
    return "\n".join(lines).encode()


def test_the_r63_sample_keeps_the_repeated_autumn_hour_in_order():
    found = parse_csv((SAMPLES / "enedis_r63_courbe_de_charge.csv").read_bytes())
    assert (found.layout, found.prm) == ("CSV R63 (courbe de charge)", "12345678901234")
    (curve,) = found.readings
    assert (curve.kind, curve.direction, curve.empty) == ("load_curve", "consumption", 0)
    # ends 01:00 .. 02:30 are CEST (UTC+2), the second 02:00 and 02:30 and later CET (UTC+1); start = end - 30 min
    day = date(2023, 10, 29)
    assert list(curve.rows) == [
        CurvePoint(z(2023, 10, 28, 22, 30), 30, 624, day),  # 01:00 CEST = 23:00Z
        CurvePoint(z(2023, 10, 28, 23, 0), 30, 624, day),
        CurvePoint(z(2023, 10, 28, 23, 30), 30, 640, day),  # first 02:00 = 00:00Z
        CurvePoint(z(2023, 10, 29, 0, 0), 30, 1144, day),  # first 02:30 = 00:30Z
        CurvePoint(z(2023, 10, 29, 0, 30), 30, 1134, day),  # second 02:00 = 01:00Z
        CurvePoint(z(2023, 10, 29, 1, 0), 30, 630, day),  # second 02:30 = 01:30Z
        CurvePoint(z(2023, 10, 29, 1, 30), 30, 622, day),
        CurvePoint(z(2023, 10, 29, 2, 0), 30, 632, day),
        CurvePoint(z(2023, 10, 29, 2, 30), 30, 600, day),
    ]
    assert found.notes == ("1 point(s) signalé(s) par Enedis avec un indice de vraisemblance non nul (importés tels "
                           "quels)",)


def test_r63_spring_forward_and_a_step_that_changes_inside_the_file():
    found = parse_csv(r63("2023-03-26 01:00:00;700;PT30M", "2023-03-26 01:30:00;710;PT30M",
                          "2023-03-26 03:00:00;720;PT30M", "2024-07-19 01:00:00;1000;PT60M",
                          "2024-07-19 02:00:00;1100;PT60M"))
    assert list(found.readings[0].rows) == [
        CurvePoint(z(2023, 3, 25, 23, 30), 30, 700, date(2023, 3, 26)),  # ends 01:00 CET = 00:00Z
        CurvePoint(z(2023, 3, 26, 0, 0), 30, 710, date(2023, 3, 26)),
        CurvePoint(z(2023, 3, 26, 0, 30), 30, 720, date(2023, 3, 26)),  # ends 03:00 CEST = 01:00Z: no gap
        CurvePoint(z(2024, 7, 18, 22, 0), 60, 1000, date(2024, 7, 19)),  # ends 01:00 CEST = 23:00Z, 60 min
        CurvePoint(z(2024, 7, 18, 23, 0), 60, 1100, date(2024, 7, 19)),
    ]


def test_r63_production_and_empty_values():
    meta = "12345678901234;2024-06-01 00:00:00;2024-06-02 00:00:00;PA;PROD;BRUT;W"
    text = f"{R63_HEADER}\n{meta};2024-06-01 13:00:00;2500;B;PT30M;0;0\n{meta};2024-06-01 13:30:00;;B;PT30M;0;0"
    (curve,) = parse_csv(text.encode()).readings
    assert (curve.direction, curve.empty, curve.rows) == (
        "production", 1, (CurvePoint(z(2024, 6, 1, 10, 30), 30, 2500, date(2024, 6, 1)),))


@pytest.mark.parametrize(("data", "message"), [
    (r63("2024-01-01 00:30:00;692;PT30M", "2024-01-01 01:00:00;abc;PT30M"),
     "ligne 3 : la valeur « abc » n'est pas un nombre"),
    (r63("2024-01-01 00:30:00;692;PT7M"), "ligne 2 : pas « PT7M » : PT10M, PT15M, PT30M ou PT60M attendu"),
    (r63("01/01/2024 00:30;692;PT30M"),
     "ligne 2 : Horodate « 01/01/2024 00:30 » : date et heure AAAA-MM-JJ HH:MM:SS attendues"),
    (r63("2024-03-31 02:30:00;692;PT30M"),
     "ligne 2 : l'heure 31/03/2024 02:30 n'existe pas à Paris (passage à l'heure d'été)"),
    (r63("2024-01-01 00:30:00;692;PT30M") + b"\n19125759625988;x;x;PA;CONS;BRUT;W;2024-01-01 01:00:00;1;B;PT30M;0;0",
     "ligne 3 : PRM 19125759625988 différent de celui des lignes précédentes (12345678901234)"),
    (r63("2024-01-01 00:30:00;692;PT30M") + b"\n12345678901234;x;x;PA;CONS",
     "ligne 3 : 5 colonnes au lieu de 13"),
    (R63_HEADER.encode(), "le fichier ne contient aucune mesure"),
    (b"Date;Heure;Conso\n01/01/2024;00:30;12", "ligne 1 : format de fichier non reconnu"),
    (b"", "le fichier est vide"),
])
def test_bad_files_are_refused_with_the_line_and_the_reason(data, message):
    with pytest.raises(FileError) as refused:
        parse_csv(data)
    assert str(refused.value).startswith(message)


def test_the_legacy_csv_sample_with_its_bom_offsets_and_an_empty_value():
    found = parse_csv((SAMPLES / "enedis_mesdonnees_legacy_courbe_de_charge.csv").read_bytes())
    assert (found.layout, found.prm) == ("CSV « Mes données » (courbe de charge)", "12345678901234")
    (curve,) = found.readings
    day = date(2023, 10, 29)
    # Horodate is the END of the interval; offsets place the repeated hour without guessing; 03:00+01:00 is empty
    assert curve.empty == 1
    assert list(curve.rows) == [
        CurvePoint(z(2023, 10, 28, 23, 30), 30, 640, day),  # 02:00+02:00 = 00:00Z
        CurvePoint(z(2023, 10, 29, 0, 0), 30, 1144, day),
        CurvePoint(z(2023, 10, 29, 0, 30), 30, 1134, day),  # 02:00+01:00 = 01:00Z
        CurvePoint(z(2023, 10, 29, 1, 0), 30, 630, day),
        CurvePoint(z(2023, 10, 29, 2, 0), 30, 632, day),  # 03:30+01:00 = 02:30Z: its interval follows the empty one
    ]


def test_the_legacy_csv_with_a_blank_line_ten_minute_steps_and_empty_leading_rows():
    text = (f"{CURVE_HEADER}\n00000000000000;Courbe de charge;01/09/2018;21/08/2020;Energie active;Consommation;"
            "Comptage Brut;W;\n\nHorodate;Valeur\n2018-12-07T00:00:00+01:00;\n2018-12-07T01:00:00+01:00;\n"
            "2020-08-20T23:40:00+02:00;270\n2020-08-20T23:50:00+02:00;264\n")
    found = parse_csv(text.encode())
    assert found.prm == "00000000000000"
    (curve,) = found.readings
    assert curve.empty == 2
    assert list(curve.rows) == [CurvePoint(z(2020, 8, 20, 21, 30), 10, 270, date(2020, 8, 20)),
                                CurvePoint(z(2020, 8, 20, 21, 40), 10, 264, date(2020, 8, 20))]


def test_the_legacy_max_power_file_in_both_quoted_variants():
    quoalise = (f"{MAX_POWER_HEADER}\n00000000000000;Puissance maximale quotidienne;01/09/2019;21/08/2020;Puissance "
                "maximale atteinte;Consommation;Comptage Brut;W\nHorodate;Valeur\n2019-09-01T15:17:24+02:00;3695\n")
    sge = (f"{MAX_POWER_HEADER}\n00000000000000;Puissance maximale quotidienne;30/03/2020;25/01/2023;Puissance "
           "maximale atteinte;Consommation;;\nHorodate;Valeur\n2020-03-30T00:00:00+02:00;\n"
           "2020-03-31T19:02:11+02:00;5210\n")
    peak = MaxPower(date(2019, 9, 1), 3695, z(2019, 9, 1, 13, 17, 24))  # 15:17:24+02:00
    assert parse_csv(quoalise.encode()).readings[0].rows == (peak,)
    found = parse_csv(sge.encode()).readings[0]
    assert (found.kind, found.empty, found.rows) == ("max_power", 1,
                                                     (MaxPower(date(2020, 3, 31), 5210, z(2020, 3, 31, 17, 2, 11)),))


def test_the_legacy_index_file_gives_each_day_the_next_midnight_reading_minus_its_own():
    text = (f"{MAX_POWER_HEADER}\n00000000000000;Index;01/09/2019;21/08/2020;Energie active;Consommation;Comptage Brut;"
            "Wh\n\nHorodate;Type de releve;EAS F1;EAS F2;EAS F3;EAS F4;EAS F5;EAS F6;EAS F7;EAS F8;EAS F9;EAS F10;"
            "EAS D1;EAS D2;EAS D3;EAS D4;EAS T\n"
            "2019-09-02T00:00:00+02:00;Arrêté quotidien;1009905;819074;2679;2747;;;;;;;1012584;821821;;;1834405\n"
            "2019-09-03T00:00:00+02:00;Arrêté quotidien;1015000;820000;2679;2747;;;;;;;;;;;1841005\n"
            "2019-09-04T00:00:00+02:00;Arrêté quotidien;;;;;;;;;;;;;;;1850105\n"
            "2019-09-06T00:00:00+02:00;Arrêté quotidien;;;;;;;;;;;;;;;1860000\n\n"
            "Periode;Identifiant calendrier fournisseur;Libelle calendrier fournisseur\n"
            "Du 2019-09-02T00:00:00+02:00 au 2019-10-22T00:00:00+02:00;FC011827;HC Semaine et HC Week-End\n")
    found = parse_csv(text.encode("cp1252"))  # older downloads are Windows-1252
    assert found.layout == "CSV « Mes données » (index quotidiens)"
    (daily,) = found.readings
    # 1841005 - 1834405 = 6600 Wh on 2 Sept, 1850105 - 1841005 = 9100 Wh on 3 Sept; 4 Sept has no next-day reading
    assert daily.rows == (DailyValue(date(2019, 9, 2), 6600), DailyValue(date(2019, 9, 3), 9100))
    assert daily.empty == 1


def test_a_csv_saved_from_the_xlsx_export_with_either_separator():
    semicolons = "Début;Fin;Valeur (en Kw)\n02/03/2023 00:00:00;02/03/2023 00:30:00;4,030\n"
    commas = 'Début,Fin,Valeur (en Kw)\n02/03/2023 00:00:00,02/03/2023 00:30:00,"4,030"\n'
    for text in (semicolons, commas):
        found = parse_csv(text.encode())
        assert found.prm == ""
        assert found.readings[0].rows == (CurvePoint(z(2023, 3, 1, 23, 0), 30, 4030, date(2023, 3, 2)),)
