"""Finding plugins: the built-in list, the entry-point group and a user folder of plugin files."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .base import BaseExporter
from .hookspecs import hookimpl

log = logging.getLogger(__name__)

GROUP = "myelectricaldata.exporters"
BUILT_IN, ENTRY_POINT, FOLDER = "built-in", "entry point", "folder"
BUILT_IN_PLUGINS = (  # the exporters shipped with the app, as entry-point values (``module`` or ``module:Class``)
    "myelectricaldata.exporters.homeassistant",
    "myelectricaldata.exporters.jeedom",
    "myelectricaldata.exporters.mqtt",
    "myelectricaldata.exporters.prometheus",
    "myelectricaldata.exporters.victoriametrics",
)
FOLDER_PACKAGE = "myelectricaldata_user_exporters"


@dataclass
class Candidate:
    """A plugin found by discovery: where it came from and how to load its module."""

    plugin: str  # the name it is registered under
    source: str  # built-in | entry point | folder
    origin: str  # module path, entry point value or file
    load: Callable[[], object]


def built_in(values: Iterable[str] = BUILT_IN_PLUGINS) -> Iterator[Candidate]:
    """The built-in plugins, each loaded as the entry point it would be if it were installed apart."""
    for value in values:
        ep = importlib.metadata.EntryPoint(value.partition(":")[0].rpartition(".")[2], value, GROUP)
        yield Candidate(ep.name, BUILT_IN, ep.value, ep.load)


def entry_points() -> Iterator[Candidate]:
    """Every entry point of the ``myelectricaldata.exporters`` group."""
    for ep in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name):
        yield Candidate(ep.name, ENTRY_POINT, ep.value, ep.load)


def _load_file(path: Path) -> ModuleType:
    name = f"{FOLDER_PACKAGE}.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def folder(path: Path | None) -> Iterator[Candidate]:
    """Every ``*.py`` file of the user folder (names starting with ``_`` left out)."""
    if path is None or not path.is_dir():
        return
    for file in sorted(path.glob("*.py")):
        if not file.name.startswith("_"):
            yield Candidate(file.stem, FOLDER, str(file), lambda file=file: _load_file(file))


class ModuleExporters:
    """The hookimpl that hands the manager the exporter classes a plugin module defines."""

    def __init__(self, classes: list[type[BaseExporter]]) -> None:
        self.classes = classes

    @hookimpl
    def exporter_classes(self) -> list[type[BaseExporter]]:
        return list(self.classes)
