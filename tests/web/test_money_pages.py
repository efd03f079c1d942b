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
    (table,) = page(client, f"/consumption_euro?pdl={pdl}&{OCTOBER}&view=month").tables
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
    assert "/settings/" + HCHP in response.text


def test_tempo_six_colours(client):
    (table,) = page(client, f"/consumption_euro?pdl={TEMPO}&{OCTOBER}&view=year").tables
    assert table[0][2:8] == ["Bleu HP (€)", "Bleu HC (€)", "Blanc HP (€)", "Blanc HC (€)", "Rouge HP (€)",
                             "Rouge HC (€)"]
    assert [r[0] for r in table[1:]] == ["2025", "Total"]


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
    assert f'href="{PREFIX}/settings/{HCHP}"' in response.text


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
