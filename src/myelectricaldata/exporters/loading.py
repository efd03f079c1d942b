"""Loading plugins into one pluggy manager: their modules, raw hookimpls, exporter classes and routes, each failure
kept on its plugin's row while the others load."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import cast

import pluggy

from . import hookspecs
from .base import BaseExporter, check_exporter_class, classes_of
from .discovery import Candidate, ModuleExporters
from .hookspecs import PROJECT
from .routes import Route, check_route

log = logging.getLogger(__name__)


@dataclass
class PluginRow:
    """One line of the plugins list: an exporter, or a plugin that failed to load or provides no exporter."""

    name: str
    source: str
    origin: str
    title: str = ""
    version: str = ""
    enabled: bool = False
    error: str = ""


def _note(row: PluginRow, exc: BaseException) -> None:
    row.error = "; ".join(filter(None, [row.error, f"{type(exc).__name__}: {exc}"]))


class Plugins:
    """The candidates found, loaded the same way whatever their source: the pluggy manager, every plugin's row,
    the exporter classes by name (with the row of the plugin that gave each) and the routes by path."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.rows: list[PluginRow] = []
        self.classes: dict[str, type[BaseExporter]] = {}
        self.origin: dict[str, PluginRow] = {}
        self.routes: dict[str, Route] = {}
        by_key: dict[str, PluginRow] = {}
        for candidate in candidates:
            row = PluginRow(candidate.plugin, candidate.source, candidate.origin)
            self.rows.append(row)
            key = f"{candidate.source}:{candidate.plugin}"
            by_key[key] = by_key[key + ":classes"] = row
            self._load(candidate, key, row)
        self._check_pending(by_key)
        self._collect_classes(by_key)
        self._collect_routes(by_key)

    def _load(self, candidate: Candidate, key: str, row: PluginRow) -> None:
        try:
            loaded = candidate.load()
            if inspect.isclass(loaded):
                self.pm.register(ModuleExporters([loaded]), name=key + ":classes")
                return
            if not isinstance(loaded, ModuleType):
                raise TypeError(f"{candidate.origin} is neither a module nor a BaseExporter subclass")
            self.pm.register(loaded, name=key)
            classes = classes_of(loaded)
            if classes and not hasattr(loaded, "exporter_classes"):
                self.pm.register(ModuleExporters(classes), name=key + ":classes")
        except Exception as exc:
            self._fail(row, key, exc)

    def _fail(self, row: PluginRow, key: str, exc: BaseException) -> None:
        _note(row, exc)
        log.error("exporter plugin %s (%s, %s) failed to load: %s", row.name, row.source, row.origin, row.error)
        for name in (key, key + ":classes"):
            if self.pm.has_plugin(name):
                self.pm.unregister(name=name)

    def _check_pending(self, rows: dict[str, PluginRow]) -> None:
        while True:
            try:
                self.pm.check_pending()
                return
            except pluggy.PluginValidationError as exc:
                key = self.pm.get_name(exc.plugin) or ""
                self._fail(rows[key], key.removesuffix(":classes"), exc)

    def _collect_classes(self, rows: dict[str, PluginRow]) -> None:
        for impl in self.pm.hook.exporter_classes.get_hookimpls():
            row = rows[impl.plugin_name]
            try:
                provided = list(impl.function() or ())
            except Exception as exc:
                self._fail(row, impl.plugin_name.removesuffix(":classes"), exc)
                continue
            for cls in provided:
                try:
                    check_exporter_class(cls)
                    if self.classes.get(cls.name, cls) is not cls:
                        raise ValueError(f"name {cls.name!r} already used by {self.origin[cls.name].origin}")
                except Exception as exc:
                    _note(row, exc)
                    log.error("exporter class %r from %s refused: %s", cls, row.origin, exc)
                    continue
                self.classes[cls.name] = cls
                self.origin[cls.name] = row

    def _collect_routes(self, rows: dict[str, PluginRow]) -> None:
        owners: dict[str, PluginRow] = {}
        for impl in self.pm.hook.exporter_routes.get_hookimpls():
            row = rows[impl.plugin_name]
            try:
                declared = list(cast(Iterable[object], impl.function() or ()))
            except Exception as exc:
                _note(row, exc)
                log.error("the routes of plugin %s (%s) failed: %s", row.name, row.origin, exc)
                continue
            for item in declared:
                try:
                    route = check_route(item)
                    if route.path in owners:
                        raise ValueError(f"route {route.path} already added by {owners[route.path].origin}")
                except Exception as exc:
                    _note(row, exc)
                    log.error("a route of plugin %s (%s) refused: %s", row.name, row.origin, exc)
                    continue
                self.routes[route.path] = route
                owners[route.path] = row
