"""The offer ranking after the demo's sync: every demo PDL ranks the simulated gateway's catalog at its power with
its current offer marked, on the page and in the API; and October 2025 of the HP/HC PDL priced for five offer types
by an independent computation in this file (stored curve points, calendars and grids read directly, the slot
arithmetic done plainly in fractions), equal to the cent to what the page and the API show.

The database holds October 2025 only (a demo sync since 1 October with the simulator's today on 1 November), so
the "last 12 months" of the ranking are that month."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from myelectricaldata import cli
from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import catalog as catalog_store
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.catalog import CatalogGrid, history_key
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services import pricing_store
from myelectricaldata.services.price_cache import PriceCache
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from myelectricaldata.web.app import create_app
from tests.support.pages import Tables
from tests.support.pricing_reference import french_cents, to_cents

TODAY, SINCE = date(2025, 11, 1), date(2025, 10, 1)
PDLS = [h.usage_point_id for h in DEMO_HOUSEHOLDS]
HCHP = "99000000000002"
CURRENT = {"99000000000001": "regulated:BASE", "99000000000002": "catalog:EDF|Zen Fixe|HC_HP|9",
           "99000000000003": "regulated:TEMPO"}


def demo_sync(folder: Path, today: date, since: date):
    """The demo's sync (data, then the catalog) as ``myelectricaldata demo --once`` runs it, from ``since`` with the
    simulator's today frozen; the app on that database, its clock at the simulator's."""
    with start_simulator(today=today) as sim:
        settings = load_settings(environ={"DATA_DIR": str(folder), "GATEWAY_URL": sim.url, "CLIENT_ID": "demo",
                                          "CLIENT_SECRET": "demo", "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"},
                                 options_file=Path("/nonexistent"))
        engine = cli.open_database(settings)
        prices: PriceCache = PriceCache()
        sync = cli.build_sync(settings, engine, clock=sim.state.now, prices=prices)
        catalog = cli.build_catalog(settings, engine, clock=sim.state.now, prices=prices)
        assert cli.run_sync(sync, catalog, since=since) == cli.EXIT_OK
        now = sim.state.now()
    return engine, create_app(settings, AppServices(engine, clock=lambda: now, prices=prices)).test_client()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    engine, client = demo_sync(tmp_path_factory.mktemp("demo"), TODAY, SINCE)
    yield engine, client
    engine.dispose()


def ranking_rows(client, pdl: str, query: str = "") -> tuple[str, list[list[str]]]:
    response = client.get(f"/simulation?pdl={pdl}{query}")
    assert response.status_code == 200, response.text
    return response.text, Tables(response.text).tables[0][1:]


@pytest.mark.parametrize("pdl", PDLS)
def test_every_demo_pdl_ranks_the_catalog_with_its_current_offer_marked(demo, pdl):
    _, client = demo
    page, rows = ranking_rows(client, pdl)
    catalog_rows = [r for r in rows if "· catalogue" in r[1]]
    assert len(catalog_rows) >= 40
    current = [r for r in rows if "offre actuelle" in r[1]]
    assert len(current) == 1 and page.count('aria-current="true"') == 1
    body = client.get(f"/api/v1/usage_points/{pdl}/simulation").get_json()
    assert body["current_offer"] == CURRENT[pdl]
    assert body["current_offer_source"] == ("gateway" if pdl == HCHP else "contract")
    listed = [o for o in body["offers"] if o["source"] == "catalog"]
    assert len(listed) >= 40 and len(listed) == len(catalog_rows)
    assert all(o["provider"] and o["type"] and o["kva"] in (body["kva"], None) for o in listed)
    assert all(isinstance(o["total"], float) and o["total"] > 0 for o in body["offers"])
    assert {o["type"] for o in listed} >= {"BASE", "HC_HP", "TEMPO", "ZEN_FLEX", "SEASONAL", "HC_NUIT_WEEKEND"}
    assert [o["key"] for o in body["offers"] if o["current"]] == [CURRENT[pdl]]
    ranked = [o["total"] for o in body["offers"] if o["rank"]]
    assert ranked == sorted(ranked) and [o["rank"] for o in body["offers"] if o["rank"]] == list(
        range(1, len(ranked) + 1))
    fetched = datetime.fromisoformat(body["catalog"]["fetched_at"].replace("Z", "+00:00")).astimezone(PARIS)
    assert f"Catalogue des fournisseurs mis à jour le {fetched:%d/%m/%Y %H:%M} (heure de Paris)" in page


def test_filters_by_supplier_and_type_keep_the_current_offer(demo):
    _, client = demo
    _, rows = ranking_rows(client, HCHP, "&fournisseur=Enercoop&type=SEASONAL")
    names = [r[1].split("\n")[0].strip() for r in rows]
    assert names and all("Enercoop" in r[1] and "Saisonnière" in r[1] for r in rows if "offre actuelle" not in r[1])
    assert "Zen Fixe" in names  # the current offer stays, so the difference means something
    assert {"Flexi Watt - 2 saisons", "Flexi Watt - 2 saisons Pointe"} <= set(names)


def test_one_offer_s_breakdown_and_choosing_it(demo):
    engine, client = demo
    key = "catalog:Enercoop|Flexi Watt - Nuit & Week-end|HC_NUIT_WEEKEND|9"
    page = client.get(f"/simulation/offre?{urlencode({'pdl': HCHP, 'offre': key})}")
    assert page.status_code == 200
    lines = Tables(page.text).tables[0]
    assert [r[0] for r in lines[1:-1]] == ["Heures pleines", "Heures creuses", "Abonnement"]
    api = next(o for o in client.get(f"/api/v1/usage_points/{HCHP}/simulation").get_json()["offers"]
               if o["key"] == key)
    total = sum((D(str(s["euros"])) for s in api["breakdown"]["slots"]), D(0))
    assert abs(total - D(str(api["energy"]))) <= D("0.01")
    assert client.get(f"/simulation/offre?pdl={HCHP}&offre=catalog:nobody").status_code == 404
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    chosen = client.post("/simulation/choisir", data={"csrf_token": token, "pdl": HCHP, "offre": key})
    assert chosen.status_code == 302
    body = client.get(f"/api/v1/usage_points/{HCHP}/simulation").get_json()
    assert body["current_offer"] == key and body["current_offer_source"] == "choice"
    euro_page = client.get(f"/consumption_euro?pdl={HCHP}&start=2025-10-01&end=2025-10-31&view=month").text
    assert "Flexi Watt - Nuit &amp; Week-end" in euro_page and "(choisie dans les réglages)" in euro_page
    with engine.begin() as conn:  # back to the gateway's offer for the other tests
        conn.execute(m.pdl_pricing.delete())


# -- a month of the HP/HC PDL, priced by hand ---------------------------------------------------
OFFERS = {  # (supplier, offer name without kVA, kind) of five catalog offer types at 9 kVA
    "BASE": ("TotalEnergies", "Offre Essentielle", "BASE"),
    "HC_HP": ("EDF", "Zen Fixe", "HC_HP"),
    "TEMPO": ("EDF", "Tarif Bleu", "TEMPO"),
    "ZEN_FLEX": ("EDF", "Zen Week-End - Option Flex", "ZEN_FLEX"),
    "HC_NUIT_WEEKEND": ("Enercoop", "Flexi Watt - Nuit & Week-end", "HC_NUIT_WEEKEND"),
}
TYPE_WORDS = {"BASE": "Base", "HC_HP": "Heures pleines / heures creuses", "TEMPO": "Tempo", "ZEN_FLEX": "Zen Flex",
              "HC_NUIT_WEEKEND": "Nuit & week-end"}
HOLIDAYS = {date(2025, 1, 1)}  # the public holidays of the two months
MONTHS = {  # first day of the month -> what it exercises
    date(2025, 10, 1): "the 25-hour 26 October, HC windows starting at 1:30 and 12:30",
    date(2025, 1, 1): "Zen Flex Sobriété days, Tempo white and red days, 1 January (a public holiday)",
}


@pytest.fixture(scope="module", params=list(MONTHS), ids=lambda first: f"{first:%Y-%m}")
def month(request, tmp_path_factory):
    """A database holding one month (synced from its first day, the simulator's today the next month's first)."""
    first = request.param
    following = (first + timedelta(days=31)).replace(day=1)
    if first == SINCE:
        engine, client = request.getfixturevalue("demo")
        yield first, following, engine, client
        return
    engine, client = demo_sync(tmp_path_factory.mktemp("month"), following, first)
    yield first, following, engine, client
    engine.dispose()


def stored(engine):
    """The raw material, read directly: the points, Tempo colours, Zen Flex days, the five offers' grids."""
    t = m.load_curve
    with engine.connect() as conn:
        points = conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == HCHP, t.c.direction == "consumption")).all()
        colours = dict(conn.execute(sa.select(m.tempo_days.c.day, m.tempo_days.c.color)).all())
        zen = dict(conn.execute(sa.select(m.zen_flex_days.c.day, m.zen_flex_days.c.day_type)).all())
        g = m.catalog_grids
        grids = {kind: conn.execute(sa.select(g.c.valid_from, g.c.valid_to, g.c.subscription, g.c.prices).where(
            g.c.provider == who, g.c.offer == name, g.c.kind == rule, g.c.kva == 9)).all()
            for kind, (who, name, rule) in OFFERS.items()}
    return points, colours, zen, grids


