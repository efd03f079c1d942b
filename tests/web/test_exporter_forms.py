"""Exporter forms for people: fields grouped in sections (advanced folded), a mapping table filled from the lookup,
no action that does nothing (Prometheus), and after enabling an offer to export now with the next automatic export."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services.schedule import record_schedule
from myelectricaldata.services.scheduler import RETRY_HOURS
from myelectricaldata.web.app import create_app

NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
PLUGIN = '''
from myelectricaldata.exporters import BaseExporter, ConfigField, ExportResult


class MapperExporter(BaseExporter):
    name = "mapper"
    title = "Cartographe"
    config_schema = (
        ConfigField("url", "Adresse", default="http://box.lan"),
        ConfigField("key", "Clé", type="password"),
        ConfigField("label", "Étiquette"),
        ConfigField("timeout", "Délai d'attente (s)", type="int", default=10),
        ConfigField("cmd_yesterday", "Consommation hier : id de commande", type="int", help="par exemple « Hier »"),
        ConfigField("cmd_month", "Consommation du mois : id de commande", type="int", help="par exemple « Mois »"),
    )
    connection_fields = ("url", "key")
    advanced_fields = ("timeout",)
    mapping_fields = ("cmd_yesterday", "cmd_month")

    def export(self, batch):
        return ExportResult(0)

    def lookup(self):
        return {"cmd_yesterday": [("12", "Linky › Hier"), ("40", "Autre › Hier")], "cmd_month": []}
'''


@pytest.fixture
def client(sqlite_engine, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "mapper.py").write_text(PLUGIN)
    manager = ExporterManager(sqlite_engine, tmp_path, user_folder=folder, entry_points=False)
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    app = create_app(settings, AppServices(sqlite_engine, exporters=manager, clock=lambda: NOON))
    app.config["TESTING"] = True
    record_schedule(sqlite_engine, time(8, 47), RETRY_HOURS)
    yield app.test_client()
    manager.close()


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_fields_are_grouped_connection_content_and_advanced_folded_and_the_mapping_is_a_table(client):
    html = client.get("/exporters?tab=mapper").text
    connection = html.index('<h3 id="title-section-connection">Connexion</h3>')
    content = html.index('<h3 id="title-section-content">Ce qui est envoyé</h3>')
    advanced = html.index('<details class="form-section" id="section-advanced"><summary>Avancé</summary>')
    mapping = html.index('<h3 id="mapping-title">Commandes de la cible</h3>')
    assert connection < html.index('name="cfg_url"') < html.index('name="cfg_key"') < content
    assert content < html.index('name="cfg_label"') < advanced < html.index('name="cfg_timeout"') < mapping
    assert '<th scope="row"><label for="cfg_cmd_yesterday">Consommation hier</label></th>' in html
    assert html.count("<tr>") >= 2 and '<td class="muted" title="par exemple « Mois »">« Mois »</td>' in html


def test_the_lookup_fills_the_empty_rows_with_the_best_match_and_offers_the_others(client):
    page = client.get("/exporters?tab=mapper").text
    found = client.post("/exporters/mapper/lookup", data={"csrf_token": token(page), "cfg_url": "http://box.lan",
                                                          "cfg_timeout": "10", "cfg_cmd_month": "7"})
    html = found.text
    assert found.status_code == 200
    assert re.search(r'id="cfg_cmd_yesterday"[^>]*list="found-cfg_cmd_yesterday"|list="found-cfg_cmd_yesterday"'
                     r'[^>]*id="cfg_cmd_yesterday"', html)
    assert re.search(r'name="cfg_cmd_yesterday"[^>]*value="12"', html)  # the best match, not saved yet
    assert re.search(r'name="cfg_cmd_month"[^>]*value="7"', html)  # what was typed stays
    assert '<option value="40">Autre › Hier</option>' in html


def test_prometheus_shows_neither_test_nor_export_now(client):
    html = client.get("/exporters?tab=prometheus").text
    assert "Tester la connexion" not in html and "Exporter maintenant" not in html
    assert "Enregistrer" in html
    mapper = client.get("/exporters?tab=mapper").text
    assert "Tester la connexion" in mapper and "Exporter maintenant" in mapper


def test_enabling_offers_to_export_now_and_says_when_the_next_automatic_export_runs(client):
    page = client.get("/exporters?tab=mapper").text
    saved = client.post("/exporters/mapper", data={"csrf_token": token(page), "enabled": "y",
                                                   "cfg_url": "http://box.lan", "cfg_timeout": "10"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/exporters?tab=mapper&active=1")
    html = client.get(saved.headers["Location"]).text
    # at noon on 5 November, no PDL missing yesterday: the next sync is tomorrow's at 08:47 (Paris)
    assert "il envoie après chaque synchronisation, la prochaine le 06/11/2025 08:47 (heure de Paris)." in html
    offer = html[html.index('id="export-now-offer"'):]
    assert 'action="/exporters/mapper/run"' in offer[:800] and "Exporter maintenant" in offer[:800]
    assert "<dt>Prochain export automatique</dt><dd>après la synchronisation du 06/11/2025 08:47" in html
    assert 'id="export-now-offer"' not in client.get("/exporters?tab=mapper").text  # only right after enabling
