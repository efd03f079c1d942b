"""The /bilan page on a database synced from the simulator's PV PDL: import, injection, net, revenue, estimates."""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from fractions import Fraction
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata import supervisor
from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.gateway import parse
from myelectricaldata.services import balance
from myelectricaldata.services.pricing_store import save_choice
from myelectricaldata.web.app import create_app
from tests.support.fakes.core_history import ENTITY, TOKEN, fake_supervisor, ha_entities
from tests.support.pages import Tables
from tests.support.pages import csrf_token as token
from tests.support.syncing import synced_sqlite

PV, BASE = "99000000000003", "99000000000001"
NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PREFIX = "/api/hassio_ingress/TOKEN"
DAYS = "start=2025-10-01&end=2025-10-02"


@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("balance")
    with synced_sqlite(tmp, [PV, BASE], date(2025, 9, 20)) as engine:
        yield engine, tmp


@pytest.fixture
def engine(synced):
    engine, _ = synced
    with engine.begin() as conn:  # each test starts without a kWc, a buy-back price or a linked PDL
        conn.execute(m.app_state.delete().where(sa.or_(m.app_state.c.key.like("balance_kwc:%"),
                                                       m.app_state.c.key.like("balance_sensor:%"))))
        conn.execute(m.pdl_pricing.delete())
        conn.execute(m.usage_points.update().values(linked_production_pdl_id=""))
    return engine


@pytest.fixture
def app(synced, engine):
    settings = load_settings(environ={"DATA_DIR": str(synced[1])}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine, clock=lambda: NOON))


@pytest.fixture
def client(app):
    return app.test_client()


def daily_wh(engine, pdl: str, direction: str, day: date) -> int:
    t = m.daily_energy
    with engine.connect() as conn:
        return conn.scalar(sa.select(t.c.wh).where(t.c.usage_point_id == pdl, t.c.direction == direction,
                                                   t.c.day == day))


def french(value: float, decimals: int = 1) -> str:
    """As the page writes it: kWh with one decimal (docs/words.md), halves rounded up; other decimals on demand."""
    rounded = D(repr(value)).quantize(D(1).scaleb(-decimals), ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}".replace(",", "\xa0").replace(".", ",")


def table(client, url: str, status: int = 200) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == status, response.text
    return Tables(response.text).tables[0]


def test_import_injection_and_net_per_day(client, engine):
    rows = table(client, f"/bilan?pdl={PV}&{DAYS}")
    assert rows[0] == ["Période", "Soutirage (kWh)", "Injection (kWh)", "Bilan net (kWh)"]
    total_import = total_injection = 0
    for row, day in zip(rows[1:3], (date(2025, 10, 1), date(2025, 10, 2)), strict=True):
        imp, inj = daily_wh(engine, PV, "consumption", day), daily_wh(engine, PV, "production", day)
        assert imp > 0 and inj > 0
        total_import, total_injection = total_import + imp, total_injection + inj
        assert row == [f"{day:%d/%m/%Y}", french(imp / 1000), french(inj / 1000), french((imp - inj) / 1000)]
    assert rows[3] == ["Total", french(total_import / 1000), french(total_injection / 1000),
                       french((total_import - total_injection) / 1000)]


def test_month_view_sums_the_days(client, engine):
    rows = table(client, f"/bilan?pdl={PV}&start=2025-10-01&end=2025-10-31&view=month")
    imp = sum(daily_wh(engine, PV, "consumption", date(2025, 10, d)) for d in range(1, 32))
    inj = sum(daily_wh(engine, PV, "production", date(2025, 10, d)) for d in range(1, 32))
    assert rows[1] == ["octobre 2025", french(imp / 1000), french(inj / 1000), french((imp - inj) / 1000)]