def grid_on(rows, day: date) -> tuple[Fraction, dict[str, Fraction]]:
    """The grid in force on ``day``: the latest starting on or before it that has not ended."""
    _, _, subscription, prices = max((r for r in rows if r.valid_from <= day and (
        r.valid_to is None or day < r.valid_to)), key=lambda r: r.valid_from)
    return Fraction(subscription), {field: Fraction(p) for field, p in json.loads(prices).items()}


def slot(kind: str, local: datetime, colours, zen, prices) -> Fraction:
    """The price of a point starting at ``local`` (Paris wall clock) under the offer's rule."""
    minute = local.hour * 60 + local.minute
    if kind == "BASE":
        return prices["base_price"]
    if kind == "HC_HP":  # the contract's windows: HC (1H30-8H00;12H30-14H00)
        return prices["hc_price" if 90 <= minute < 480 or 750 <= minute < 840 else "hp_price"]
    if kind == "TEMPO":  # the colour of the Tempo day running from 06:00; HC 22:00-06:00; unknown: blue
        colour = colours.get((local - timedelta(hours=6)).date(), "BLUE").lower()
        return prices[f"tempo_{colour}_{'hc' if minute < 360 or minute >= 1320 else 'hp'}"]
    if kind == "ZEN_FLEX":  # the Paris day's type; HC 20:00-08:00 and 13:00-18:00; Sobriété: the higher HP
        season = "winter" if prices["hp_price_winter"] > prices["hp_price_summer"] else "summer"
        other = "summer" if season == "winter" else "winter"
        day_type = zen.get(local.date(), "SOBRIETE")  # unknown: Sobriété
        chosen = season if day_type == "SOBRIETE" else other  # Bonus at Éco prices
        offpeak = minute < 480 or 780 <= minute < 1080 or minute >= 1200
        return prices[f"{'hc' if offpeak else 'hp'}_price_{chosen}"]
    # HC_NUIT_WEEKEND: 23:00-06:00 on working days, the whole weekend and public holidays
    offpeak = local.weekday() >= 5 or local.date() in HOLIDAYS or minute < 360 or minute >= 1380
    return prices["hc_price" if offpeak else "hp_price"]


