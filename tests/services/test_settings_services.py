"""What the settings pages change through services: preferences, the balance and its settings, the UI password; and the
database check of /healthz. Refusals come as FieldError in French, naming the field, and store nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa

from myelectricaldata.database import repository as repo
from myelectricaldata.database.session import make_engine
from myelectricaldata.gateway.parse import DailyValue
from myelectricaldata.services import access, balance, preferences
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.health import database_answers
from myelectricaldata.services.preferences import PdlPreferences
from myelectricaldata.services.pricing_store import save_choice

HOME, SOLAR, PANELS = "99000000000001", "99000000000002", "99000000000003"


def test_field_error_holds_one_message_per_field():
    assert FieldError("kva", "Puissance inconnue.").errors == {"kva": "Puissance inconnue."}
    both = FieldError({"a": "Premier.", "b": "Second."})
    assert both.errors == {"a": "Premier.", "b": "Second."} and str(both) == "a: Premier.; b: Second."
    assert isinstance(both, ValueError)


def test_preferences_refused_in_french_and_nothing_stored(engine):
    with pytest.raises(FieldError) as err:
        preferences.save(engine, PdlPreferences(HOME, datasets=frozenset({"consumption_daily", "weather"})))
    assert err.value.errors == {"datasets": "Donnée inconnue : weather ; attendu parmi consumption_daily, "
                                             "consumption_load_curve, consumption_max_power, production_daily, "
                                             "production_load_curve."}
    with pytest.raises(FieldError) as err:
        preferences.save(engine, PdlPreferences(HOME, display_name="x" * 101))
    assert err.value.errors == {"display_name": "Au plus 100 caractères."}
    assert preferences.load_all(engine) == {}
    preferences.save(engine, PdlPreferences(HOME, " Maison ", False, frozenset({"consumption_daily"})))
    assert preferences.load(engine, HOME) == PdlPreferences(HOME, "Maison", False, frozenset({"consumption_daily"}))
    assert preferences.load(engine, SOLAR) == PdlPreferences(SOLAR)


def test_balance_points_and_settings(engine):
    with engine.begin() as conn:
        repo.save_usage_point(conn, HOME, name="Maison", linked_production_pdl_id=PANELS)
        repo.save_usage_point(conn, SOLAR, name="Atelier", has_production=True)
        repo.save_usage_point(conn, PANELS, name="Panneaux", has_consumption=False, has_production=True)
    points = balance.balance_points(engine)
    assert [(p.label, p.consumption, p.production, p.linked) for p in points] == [
        ("Atelier", SOLAR, SOLAR, ""), ("Maison", HOME, PANELS, PANELS), ("Panneaux", "", PANELS, "")]
    assert balance.balance_settings(engine, HOME) == balance.BalanceSettings(None, "")
    balance.save_kwc(engine, HOME, " 4,5 ")
    balance.save_sensor(engine, HOME, " sensor.onduleur ")
    assert balance.balance_settings(engine, HOME) == balance.BalanceSettings(Decimal("4.5"), "sensor.onduleur")
    for bad, message in (("trois", "« trois » n'est pas un nombre : écrivez par exemple 3 ou 4,5."),
                         ("36,5", "La puissance crête doit être supérieure à 0 et au plus 36 kWc.")):
        with pytest.raises(FieldError) as err:
            balance.save_kwc(engine, HOME, bad)
        assert err.value.errors == {"kwc": message}
    assert balance.balance_settings(engine, HOME).kwc == Decimal("4.5")
    balance.save_kwc(engine, HOME, "")
    assert balance.balance_settings(engine, HOME).kwc is None


def test_the_balance_of_a_linked_point_over_a_range(engine, monkeypatch):
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    oct1, oct2, nov1 = date(2025, 10, 1), date(2025, 10, 2), date(2025, 11, 1)
    with engine.begin() as conn:
        repo.save_usage_point(conn, HOME, linked_production_pdl_id=PANELS)
        repo.save_usage_point(conn, PANELS, has_consumption=False, has_production=True)
        repo.store_daily(conn, HOME, "consumption", [DailyValue(oct1, 5000), DailyValue(oct2, 4000),
                                                     DailyValue(nov1, 1000)])
        repo.store_daily(conn, PANELS, "production", [DailyValue(oct1, 3000), DailyValue(nov1, 500)])
        save_choice(conn, PANELS, buyback="0,10")
    [point] = [p for p in balance.balance_points(engine) if p.usage_point_id == HOME]
    balance.save_sensor(engine, HOME, "sensor.onduleur")
    days = balance.balance(engine, point, oct1, nov1)
    assert days.source == "" and days.buyback == Decimal("0.10") and days.sensor_error == ""  # the sensor left unread
    assert [(r.day, r.imported, r.injected, r.net, r.revenue) for r in days.rows] == [
        (oct1, 5000, 3000, 2000, Decimal("0.3")), (oct2, 4000, None, None, None), (nov1, 1000, 500, 500,
                                                                                   Decimal("0.05"))]
    assert (days.total.imported, days.total.injected, days.total.net) == (10_000, 3500, 2500)
    balance.save_kwc(engine, HOME, "3")
    months = balance.balance(engine, point, oct1, nov1, "month")
    assert months.source == "kwc" and [r.day for r in months.rows] == [oct1, nov1]
    # the estimate on the days with import and injection: 3 kWc x 80 kWh / 31 days in October, x 50 / 30 in November
    assert months.total.production == Fraction(3 * 80 * 1000, 31) + Fraction(3 * 50 * 1000, 30)
    unread = balance.balance(engine, point, oct1, oct1, read_sensor=True)  # no Supervisor token here
    assert unread.source == "kwc" and "SUPERVISOR_TOKEN" in unread.sensor_error


def test_the_ui_password_is_kept_hashed(engine):
    assert not access.has_password(engine) and not access.password_matches(engine, "")
    access.set_password(engine, "m0t-de-passe")
    with engine.connect() as conn:
        stored = repo.get_state(conn, access.PASSWORD_KEY)
    assert "m0t-de-passe" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert access.has_password(engine) and access.password_matches(engine, "m0t-de-passe")
    assert not access.password_matches(engine, "autre")
    access.set_password(engine, "")
    assert not access.has_password(engine) and not access.password_matches(engine, "m0t-de-passe")


def test_database_answers(sqlite_engine, tmp_path):
    assert database_answers(sqlite_engine)
    (tmp_path / "not-a-db").write_bytes(b"this is not a database file, only text" * 100)
    broken = make_engine(f"sqlite:///{tmp_path / 'not-a-db'}")
    try:
        assert not database_answers(broken)
    finally:
        broken.dispose()
    gone = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert not database_answers(gone)
