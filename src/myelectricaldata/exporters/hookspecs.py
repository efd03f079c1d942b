"""Every hook of the exporter plugin system, with the markers plugins use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pluggy

from .base import BaseExporter, ExportResult
from .batches import ExportBatch
from .routes import Route

PROJECT = "myelectricaldata"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def exporter_classes() -> list[type[BaseExporter]]:
    """Return the BaseExporter subclasses this plugin provides (collected for you from a plugin's module)."""


@hookspec
def exporters_loaded(names: list[str]) -> None:
    """Learn the names of the exporters discovered, once loading is over."""


@hookspec
def export_batch(exporter_name: str, config: dict[str, Any], batch: ExportBatch) -> None:
    """See each batch an enabled exporter is handed (secrets masked), before its export; raising fails that run."""


@hookspec
def export_done(exporter_name: str, result: ExportResult) -> None:
    """Learn that an exporter's export succeeded and what it sent."""


@hookspec
def export_failed(exporter_name: str, error: str, retry_at: datetime) -> None:
    """Learn that an exporter's export failed, with its error and when it will be retried."""


@hookspec
def exporter_routes() -> list[Route]:
    """Return the HTTP routes (GET) this plugin adds to the app; the web app serves them without knowing the plugin."""
