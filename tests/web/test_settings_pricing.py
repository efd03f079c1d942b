"""The "Tarification" page of a PDL (in the menu): offer, kVA, buy-back price and weekday off-peak overrides."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.energy.costs import kwh
from myelectricaldata.energy.offpeak import parse_windows
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.services import pricing, pricing_store
from myelectricaldata.web.app import create_app
from tests.support.pages import Tables
from tests.support.pricing_reference import french_cents
from tests.support.syncing import synced_sqlite

HCHP = "99000000000002"
NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PREFIX = "/api/hassio_ingress/TOKEN"
URL = f"/settings/{HCHP}/pricing"
WEDNESDAY, THURSDAY = date(2025, 10, 15), date(2025, 10, 16)
HC_PRICE = Fraction("0.1635")  # regulated HP/HC off-peak price in force since 2025-08-01
OFFER = {"name": "Offre fixe maison", "kind": "BASE",
         "versions": [{"valid_from": "2025-01-01", "energy": {"BASE": "0,20"}, "subscription": "10,00"}]}


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pricing")
    with synced_sqlite(tmp, [HCHP], date(2025, 10, 1)) as engine:
        yield engine, tmp


@pytest.fixture
def engine(synced):
    engine = synced[0]
    yield engine
    with engine.begin() as conn:
        conn.execute(sa.delete(m.pdl_pricing))
        conn.execute(sa.delete(m.user_offers))


@pytest.fixture
def client(synced, engine):
    settings = load_settings(environ={"DATA_DIR": str(synced[1])}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, clock=lambda: NOON)).test_client()


def token(html: str) -> str:
    return re.search(r'name="pricing-csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def post(client, **fields):
    html = client.get(URL).get_data(as_text=True)
    data = {"pricing-csrf_token": token(html), "pricing-offer_key": "", "pricing-kva": "", "pricing-buyback": "",
            "pricing-unit": "€/kWh"} | {f"pricing-{k}": v for k, v in fields.items()}
    return client.post(URL, data=data)


def saved_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(m.pdl_pricing))


def choice(engine):
    with engine.connect() as conn:
        return pricing_store.get_choice(conn, HCHP)


def hc_kwh(engine, day: date, offpeak) -> Fraction:
    """kWh of ``day`` whose 30-min points start inside ``offpeak(minute of the local day)``, from the raw points."""
    first, last = (epoch(t) for t in local_day_bounds(day))
    t = m.load_curve
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == HCHP, t.c.direction == "consumption", t.c.start_utc >= first,
            t.c.start_utc < last)).all()
    assert len(rows) >= 46
    total = Fraction(0)
    for start, minutes, watts in rows:
        local = datetime.fromtimestamp(start, PARIS)
        if offpeak(local.hour * 60 + local.minute):
            total += Fraction(watts * minutes, 60_000)
    return total


def hc_cell(client, day: date) -> str:
    (table,) = Tables(client.get(f"/consumption_euro?pdl={HCHP}&start=2025-10-13&end=2025-10-17").text).tables
    row = next(r for r in table if r[0] == f"{day:%d/%m/%Y}")
    return row[table[0].index("Heures creuses (€)")]


def test_section_shows_the_default_and_the_contract_windows_and_get_changes_nothing(client, engine):
    html = client.get(URL).get_data(as_text=True)
    assert "Tarification" in html and "sinon le tarif réglementé selon le contrat" in html
    assert "Tarif Bleu Heures Creuses" in html and "par défaut" in html
    assert 'data-contract-windows="01:30-08:00;12:30-14:00"' in html
    assert 'value="regulated:TEMPO"' in html and 'name="pricing-offpeak_6"' in html
    assert saved_rows(engine) == 0


def test_choosing_a_user_offer_prices_the_pdl_with_it(client, engine):
    with engine.begin() as conn:
        offer_id = pricing_store.save_offer(conn, OFFER)
    key = f"user:{offer_id}"
    assert "Offre fixe maison" in client.get(URL).text
    before = client.get(f"/consumption_euro?pdl={HCHP}").text
    assert "Offre fixe maison" not in before  # the page is cached before the choice
    response = post(client, offer_key=key, kva="6", buyback="12,5", unit="c€/kWh")
    assert response.status_code == 302 and response.location.endswith(URL)
    page = client.get(URL).text
    assert "Tarification enregistrée : Offre fixe maison" in page and "(choisie ici)" in page
    assert "0,125 €/kWh" in page and f'<option selected value="{key}">' in page and 'value="6"' in page
    saved = choice(engine)
    assert (saved.offer_key, saved.kva, saved.buyback, dict(saved.overrides)) == (key, 6, D("0.125"), {})
    assert pricing.current_offer(engine, HCHP, NOON.date()).name == "Offre fixe maison"
    money = client.get(f"/consumption_euro?pdl={HCHP}").text
    assert f'data-offer="{key}"' in money and "Offre fixe maison" in money and "choisie dans les réglages" in money
    assert post(client).status_code == 302  # back to the default
    assert choice(engine).offer_key == "" and pricing.current_offer(engine, HCHP, NOON.date()).key == "regulated:HPHC"


def test_weekday_overrides_are_saved_and_reprice_that_weekday(client, engine):
    contract = hc_kwh(engine, WEDNESDAY, lambda t: 90 <= t < 480 or 750 <= t < 840)  # HC (1H30-8H00;12H30-14H00)
    assert hc_cell(client, WEDNESDAY) == french_cents(contract * HC_PRICE)
    thursday = hc_cell(client, THURSDAY)
    response = post(client, offpeak_2="22:00-02:00;10:00-12:00", offpeak_5="00:00-24:00")
    assert response.status_code == 302
    assert dict(choice(engine).overrides) == {2: parse_windows("22:00-02:00;10:00-12:00"), 5: ((0, 1440),)}
    # Wednesday's own clock: 00:00-02:00, 10:00-12:00 and 22:00-24:00 of that day are off-peak
    expected = hc_kwh(engine, WEDNESDAY, lambda t: t < 120 or 600 <= t < 720 or t >= 1320)
    assert expected != contract
    (day,) = pricing.cost_by_day(engine, HCHP, WEDNESDAY, WEDNESDAY)
    assert Fraction(kwh(day.energy["HC"])) == expected
    assert hc_cell(client, WEDNESDAY) == french_cents(expected * HC_PRICE)
    assert hc_cell(client, THURSDAY) == thursday  # other weekdays keep the contract's windows
    (saturday,) = pricing.cost_by_day(engine, HCHP, date(2025, 10, 18), date(2025, 10, 18))
    assert saturday.energy["HP"] == 0 and saturday.energy["HC"] > 0
    page = client.get(URL).text
    assert 'value="22:00-02:00;10:00-12:00"' in page and 'value="00:00-24:00"' in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("offer_key", "user:999", "Offre inconnue « user:999 »"),
    ("kva", "2", "entre 3 et 36 kVA"),
    ("kva", "40", "entre 3 et 36 kVA"),
    ("kva", "7", "7 kVA n&#39;est pas une puissance souscrite possible"),
    ("kva", "neuf", "n&#39;est pas une puissance"),
    ("buyback", "-0,10", "Un prix ne peut pas être négatif."),
    ("buyback", "dix", "« dix » n&#39;est pas un prix"),
    ("offpeak_0", "25:00-06:00", "Plages illisibles « 25:00-06:00 »"),
    ("offpeak_3", "le soir", "Plages illisibles « le soir »"),
    ("offpeak_6", ";", "Aucune plage"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(client, engine, field, value, message):
    response = post(client, **{field: value, "kva": "9" if field != "kva" else value})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(rf'<span class="problem" id="pricing-{field}-error">([^<]*)</span>', html)
    assert error and message in error.group(1), html
    if field != "offer_key":
        assert f'value="{value}"' in html  # what was typed is shown again
    assert saved_rows(engine) == 0


def test_post_without_csrf_is_refused(client, engine):
    response = client.post(URL, data={"pricing-offer_key": "regulated:TEMPO"})
    assert response.status_code == 400 and saved_rows(engine) == 0


def test_unknown_pdl_is_404(client):
    html = client.get(URL).text
    response = client.post("/settings/12345678901234/pricing", data={"pricing-csrf_token": token(html)})
    assert response.status_code == 404


def test_form_action_and_redirect_keep_the_ingress_prefix(client, engine):
    html = client.get(URL, headers={"X-Ingress-Path": PREFIX}).text
    assert f'action="{PREFIX}/settings/{HCHP}/pricing"' in html
    response = client.post(URL, headers={"X-Ingress-Path": PREFIX},
                           data={"pricing-csrf_token": token(html), "pricing-offer_key": "regulated:TEMPO",
                                 "pricing-unit": "€/kWh"})
    assert response.status_code == 302 and response.location.endswith(f"{PREFIX}{URL}")
    assert choice(engine).offer_key == "regulated:TEMPO"


def test_the_menu_leads_to_the_pricing_page_of_the_first_pdl_by_name_with_a_selector(client):
    page = client.get("/pricing")
    assert page.status_code == 200
    html = page.text
    assert 'href="/pricing" aria-current="page">Tarification</a>' in html
    assert '<h1 id="tarification">Tarification de Appartement Paris</h1>' in html  # before "Maison Tours"
    assert 'action="/settings/99000000000001/pricing"' in html
    assert '<form class="filters" method="get" action="/pricing">' in html
    assert f'<option value="{HCHP}">Maison Tours</option>' in html
    chosen = client.get(f"/pricing?pdl={HCHP}").text
    assert f'action="/settings/{HCHP}/pricing"' in chosen and "Tarification de Maison Tours" in chosen
    assert client.get("/pricing?pdl=12345678901234").status_code == 404
    assert client.get("/settings/12345678901234/pricing").status_code == 404


def test_the_repair_page_keeps_refetch_and_purge_and_links_to_the_pricing_page(client):
    html = client.get(f"/settings/{HCHP}").text
    assert "Réparer les données de" in html and "Redemander" in html and "Effacer les données…" in html
    assert 'name="pricing-offer_key"' not in html
    assert f'href="/settings/{HCHP}/pricing">Tarification</a>' in html


def test_change_the_offer_links_lead_to_the_pricing_page(client):
    euro = client.get(f"/consumption_euro?pdl={HCHP}&start=2025-10-13&end=2025-10-17").text
    assert f'href="/settings/{HCHP}/pricing">changer l\'offre' in euro
    settings = client.get("/settings").text
    assert f'href="/settings/{HCHP}/pricing">Tarification' in settings
