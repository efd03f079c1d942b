"""The exporters page in Chromium behind the ingress: MQTT against the local Mosquitto, and its refusals."""

from __future__ import annotations

import json
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.browser import Ingress, LiveApp, visit
from tests.support.required import needs_broker

BROKER, BROKER_PORT = "127.0.0.1", 1883
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TAB = "/exporters?tab=mqtt"
PREVIOUS_PORT = "1884"
WAIT_S = 10


pytestmark = [pytest.mark.slow, needs_broker]


def retained(prefix: str) -> dict[str, str]:
    """The retained messages under ``prefix``, complete once a marker published after subscribing comes back."""
    marker = f"{prefix}/_marker/{uuid.uuid4().hex}"
    got: dict[str, str] = {}
    subscribed, done = threading.Event(), threading.Event()

    def on_message(client, userdata, msg) -> None:
        if msg.topic == marker:
            done.set()
        elif msg.retain:
            got[msg.topic] = msg.payload.decode()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"medtest-reader-{uuid.uuid4().hex[:8]}")
    client.on_message = on_message
    client.on_subscribe = lambda *args: subscribed.set()
    client.connect(BROKER, BROKER_PORT)
    client.loop_start()
    try:
        client.subscribe(f"{prefix}/#", qos=1)
        assert subscribed.wait(WAIT_S), f"the broker did not acknowledge the subscription to {prefix}/#"
        client.publish(marker, b"x", qos=1).wait_for_publish(WAIT_S)
        assert done.wait(WAIT_S), f"the marker {marker} did not come back from the broker"
    finally:
        client.disconnect()
        client.loop_stop()
    return got


def clear_retained(prefix: str) -> None:
    """Publish an empty retained payload to every retained topic under ``prefix``, then check none is left."""
    topics = retained(prefix)
    if topics:
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"medtest-cleaner-{uuid.uuid4().hex[:8]}")
        client.connect(BROKER, BROKER_PORT)
        client.loop_start()
        try:
            for topic in topics:
                client.publish(topic, b"", qos=1, retain=True).wait_for_publish(WAIT_S)
        finally:
            client.disconnect()
            client.loop_stop()
    left = retained(prefix)
    assert not left, f"retained topics left under {prefix}: {sorted(left)[:10]}"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"exporters-mqtt-{name}.png"), full_page=True)


def card(page):
    return page.locator("#exporter-mqtt")


def fact(page, name: str):
    """The value (``dd``) of a line of the exporter's status list."""
    return card(page).locator(f"xpath=.//dl[contains(@class, 'facts')]/dt[normalize-space()='{name}']"
                              "/following-sibling::dd[1]")


def open_mqtt_tab(page, ingress: Ingress) -> None:
    """From the dashboard: the "Exportateurs" entry of the menu, then the MQTT tab."""
    from playwright.sync_api import expect

    visit(page, ingress.base + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Exportateurs",
                                                                         exact=True).click()
    expect(page).to_have_url(ingress.base + "/exporters")
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportateurs")
    tab = page.get_by_role("navigation", name="Exportateurs").get_by_role("link", name="MQTT", exact=True)
    tab.click()
    expect(page).to_have_url(ingress.base + TAB)
    expect(tab).to_have_attribute("aria-current", "true")
    expect(card(page).get_by_role("heading", level=2)).to_have_text("MQTT")


def fill_broker(page, port: str, prefix: str) -> None:
    form = card(page)
    form.get_by_label("Serveur MQTT (broker)", exact=True).fill(BROKER)
    form.get_by_label("Port", exact=True).fill(port)
    form.get_by_label("Préfixe des topics", exact=True).fill(prefix)


