"""The simulation pages: the offer ranking on a synced simulator month, the power advisor, user offers by form."""

from __future__ import annotations

import html
import re
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.services import pricing_store
from myelectricaldata.services.ranking import rank
from tests.support.pages import HCHP, Tables, simulation_app, synced_hphc_month
from tests.support.pages import csrf_token as token
from tests.support.syncing import TODAY

PREFIX = "/api/hassio_ingress/TOKEN"
NBSP = "\xa0"
GOOD = {"name": "Fixe à 10 centimes", "kind": "BASE", "unit": "c€/kWh", "price_base": "10", "subscription": "0",
        "valid_from": "2024-01-01"}


def euros(amount: D) -> str:
    """The page's way of writing euros, computed here independently."""
    text = f"{amount.quantize(D('0.01')):,.2f}".replace(",", NBSP).replace(".", ",")
    return f"{text}{NBSP}€"


@pytest.fixture
def engine(sqlite_engine, tmp_path):
    return synced_hphc_month(sqlite_engine, tmp_path)


@pytest.fixture
def client(engine, tmp_path):
    return simulation_app(engine, tmp_path).test_client()


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(m.user_offers))


def ranking(client) -> list[list[str]]:
    """The ranking table's rows: rank, offer name (its second line, supplier and type, left out), total, difference,
    subscription, energy, one column per year, remarks."""
    response = client.get(f"/simulation?pdl={HCHP}")
    assert response.status_code == 200, response.text
    rows = Tables(response.text).tables[0][1:]
    return [[r[0], r[1].split("\n")[0].strip(), *r[2:]] for r in rows]


def post_offer(client, data: dict, url: str = "/simulation/offers"):
    html = client.get("/simulation/offers").text
    return client.post(url, data={"csrf_token": token(html), **data})


def energy_kwh(engine) -> D:
    """kWh consumed over the stored curve, summed from the raw points (W x minutes)."""
    t = m.load_curve
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == HCHP, t.c.direction == "consumption")).all()
    return sum((D(w) * mi for mi, w in rows), D(0)) / 60 / 1000


def test_ranking_order_and_savings(client, engine):
    rows = ranking(client)
    names = [r[1] for r in rows]
    assert names == ["Tarif Bleu Tempo", "Tarif Bleu Heures Creuses", "Tarif Bleu Base"]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    page = client.get(f"/simulation?pdl={HCHP}").text
    assert re.search(r'<tr class="current" aria-current="true">\s*<td>2</td>', page)
    results = {r.key: r for r in rank(engine, HCHP, TODAY).results}
    current = results["regulated:HPHC"]
    tempo, base = results["regulated:TEMPO"], results["regulated:BASE"]
    assert rows[0][2] == euros(tempo.last_12_months)
    assert rows[0][3] == "−" + euros(current.last_12_months - tempo.last_12_months)  # cheaper than the current one
    assert rows[1][3] == "offre actuelle"
    assert rows[2][3] == "+" + euros(base.last_12_months - current.last_12_months)
    assert rows[0][6] == euros(tempo.by_year[2025])  # one column per calendar year


def test_advisor_says_9_kva_was_the_lowest_level(client):
    page = client.get(f"/simulation?pdl={HCHP}").text
    assert "9 kVA est la plus petite puissance qui a couvert les 12 derniers mois (pic de 6,82 kVA)." in page
    assert Tables(page).tables[1][1:] == [["jusqu'à 6 kVA", "32"], ["jusqu'à 9 kVA (souscrite)", "3"]]


def test_advisor_cannot_price_a_level_without_a_known_subscription(client, engine):
    assert post_offer(client, GOOD | {"subscription": "9=15"}).status_code == 302  # nothing at 12 kVA
    with engine.begin() as conn:
        pricing_store.save_choice(conn, HCHP, "user:1", kva="12")
    text = html.unescape(client.get(f"/simulation?pdl={HCHP}").text)
    assert "9 kVA aurait suffi sur les 12 derniers mois (pic de 6,82 kVA ; 0 jour(s) à 90 % ou plus de 9 kVA), " \
           "mais aucun prix d'abonnement n'est connu pour 12 kVA avec « Fixe à 10 centimes » : " \
           "l'économie ne peut pas être chiffrée." in text


