"""The exporters page: one tab per exporter, forms built from config schemas, test / save / export now, modules."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.web.app import create_app

PREFIX = "/api/hassio_ingress/TOKEN"
SECRET = "s3cr3t-Token-XYZ"

PLUGIN = '''
import threading

from myelectricaldata.exporters import BaseExporter, ConfigField, ExportResult

CALLS = []
GATE = threading.Event()


class RecordingExporter(BaseExporter):
    name = "recorder"
    title = "Enregistreur"
    description = "Garde ce qu'on lui envoie"
    version = "1.2.3"
    config_schema = (
        ConfigField("host", "Hôte", required=True, default="localhost"),
        ConfigField("port", "Port", type="int", default=1883, minimum=1, maximum=65535),
        ConfigField("token", "Jeton", type="password"),
        ConfigField("mode", "Mode", type="choice", choices=("fast", "slow"), default="fast"),
    )

    def export(self, batch):
        CALLS.append(("export", dict(self.config), batch.size))
        return ExportResult(batch.size + 7, "ok")

    def test_connection(self):
        CALLS.append(("test", dict(self.config)))
        return True, "broker reached at " + self.config["host"]

    def reset(self):
        CALLS.append(("reset", dict(self.config)))
        return "3 series cleared"

    def notes(self, app_url):
        return ["Scrape " + app_url + "metrics"]

    def lookup(self):
        CALLS.append(("lookup", dict(self.config)))
        if self.config["host"] == "nowhere":
            raise ConnectionError("nowhere cannot be reached")
        return {"mode": [("fast", "Rapide (trouvé)")]}


class OtherExporter(BaseExporter):
    name = "other"
    title = "Autre"
    config_schema = (ConfigField("ratio", "Ratio", type="float", default=0.5),
                     ConfigField("verbose", "Bavard", type="bool", default=False),
                     ConfigField("timeout", "Délai d'attente (secondes)", type="float", default=30.0))

    def export(self, batch):
        return ExportResult(0)


class SlowExporter(BaseExporter):
    name = "slow"
    title = "Lent"

    def export(self, batch):
        self.report("Envoi : 5 lignes sur 20", 5, 20)
        GATE.wait(30)
        return ExportResult(20, "20 lignes envoyées")
'''


@pytest.fixture
def plugin_folder(tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "recording.py").write_text(PLUGIN)
    (folder / "broken.py").write_text("import does_not_exist_anywhere\n")
    return folder


@pytest.fixture
def manager(sqlite_engine, tmp_path, plugin_folder):
    mgr = ExporterManager(sqlite_engine, tmp_path, user_folder=plugin_folder, entry_points=False)
    yield mgr
    mgr.close()


def _plugin_module():
    return next(m for m in sys.modules.values()
                if getattr(m, "__file__", None) and Path(m.__file__).name == "recording.py" and hasattr(m, "CALLS"))


@pytest.fixture
def calls(manager):
    module = _plugin_module()
    module.CALLS.clear()
    return module.CALLS


def _build(engine, tmp_path, exporters):
    settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
    app = create_app(settings, AppServices(engine, exporters=exporters))
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(sqlite_engine, tmp_path, manager):
    return _build(sqlite_engine, tmp_path, manager)


@pytest.fixture
def client(app):
    return app.test_client()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _page(client, tab="recorder", **kw) -> str:
    response = client.get(f"/exporters?tab={tab}", **kw)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _form(html: str, **values) -> dict:
    data = {"csrf_token": _token(html), "enabled": "y", "cfg_host": "broker.lan", "cfg_port": "1884",
            "cfg_token": SECRET, "cfg_mode": "slow"}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_tabs_and_fields_from_the_schema(client):
    html = _page(client)
    assert re.search(r'<a href="/exporters\?tab=recorder" aria-current="true">Enregistreur</a>', html)
    assert re.search(r'<a href="/exporters\?tab=other">Autre</a>', html)
    assert 'name="cfg_host" type="text" value="localhost"' in html
    assert 'name="cfg_port" type="number"' in html and 'value="1883"' in html
    assert 'name="cfg_token" type="password"' in html and 'placeholder="••••"' not in html  # nothing stored yet
    assert '<select id="cfg_mode" name="cfg_mode">' in html and '<option selected value="fast">' in html
    assert 'name="enabled" type="checkbox"' in html
    assert "Tester la connexion" in html and "Enregistrer" in html and "Exporter maintenant" in html
    other = _page(client, "other")
    assert 'name="cfg_ratio"' in other and 'value="0.5"' in other
    assert re.search(r'name="cfg_timeout"[^>]*value="30"', other) and "30.0" not in other  # no trailing .0
    assert "version 1.2.3" not in html and "recorder ·" not in html  # the tab shows words, not the plugin's id
    assert 'name="cfg_verbose" type="checkbox"' in other


def test_save_stores_and_never_shows_the_secret(client, manager):
    response = client.post("/exporters/recorder", data=_form(_page(client)))
    assert response.status_code == 302 and response.headers["Location"].endswith("/exporters?tab=recorder&active=1")
    stored = manager.settings("recorder")
    assert stored.enabled is True
    assert stored.config == {"host": "broker.lan", "port": 1884, "token": SECRET, "mode": "slow"}
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "enregistrés" in html
    assert SECRET not in html
    assert 'placeholder="••••"' in html


def test_blank_password_keeps_the_stored_one(client, manager):
    client.post("/exporters/recorder", data=_form(_page(client)))
    response = client.post("/exporters/recorder", data=_form(_page(client), cfg_token="", cfg_host="other.lan"))
    assert response.status_code == 302
    assert manager.settings("recorder").config["token"] == SECRET
    assert manager.settings("recorder").config["host"] == "other.lan"


def test_invalid_int_is_a_400_at_the_field_and_nothing_is_saved(client, manager):
    response = client.post("/exporters/recorder", data=_form(_page(client), cfg_port="douze"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<span class="problem" id="cfg_port-error">([^<]+)</span>', html)
    assert error and "entier" in error.group(1)
    assert 'aria-invalid="true"' in html
    assert manager.settings("recorder").config is None
    assert SECRET not in html


def test_a_value_the_schema_refuses_is_a_400_at_its_field_in_french(client, manager):
    response = client.post("/exporters/recorder", data=_form(_page(client), cfg_port="70000"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = re.search(r'<span class="problem" id="cfg_port-error">([^<]+)</span>', html)
    assert error and error.group(1) == "Valeur de 1 à 65535 attendue."
    assert manager.settings("recorder").config is None
    assert SECRET not in html


def test_decimal_comma_is_accepted(client, manager):
    response = client.post("/exporters/other", data={"csrf_token": _token(_page(client, "other")),
                                                      "cfg_ratio": "0,25"})
    assert response.status_code == 302
    assert manager.settings("other").config == {"ratio": 0.25, "verbose": False, "timeout": 30.0}
    assert manager.settings("other").enabled is False


def test_test_button_calls_test_connection_and_saves_nothing(client, manager, calls):
    response = client.post("/exporters/recorder/test", data=_form(_page(client)))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "réussi" in html and "broker reached at broker.lan" in html
    assert calls == [("test", {"host": "broker.lan", "port": 1884, "token": SECRET, "mode": "slow"})]
    assert manager.settings("recorder").config is None
    assert SECRET not in html


def test_run_button_exports(client, manager, calls):
    client.post("/exporters/recorder", data=_form(_page(client)))
    response = client.post("/exporters/recorder/run", data={"csrf_token": _token(_page(client))})
    assert response.status_code == 302
    assert [c[0] for c in calls] == ["export"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Export terminé : 7 élément(s) envoyé(s)" in html
    status = manager.status("recorder")
    assert status.last_export_at is not None and status.items_sent == 7
    assert "<dt>Dernier export</dt><dd>jamais" not in html and "<dt>Éléments envoyés</dt><dd>7</dd>" in html


def test_reset_clears_the_target_and_the_marks_then_exports_everything(client, manager, calls):
    from myelectricaldata.exporters import store

    client.post("/exporters/recorder", data=_form(_page(client)))
    client.post("/exporters/recorder/run", data={"csrf_token": _token(_page(client))})
    with manager.engine.begin() as conn:
        store.save_marks(conn, "recorder", {"ledger": "2025-11-05T10:00:00"})
    html = _page(client)
    assert "Réinitialiser et réimporter" in html
    assert "Réinitialiser et réimporter" not in _page(client, tab="other")  # no reset() of its own
    asked = client.post("/exporters/recorder/reset", data={"csrf_token": _token(html)})
    assert asked.status_code == 200 and [c[0] for c in calls] == ["export"]  # a confirmation page, nothing reset
    assert "Réinitialiser l&#39;exportateur" in asked.text and 'name="confirm" value="oui"' in asked.text
    assert 'action="/exporters/recorder/reset"' in asked.text
    response = client.post("/exporters/recorder/reset", data={"csrf_token": _token(asked.text), "confirm": "oui"})
    assert response.status_code == 302
    assert [c[0] for c in calls] == ["export", "reset", "export"]
    with manager.engine.connect() as conn:
        assert "ledger" not in store.get_marks(conn, "recorder") or \
            store.get_marks(conn, "recorder")["ledger"] != "2025-11-05T10:00:00"
    assert "Export terminé" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_reset_needs_csrf_and_a_resettable_exporter(client, calls):
    assert client.post("/exporters/recorder/reset", data={}).status_code == 400
    assert client.post("/exporters/other/reset", data={"csrf_token": _token(_page(client)), "confirm": "oui"}
                       ).status_code == 400
    assert calls == []


def test_notes_show_on_the_tab_with_the_app_address(client):
    html = _page(client, base_url="http://homeassistant.local:8123")
    assert '<p class="note">Scrape http://homeassistant.local:8123/metrics</p>' in html
    assert "Scrape" not in _page(client, tab="other")


def test_lookup_offers_what_the_target_has_and_saves_nothing(client, manager, calls):
    html = _page(client)
    assert "Chercher dans la cible" in html and "Chercher dans la cible" not in _page(client, tab="other")
    response = client.post("/exporters/recorder/lookup", data=_form(html))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and [c[0] for c in calls] == ["lookup"]
    assert 'list="found-cfg_mode"' in page and '<option value="fast">Rapide (trouvé)</option>' in page
    assert manager.settings("recorder").config is None
    failed = client.post("/exporters/recorder/lookup", data=_form(html, cfg_host="nowhere")).get_data(as_text=True)
    assert "Recherche dans la cible : échec" in failed and "nowhere cannot be reached" in failed


def test_run_a_disabled_exporter_says_so(client, calls):
    response = client.post("/exporters/recorder/run", data={"csrf_token": _token(_page(client))},
                           follow_redirects=True)
    assert "désactivé" in response.get_data(as_text=True)
    assert calls == []


def test_modules_list_with_the_broken_plugin(client):
    html = _page(client)
    modules = html[html.index('id="modules"'):]
    assert "broken" in modules and "ModuleNotFoundError" in modules and "does_not_exist_anywhere" in modules
    assert "1.2.3" in modules and "dossier" in modules


def test_posts_without_csrf_are_refused(client, manager, calls):
    for path in ("/exporters/recorder", "/exporters/recorder/test", "/exporters/recorder/run"):
        assert client.post(path, data={"cfg_host": "x", "enabled": "y"}).status_code == 400
    assert manager.settings("recorder").config is None
    assert calls == []


def test_unknown_exporter_is_a_404(client):
    assert client.post("/exporters/nope", data={"csrf_token": _token(_page(client))}).status_code == 404


def test_get_changes_nothing(client, manager):
    _page(client)
    assert manager.settings("recorder").config is None
    assert client.get("/exporters/recorder").status_code == 405


def test_ingress_prefix_in_form_actions(client):
    html = _page(client, headers={"X-Ingress-Path": PREFIX})
    assert f'action="{PREFIX}/exporters/recorder"' in html
    assert f'formaction="{PREFIX}/exporters/recorder/test"' in html
    assert f'action="{PREFIX}/exporters/recorder/run"' in html
    assert f'href="{PREFIX}/exporters?tab=other"' in html


def test_without_a_manager_the_page_says_so(sqlite_engine, tmp_path):
    client = _build(sqlite_engine, tmp_path, None).test_client()
    response = client.get("/exporters")
    assert response.status_code == 200
    assert "pas disponibles" in response.get_data(as_text=True)
    assert client.post("/exporters/recorder/run").status_code in (400, 404)


def test_a_long_export_runs_in_the_background_with_its_progress(client, manager):
    """"Exporter maintenant" returns while the export runs; the page and its progress answer meanwhile."""
    gate = _plugin_module().GATE
    gate.clear()
    assert not manager.save_config("slow", {}, enabled=True)
    try:
        response = client.post("/exporters/slow/run", data={"csrf_token": _token(_page(client, tab="slow"))},
                               follow_redirects=True)
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "Export lancé en arrière-plan" in html
        assert 'data-sync-progress="/exporters/slow/progress"' in html
        assert client.get("/exporters/slow/progress").get_json() == {
            "running": True, "done": 5, "total": 20, "message": "Envoi : 5 lignes sur 20"}
        again = client.post("/exporters/slow/run", data={"csrf_token": _token(html)}, follow_redirects=True)
        assert "déjà en cours" in again.get_data(as_text=True)
    finally:
        gate.set()
    assert manager.wait("slow", 10)[0]
    assert client.get("/exporters/slow/progress").get_json() == {
        "running": False, "done": 5, "total": 20, "message": "Terminé : 20 lignes envoyées"}
    html = _page(client, tab="slow")
    assert "data-sync-progress" not in html and "<dt>Éléments envoyés</dt><dd>20</dd>" in html


def test_choices_show_their_labels(client):
    html = _page(client, tab="homeassistant")
    assert '<option selected value="total">Totale, avec son coût</option>' in html
    assert '<option value="slots">Par période (HP/HC, Tempo), chacune avec son coût</option>' in html
    assert '<option value="">—</option><option value="continue">Continuer ses statistiques' in html  # none chosen
