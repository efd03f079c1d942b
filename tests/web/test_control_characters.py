"""Control characters (NUL first) are refused at every form field and by the services that store text, on the
three databases: a French message next to the field, nothing stored, never a 500."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.exporters.schema import ConfigField, validate
from myelectricaldata.services import balance, preferences, pricing_settings
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.preferences import PdlPreferences
from myelectricaldata.web.app import create_app

PDL = "11111111111111"
OFFER = {"name": "Fixe", "kind": "BASE", "unit": "c€/kWh", "price_base": "10", "subscription": "0",
         "valid_from": "2024-01-01"}
REFUSED = "Caractère de contrôle refusé (U+0000)"


@pytest.fixture
def client(engine, tmp_path):
    with engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    return create_app(settings, AppServices(engine)).test_client()


def token(html: str, prefix: str = "") -> str:
    return re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def offers(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(m.user_offers))


@pytest.mark.parametrize("bad", ["Fixe\x00", "Fixe\x07", "Fixe\x1b[2J", "Fixe\x7f", "Fixe\u0085", "Fi\nxe"])
def test_an_offer_name_with_a_control_character_is_a_field_error(client, engine, bad):
    html = client.get("/simulation/offers").text
    response = client.post("/simulation/offers", data={"csrf_token": token(html), **OFFER, "name": bad})
    assert response.status_code == 400
    code = f"U+{ord(next(c for c in bad if c not in 'Fixe')):04X}"
    assert f'id="name-error">Caractère de contrôle refusé ({code})' in response.text
    assert offers(engine) == 0


def test_a_multi_line_field_keeps_its_line_breaks_but_not_a_nul(client, engine):
    html = client.get("/simulation/offers").text
    custom = {**OFFER, "kind": "CUSTOM", "rules": "lun-ven | 22:00-06:00 | HC\r\nsam,dim | 00:00-24:00 | HC",
              "default_period": "HP", "custom_prices": "HP = 20\nHC = 15"}
    refused = client.post("/simulation/offers", data={"csrf_token": token(html), **custom,
                                                      "custom_prices": "HP = 20\x00\nHC = 15"})
    assert refused.status_code == 400 and REFUSED in refused.text and offers(engine) == 0
    saved = client.post("/simulation/offers", data={"csrf_token": token(html), **custom})
    assert saved.status_code == 302 and offers(engine) == 1


def test_preferences_and_password_forms_refuse_a_nul(client, engine):
    html = client.get("/settings").text
    response = client.post(f"/settings/{PDL}", data={f"p{PDL}-csrf_token": token(html, f"p{PDL}-"),
                                                    f"p{PDL}-display_name": "Chez\x00moi", f"p{PDL}-enabled": "y",
                                                    f"p{PDL}-datasets": "consumption_daily"})
    assert response.status_code == 400 and REFUSED in response.text
    assert preferences.load(engine, PDL).display_name == ""
    password = client.post("/settings/password", data={"csrf_token": token(html), "password": "abc\x00defgh",
                                                       "confirm": "abc\x00defgh"})
    assert password.status_code == 400 and REFUSED in password.text


def test_the_services_refuse_a_nul_themselves(engine):
    with pytest.raises(FieldError) as offer:
        pricing_settings.save_offer(engine, {"name": "Fixe\x00", "kind": "BASE", "unit": "€/kWh",
                                             "versions": [{"from": "2024-01-01", "energy": {"BASE": "0.2"}}]})
    assert offer.value.errors == {"name": "Caractère de contrôle refusé (U+0000) : retirez-le."}
    with pytest.raises(FieldError) as prefs:
        preferences.save(engine, PdlPreferences(PDL, "Chez\x00moi"))
    assert list(prefs.value.errors) == ["display_name"]
    with pytest.raises(FieldError) as choice:
        pricing_settings.save_choice(engine, PDL, overrides={2: "22:00-06:00\x00"})
    assert list(choice.value.errors) == ["offpeak_2"]
    with pytest.raises(FieldError) as sensor:
        balance.save_sensor(engine, PDL, "sensor.solar\x00")
    assert list(sensor.value.errors) == ["sensor"]
    assert offers(engine) == 0
    with engine.connect() as conn:
        assert repo.get_state(conn, balance.sensor_key(PDL)) is None


def test_an_exporter_config_refuses_a_nul():
    _, errors = validate((ConfigField("host", "Hôte"), ConfigField("mode", type="choice", choices=("a", "b"))),
                         {"host": "broker\x00.lan", "mode": "a"})
    assert errors == {"host": "Caractère de contrôle refusé (U+0000) : retirez-le."}