def by_hand(engine, first: date, following: date) -> dict[str, Fraction]:
    points, colours, zen, grids = stored(engine)
    days = [first + timedelta(days=n) for n in range((following - first).days)]
    totals = {}
    for kind, rows in grids.items():
        total = Fraction(0)
        for start, minutes, watts in points:
            local = datetime.fromtimestamp(start, PARIS)
            _, prices = grid_on(rows, local.date())
            total += Fraction(watts * minutes, 60_000) * slot(kind, local, colours, zen, prices)
        for day in days:  # the subscription, per day: monthly x 12 / 365
            total += grid_on(rows, day)[0] * 12 / 365
        totals[kind] = total
    return totals


def test_a_month_priced_by_hand_for_five_offer_types_equals_the_page_and_the_api(month):
    first, following, engine, client = month
    points, colours, zen, _ = stored(engine)
    if first.month == 10:  # the autumn DST day: 50 half-hours
        assert sum(datetime.fromtimestamp(p.start_utc, PARIS).date() == date(2025, 10, 26) for p in points) == 50
    else:
        assert "SOBRIETE" in {t for d, t in zen.items() if first <= d < following}
        assert {"WHITE", "RED"} <= {c for d, c in colours.items() if first <= d < following}
    expected = by_hand(engine, first, following)
    body = client.get(f"/api/v1/usage_points/{HCHP}/simulation").get_json()
    assert body["days"] == (following - first).days and body["kva"] == 9
    offers = {o["key"]: o for o in body["offers"]}
    _, rows = ranking_rows(client, HCHP)
    page = {}  # (offer name, type, kind of offer) -> the total shown
    for r in rows:
        name, _, meta = r[1].partition("\n")
        *_, type_word, badge = (part.strip() for part in meta.split("·"))
        page[name.strip(), type_word, badge] = r[2]
    for kind, (who, name, rule) in OFFERS.items():
        offer = offers[f"catalog:{who}|{name}|{rule}|9"]
        assert D(str(offer["total"])) == to_cents(expected[kind]), kind
        # the colour of the day before the first, whose Tempo day runs to 06:00 on the first, is synced too
        assert offer["unknown_calendar_days"] == 0 and offer["nearest_grid_days"] == 0, kind
        assert page[name, TYPE_WORDS[kind], "catalogue"] == french_cents(expected[kind]) + "\xa0€", kind
    tempo = client.get(f"/simulation/offre?{urlencode({'pdl': HCHP, 'offre': 'catalog:EDF|Tarif Bleu|TEMPO|9'})}")
    assert tempo.status_code == 200 and "supposé le" not in tempo.text



