"""The Grafana dashboards of addon/grafana: shared metric names, a datasource variable, valid PromQL."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from myelectricaldata.exporters.metric_names import METRICS
from tests.support.grafana import BOARDS, FOLDER, load, panels, queries
from tests.support.required import binary

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
NAME = re.compile(r"\blinky_[a-z0-9_]+")
VICTORIAMETRICS_ONLY = {name for name, (_, help_text) in METRICS.items() if "VictoriaMetrics only" in help_text}
TOPICS = {"linky_daily_energy_kwh", "linky_daily_slot_energy_kwh", "linky_daily_cost_euros",
          "linky_daily_slot_cost_euros", "linky_max_power_va", "linky_tempo_color"}  # consumption, HP/HC, cost...


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_every_queried_metric_is_a_shared_name(board):
    dashboard = load(board)
    used = {name for expr in queries(dashboard) for name in NAME.findall(expr)}
    assert used and used <= set(METRICS), used - set(METRICS)
    assert used >= TOPICS, TOPICS - used
    if board == "prometheus":
        assert not used & VICTORIAMETRICS_ONLY
    else:
        assert used >= VICTORIAMETRICS_ONLY


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_every_query_goes_through_the_datasource_variable(board):
    dashboard = load(board)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    assert variables["pdl"]["datasource"] == DATASOURCE
    for panel in panels(dashboard):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        assert panel["targets"] and all(t["datasource"] == DATASOURCE for t in panel["targets"]), panel["title"]
        assert all('pdl=~"$pdl"' in t["expr"] for t in panel["targets"] if "pdl" in t["legendFormat"])
    assert "__inputs" not in dashboard  # no datasource fixed at export time


@pytest.mark.parametrize("board", sorted(BOARDS))
def test_layout_is_importable(board):
    dashboard = load(board)
    assert dashboard["uid"] == f"linky-{board}" and dashboard["schemaVersion"] >= 36
    ids = [p["id"] for p in panels(dashboard)]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["w"] > 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def test_every_query_is_valid_promql(tmp_path):
    promtool = binary("promtool")  # Debian's prometheus package
    exprs = [expr for board in BOARDS for expr in queries(load(board)) if "label_values" not in expr]
    rules = [{"record": f"dashboard:query_{i}", "expr": expr.replace("$__range", "1d").replace("$pdl", ".*")}
             for i, expr in enumerate(exprs)]
    path = tmp_path / "dashboards.rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "dashboards", "rules": rules}]}))
    checked = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0 and not checked.stderr, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(rules)} rules found" in checked.stdout


def test_readme_names_both_dashboards():
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    for path in BOARDS.values():
        assert path.name in text