def test_revenue_at_the_buyback_price(client, engine):
    page = client.get(f"/bilan?pdl={PV}&{DAYS}").text
    assert "Aucun prix de rachat réglé" in page
    with engine.begin() as conn:
        save_choice(conn, PV, buyback="0,1300")
    rows = table(client, f"/bilan?pdl={PV}&{DAYS}")
    assert rows[0][-1] == "Revenu de la production (€)"
    inj = daily_wh(engine, PV, "production", date(2025, 10, 1))
    # revenue = injected kWh x 0.13 EUR/kWh, rounded to the cent at display
    assert rows[1][-1] == french(float((D(inj) / 1000 * D("0.13")).quantize(D("0.01"))), 2)


def test_kwc_estimate_arithmetic(client, engine):
    html = client.get(f"/bilan?pdl={PV}").text
    done = client.post(f"/bilan/settings/{PV}", data={"csrf_token": token(html), "kwc": "3,5"})
    assert done.status_code == 302
    rows = table(client, f"/bilan?pdl={PV}&{DAYS}")
    assert rows[0][-3:] == ["Production totale estimée (kWh)", "Autoconsommation estimée (kWh)",
                            "Autosuffisance estimée (%)"]
    day = date(2025, 10, 1)
    imp, inj = daily_wh(engine, PV, "consumption", day), daily_wh(engine, PV, "production", day)
    # October yield 80 kWh/kWc over 31 days: 3.5 x 80 / 31 = 9.032258... kWh = 9032.258 Wh
    estimate = Fraction(35, 10) * 80 * 1000 / 31
    assert french(float(estimate) / 1000) == "9,0"  # 9,032 kWh
    own = max(estimate - inj, Fraction(0))  # self-consumption = estimate - injection, floored at 0
    share = own / (own + imp) * 100  # self-sufficiency = self-consumption / (self-consumption + import)
    assert rows[1][-3:] == ["9,0", french(float(own) / 1000), french(float(share), 1)]
    month = table(client, f"/bilan?pdl={PV}&start=2025-10-01&end=2025-10-31&view=month")[1]
    assert month[0] == "octobre 2025" and month[4] == french(3.5 * 80)  # a whole month: kWc x the month's yield
    assert "Autosuffisance estimée = autoconsommation ÷ (autoconsommation + soutirage)" in client.get(
        f"/bilan?pdl={PV}").text


@pytest.mark.parametrize("bad", ["0", "-2", "37", "trois", "3,5,1", "nan"])
def test_bad_kwc_is_refused_and_nothing_saved(client, engine, bad):
    html = client.get(f"/bilan?pdl={PV}").text
    response = client.post(f"/bilan/settings/{PV}", data={"csrf_token": token(html), "kwc": bad})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and 'id="kwc-error"' in response.text
    with engine.connect() as conn:
        assert repo.get_state(conn, balance.kwc_key(PV)) is None


def test_a_post_without_csrf_is_refused(client, engine):
    assert client.post(f"/bilan/settings/{PV}", data={"kwc": "3"}).status_code == 400
    with engine.connect() as conn:
        assert repo.get_state(conn, balance.kwc_key(PV)) is None


def test_unknown_pdl_and_bad_dates(client):
    assert client.get("/bilan?pdl=12345678901234").status_code == 404
    assert client.get(f"/bilan?pdl={BASE}").status_code == 404  # consumption only, nothing linked
    html = client.get(f"/bilan?pdl={PV}").text
    assert client.post("/bilan/settings/12345678901234", data={"csrf_token": token(html), "kwc": "3"}
                       ).status_code == 404
    bad = client.get(f"/bilan?pdl={PV}&start=2025-13-01")
    assert bad.status_code == 400 and "Date de début (start) invalide" in bad.text
    reversed_ = client.get(f"/bilan?pdl={PV}&start=2025-10-05&end=2025-10-01")
    assert reversed_.status_code == 400 and "date de fin (end)" in reversed_.text
    assert client.get(f"/bilan?pdl={PV}&view=year").status_code == 400


def test_long_ranges_are_capped_with_a_note(client):
    page = client.get(f"/bilan?pdl={PV}&start=2020-01-01&end=2025-11-04").text
    assert "Période limitée aux 366 derniers jours" in page


