"""A real Home Assistant Core for the session, on the machine's Mosquitto, and an MQTT publisher that cleans up.

Every test that uses ``home_assistant`` runs once per Home Assistant venv (``HA_VENVS``: the oldest release the add-on
supports and the newest that installs here), the tests of one version before those of the next."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.homeassistant import HA_VENVS, HomeAssistant, HomeAssistantUnavailable, ha_python, installed_version
from tests.support.required import BROKER_HOST, BROKER_PORT, broker, unavailable

Publish = Callable[..., None]


def _venv_id(variable: str) -> str:
    """``ha2025.4.4``: the test id of a Home Assistant venv, by the version installed in it."""
    return f"ha{installed_version(os.environ.get(variable, '/none')) or '-' + variable.lower()}"


@pytest.fixture(scope="session", params=HA_VENVS, ids=_venv_id)
def home_assistant(request) -> Iterator[HomeAssistant]:
    """A started Home Assistant Core with the MQTT integration on 127.0.0.1:1883, stopped after its tests."""
    try:
        python = ha_python(request.param)
    except HomeAssistantUnavailable as exc:
        unavailable("REQUIRE_HA", f"Home Assistant cannot run: {exc}")
    broker()
    with HomeAssistant.start(BROKER_HOST, BROKER_PORT, python=python) as ha:
        yield ha


@pytest.fixture
def mqtt_publish() -> Iterator[Publish]:
    """``publish(topic, payload, retain=False)`` on the shared broker; retained topics are cleared afterwards."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"ha-tests-{uuid.uuid4().hex[:8]}")
    client.connect(BROKER_HOST, BROKER_PORT)
    client.loop_start()
    retained: set[str] = set()

    def publish(topic: str, payload: str | bytes, retain: bool = False) -> None:
        if retain:
            retained.add(topic)
        client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    try:
        yield publish
    finally:
        for topic in sorted(retained):
            client.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)
        client.disconnect()
        client.loop_stop()
