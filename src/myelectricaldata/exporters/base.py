"""The class an exporter subclasses: metadata, a config schema and four synchronous methods."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar, NamedTuple

from .batches import ExportBatch
from .schema import ConfigField, check_schema, defaults


class ExportResult(NamedTuple):
    """What one export sent: how many items, and a short message for the status page; ``deferred``: nothing was
    sent on purpose (too soon), so the manager keeps the marks and hands the same changes again next time."""

    items_sent: int
    message: str = ""
    deferred: bool = False


@dataclass(frozen=True)
class Progress:
    """How far a running export is, as its exporter tells: a step in French, and a count when there is one."""

    step: str = ""
    done: int = 0
    total: int = 0


class PartialExportError(RuntimeError):
    """An export that failed while its connection still works (part was sent): the manager reports the failure
    and retries, but keeps the exporter connected instead of disconnecting it."""


class BaseExporter:
    """Subclass it, set the metadata and the schema, implement ``export``; ``self.config`` is a plain dict."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    config_schema: ClassVar[tuple[ConfigField, ...]] = ()
    # how the exporters page groups the schema's fields: "Connexion", then "Ce qui est envoyé" (every field not
    # listed), a table of ``mapping_fields`` (one row per value sent, an id in the target each, offered by lookup),
    # and "Avancé" folded
    connection_fields: ClassVar[tuple[str, ...]] = ()
    advanced_fields: ClassVar[tuple[str, ...]] = ()
    mapping_fields: ClassVar[tuple[str, ...]] = ()
    pushes: ClassVar[bool] = True  # False when the target reads from us (Prometheus): no "test", no "export now",
    # and no batch: the manager builds none and hands an empty one, the exporter's marks left as they are

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.config: dict[str, Any] = {**defaults(self.config_schema), **(config or {})}
        self.memory: dict[str, str] = {}  # small facts kept between exports (the manager stores them, even across
        # a reset or a failure): what the exporter learnt from its target and must not learn again
        self.on_progress: Callable[[Progress], None] | None = None

    def report(self, step: str, done: int = 0, total: int = 0) -> None:
        """Say how far a long export is (shown on the exporters page while it runs)."""
        if self.on_progress is not None:
            self.on_progress(Progress(step, done, total))

    def connect(self) -> None:
        """Open what the exporter needs (a client, a socket); called before the first export."""

    def disconnect(self) -> None:
        """Close it; called when the manager stops, the config changes or an export failed."""

    def export(self, batch: ExportBatch) -> ExportResult:
        """Send the batch; must be idempotent, since a row may come again. Raise to report a failure."""
        raise NotImplementedError(f"{type(self).__name__} does not implement export()")

    def reset(self) -> str:
        """Forget what the target holds from us; the manager then clears the marks and exports everything again.
        Only exporters that override it get a reset button. Returns a message for the user."""
        return "rien à réinitialiser"

    def notes(self, app_url: str) -> list[str]:
        """Lines shown on the exporter's tab, such as a URL to enter elsewhere; ``app_url`` is the app's address
        as the user's browser sees it (ending with ``/``)."""
        return []

    def lookup(self) -> dict[str, list[tuple[str, str]]]:
        """Values found in the target for some config fields, as {field: [(value, label)]}; the tab offers them
        when the user clicks "Chercher dans la cible". Only exporters that override it get the button."""
        return {}

    def test_connection(self) -> tuple[bool, str]:
        """Try the target with ``self.config``; (ok, message for the user)."""
        self.connect()
        self.disconnect()
        return True, "connected"


def check_exporter_class(cls: Any) -> None:
    """Raise TypeError or SchemaError when ``cls`` cannot be run as an exporter."""
    if not (inspect.isclass(cls) and issubclass(cls, BaseExporter)):
        raise TypeError(f"{cls!r} is not a BaseExporter subclass")
    if not isinstance(cls.name, str) or not cls.name.replace("_", "").replace("-", "").isalnum():
        raise TypeError(f"{cls.__qualname__}: name must be a non-empty word (letters, digits, - or _)")
    if cls.export is BaseExporter.export:
        raise TypeError(f"{cls.__qualname__} ({cls.name}) does not implement export()")
    check_schema(cls.config_schema)


def classes_of(module: ModuleType) -> list[type[BaseExporter]]:
    """The named BaseExporter subclasses a module (or its package) defines; unnamed ones are shared bases."""
    prefix = module.__name__
    return [obj for obj in vars(module).values()
            if inspect.isclass(obj) and issubclass(obj, BaseExporter) and obj is not BaseExporter
            and "name" in vars(obj) and (obj.__module__ == prefix or obj.__module__.startswith(prefix + "."))]
