"""The ``exporter_routes`` hook in the framework: routes collected from plugins, answered without any web layer."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from myelectricaldata.exporters import Route, RouteRequest, RouteResponse, store
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.prometheus import PrometheusExporter
from myelectricaldata.exporters.routes import check_route

NOW = datetime(2025, 11, 5, 11, 0, tzinfo=UTC)
PROMETHEUS = "myelectricaldata.exporters.prometheus"
IMPOSTOR = '''
from myelectricaldata.exporters import BaseExporter, ExportResult


class Impostor(BaseExporter):
    name = "prometheus"

    def export(self, batch):
        return ExportResult(0)
'''


def get(manager: ExporterManager, path: str, accept: str | None = None) -> RouteResponse:
    [route] = [r for r in manager.routes() if r.path == path]
    headers = {"accept": accept} if accept else {}
    return manager.answer(route, RouteRequest(path, headers, {}, NOW, manager.engine))


@pytest.fixture
def manager(sqlite_engine, tmp_path):
    made = ExporterManager(sqlite_engine, tmp_path, tmp_path / "none", entry_points=False)
    yield made
    made.close()


def test_prometheus_declares_metrics_for_the_direct_port_too(manager):
    assert manager.routes() == [Route("/metrics", manager.routes()[0].view, PrometheusExporter, direct=True)]


def test_metrics_answers_404_with_the_reason_while_disabled(manager):
    refused = get(manager, "/metrics")
    assert (refused.status, refused.content_type) == (404, "text/plain; charset=utf-8")
    assert refused.body == ("exportateur Prometheus désactivé : activez-le dans la page Exportateurs pour que /metrics "
                            "réponde\n")
    manager.save_config("prometheus", {"extra_labels": "site=maison"}, True)
    served = get(manager, "/metrics", "application/openmetrics-text; version=1.0.0")
    assert served.status == 200 and served.content_type.startswith("application/openmetrics-text")
    assert served.headers == {"Cache-Control": "no-store"} and served.body.endswith(b"# EOF\n")


def test_metrics_names_labels_stored_before_they_became_invalid(manager):
    with manager.engine.begin() as conn:  # as if saved by a version that accepted it
        store.save_settings(conn, "prometheus", True, {"extra_labels": "pdl=12"})
    refused = get(manager, "/metrics")
    assert refused.status == 500
    assert refused.body.startswith("étiquettes de l'exportateur Prometheus invalides : « pdl=12 » : "
                                   "l'étiquette « pdl » est réservée")


def test_metrics_says_when_the_exporter_is_not_loaded(sqlite_engine, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "med_impostor.py").write_text(IMPOSTOR)
    monkeypatch.syspath_prepend(str(site))
    manager = ExporterManager(sqlite_engine, tmp_path, tmp_path / "none", entry_points=False,
                              built_in=["med_impostor", PROMETHEUS])
    try:
        assert manager.classes["prometheus"] is not PrometheusExporter  # the first to take the name keeps it
        manager.save_config("prometheus", {}, True)
        refused = get(manager, "/metrics")
        assert (refused.status, refused.body) == (404, "exportateur Prometheus non chargé : /metrics n'est pas "
                                                       "disponible\n")
    finally:
        manager.close()
        sys.modules.pop("med_impostor", None)


@pytest.mark.parametrize(("route", "message"), [
    ("/metrics", "is not a Route"),
    (Route("metrics", print), "a path is fixed"),
    (Route("//elsewhere", print), "a path is fixed"),
    (Route("/items/<pdl>", print), "a path is fixed"),
    (Route("/a b", print), "a path is fixed"),
    (Route("/metrics", "print"), "its view is not callable"),
    (Route("/metrics", print, exporter=object), "exporter must be a BaseExporter subclass"),
])
def test_a_route_that_cannot_be_served_is_refused(route, message):
    with pytest.raises(TypeError, match=message):
        check_route(route)


def test_a_failing_routes_hook_is_listed_and_the_exporter_still_loads(make_manager, folder):
    (folder / "fragile.py").write_text(IMPOSTOR.replace('"prometheus"', '"fragile"') + '''
from myelectricaldata.exporters import hookimpl


@hookimpl
def exporter_routes():
    raise RuntimeError("no routes today")
''')
    manager = make_manager()
    row = next(r for r in manager.plugins() if r.name == "fragile")
    assert row.error == "RuntimeError: no routes today"
    assert "fragile" in manager.classes and [r.path for r in manager.routes()] == ["/metrics"]