def save(page, ingress: Ingress, enabled: bool) -> None:
    """Tick or untick "Activé", click "Enregistrer" and wait for the confirmation naming that state."""
    from playwright.sync_api import expect

    card(page).get_by_label("Activé", exact=True).set_checked(enabled)
    card(page).get_by_role("button", name="Enregistrer", exact=True).click()
    state = "activé" if enabled else "désactivé"
    expect(page.locator(".flash.info")).to_have_text(
        re.compile(rf"^Réglages de l'exportateur MQTT enregistrés \({state}\) : "))
    expect(page).to_have_url(ingress.base + TAB + ("&active=1" if enabled else ""))


def problems(page, allowed: tuple[str, ...] = ()) -> list[str]:
    return [text for text in page.watch.problems(-1) if not any(a in text for a in allowed)]


@pytest.fixture
def prefix(page, ingress: Ingress) -> Iterator[str]:
    """A topic prefix of this test; afterwards the exporter is disabled from the page and the prefix cleared."""
    name = f"medtest_{uuid.uuid4().hex[:10]}"
    yield name
    try:
        visit(page, ingress.base + TAB)
        if card(page).get_by_label("Activé", exact=True).is_checked():
            save(page, ingress, enabled=False)
    finally:
        clear_retained(name)


def test_mqtt_set_up_tested_saved_and_exported(ingress: Ingress, live_app: LiveApp, page, prefix: str):
    """Menu, MQTT tab, connection test, save enabled, "Exporter maintenant": status and retained topics follow."""
    from playwright.sync_api import expect

    open_mqtt_tab(page, ingress)
    fill_broker(page, str(BROKER_PORT), prefix)
    card(page).get_by_role("button", name="Tester la connexion", exact=True).click()
    result = page.locator("#test-result")
    expect(result).to_contain_text(f"Test de la connexion : réussi — Connecté au broker MQTT "
                                   f"{BROKER}:{BROKER_PORT}")
    expect(result).to_have_class(re.compile(r"\binfo\b"))
    shot(page, "test-ok")
    expect(fact(page, "Activé")).to_have_text("non")
    expect(card(page).get_by_role("button", name="Exporter maintenant", exact=True)).to_be_disabled()

    live_app.wait_sync_idle()  # a sync ending after the save would export everything before "Exporter maintenant"
    save(page, ingress, enabled=True)
    form = card(page)
    expect(form.get_by_label("Serveur MQTT (broker)", exact=True)).to_have_value(BROKER)
    expect(form.get_by_label("Port", exact=True)).to_have_value(str(BROKER_PORT))
    expect(form.get_by_label("Préfixe des topics", exact=True)).to_have_value(prefix)
    expect(form.get_by_label("Activé", exact=True)).to_be_checked()
    expect(fact(page, "Activé")).to_have_text("oui")
    offer = page.locator("#export-now-offer")  # right after enabling, the page offers to export now
    expect(offer).to_contain_text("MQTT est activé. Il envoie après chaque synchronisation")
    export_now = offer.get_by_role("button", name="Exporter maintenant", exact=True)
    expect(export_now).to_be_enabled()

    export_now.click()
    expect(page.locator(".flash.info")).to_have_text(re.compile(r"^Export terminé : [1-9]\d* élément\(s\) "
                                                                r"envoyé\(s\)"))
    expect(page.locator(".flash.error")).to_have_count(0)
    expect(fact(page, "Dernier export")).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$"))
    expect(fact(page, "Éléments envoyés")).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(fact(page, "Dernière erreur")).to_have_text("aucune")
    expect(fact(page, "Prochain essai")).to_have_text("—")
    shot(page, "exported")
    items_sent = int(fact(page, "Éléments envoyés").inner_text())
    flashed = re.search(r"(\d+) élément", page.locator(".flash.info").inner_text())
    assert flashed and int(flashed.group(1)) == items_sent, "the message and the status disagree on items sent"

    topics = retained(prefix)
    assert topics.get(f"{prefix}/status") == "online", f"{prefix}/status: {topics.get(f'{prefix}/status')!r}"
    yesterdays = {pdl: topics.get(f"{prefix}/{pdl}/consumption/yesterday") for pdl in live_app.pdls}
    assert any(yesterdays.values()), f"no consumption/yesterday for {live_app.pdls}; topics: {sorted(topics)[:20]}"
    for pdl, payload in yesterdays.items():
        if payload:
            body = json.loads(payload)
            assert body["pdl"] == pdl and body["unit"] == "Wh" and body["value"] > 0, f"{pdl}: {payload}"
    published = [t for t in topics if t != f"{prefix}/status"]
    assert len(published) == items_sent, f"{len(published)} retained topics for {items_sent} items sent"
    assert not problems(page), "\n  ".join(["in the page:", *problems(page)])


