"""The CSV files of the pages and the API: French numbers made readable by a spreadsheet, formulas defused."""

from __future__ import annotations

from datetime import date

from myelectricaldata.web.csv_files import csv_cell, csv_text, file_name


def test_cells():
    assert csv_cell("1\xa0234,567") == "1234,567"
    assert csv_cell("-1\xa0234,5") == "-1234,5" and csv_cell("−12,30") == "-12,30"
    assert csv_cell("2025 (partiel : 35 j / 365)") == "2025 (partiel : 35 j / 365)"
    assert csv_cell("26/10/2025 02:00 (UTC+1)") == "26/10/2025 02:00 (UTC+1)"
    assert csv_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")" and csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_cell("") == "" and csv_cell("—") == "—"


def test_a_table_with_its_bom_separator_and_line_ends():
    text = csv_text(["Période", "Total (€)", "=Pointe (€)"], [["novembre 2025", "1\xa0234,57", "1,00"],
                                                           ["Total", "1\xa0234,57", "1,00"]])
    assert text == ("\ufeffPériode;Total (€);'=Pointe (€)\r\nnovembre 2025;1234,57;1,00\r\nTotal;1234,57;1,00\r\n")


def test_file_name():
    assert file_name("consommation", "Appartement Paris (Île)", date(2025, 1, 1), date(2025, 12, 31)) == (
        "consommation-appartement-paris-ile-2025-01-01_2025-12-31.csv")