# -- the catalog API and the settings page ------------------------------------------------------
def test_the_offers_api_lists_the_catalog_with_its_history_and_filters(demo):
    _, client = demo
    everything = client.get("/api/v1/offers").get_json()
    assert everything["fetched_at"] and everything["last_error"] == "" and len(everything["offers"]) > 100
    body = client.get("/api/v1/offers?kva=9&provider=EDF&type=TEMPO").get_json()
    assert (body["kva"], body["provider"], body["type"]) == (9, "EDF", "TEMPO")
    (tempo,) = body["offers"]
    assert tempo["key"] == "catalog:EDF|Tarif Bleu|TEMPO|9" and tempo["still_offered"] is True
    grids = tempo["grids"]
    assert len(grids) >= 3 and [g["valid_from"] for g in grids] == sorted(g["valid_from"] for g in grids)
    assert grids[-1]["last_day"] is None and all(g["last_day"] for g in grids[:-1])
    in_force = next(g for g in grids if g["valid_from"] <= "2025-10-15" and (g["last_day"] or "9") >= "2025-10-15")
    assert in_force["prices"]["tempo_red_hp"] == 0.6468 and in_force["valid_from"] == "2025-08-01"
    zen = client.get("/api/v1/offers?type=ZEN_FLEX").get_json()["offers"]
    assert {o["kva"] for o in zen} >= {6, 9, 12} and all(o["type"] == "ZEN_FLEX" for o in zen)
    assert any("reconnue à son nom" in note for o in zen for note in o["notes"])  # the SEASONAL-typed rows


@pytest.mark.parametrize(("query", "parameter"), [("kva=7", "kva"), ("kva=six", "kva"), ("type=FLEX", "type"),
                                                  (f"provider={'x' * 101}", "provider")])
def test_the_offers_api_refuses_bad_filters(demo, query, parameter):
    _, client = demo
    response = client.get(f"/api/v1/offers?{query}")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == f"invalid_{parameter}"


