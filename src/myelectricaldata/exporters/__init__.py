"""Exporter plugins: the framework (hook specs, manager, discovery, schema, store, batches, routes), the helpers
shared by several exporters (``metric_names``, ``mqtt_link``) and one package per built-in exporter, registered from
``discovery.BUILT_IN_PLUGINS`` like any third-party plugin. May import ``services``, ``gateway``, ``database``,
``energy``; plugins import this package, never the web layer, and see data only through their batch."""

from .base import BaseExporter, ExportResult
from .batches import ExportBatch
from .hookspecs import hookimpl
from .routes import Route, RouteRequest, RouteResponse
from .schema import ConfigField

__all__ = ["BaseExporter", "ConfigField", "ExportBatch", "ExportResult", "Route", "RouteRequest", "RouteResponse",
           "hookimpl"]
