"""Discovery from the three sources, load errors listed while the others run, raw hookimpls."""

from __future__ import annotations

import sys
from datetime import date, datetime

import myelectricaldata.exporters as package
from myelectricaldata.exporters.discovery import BUILT_IN, BUILT_IN_PLUGINS, ENTRY_POINT, FOLDER
from myelectricaldata.exporters.manager import ExporterManager
from tests.support.exporting import batches_of, recorder_source, store_days

RAW = '''
from myelectricaldata.exporters import hookimpl

SEEN = []


@hookimpl
def exporters_loaded(names):
    SEEN.append(("loaded", tuple(names)))


@hookimpl
def export_batch(exporter_name, config, batch):
    SEEN.append(("batch", exporter_name, config.get("token"), batch.size))


@hookimpl
def export_failed(exporter_name, error, retry_at):
    SEEN.append(("failed", exporter_name, error))
'''


def enable(manager, name="recorder", **config):
    manager.save_config(name, {"host": "localhost", **config}, enabled=True)


def test_folder_plugin_is_discovered_and_receives_batches(make_manager, folder, sqlite_engine):
    (folder / "recorder.py").write_text(recorder_source())
    store_days(sqlite_engine, [date(2025, 11, 3)], datetime(2025, 11, 4, 6))
    manager = make_manager()
    [row] = [r for r in manager.plugins() if r.source == FOLDER]
    assert (row.name, row.title, row.version, row.source, row.enabled, row.error) == (
        "recorder", "Recorder", "1.2", FOLDER, False, "")
    assert manager.run_exports() == {}  # disabled: nothing sent
    enable(manager)
    outcome = manager.run_exports()["recorder"]
    assert outcome.ok and outcome.items_sent == 1 + 48 + 1 + 1  # daily, curve, max power, cost
    [batch] = batches_of(manager, "recorder")
    assert batch.snapshot.usage_points[0].label == "Maison"
    assert {r.name: r.enabled for r in manager.plugins()}["recorder"]


def test_entry_point_plugin_is_discovered(make_manager, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "med_recorder.py").write_text(recorder_source("ep_recorder"))
    info = site / "med_recorder-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: med-recorder\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[myelectricaldata.exporters]\nrecorder = med_recorder\n")
    monkeypatch.syspath_prepend(str(site))
    manager = make_manager(entry_points=True)
    rows = {r.name: r for r in manager.plugins()}
    assert rows["ep_recorder"].source == ENTRY_POINT and rows["ep_recorder"].origin == "med_recorder"
    enable(manager, "ep_recorder")
    assert manager.run_exports()["ep_recorder"].ok
    assert len(batches_of(manager, "ep_recorder")) == 1
    sys.modules.pop("med_recorder", None)


def test_broken_plugins_are_listed_with_their_error_and_others_still_run(make_manager, folder):
    (folder / "recorder.py").write_text(recorder_source())
    (folder / "syntax.py").write_text("def broken(:\n")
    (folder / "missing.py").write_text("import no_such_module_here\n")
    (folder / "typo.py").write_text("from myelectricaldata.exporters import hookimpl\n\n"
                                    "@hookimpl\ndef export_batchh(batch):\n    pass\n")
    (folder / "badclass.py").write_text(
        "from myelectricaldata.exporters import BaseExporter\n\n"
        "class NoExport(BaseExporter):\n    name = 'noexport'\n")
    (folder / "twin.py").write_text(recorder_source())
    manager = make_manager()
    errors = {r.name: r.error for r in manager.plugins()}
    assert errors["syntax"].startswith("SyntaxError")
    assert errors["missing"].startswith("ModuleNotFoundError")
    assert "export_batchh" in errors["typo"]
    assert "does not implement export()" in errors["badclass"]
    assert "already used" in errors["twin"]
    assert errors["recorder"] == ""
    built_in = ["homeassistant", "jeedom", "mqtt", "prometheus", "victoriametrics"]
    assert sorted(manager.classes) == sorted([*built_in, "recorder"])  # built-in exporters and the good plugin
    enable(manager)
    assert manager.run_exports()["recorder"].ok


def test_built_ins_are_the_explicit_list_and_nothing_else(make_manager, tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "shipped_recorder.py").write_text(recorder_source("shipped"))
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(extra)])
    try:
        manager = make_manager()
        rows = [(r.name, r.source, r.origin, r.error) for r in manager.plugins()]
        assert rows == [(value.rpartition(".")[2], BUILT_IN, value, "") for value in BUILT_IN_PLUGINS]
        assert "myelectricaldata.exporters.shipped_recorder" not in sys.modules  # in the package, not in the list
    finally:
        sys.modules.pop("myelectricaldata.exporters.shipped_recorder", None)


def test_a_built_in_list_entry_loads_like_an_entry_point(sqlite_engine, tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "med_listed.py").write_text(recorder_source("listed"))
    monkeypatch.syspath_prepend(str(site))
    values = ["med_listed", "myelectricaldata.exporters.mqtt:MqttExporter", "no_such_module_here"]
    manager = ExporterManager(sqlite_engine, tmp_path, tmp_path / "none", entry_points=False, built_in=values)
    try:
        rows = {r.name: r for r in manager.plugins()}
        assert (rows["listed"].source, rows["listed"].origin, rows["listed"].error) == (BUILT_IN, "med_listed", "")
        assert rows["mqtt"].origin == "myelectricaldata.exporters.mqtt:MqttExporter"  # a class, as an entry point
        assert rows["no_such_module_here"].error.startswith("ModuleNotFoundError")
        assert sorted(manager.classes) == ["listed", "mqtt"]
        assert manager.routes() == []  # the Prometheus plugin, not listed, adds no /metrics
        manager.save_config("listed", {"host": "localhost"}, enabled=True)
        assert manager.run_exports()["listed"].ok
    finally:
        manager.close()
        sys.modules.pop("med_listed", None)


def test_raw_hookimpls_see_loading_batches_and_failures(make_manager, folder):
    (folder / "recorder.py").write_text(recorder_source())
    (folder / "watcher.py").write_text(RAW)
    manager = make_manager()
    seen = sys.modules["myelectricaldata_user_exporters.watcher"].SEEN
    assert seen == [("loaded", ("homeassistant", "jeedom", "mqtt", "prometheus", "recorder", "victoriametrics"))]
    enable(manager, token="s3cret")
    manager.run_exports()
    assert seen[1] == ("batch", "recorder", "********", 0)
    assert {r.name: r.error for r in manager.plugins()}["watcher"] == ""
    enable(manager, host="down")
    manager.run_exports()
    assert seen[-1] == ("failed", "recorder", "ConnectionError: broker down")