def test_advisor_prices_a_lower_level(client, engine):
    assert post_offer(client, GOOD | {"subscription": "9=15;12=18,5"}).status_code == 302
    with engine.begin() as conn:
        pricing_store.save_choice(conn, HCHP, "user:1", kva="12")
    text = html.unescape(client.get(f"/simulation?pdl={HCHP}").text)
    # (18,50 - 15,00) € per month x 12 months = 42,00 € per year
    assert "9 kVA aurait suffi sur les 12 derniers mois (pic de 6,82 kVA ; 0 jour(s) à 90 % ou plus de 9 kVA) : " \
           f"environ 42,00{NBSP}€ d'abonnement en moins par an." in text


def test_added_offer_is_ranked_with_an_independent_total(client, engine):
    response = post_offer(client, GOOD)
    assert response.status_code == 302 and count(engine) == 1
    rows = ranking(client)
    mine = next(r for r in rows if r[1] == "Fixe à 10 centimes")
    assert mine[0] == "1" and mine[2] == euros(energy_kwh(engine) * D("0.10")) and mine[4] == euros(D(0))
    listed = client.get("/simulation/offers").text
    assert "Fixe à 10 centimes" in listed and "0,1 €/kWh" in listed


def test_offer_without_subscription_is_listed_last_with_the_reason(client, engine):
    assert post_offer(client, GOOD | {"subscription": ""}).status_code == 302
    last = ranking(client)[-1]
    assert last[1] == "Fixe à 10 centimes" and last[0] == "—" and last[3] == "—"
    assert "Abonnement inconnu à 9 kVA pour 35 jour(s)" in last[-1]


def test_edit_then_delete(client, engine):
    post_offer(client, GOOD)
    (offer_id,) = [int(k) for k in re.findall(r"/simulation/offers/(\d+)\"", client.get("/simulation/offers").text)]
    form = client.get(f"/simulation/offers/{offer_id}").text
    assert 'value="0,1"' in form and 'value="Fixe à 10 centimes"' in form
    changed = GOOD | {"name": "Heures creuses maison", "kind": "HPHC", "unit": "€/kWh", "price_hp": "0,25",
                      "price_hc": "0.15", "offpeak": "23:00-07:00"}
    response = client.post(f"/simulation/offers/{offer_id}", data={"csrf_token": token(form), **changed})
    assert response.status_code == 302 and count(engine) == 1
    with engine.connect() as conn:
        offer = pricing_store.offer_by_key(conn, f"user:{offer_id}")
    assert offer.kind == "HPHC" and offer.versions[0].energy == {"HP": D("0.25"), "HC": D("0.15")}
    assert offer.offpeak == ((0, 420), (1380, 1440))
    assert any(r[1] == "Heures creuses maison" for r in ranking(client))
    listing = client.get("/simulation/offers").text
    response = client.post(f"/simulation/offers/{offer_id}/delete", data={"csrf_token": token(listing)})
    assert response.status_code == 302 and count(engine) == 0
    assert client.get(f"/simulation/offers/{offer_id}").status_code == 404