def test_the_settings_page_offers_the_catalog_at_the_pdl_s_power(demo):
    engine, client = demo
    page = client.get(f"/settings/{HCHP}/pricing").text
    assert "EDF · Zen Fixe (Heures pleines / heures creuses, catalogue)" in page
    assert "(votre offre indiquée sur la passerelle MyElectricalData)" in page
    assert "Enercoop · Flexi Watt - Nuit &amp; Week-end (Nuit &amp; week-end, catalogue)" in page
    assert "ZEN_FLEX|12" not in page  # another power's offers are not listed
    key = "catalog:Enercoop|Flexi Watt - 2 saisons|SEASONAL|9"
    token = page.split('csrf_token" type="hidden" value="')[1].split('"')[0]
    saved = client.post(f"/settings/{HCHP}/pricing", data={"csrf_token": token, "pricing-offer_key": key,
                                                            "pricing-unit": "€/kWh"})
    assert saved.status_code == 302
    try:
        assert client.get(f"/api/v1/usage_points/{HCHP}/simulation").get_json()["current_offer"] == key
    finally:
        with engine.begin() as conn:
            conn.execute(m.pdl_pricing.delete())



def test_the_rules_page_states_the_choices_of_the_rule_tables(demo):
    from myelectricaldata.energy.offer_rules import ASSUMED_WHEN_UNKNOWN, ZEN_FLEX_OFFPEAK

    _, client = demo
    assert 'href="/simulation/regles"' in client.get(f"/simulation?pdl={HCHP}").text
    page = client.get("/simulation/regles").text
    assert (ASSUMED_WHEN_UNKNOWN["TEMPO"], ASSUMED_WHEN_UNKNOWN["ZEN_FLEX"]) == ("BLUE", "SOBRIETE")
    assert "supposée <strong>bleue</strong>" in page and "supposé <strong>Sobriété</strong>, jamais Éco" in page
    assert ZEN_FLEX_OFFPEAK == ((0, 480), (780, 1080), (1200, 1440)) and "20 h–8 h et 13 h–18 h" in page


def test_an_ended_offer_s_page_lists_the_days_it_could_not_price_exactly(sqlite_engine, tmp_path):
    """The household's offer named on the gateway, whose last grid ended on 10 January; Zen Flex unknown on the 15th."""
    pdl, days = "12345678901234", [date(2025, 1, d) for d in (13, 14, 15)]
    grid = CatalogGrid("zen-1", "EDF", "Zen Week-End - Option Flex - 9 kVA", "SEASONAL", 9, D("15.74"), {
        "hc_price_winter": D("0.2091"), "hp_price_winter": D("0.7253"), "hc_price_summer": D("0.1519"),
        "hp_price_summer": D("0.2091")}, date(2024, 9, 1), date(2025, 1, 11))
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, pdl, name="Maison", selected_offer_id="zen-1")
        repo.record_contract(conn, pdl, date(2025, 1, 1), {"subscribed_kva": 9, "pricing_option": "BASE"})
        for day in days:
            start, end = (epoch(t) for t in local_day_bounds(day))
            repo.store_load_curve(conn, pdl, "consumption", [CurvePoint(s, 30, 1000, day)
                                                             for s in range(start, end, 1800)])
        catalog_store.store_history(conn, {history_key(grid): (grid,)})
        catalog_store.store_zen_flex_days(conn, {days[0]: "ECO", days[1]: "SOBRIETE"})
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    now = datetime(2025, 1, 16, 12, 0, tzinfo=PARIS)
    client = create_app(settings, AppServices(sqlite_engine, clock=lambda: now)).test_client()
    _, rows = ranking_rows(client, pdl)
    (current,) = [r for r in rows if "offre actuelle" in r[1]]
    assert "N'est plus proposée." in current[-1] and "3 jour(s) sans grille de prix publiée" in current[-1]
    assert "1 jour(s) de type Zen Flex inconnu : jour Zen Flex Sobriété supposé" in current[-1]
    assert "elle n'est plus proposée" in client.get(f"/simulation?pdl={pdl}").text
    key = "catalog:EDF|Zen Week-End - Option Flex|ZEN_FLEX|9"
    page = client.get(f"/simulation/offre?{urlencode({'pdl': pdl, 'offre': key})}").text
    assert "<li>du 13/01/2025 au 15/01/2025</li>" in page
    assert "<li>jour Zen Flex Sobriété supposé le 15/01/2025</li>" in page
    assert "chiffrée avec ses derniers prix" in page and "Choisir cette offre" not in page  # already the current one
    grids = Tables(page).tables[-1]
    assert grids[1][:3] == ["01/09/2024", "10/01/2025", "15,74 €/mois"]


