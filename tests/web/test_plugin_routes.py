"""Routes a third-party plugin adds through the ``exporter_routes`` hook, served by the app without naming it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.services.access import set_password
from myelectricaldata.web.app import create_app

NOW = datetime(2025, 11, 5, 11, 0, tzinfo=UTC)  # 12:00 in Paris
TOKEN = "d1rect-T0ken"

GREETER = '''
from myelectricaldata.exporters import BaseExporter, ConfigField, ExportResult, Route, RouteResponse, hookimpl


class Greeter(BaseExporter):
    name = "{name}"
    title = "Salutations"
    config_schema = (ConfigField("greeting", "Formule", default="bonjour"),)

    def export(self, batch):
        return ExportResult(0)


def hello(request):
    who = request.args.get("who", "?")
    text = f"{request.config['greeting']} {who}, de la part de {request.header('X-Caller')}, à {request.now:%H:%M}"
    return RouteResponse(text, 201, "text/plain; charset=utf-8", {"X-Plugin": "greeter"})


def state(request):
    return RouteResponse(b'{"ok": true}', content_type="application/json")


@hookimpl
def exporter_routes():
    return [Route("{path}", hello, exporter=Greeter, direct=True), Route("{path}/state", state)]
'''


def greeter(name: str = "greeter", path: str = "/hello") -> str:
    return GREETER.replace("{name}", name).replace("{path}", path)


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "plugins"
    path.mkdir()
    return path


@pytest.fixture
def make_app(sqlite_engine, tmp_path, folder):
    """An app on the SQLite engine whose exporter manager loads the plugin folder (no manager: ``plugins=False``)."""
    managers = []

    def build(plugins: bool = True, **environ: str):
        manager = None
        if plugins:
            manager = ExporterManager(sqlite_engine, tmp_path, folder, entry_points=False)
            managers.append(manager)
        settings = load_settings(environ={"DATA_DIR": str(tmp_path), **environ}, options_file=Path("/nonexistent"))
        app = create_app(settings, AppServices(sqlite_engine, exporters=manager, clock=lambda: NOW))
        app.config["TESTING"] = True
        return app, manager

    yield build
    for manager in managers:
        manager.close()


def test_a_plugin_route_is_served_while_its_exporter_is_enabled(make_app, folder):
    (folder / "greeter.py").write_text(greeter())
    app, manager = make_app()
    client = app.test_client()
    closed = client.get("/hello?who=Ana")
    assert (closed.status_code, closed.mimetype) == (404, "text/plain")
    assert closed.get_data(as_text=True) == ("exportateur Salutations désactivé : activez-le dans la page Exportateurs "
                                             "pour que /hello réponde\n")
    manager.save_config("greeter", {"greeting": "salut"}, enabled=True)
    served = client.get("/hello?who=Ana", headers={"x-caller": "un script"})
    assert (served.status_code, served.mimetype, served.headers["X-Plugin"]) == (201, "text/plain", "greeter")
    assert served.get_data(as_text=True) == "salut Ana, de la part de un script, à 11:00"  # the app's clock, UTC
    assert client.post("/hello").status_code == 405  # GET only


def test_a_route_bound_to_no_exporter_is_always_served(make_app, folder):
    (folder / "greeter.py").write_text(greeter())
    client = make_app()[0].test_client()
    response = client.get("/hello/state")
    assert (response.status_code, response.mimetype, response.get_json()) == (200, "application/json", {"ok": True})


def test_a_route_whose_exporter_is_not_loaded_says_so(make_app, folder):
    (folder / "greeter.py").write_text(greeter(name="mqtt"))  # the built-in MQTT exporter keeps that name
    app, manager = make_app()
    row = next(r for r in manager.plugins() if r.name == "greeter")
    assert "already used" in row.error
    refused = app.test_client().get("/hello")
    assert (refused.status_code, refused.mimetype) == (404, "text/plain")
    assert refused.get_data(as_text=True) == "exportateur Salutations non chargé : /hello n'est pas disponible\n"


def test_without_the_plugin_its_path_is_an_ordinary_missing_page(make_app, folder):
    (folder / "greeter.py").write_text(greeter())
    app, _ = make_app(plugins=False)
    client = app.test_client()
    for path in ("/hello", "/metrics"):
        missing = client.get(path)
        assert (missing.status_code, missing.mimetype) == (404, "text/html")
        assert "Page introuvable." in missing.get_data(as_text=True)


def test_a_plugin_cannot_take_a_path_of_the_app_or_of_another_plugin(make_app, folder, caplog):
    (folder / "greeter.py").write_text(greeter())
    (folder / "squatter.py").write_text(greeter(name="squatter", path="/exporters"))
    (folder / "twin.py").write_text(greeter(name="twin"))
    (folder / "crooked.py").write_text(greeter(name="crooked", path="hello-without-slash"))
    with caplog.at_level(logging.ERROR):
        app, manager = make_app()
    errors = {r.name: r.error for r in manager.plugins()}
    assert "route /hello already added by" in errors["twin"] and errors["greeter"] == ""
    assert "a path is fixed and starts with a single /" in errors["crooked"]
    assert "plugin route /exporters refused: the app already serves that path" in caplog.text
    page = app.test_client().get("/exporters")
    assert page.status_code == 200 and "Exportateurs" in page.get_data(as_text=True)
    assert [r.path for r in manager.routes()] == ["/metrics", "/hello", "/hello/state", "/exporters",
                                                  "/exporters/state"]  # the built-ins first, then the folder's


def test_the_direct_port_serves_routes_declared_direct_with_the_token(make_app, folder):
    (folder / "greeter.py").write_text(greeter())
    app, manager = make_app(DIRECT_PORT="8081", API_TOKEN=TOKEN)
    manager.save_config("greeter", {}, enabled=True)
    client = app.test_client()
    direct = {"SERVER_PORT": "8081", "REMOTE_ADDR": "192.168.1.20"}
    token = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/hello", environ_overrides=direct).status_code == 401
    served = client.get("/hello?who=Prometheus", environ_overrides=direct, headers=token)
    assert served.status_code == 201 and served.get_data(as_text=True).startswith("bonjour Prometheus")
    refused = client.get("/hello/state", environ_overrides=direct, headers=token)  # not declared direct
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    manager.save_config("greeter", {}, enabled=False)
    assert client.get("/hello", environ_overrides=direct, headers=token).status_code == 404


def test_a_ui_password_answers_401_on_plugin_routes_instead_of_the_sign_in_page(make_app, folder, sqlite_engine):
    (folder / "greeter.py").write_text(greeter())
    app, manager = make_app()
    manager.save_config("greeter", {}, enabled=True)
    set_password(sqlite_engine, "m0t-de-passe")
    client = app.test_client()
    elsewhere = {"REMOTE_ADDR": "192.168.1.20"}
    for path in ("/hello", "/hello/state"):
        refused = client.get(path, environ_base=elsewhere)
        assert refused.status_code == 401 and "Location" not in refused.headers
    assert client.get("/exporters", environ_base=elsewhere).status_code == 302  # a page: the sign-in form
    assert client.get("/hello", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 201


def test_the_guide_s_example_route_works_as_written(make_app, folder):
    guide = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text(encoding="utf-8")
    section = guide.split("### `exporter_routes()`", 1)[1]
    (folder / "status.py").write_text(section.split("```python\n", 1)[1].split("```", 1)[0])
    app, manager = make_app()
    manager.save_config("status", {"site": "chalet"}, enabled=True)
    response = app.test_client().get("/status.txt")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "chalet 11:00\n")