def test_deleting_an_offer_in_use_asks_for_a_confirmation_first(client, engine):
    from myelectricaldata.services import pricing_settings

    post_offer(client, GOOD)
    (offer_id,) = [int(k) for k in re.findall(r"/simulation/offers/(\d+)\"", client.get("/simulation/offers").text)]
    pricing_settings.choose_offer(engine, HCHP, f"user:{offer_id}")
    listing = client.get("/simulation/offers").text
    asked = client.post(f"/simulation/offers/{offer_id}/delete", data={"csrf_token": token(listing)})
    assert asked.status_code == 200 and count(engine) == 1  # nothing deleted yet
    assert "Supprimer l&#39;offre « Fixe à 10 centimes » ?" in asked.text and f"(PDL {HCHP})" in asked.text
    assert 'name="confirm" value="oui"' in asked.text and 'href="/simulation/offers">Annuler</a>' in asked.text
    done = client.post(f"/simulation/offers/{offer_id}/delete",
                       data={"csrf_token": token(asked.text), "confirm": "oui"})
    assert done.status_code == 302 and count(engine) == 0
    assert pricing_settings.choice(engine, HCHP).offer_key == ""


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"price_base": "-0,2"}, "price_base", "Un prix ne peut pas être négatif."),
    ({"kind": "HPHC", "price_hp": "0,2", "price_hc": "0,1", "offpeak": "25:00-06:00"}, "offpeak",
     "n'est pas une heure de la journée"),
    ({"kind": "HPHC", "price_hp": "0,2", "price_hc": "0,1", "offpeak": "le soir"}, "offpeak", "Plage illisible"),
    ({"kind": "EJP"}, "kind", "pas un choix valide"),
    ({"unit": "€/GWh"}, "unit", "pas un choix valide"),
    ({"price_base": "douze"}, "price_base", "« douze » n'est pas un prix"),
    ({"subscription": "6=12,4;neuf=15"}, "subscription", "écrivez kVA=montant"),
    ({"kind": "CUSTOM", "rules": "sam-dim | 00:00-24:00 | WE", "custom_prices": "WE = 0,1"}, "custom_prices",
     "HP : Indiquez ce prix."),
    ({"kind": "CUSTOM", "rules": "samedi | 30:00-02:00 | WE", "custom_prices": "HP = 0,2\nWE = 0,1"}, "rules",
     "Ligne 1 :"),
])
def test_bad_input_gives_field_errors_and_saves_nothing(client, engine, data, field, message):
    before = count(engine)
    response = post_offer(client, GOOD | data)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">([^<]*)<', response.text)
    assert error and message in html.unescape(error.group(1)), response.text
    assert count(engine) == before


def test_bad_edit_keeps_the_stored_offer(client, engine):
    post_offer(client, GOOD)
    form = client.get("/simulation/offers/1").text
    response = client.post("/simulation/offers/1", data={"csrf_token": token(form), **GOOD, "price_base": "-1"})
    assert response.status_code == 400 and 'id="price_base-error"' in response.text
    with engine.connect() as conn:
        assert pricing_store.offer_by_key(conn, "user:1").versions[0].energy == {"BASE": D("0.1")}


def test_a_custom_offer_with_weekday_rules(client, engine):
    data = GOOD | {"kind": "CUSTOM", "unit": "€/kWh", "rules": "sam-dim | 00:00-24:00 | WE",
                   "default_period": "HP", "custom_prices": "HP = 0,2\nWE = 0,1"}
    assert post_offer(client, data).status_code == 302
    with engine.connect() as conn:
        (offer,) = pricing_store.user_offers(conn)
    assert offer.rules[0].weekdays == {5, 6} and offer.versions[0].energy == {"HP": D("0.2"), "WE": D("0.1")}


def test_post_without_csrf_token_is_refused(client, engine):
    assert client.post("/simulation/offers", data=GOOD).status_code == 400
    post_offer(client, GOOD)
    assert client.post("/simulation/offers/1/delete").status_code == 400
    assert count(engine) == 1


def test_get_changes_nothing_and_unknown_pdl_is_404(client, engine):
    assert client.get("/simulation/offers/1").status_code == 404
    assert client.get("/simulation?pdl=12345678901234").status_code == 404
    assert count(engine) == 0


def test_ingress_prefix_in_links_and_form_actions(client):
    post_offer(client, GOOD)
    headers = {"X-Ingress-Path": PREFIX}
    for url in ("/simulation", "/simulation/offers", "/simulation/offers/1"):
        page = client.get(url, headers=headers).text
        urls = [u for u in Tables(page).urls if u.startswith("/")]
        assert urls and all(u.startswith(PREFIX) for u in urls), (url, urls)
        assert re.search(rf'<form [^>]*action="{PREFIX}/simulation', page)