def test_linked_production_pdl_is_on_the_consumption_balance(client, engine):
    with engine.begin() as conn:
        repo.save_usage_point(conn, BASE, linked_production_pdl_id=PV)
    rows = table(client, f"/bilan?pdl={BASE}&{DAYS}")
    day = date(2025, 10, 1)
    imp, inj = daily_wh(engine, BASE, "consumption", day), daily_wh(engine, PV, "production", day)
    assert rows[1] == [f"{day:%d/%m/%Y}", french(imp / 1000), french(inj / 1000), french((imp - inj) / 1000)]


def test_gateway_linked_production_pdl_is_parsed():
    payload = [{"usage_point_id": BASE, "linked_production_pdl_id": PV},
               {"usage_point_id": PV, "linked_production_pdl_id": None}]
    assert [p.linked_production_pdl_id for p in parse.parse_usage_points(payload)] == [PV, ""]


def test_links_and_form_keep_the_ingress_prefix(client):
    response = client.get(f"/bilan?pdl={PV}&{DAYS}", headers={"X-Ingress-Path": PREFIX})
    local = [u for u in Tables(response.text).urls if u.startswith("/")]
    assert local and all(u.startswith(PREFIX + "/") for u in local), local
    assert f'action="{PREFIX}/bilan/settings/{PV}"' in response.text
    assert f'action="{PREFIX}/bilan"' in response.text


@pytest.fixture
def supervised(synced, engine, monkeypatch):
    """The app as an add-on: SUPERVISOR_TOKEN set, and the Supervisor faked on 127.0.0.1 with the HA fixtures."""
    monkeypatch.setenv("SUPERVISOR_TOKEN", TOKEN)
    settings = load_settings(environ={"DATA_DIR": str(synced[1]), "SUPERVISOR_TOKEN": TOKEN},
                             options_file=Path("/nonexistent"))
    assert settings.supervised
    with fake_supervisor(ha_entities()) as ha:
        monkeypatch.setattr(supervisor, "DEFAULT_BASE_URL", ha["url"])
        yield create_app(settings, AppServices(engine, clock=lambda: NOON)).test_client()


def save(client, url: str, **data):
    html = client.get(f"/bilan?pdl={PV}").text
    return client.post(url, data={"csrf_token": token(html), **data})


def test_sensor_form_only_under_the_supervisor(client, engine):
    assert 'name="sensor"' not in client.get(f"/bilan?pdl={PV}").text
    assert save(client, f"/bilan/sensor/{PV}", sensor=ENTITY).status_code == 404
    with engine.connect() as conn:
        assert repo.get_state(conn, balance.sensor_key(PV)) is None


def test_measured_production_replaces_the_kwc_estimate(supervised, engine):
    assert 'name="sensor"' in supervised.get(f"/bilan?pdl={PV}").text
    assert save(supervised, f"/bilan/settings/{PV}", kwc="3,5").status_code == 302
    assert save(supervised, f"/bilan/sensor/{PV}", sensor=ENTITY).status_code == 302
    rows = table(supervised, f"/bilan?pdl={PV}&{DAYS}")
    assert rows[0][-3:] == ["Production totale mesurée (kWh)", "Autoconsommation (kWh)", "Autosuffisance (%)"]
    for row, day, produced in zip(rows[1:3], (date(2025, 10, 1), date(2025, 10, 2)), (8250, 6750), strict=True):
        imp, inj = daily_wh(engine, PV, "consumption", day), daily_wh(engine, PV, "production", day)
        own = max(produced - inj, 0)  # self-consumption = measured production - injection, floored at 0
        share = Fraction(own, own + imp) * 100  # self-sufficiency = self-consumption / (self-consumption + import)
        assert row[-3:] == [french(produced / 1000), french(own / 1000), french(float(share), 1)]
    page = supervised.get(f"/bilan?pdl={PV}&{DAYS}").text
    assert f"capteur Home Assistant <code>{ENTITY}</code>" in page
    assert "Autosuffisance = autoconsommation ÷ (autoconsommation + soutirage)" in page
    assert TOKEN not in page


