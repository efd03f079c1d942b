"""Usage points and contract versions read back as typed values, on every backend."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.services import preferences, usage_points
from myelectricaldata.services.preferences import PdlPreferences
from myelectricaldata.services.usage_points import Contract, UsagePoint, UsagePointLabel

HOME, SOLAR, TEMPO = "99000000000001", "99000000000002", "99000000000003"
BASE = {"subscribed_kva": 9, "pricing_option": "HC_HP", "offpeak_hours": "22:00-06:00",
        "distribution_tariff": "BTINFMUDT", "last_activation_date": date(2015, 3, 12)}


def seed(engine) -> None:
    with engine.begin() as conn:
        repo.save_usage_point(conn, HOME, name="Maison", pricing_option="HC_HP", street="1 rue des Lilas",
                              postal_code="75011", city="Paris", activation_date=date(2015, 3, 12))
        repo.save_usage_point(conn, SOLAR, name="", has_consumption=False, has_production=True)
        repo.save_usage_point(conn, TEMPO, name="Chalet", pricing_option="TEMPO", attention="consent needed")
        repo.record_contract(conn, HOME, date(2025, 9, 1), BASE)
        repo.record_contract(conn, HOME, date(2025, 11, 20), {**BASE, "offpeak_hours": "02:00-07:00;13:00-16:00"})
        repo.record_contract(conn, TEMPO, date(2025, 9, 1), {"subscribed_kva": 12, "pricing_option": "TEMPO"})


def test_the_typed_values_have_the_fields_of_their_tables():
    assert [f.name for f in fields(UsagePoint)] == [c.name for c in m.usage_points.columns]
    assert [f.name for f in fields(Contract)] == [c.name for c in m.contract_versions.columns]


def test_usage_points_read_back_typed(engine):
    seed(engine)
    home, solar, tempo = usage_points.usage_points(engine)
    assert (home.usage_point_id, home.name, home.has_consumption, home.has_production) == (HOME, "Maison", True, False)
    assert home.address == "1 rue des Lilas 75011 Paris" and home.activation_date == date(2015, 3, 12)
    assert (solar.has_consumption, solar.has_production, solar.address) == (False, True, "")
    assert tempo.attention == "consent needed" and tempo.is_active is True
    assert usage_points.usage_point(engine, SOLAR) == solar
    assert usage_points.usage_point(engine, "12345678901234") is None
    assert (home.label(), home.label("Chez nous"), solar.label()) == ("Maison", "Chez nous", SOLAR)


def test_the_contract_in_force_on_a_day(engine):
    seed(engine)
    history = usage_points.contracts(engine, HOME)
    assert [(c.valid_from, c.offpeak_hours) for c in history] == [
        (date(2015, 3, 12), "22:00-06:00"), (date(2025, 11, 20), "02:00-07:00;13:00-16:00")]
    assert history[0].subscribed_kva == 9 and history[0].distribution_tariff == "BTINFMUDT"

    def on(day: date) -> Contract | None:
        return usage_points.contract_on(engine, HOME, day)

    assert on(date(2025, 11, 19)).offpeak_hours == "22:00-06:00"
    assert on(date(2025, 11, 20)).offpeak_hours == "02:00-07:00;13:00-16:00"
    assert on(date(2010, 1, 1)).valid_from == date(2015, 3, 12)  # before the first version: the first one
    assert usage_points.contract_on(engine, SOLAR, date(2025, 11, 20)) is None


def test_every_usage_point_with_its_preferences_and_the_contract_of_a_day(engine):
    seed(engine)
    preferences.save(engine, PdlPreferences(TEMPO, "Montagne", enabled=False))
    home, solar, tempo = usage_points.usage_points_on(engine, date(2025, 11, 20))
    assert (home.usage_point.usage_point_id, home.preferences, home.contract.offpeak_hours) == (
        HOME, PdlPreferences(HOME), "02:00-07:00;13:00-16:00")  # the version from 20 November; default preferences
    assert (solar.usage_point.usage_point_id, solar.contract) == (SOLAR, None)
    assert (tempo.preferences.display_name, tempo.preferences.enabled, tempo.contract.subscribed_kva) == (
        "Montagne", False, 12)
    assert usage_points.usage_points_on(engine, date(2025, 11, 19))[0].contract.offpeak_hours == "22:00-06:00"


def test_labels_and_the_first_pdl_on_an_option(engine):
    seed(engine)
    preferences.save(engine, PdlPreferences(TEMPO, display_name="Au ski"))
    assert usage_points.labels(engine, "consumption") == [UsagePointLabel(TEMPO, "Au ski"),
                                                          UsagePointLabel(HOME, "Maison")]
    assert usage_points.labels(engine, "production") == [UsagePointLabel(SOLAR, SOLAR)]
    day = date(2025, 11, 5)
    assert usage_points.first_with_option(engine, [HOME, TEMPO], "TEMPO", day) == TEMPO
    assert usage_points.first_with_option(engine, [HOME, SOLAR], "TEMPO", day) is None
    assert usage_points.first_with_option(engine, [TEMPO, HOME], "HPHC", day) == HOME