def test_ranked_on_one_year_or_the_last_12_months(sqlite_engine, tmp_path):
    """Offer A: 0.10 €/kWh in 2024, 0.25 from 2025; B: 0.20 always. 24 kWh on 31 December 2024 and 13 January 2025:
    A 8.40 € and B 9.60 € over the last 12 months, A 6.00 € and B 4.80 € in 2025."""
    pdl, days = "12345678901234", [date(2024, 12, 31), date(2025, 1, 13)]
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, pdl, name="Maison")
        repo.record_contract(conn, pdl, date(2024, 1, 1), {"subscribed_kva": 6, "pricing_option": "BASE"})
        for day in days:
            start, end = (epoch(t) for t in local_day_bounds(day))
            repo.store_load_curve(conn, pdl, "consumption", [CurvePoint(s, 30, 1000, day)
                                                             for s in range(start, end, 1800)])
        for name, prices in (("A", ("0,10", "0,25")), ("B", ("0,20", "0,20"))):
            pricing_store.save_offer(conn, {"name": name, "kind": "BASE", "versions": [
                {"valid_from": "2024-01-01", "energy": {"BASE": prices[0]}, "subscription": "0"},
                {"valid_from": "2025-01-01", "energy": {"BASE": prices[1]}, "subscription": "0"}]})
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    now = datetime(2025, 1, 16, 12, 0, tzinfo=PARIS)
    client = create_app(settings, AppServices(sqlite_engine, clock=lambda: now)).test_client()

    def ranked(query: str) -> dict[str, list[str]]:
        page, rows = ranking_rows(client, pdl, query)
        return {r[1].split("\n")[0].strip(): r for r in rows}, page

    twelve, twelve_page = ranked("")
    # 16 January 2024 -> 15 January 2025: 366 days (29 February 2024 among them), 2 of them with a load curve
    assert ">Total 12 mois (partiel : 2 j / 366)</th>" in twelve_page
    assert (twelve["A"][2], twelve["B"][2]) == ("8,40\xa0€", "9,60\xa0€") and int(twelve["A"][0]) < int(twelve["B"][0])
    year, page = ranked("&periode=2025")
    assert (year["A"][2], year["B"][2]) == ("6,00\xa0€", "4,80\xa0€") and int(year["B"][0]) < int(year["A"][0])
    assert [r[0] for r in year.values()] == [str(n) for n in range(1, len(year) + 1)]  # in the year's order
    assert ">Total 2025 (partiel : 1 j / 365)</th>" in page
    assert "Classement sur l&#39;année 2025 (partiel : 1 j / 365)" in page
    # one day of each year has a load curve: 31 December of leap 2024, 13 January 2025
    assert '2024 <span class="muted">(partiel : 1 j / 366)</span></th>' in page
    assert '2025 <span class="muted">(partiel : 1 j / 365)</span></th>' in page
    base = year["Tarif Bleu Base"]  # the current offer: the differences are against its 2025 total
    shown = {name: D(row[2].removesuffix("\xa0€").replace("\xa0", "").replace(",", ".")) for name, row in year.items()}
    assert base[3] == "offre actuelle" and shown["Tarif Bleu Base"] > D("4.80")
    assert year["B"][3] == "−" + f"{shown['Tarif Bleu Base'] - D('4.80'):.2f}".replace(".", ",") + "\xa0€"
    assert ranked("&periode=1999")[0] == twelve  # an unknown period: the last 12 months