def test_an_unreadable_sensor_falls_back_to_the_kwc_estimate(supervised, engine):
    save(supervised, f"/bilan/settings/{PV}", kwc="3,5")
    assert save(supervised, f"/bilan/sensor/{PV}", sensor="sensor.absent").status_code == 302
    response = supervised.get(f"/bilan?pdl={PV}&{DAYS}")
    assert response.status_code == 200
    text = unescape(response.text)
    assert "n'a pas pu être lue : Le capteur sensor.absent n'existe pas dans Home Assistant." in text
    assert "utilise à la place l'estimation par la puissance crête" in text
    rows = Tables(response.text).tables[0]
    assert rows[0][-3:] == ["Production totale estimée (kWh)", "Autoconsommation estimée (kWh)",
                            "Autosuffisance estimée (%)"]
    assert rows[1][-3] == "9,0"  # 9,032: 3.5 kWc x 80 kWh/kWc / 31 days


@pytest.mark.parametrize("bad", ["light.salon", "sensor.Onduleur", "sensor.", "sensor.pv total", "sensor.pv;x"])
def test_bad_sensor_id_is_refused_and_nothing_saved(supervised, engine, bad):
    response = save(supervised, f"/bilan/sensor/{PV}", sensor=bad)
    assert response.status_code == 400 and 'id="sensor-error"' in response.text
    with engine.connect() as conn:
        assert repo.get_state(conn, balance.sensor_key(PV)) is None


def test_an_empty_sensor_clears_it(supervised, engine):
    save(supervised, f"/bilan/sensor/{PV}", sensor=ENTITY)
    assert save(supervised, f"/bilan/sensor/{PV}", sensor="").status_code == 302
    assert "Production totale mesurée" not in supervised.get(f"/bilan?pdl={PV}&{DAYS}").text


def test_partial_months_grouped_series_net_total_and_csv(client, engine):
    # synced from 20 September: September holds 11 days (20 -> 30) out of 30
    url = f"/bilan?pdl={PV}&start=2025-09-01&end=2025-10-31&view=month"
    html = client.get(url).text
    rows = Tables(html).tables[0]
    assert [r[0] for r in rows[1:]] == ["septembre 2025 (partiel : 11 j / 30)", "octobre 2025", "Total"]
    assert "Données disponibles du 20/09/2025 au 31/10/2025." in html
    days = [date(2025, 9, 20) + timedelta(days=i) for i in range(42)]
    imp = sum(daily_wh(engine, PV, "consumption", d) for d in days)
    inj = sum(daily_wh(engine, PV, "production", d) for d in days)
    assert f"<strong data-key>{french((imp - inj) / 1000)} kWh</strong> de bilan net" in html
    spec = json.loads(html_lib.unescape(re.search(r"data-chart='([^']*)'", html).group(1)))
    assert spec["categories"] == ["sept. 2025 (partiel)", "oct. 2025"] and "stacked" not in spec  # grouped bars
    response = client.get(url + "&format=csv")
    assert response.headers["Content-Disposition"].endswith('-2025-09-01_2025-10-31.csv"')
    assert response.headers["Content-Disposition"].startswith('attachment; filename="bilan-')
    lines = response.data.decode("utf-8").splitlines()
    assert lines[0] == "\ufeffPériode;Soutirage (kWh);Injection (kWh);Bilan net (kWh)"
    assert lines[-1] == f"Total;{french(imp / 1000)};{french(inj / 1000)};{french((imp - inj) / 1000)}"


def test_the_net_balance_is_the_key_column_on_a_phone(client):
    html = client.get(f"/bilan?pdl={PV}&{DAYS}").text
    assert '<th scope="col" data-key>Bilan net (kWh)</th>' in html
    assert '<td data-label="Bilan net (kWh)" data-key>' in html
    assert '<td data-label="Soutirage (kWh)" class="col-aux">' in html  # shown on a wide screen, hidden on a phone
