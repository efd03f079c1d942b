"""The example InfluxDB plugin (``examples/influxdb-exporter``): found through its entry point once installed, and as
the same single file dropped into the user folder; both times it writes to VictoriaMetrics' ``/api/v2/write``.

"Installed" is what pip leaves in site-packages, built here from the example's own pyproject.toml (its module, and a
dist-info whose entry_points.txt declares the ``myelectricaldata.exporters`` group) in a folder put first on
``sys.path``: the tests need no ``pip install`` of the example beforehand."""

from __future__ import annotations

import importlib.metadata
import shutil
import sys
import tomllib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.exporters.discovery import ENTRY_POINT, FOLDER
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.web.app import create_app
from tests.support.syncing import NOON, copy_sqlite, synced_sqlite
from tests.support.victoriametrics import VictoriaMetrics

pytestmark = pytest.mark.slow  # both tests start victoria-metrics
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "influxdb-exporter"
DISTRIBUTION = "myelectricaldata-influxdb-exporter"
PDLS = ["99000000000001", "99000000000003"]  # Base, and Tempo with production
SINCE = date(2025, 10, 20)
CONFIG = {"token": "jeton-de-test", "org": "maison", "bucket": "linky"}
WRITTEN = '{__name__=~"(consumption|production)_.+"}'


@pytest.fixture
def installed(tmp_path, monkeypatch) -> Iterator[Path]:
    """The example as pip installs it (module and dist-info with METADATA and entry_points.txt from its
    pyproject.toml) in a site folder first on ``sys.path``; forgotten afterwards."""
    pyproject = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    project, modules = pyproject["project"], pyproject["tool"]["setuptools"]["py-modules"]
    site = tmp_path / "site-packages"
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    requires = "".join(f"Requires-Dist: {dependency}\n" for dependency in project["dependencies"])
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
                                   f"{requires}")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items()) + "\n"
        for group, points in project["entry-points"].items()))
    (info / "top_level.txt").write_text("".join(f"{module}\n" for module in modules))
    for module in modules:
        shutil.copy(EXAMPLE / f"{module}.py", site / f"{module}.py")
    monkeypatch.syspath_prepend(str(site))
    yield site
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("influx")
    with synced_sqlite(folder, PDLS, SINCE):
        pass
    return folder / "synced.db"


@pytest.fixture
def db(template, tmp_path) -> Iterator[sa.Engine]:
    engine = copy_sqlite(template, tmp_path / "copy.db")
    yield engine
    engine.dispose()


def expected(db: sa.Engine) -> dict[tuple[str, tuple], dict[int, float]]:
    """Daily Wh at the local midnight and load-curve W at the interval start, as VictoriaMetrics names them."""
    out: dict[tuple[str, tuple], dict[int, float]] = {}
    with db.connect() as conn:
        for pdl, direction, day, wh in conn.execute(sa.select(
                m.daily_energy.c.usage_point_id, m.daily_energy.c.direction, m.daily_energy.c.day,
                m.daily_energy.c.wh)):
            out.setdefault((f"{direction}_daily_wh", (("pdl", pdl),)), {})[
                epoch(local_day_bounds(day)[0]) * 1000] = wh
        for pdl, direction, start, watts in conn.execute(sa.select(
                m.load_curve.c.usage_point_id, m.load_curve.c.direction, m.load_curve.c.start_utc,
                m.load_curve.c.watts)):
            out.setdefault((f"{direction}_load_curve_w", (("pdl", pdl),)), {})[start * 1000] = watts
    return out


def run_and_read_back(manager: ExporterManager, db: sa.Engine, vm: VictoriaMetrics) -> None:
    manager.save_config("influxdb", {"url": vm.url, **CONFIG}, enabled=True)
    assert manager.test_connection("influxdb", {"url": vm.url, **CONFIG}) == (
        True, f"Connecté à InfluxDB ({vm.url}, organisation maison)")
    outcome = manager.run_exports(NOON)["influxdb"]
    want = expected(db)
    count = sum(len(points) for points in want.values())
    assert outcome.ok, outcome.error
    assert (outcome.items_sent, outcome.message) == (count, f"{count} points écrits dans linky")
    got = vm.export_until(lambda series: sum(len(p) for p in series.values()) >= count, WRITTEN)
    assert sorted(got) == sorted(want)
    for series, points in want.items():
        assert dict(got[series]) == points, series


def test_installed_it_comes_from_its_entry_point_shows_on_the_page_and_writes(db, vm, tmp_path, installed):
    assert importlib.metadata.distribution(DISTRIBUTION).entry_points.select(group="myelectricaldata.exporters")
    manager = ExporterManager(db, tmp_path, tmp_path / "no-plugins", entry_points=True)
    try:
        row = {r.name: r for r in manager.plugins()}["influxdb"]
        assert (row.source, row.origin, row.title, row.version, row.error) == (
            ENTRY_POINT, "med_influxdb", "InfluxDB", "1.0.0", "")
        settings = load_settings(environ={"DATA_DIR": str(tmp_path)}, options_file=Path("/nonexistent"))
        app = create_app(settings, AppServices(db, exporters=manager))
        app.config["TESTING"] = True
        response = app.test_client().get("/exporters?tab=influxdb")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Export vers InfluxDB 2.x" in html and "point d&#39;entrée" in html
        for field in ("cfg_url", "cfg_token", "cfg_org", "cfg_bucket"):
            assert f'name="{field}"' in html
        run_and_read_back(manager, db, vm)
    finally:
        manager.close()


def test_the_same_file_dropped_in_the_user_folder_is_found_and_writes(db, vm, tmp_path):
    folder = tmp_path / "exporters"
    folder.mkdir()
    shutil.copy(EXAMPLE / "med_influxdb.py", folder / "med_influxdb.py")
    manager = ExporterManager(db, tmp_path, user_folder=folder, entry_points=False)
    try:
        row = {r.name: r for r in manager.plugins()}["influxdb"]
        assert (row.source, row.origin, row.title, row.error) == (FOLDER, str(folder / "med_influxdb.py"),
                                                                  "InfluxDB", "")
        assert manager.exporter_class("influxdb").__module__ == "myelectricaldata_user_exporters.med_influxdb"
        run_and_read_back(manager, db, vm)
    finally:
        manager.close()