def save_previous(page, ingress: Ingress, prefix: str) -> None:
    """Store the settings a refused attempt must leave in place: a port other than the default, disabled."""
    open_mqtt_tab(page, ingress)
    fill_broker(page, PREVIOUS_PORT, prefix)
    save(page, ingress, enabled=False)


def expect_previous(page, ingress: Ingress, prefix: str) -> None:
    """Reopened, the tab shows the stored settings, not what was typed before."""
    from playwright.sync_api import expect

    visit(page, ingress.base + TAB)
    form = card(page)
    expect(form.get_by_label("Port", exact=True)).to_have_value(PREVIOUS_PORT)
    expect(form.get_by_label("Serveur MQTT (broker)", exact=True)).to_have_value(BROKER)
    expect(form.get_by_label("Préfixe des topics", exact=True)).to_have_value(prefix)
    expect(form.get_by_label("Activé", exact=True)).not_to_be_checked()


def test_mqtt_connection_test_on_a_closed_port_names_it(ingress: Ingress, page, prefix: str):
    """"Tester la connexion" on a closed local port says it failed, naming host:port, and stores nothing."""
    from playwright.sync_api import expect

    save_previous(page, ingress, prefix)
    with socket.socket() as closed:
        closed.bind((BROKER, 0))  # bound, never listening: connections are refused
        closed_port = closed.getsockname()[1]
        card(page).get_by_label("Port", exact=True).fill(str(closed_port))
        card(page).get_by_role("button", name="Tester la connexion", exact=True).click()
        result = page.locator("#test-result")
        expect(result).to_contain_text("Test de la connexion : échec")
        expect(result).to_contain_text(f"{BROKER}:{closed_port}")
        expect(result).to_contain_text(re.compile(r"refused|refusée"))
        expect(result).to_contain_text("rien n'a été enregistré")
        expect(result).to_have_class(re.compile(r"\berror\b"))
        shot(page, "test-refused")
    expect_previous(page, ingress, prefix)
    expect(page.locator("#test-result")).to_have_count(0)
    assert not problems(page), "\n  ".join(["in the page:", *problems(page)])


@pytest.mark.parametrize("value", ["1e5", "70000", "0"])
def test_mqtt_invalid_port_is_refused_at_the_field(ingress: Ingress, page, prefix: str, value: str):
    """Saving an invalid port answers 400 with the error beside the port field, and the stored settings stay."""
    from playwright.sync_api import expect

    save_previous(page, ingress, prefix)
    port_input = card(page).get_by_label("Port", exact=True)
    port_input.fill(value)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        card(page).get_by_role("button", name="Enregistrer", exact=True).click()
    assert answer.value.status == 400, f"saving port {value}: HTTP {answer.value.status}"
    error = page.locator("#cfg_port-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile(r"entier valide" if value == "1e5" else r"Valeur de 1 à 65535 attendue"))
    expect(port_input).to_have_attribute("aria-invalid", "true")
    expect(port_input).to_have_attribute("aria-describedby", "cfg_port-error")
    expect(port_input).to_have_value(value)
    expect(page.locator(".flash.info")).to_have_count(0)
    shot(page, f"invalid-port-{value}")
    expect_previous(page, ingress, prefix)
    unexpected = problems(page, allowed=("HTTP 400: POST", "status of 400 (BAD REQUEST)"))
    assert not unexpected, "\n  ".join(["in the page:", *unexpected])
