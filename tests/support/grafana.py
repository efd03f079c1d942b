"""The Grafana dashboards of addon/grafana and the PromQL they hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "addon" / "grafana"
BOARDS = {"prometheus": FOLDER / "linky-prometheus.json", "victoriametrics": FOLDER / "linky-victoriametrics.json"}


def load(board: str) -> dict:
    return json.loads(BOARDS[board].read_text(encoding="utf-8"))


def panels(dashboard: dict) -> Iterator[dict]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def queries(dashboard: dict) -> list[str]:
    """Every PromQL expression: the panels' targets and the query variables."""
    found = [t["expr"] for p in panels(dashboard) for t in p.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            found.append(query["query"] if isinstance(query, dict) else query)
    return found
