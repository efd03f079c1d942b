"""Exporter plugins: every module here that is not part of the framework is a built-in exporter plugin."""

from .base import BaseExporter, ExportResult
from .batches import ExportBatch
from .hookspecs import hookimpl
from .schema import ConfigField

__all__ = ["BaseExporter", "ConfigField", "ExportBatch", "ExportResult", "hookimpl"]
