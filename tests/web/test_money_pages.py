"""The /consumption_euro page and the Tempo cost per colour, on a database synced from the simulator."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import catalog as catalog_store
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.catalog import CatalogGrid, history_key, offer_key
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.services import pricing_store
from myelectricaldata.web.app import create_app
from tests.support.pages import Tables
from tests.support.pricing_reference import HCHP, TEMPO, french_cents, hphc_month, tempo_month
from tests.support.syncing import synced_sqlite

NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PREFIX = "/api/hassio_ingress/TOKEN"
OCTOBER = "start=2025-10-01&end=2025-10-31"


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("money")
    with synced_sqlite(tmp, [HCHP, TEMPO], date(2025, 9, 1)) as engine:
        yield engine, tmp


@pytest.fixture
def client(synced):
    engine, tmp = synced
    settings = load_settings(environ={"DATA_DIR": str(tmp)}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, clock=lambda: NOON)).test_client()


def page(client, url: str, status: int = 200, **kwargs) -> Tables:
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.text
    return Tables(response.text)


@pytest.mark.parametrize(("pdl", "independent"), [(HCHP, hphc_month), (TEMPO, tempo_month)])
def test_october_totals_match_an_independent_computation_to_the_cent(client, synced, pdl, independent):
    table = page(client, f"/consumption_euro?pdl={pdl}&{OCTOBER}&view=month").tables[0]  # then last year
    head, month, total = table
    expected = french_cents(independent(synced[0]))
    assert month[0] == "octobre 2025" and month[head.index("Total (€)")] == expected
    assert total[0] == "Total" and total[head.index("Total (€)")] == expected


def test_hphc_split_columns_and_offer_named(client):
    response = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=day")
    (table,) = Tables(response.text).tables
    assert table[0] == ["Période", "Consommation (kWh)", "Heures pleines (€)", "Heures creuses (€)",
                        "Abonnement (€)", "Total (€)", "Remarque"]
    assert len(table) == 33 and table[1][0] == "01/10/2025" and table[-1][0] == "Total"
    hp, hc, sub, tot = (D(c.replace(",", ".")) for c in table[1][2:6])
    assert abs(hp + hc + sub - tot) <= D("0.02") and table[1][4] == "0,65"  # 19,81 x 12 / 365 = 0,6513
    assert "Tarif Bleu Heures Creuses" in response.text and "tarif réglementé" in response.text
    assert f"/settings/{HCHP}/pricing" in response.text


def test_tempo_six_colours(client):
    table = page(client, f"/consumption_euro?pdl={TEMPO}&{OCTOBER}&view=year").tables[0]  # then last year
    assert table[0][2:8] == ["Bleu HP (€)", "Bleu HC (€)", "Blanc HP (€)", "Blanc HC (€)", "Rouge HP (€)",
                             "Rouge HC (€)"]
    assert [r[0] for r in table[1:]] == ["2025 (partiel : 31 j / 365)", "Total"]  # October only


def test_missing_tempo_colour_is_estimated_with_the_assumed_colour(client, synced):
    engine = synced[0]
    missing = date(2025, 10, 15)
    with engine.begin() as conn:
        colour = conn.scalar(sa.select(m.tempo_days.c.color).where(m.tempo_days.c.day == missing))
        conn.execute(sa.delete(m.tempo_days).where(m.tempo_days.c.day == missing))
    try:
        response = client.get(f"/consumption_euro?pdl={TEMPO}&start=2025-10-14&end=2025-10-16")
        (table,) = Tables(response.text).tables
        remarks = {r[0]: r[-1] for r in table[1:]}
        assert remarks["14/10/2025"] == ""
        assert remarks["15/10/2025"] == "estimé : bleu supposé le 15/10/2025"
        assert remarks["16/10/2025"] == "estimé : bleu supposé le 15/10/2025"  # its 00:00-06:00 is the 15th's
        assert remarks["Total"] == "2 jour(s) estimé(s)" and 'data-day="2025-10-15"' in response.text
    finally:
        with engine.begin() as conn:
            repo.store_tempo(conn, [(missing, colour)])


def test_a_catalog_zen_flex_offer_says_which_days_it_assumed(client, synced):
    """The HP/HC PDL priced with a Zen Flex offer whose grid starts on 15 October, the type of the 15th unknown."""
    engine = synced[0]
    grid = CatalogGrid("zen", "EDF", "Zen Week-End - Option Flex - 9 kVA", "SEASONAL", 9, D("15.74"), {
        "hc_price_winter": D("0.2091"), "hp_price_winter": D("0.7253"), "hc_price_summer": D("0.1519"),
        "hp_price_summer": D("0.2091")}, date(2025, 10, 15))
    with engine.begin() as conn:
        catalog_store.store_history(conn, {history_key(grid): (grid,)})
        catalog_store.store_zen_flex_days(conn, {date(2025, 10, 14): "ECO", date(2025, 10, 16): "SOBRIETE"})
        pricing_store.save_choice(conn, HCHP, offer_key(history_key(grid)))
    try:
        response = client.get(f"/consumption_euro?pdl={HCHP}&start=2025-10-14&end=2025-10-16")
        (table,) = Tables(response.text).tables
        assert table[0][2:8] == ["Éco HP (€)", "Éco HC (€)", "Sobriété HP (€)", "Sobriété HC (€)", "Bonus HP (€)",
                                 "Bonus HC (€)"]
        remarks = {r[0]: r[-1] for r in table[1:]}
        assert remarks["14/10/2025"] == ("estimé : aucune grille de prix ne couvre ce jour : prix de la grille du "
                                         "15/10/2025, la plus proche")
        assert remarks["15/10/2025"] == "estimé : jour Zen Flex Sobriété supposé le 15/10/2025"
        assert remarks["16/10/2025"] == "" and remarks["Total"] == "2 jour(s) estimé(s)"
        assert "Zen Week-End - Option Flex</strong>\n  (choisie dans les réglages)" in response.text
    finally:
        with engine.begin() as conn:
            for table in (m.pdl_pricing, m.catalog_grids, m.zen_flex_days):
                conn.execute(sa.delete(table))


def test_unknown_pdl_bad_dates_and_long_ranges(client):
    page(client, "/consumption_euro?pdl=12345678901234", 404)
    assert "Date de début (start) invalide" in client.get("/consumption_euro?start=2025-13-01").text
    assert client.get("/consumption_euro?start=2025-13-01").status_code == 400
    assert client.get("/consumption_euro?end=demain").status_code == 400
    assert client.get("/consumption_euro?start=2025-10-05&end=2025-10-01").status_code == 400
    assert client.get("/consumption_euro?view=week").status_code == 400
    response = client.get(f"/consumption_euro?pdl={HCHP}&start=2020-01-01&end=2025-11-04&view=day")
    assert response.status_code == 200 and "limitée aux 366 derniers jours" in response.text


def test_links_keep_the_ingress_prefix(client):
    response = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}", headers={"X-Ingress-Path": PREFIX})
    local = [u for u in Tables(response.text).urls if u.startswith("/")]
    assert local and all(u.startswith(PREFIX + "/") for u in local), local
    assert f'action="{PREFIX}/consumption_euro"' in response.text
    assert f'href="{PREFIX}/settings/{HCHP}/pricing"' in response.text


def test_tempo_page_shows_the_cost_per_colour(client):
    html = client.get("/tempo?season=2025").text
    assert 'data-cost="BLUE"' in html and 'data-cost="WHITE"' in html and 'data-cost="RED"' in html
    card = html[html.index('id="tempo-costs"'):]
    pdl_line = card[card.index('<p class="muted">'):card.index("</p>")]
    assert TEMPO not in pdl_line and "au 04/11/2025" in pdl_line  # named as on every page, not by its raw number
    assert re.search(r'<p class="muted">[^<\d]+, énergie seule', card)
    assert 'data-cost="total"' in html
    assert "Votre coût par couleur" not in client.get(f"/tempo?season=2025&pdl={HCHP}").text
    assert client.get("/tempo?pdl=12345678901234").status_code == 404


def chart_specs(html: str) -> list[dict]:
    import html as html_lib
    import json
    import re
    return [json.loads(html_lib.unescape(spec)) for spec in re.findall(r"data-chart='([^']*)'", html)]


def test_the_tempo_colour_split_is_a_stacked_chart_with_the_range_total(client):
    html = client.get(f"/consumption_euro?pdl={TEMPO}&{OCTOBER}&view=month").text
    spec = chart_specs(html)[0]
    assert spec["stacked"] is True and spec["categories"] == ["oct. 2025"]  # the whole of October
    assert [(s["label"], s.get("colour")) for s in spec["series"]] == [
        ("Bleu", "tempo-blue"), ("Blanc", "tempo-white"), ("Rouge", "tempo-red"), ("Abonnement", None)]
    head, month, _ = Tables(html).tables[0]
    # each colour's bar is its HP + HC cost; the stack's height is the month's total, to the cent per slot
    blue = D(month[head.index("Bleu HP (€)")].replace(",", ".")) + D(month[head.index("Bleu HC (€)")].replace(",", "."))
    assert abs(D(str(spec["series"][0]["values"][0])) - blue) <= D("0.01")
    stack = sum(D(str(s["values"][0])) for s in spec["series"])
    total = D(month[head.index("Total (€)")].replace("\xa0", "").replace(",", "."))
    assert abs(stack - total) <= D("0.04")
    assert f"<strong data-key>{month[head.index('Total (€)')]} €</strong>" in html  # the range's total
    assert "Données disponibles" not in html


def test_partial_months_and_where_the_curve_lies(client):
    html = client.get(f"/consumption_euro?pdl={HCHP}&start=2025-08-01&end=2025-10-31&view=month").text
    assert "Données disponibles du 01/09/2025 au 31/10/2025." in html  # synced from 1 September
    table = Tables(html).tables[0]
    assert [r[0] for r in table[1:]] == ["septembre 2025", "octobre 2025", "Total"]
    assert "(partiel : 61 j / 92)" in html  # 92 days from 1 August to 31 October, 61 priced


def test_euro_csv(client):
    response = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=month&format=csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="consommation-euros-')
    assert response.headers["Content-Disposition"].endswith('-2025-10-01_2025-10-31.csv"')
    lines = response.data.decode("utf-8").splitlines()
    assert lines[0] == ("\ufeffPériode;Consommation (kWh);Heures pleines (€);Heures creuses (€);Abonnement (€);"
                        "Total (€);Remarque")
    table = page(client, f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=month").tables[0]  # then last year
    assert lines[1] == ";".join(c.replace("\xa0", "") for c in table[1])


def test_this_year_against_last_year_in_euros(client):
    html = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=month").text
    month_table, compared = Tables(html).tables
    october = month_table[1][month_table[0].index("Total (€)")]
    assert compared[0] == ["Mois", "2025 (€)", "2024 (€)", "Écart (€)", "Jours 2025", "Jours 2024"]
    assert compared[10] == ["octobre", october, "—", "—", "31 j / 31", "—"]  # the same total as the month view
    assert compared[11][2:] == ["—", "—", "4 j / 30 (partiel)", "—"]  # 1 -> 4 November so far
    spec = chart_specs(html)[-1]
    assert spec["categories"][9] == "oct." and [s["unit"] for s in spec["series"]] == ["€", "€"]
    csv_lines = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=month&format=csv&table=year-over-year")
    assert csv_lines.data.decode("utf-8").splitlines()[10] == f"octobre;{october.replace(chr(160), '')};—;—;31 j / 31;—"
    assert "Jours 2025" not in client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=day").text  # month views only


def test_the_total_is_the_key_column_and_the_slots_hide_on_a_phone(client):
    html = client.get(f"/consumption_euro?pdl={HCHP}&{OCTOBER}&view=month").text
    assert '<td data-label="Total (€)" data-key>' in html
    assert '<td data-label="Heures pleines (€)" class="col-aux">' in html
