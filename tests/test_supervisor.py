"""The Home Assistant client through a fake Supervisor (a werkzeug app on 127.0.0.1) answering the Core API proxy
with the literal reply shapes kept in tests/fixtures/ha/."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D

import pytest

from myelectricaldata import supervisor
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.supervisor import SupervisorError, daily_increase, ha_daily_energy
from tests.support.fakes.core_history import ENTITY, TOKEN, fake_supervisor, ha_entities


def test_daily_energy_from_the_literal_history_reply():
    with fake_supervisor(ha_entities()) as ha:
        days = ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 2), base_url=ha["url"], token=TOKEN)
    # 1 Oct: 1000.000 -> 1000.100 -> (unavailable, skipped) -> 1004.000 -> 1008.250 = 8.250 kWh
    # 2 Oct: (unknown, skipped) 1008.250 -> 1009.000 = 0.750, reset to 0.500 counted from zero = 0.500,
    #        0.500 -> 6.000 = 5.500; total 6.750 kWh
    assert days == {date(2025, 10, 1): 8250, date(2025, 10, 2): 6750}
    history = ha["requests"][-1]
    assert history.path == "/core/api/history/period/2025-10-01T00:00:00+02:00"
    assert history.args["end_time"] == "2025-10-03T00:00:00+02:00"
    assert history.args["filter_entity_id"] == ENTITY
    assert ha["requests"][0].path == f"/core/api/states/{ENTITY}"


def test_wh_sensor_and_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("SUPERVISOR_TOKEN", TOKEN)
    with fake_supervisor(ha_entities("Wh")) as ha:
        monkeypatch.setattr(supervisor, "DEFAULT_BASE_URL", ha["url"])
        days = ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 2))
    assert days == {date(2025, 10, 1): 8, date(2025, 10, 2): 7}  # 8.25 Wh and 6.75 Wh, rounded half-even


def test_only_days_in_range_and_days_without_change_are_zero():
    paris = [datetime(2025, 10, d, h, tzinfo=PARIS) for d, h in ((1, 0), (1, 12), (3, 12), (4, 0))]
    readings = [(paris[0], D(10)), (paris[1], D(12)), (paris[2], D(15)), (paris[3], D(16))]
    # a valid state held through 2 Oct without a change: 0 Wh that day; the reading at the end bound is outside
    out = daily_increase(readings, D(1000), paris[0], paris[3])
    assert out == {date(2025, 10, 1): 2000, date(2025, 10, 2): 0, date(2025, 10, 3): 3000}


def test_a_day_only_unavailable_is_left_out():
    start, end = datetime(2025, 10, 1, tzinfo=PARIS), datetime(2025, 10, 4, tzinfo=PARIS)
    readings = [(start, D(1)), (datetime(2025, 10, 1, 20, tzinfo=PARIS), None),
                (datetime(2025, 10, 3, 9, tzinfo=PARIS), D(4))]
    assert daily_increase(readings, D(1000), start, end) == {date(2025, 10, 1): 0, date(2025, 10, 3): 3000}


def test_a_wrong_token_is_refused_without_showing_it():
    with fake_supervisor(ha_entities()) as ha, pytest.raises(SupervisorError) as err:
        ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 1), base_url=ha["url"], token="wrong-secret")
    assert "HTTP 401" in str(err.value) and ENTITY in str(err.value) and "wrong-secret" not in str(err.value)


def test_unknown_entity_bad_unit_and_bad_id():
    with fake_supervisor(ha_entities("W")) as ha:
        with pytest.raises(SupervisorError, match=r"sensor\.absent n'existe pas"):
            ha_daily_energy("sensor.absent", date(2025, 10, 1), date(2025, 10, 1), base_url=ha["url"], token=TOKEN)
        with pytest.raises(SupervisorError, match="est en « W »"):
            ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 1), base_url=ha["url"], token=TOKEN)
    with pytest.raises(SupervisorError, match="identifiant de capteur"):
        ha_daily_energy("light.salon", date(2025, 10, 1), date(2025, 10, 1), token=TOKEN)


def test_network_fault_names_the_entity_never_the_token(monkeypatch):
    with fake_supervisor({}) as ha:
        url = ha["url"]
    monkeypatch.setenv("SUPERVISOR_TOKEN", TOKEN)
    with pytest.raises(SupervisorError) as err:  # the server is shut down: connection refused
        ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 1), base_url=url)
    assert "injoignable" in str(err.value) and ENTITY in str(err.value) and TOKEN not in str(err.value)


def test_no_token_outside_the_addon(monkeypatch):
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    with pytest.raises(SupervisorError, match="SUPERVISOR_TOKEN"):
        ha_daily_energy(ENTITY, date(2025, 10, 1), date(2025, 10, 1))
