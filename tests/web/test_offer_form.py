"""The offer form for people: a section per option (shown alone by app.js, all there without it, only the chosen
one read), plain examples, and the subscription per kVA as a small table."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from myelectricaldata.services import pricing_store
from tests.support.pages import csrf_token as token
from tests.support.pages import simulation_app, synced_hphc_month

BASE = {"name": "Fixe", "kind": "BASE", "unit": "€/kWh", "price_base": "0,2", "valid_from": "2024-01-01"}


@pytest.fixture
def engine(sqlite_engine, tmp_path):
    return synced_hphc_month(sqlite_engine, tmp_path)


@pytest.fixture
def client(engine, tmp_path):
    return simulation_app(engine, tmp_path).test_client()


def post(client, data: dict, url: str = "/simulation/offers"):
    return client.post(url, data={"csrf_token": token(client.get("/simulation/offers").text), **data})


def stored(engine, name: str):
    with engine.connect() as conn:
        return next(o for o in pricing_store.user_offers(conn) if o.name == name)


def test_every_option_has_its_own_section_and_the_examples_are_plain(client):
    html = client.get("/simulation/offers").text
    for kind in ("BASE", "HPHC", "TEMPO", "CUSTOM"):  # all in the page: without JavaScript every section shows
        assert f'<fieldset data-offer-kind="{kind}">' in html
    select = re.search(r'<select[^>]*name="kind"[^>]*>', html).group(0)
    assert "data-offer-kind-select" in select
    assert "6=12,44;9=15,47" not in html
    assert "un week-end moins cher : jours <strong>sam-dim</strong>, heures <strong>00:00-24:00</strong>" in " ".join(
        html.split())
    assert 'name="rule_days_0"' in html and 'placeholder="sam-dim"' in html and 'name="period_price_5"' in html
    assert '<th scope="row"><label for="sub_9">9 kVA</label></th>' in html and 'name="sub_36"' in html


def test_only_the_chosen_option_s_prices_are_read(client, engine):
    # Tempo prices typed, then Base chosen: the offer is a Base one, the Tempo fields are ignored
    response = post(client, BASE | {"subscription": "12", "price_blue_hp": "douze"})
    assert response.status_code == 302
    offer = stored(engine, "Fixe")
    assert offer.kind == "BASE" and offer.versions[0].energy == {"BASE": D("0.2")}


def test_one_subscription_per_kva_from_the_table(client, engine):
    response = post(client, BASE | {"name": "Par puissance", "sub_6": "12,44", "sub_9": "15.47"})
    assert response.status_code == 302
    offer = stored(engine, "Par puissance")
    assert offer.versions[0].subscription == {6: D("12.44"), 9: D("15.47")}
    edit = client.get(response.headers["Location"]).text
    offer_id = re.search(r"/simulation/offers/(\d+)\"", edit).group(1)
    form = client.get(f"/simulation/offers/{offer_id}").text
    assert re.search(r'name="sub_6"[^>]*value="12,44"', form) and re.search(r'name="sub_9"[^>]*value="15,47"', form)
    assert re.search(r'name="subscription"[^>]*value=""', form) or 'name="subscription" type="text">' in form
    assert "<details open>" in form  # the table opens when it holds prices


def test_a_bad_amount_is_shown_on_its_row_and_both_forms_at_once_are_refused(client, engine):
    bad = post(client, BASE | {"name": "Mauvais", "sub_9": "quinze"})
    assert bad.status_code == 400
    row = bad.text[bad.text.index('name="sub_9"'):]
    assert '<span class="problem">' in row[:400]
    both = post(client, BASE | {"name": "Les deux", "subscription": "12", "sub_9": "15"})
    assert both.status_code == 400 and "pas les deux" in both.text
    with engine.connect() as conn:
        assert [o.name for o in pricing_store.user_offers(conn)] == []


CUSTOM = BASE | {"name": "Week-end", "kind": "CUSTOM", "default_period": "HP",
                 "rule_days_0": "sam-dim", "rule_hours_0": "00:00-24:00", "rule_period_0": "WE",
                 "period_name_0": "HP", "period_price_0": "0,22", "period_name_1": "we", "period_price_1": "0,15"}


def test_a_custom_offer_from_the_tables_and_back_into_them(client, engine):
    response = post(client, CUSTOM)
    assert response.status_code == 302
    offer = stored(engine, "Week-end")
    assert offer.kind == "CUSTOM" and offer.rules[0].weekdays == {5, 6} and offer.rules[0].period == "WE"
    assert offer.versions[0].energy == {"HP": D("0.22"), "WE": D("0.15")}  # period names in capitals
    listing = client.get("/simulation/offers").text
    offer_id = re.search(r"/simulation/offers/(\d+)\"", listing).group(1)
    form = client.get(f"/simulation/offers/{offer_id}").text
    assert re.search(r'name="rule_days_0"[^>]*value="sam,dim"', form)
    assert re.search(r'name="rule_hours_0"[^>]*value="00:00-24:00"', form)
    assert re.search(r'name="period_name_1"[^>]*value="WE"', form) and re.search(
        r'name="period_price_1"[^>]*value="0,15"', form)


def test_a_bad_row_is_refused_next_to_its_cell(client, engine):
    half = post(client, CUSTOM | {"rule_period_0": ""})
    assert half.status_code == 400
    cell = half.text[half.text.index('name="rule_period_0"'):]
    assert "À remplir : les jours, les heures et la période de la plage." in cell[:400]
    bad_hours = post(client, CUSTOM | {"rule_hours_0": "25:00-02:00"})
    assert bad_hours.status_code == 400
    cell = bad_hours.text[bad_hours.text.index('name="rule_hours_0"'):]
    assert '<span class="problem">' in cell[:400]
    bad_price = post(client, CUSTOM | {"period_price_1": "gratuit"})
    cell = bad_price.text[bad_price.text.index('name="period_price_1"'):]
    assert bad_price.status_code == 400 and "« gratuit » n&#39;est pas un prix" in cell[:400]
    with engine.connect() as conn:
        assert pricing_store.user_offers(conn) == []
