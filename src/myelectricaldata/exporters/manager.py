"""The exporter manager: discovers plugins, keeps exporters' configs and marks, runs the exports."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ..services.errors import FieldError
from ..services.outcome import Outcome
from . import changes, discovery, store
from .base import BaseExporter, ExportResult, PartialExportError
from .batches import ExportBatch, Snapshot
from .loading import PluginRow, Plugins
from .routes import Route, RouteRequest, RouteResponse, refusal
from .runs import Runs, RunState
from .schema import ConfigField, defaults, masked, validate
from .stopping import ExportStop

log = logging.getLogger(__name__)
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)


@dataclass(frozen=True)
class ExportOutcome:
    """How one exporter's run went: OK, DEFERRED (nothing sent on purpose), ERROR (``retry_at`` set when it is
    tried again by itself), or WAITING (not tried: its retry time after a failure has not come)."""

    name: str
    outcome: Outcome
    items_sent: int = 0
    message: str = ""
    error: str = ""
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.outcome.succeeded

    @property
    def skipped(self) -> bool:
        return self.outcome == Outcome.WAITING


def retry_delay(failures: int) -> timedelta:
    """Exponential back-off: one minute after the first failure, doubling, at most six hours."""
    return min(RETRY_BASE * 2 ** max(failures - 1, 0), RETRY_CAP)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _as_result(value: Any) -> ExportResult:
    if isinstance(value, ExportResult):
        return value
    if isinstance(value, tuple):
        return ExportResult(*value)
    return ExportResult(int(value or 0))


class ExporterManager:
    """Built-in plugins, entry points and the user folder, loaded the same way into one pluggy manager."""

    def __init__(self, engine: Engine, data_dir: Path, user_folder: Path | None = None,
                 entry_points: bool = True, built_in: Iterable[str] = discovery.BUILT_IN_PLUGINS) -> None:
        self.engine = engine
        self.user_folder = Path(user_folder) if user_folder else Path(data_dir) / "exporters"
        self._instances: dict[str, tuple[dict[str, Any], BaseExporter]] = {}
        self._locks: dict[str, threading.RLock] = {}  # one run at a time per exporter (sync, button, reset)
        self._locks_lock = threading.Lock()
        self.stop = ExportStop()  # asked by the application's stop: no export starts, running ones are cut
        self.runs = Runs()
        self._discover(built_in, entry_points)

    # -- discovery ---------------------------------------------------------------------------------
    def _discover(self, built_in: Iterable[str], use_entry_points: bool) -> None:
        plugins = Plugins([*discovery.built_in(built_in), *(discovery.entry_points() if use_entry_points else ()),
                           *discovery.folder(self.user_folder)])
        self.pm, self.loaded, self.classes = plugins.pm, plugins.rows, plugins.classes
        self._origin, self._routes = plugins.origin, plugins.routes
        try:
            self.pm.hook.exporters_loaded(names=sorted(self.classes))
        except Exception:
            log.exception("an exporters_loaded hook failed")

    # -- routes ------------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        """The HTTP routes the loaded plugins add."""
        return list(self._routes.values())

    def answer(self, route: Route, request: RouteRequest) -> RouteResponse:
        """A route's answer: 404 with the reason while its exporter is not loaded or disabled, else its view's, the
        exporter's config handed in."""
        cls = route.exporter
        if cls is None:
            return route.view(request)
        settings = self.settings(cls.name)
        refused = refusal(route, self.classes.get(cls.name) is cls, settings)
        if refused is not None:
            return refused
        return route.view(replace(request, config={**defaults(cls.config_schema), **(settings.config or {})}))

    # -- listing and settings ----------------------------------------------------------------------
    def exporter_class(self, name: str) -> type[BaseExporter]:
        """The class of a loaded exporter; KeyError for an unknown name."""
        return self.classes[name]

    def schema(self, name: str) -> tuple[ConfigField, ...]:
        """The config fields of an exporter, for its form."""
        return tuple(self.exporter_class(name).config_schema)

    def plugins(self) -> list[PluginRow]:
        """Every exporter with its source and enabled flag, and every plugin with its load error."""
        out = []
        for name, cls in sorted(self.classes.items()):
            origin = self._origin[name]
            out.append(PluginRow(name, origin.source, origin.origin, cls.title or name, cls.version,
                                 self.settings(name).enabled, origin.error))
        providers = {id(r) for r in self._origin.values()}
        return out + [replace(r) for r in self.loaded if id(r) not in providers]

    def settings(self, name: str) -> store.ExporterSettings:
        """What is stored for an exporter (secrets in clear: never show it)."""
        with self.engine.connect() as conn:
            return store.get_settings(conn, name)

    def status(self, name: str) -> store.RunStatus:
        """Last export time, items sent, last error and retry time of an exporter."""
        with self.engine.connect() as conn:
            return store.get_status(conn, name)

    def public_config(self, name: str) -> dict[str, Any]:
        """The stored config (or the defaults) with every secret masked."""
        fields = self.schema(name)
        return masked(fields, self.settings(name).config or defaults(fields))

    def save_config(self, name: str, submitted: dict[str, Any], enabled: bool) -> None:
        """Validate and store a config; FieldError (a French message by field name) and nothing stored if refused."""
        fields = self.schema(name)
        previous = self.settings(name).config
        clean, errors = validate(fields, submitted, previous)
        if errors:
            raise FieldError(errors)
        reexport = previous is not None and any(
            f.reexport and clean.get(f.name) != previous.get(f.name, f.default) for f in fields)
        with self.engine.begin() as conn:
            store.save_settings(conn, name, enabled, clean)
            status = store.get_status(conn, name)
            store.save_status(conn, name, replace(status, failures=0, retry_at=None))
            if reexport:
                store.clear_marks(conn, name)
        self._drop(name)

    def test_connection(self, name: str, submitted: dict[str, Any]) -> tuple[bool, str]:
        """Try a config before saving it (blank secrets taken from the stored config)."""
        cls = self.exporter_class(name)
        clean, errors = validate(cls.config_schema, submitted, self.settings(name).config)
        if errors:
            return False, "; ".join(f"{field}: {message}" for field, message in errors.items())
        try:
            ok, message = cls(clean).test_connection()
        except Exception as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return bool(ok), str(message)

    def notes(self, name: str, app_url: str) -> list[str]:
        """The exporter's lines for its tab, from the stored config (none when they fail)."""
        try:
            return [str(line) for line in self.classes[name](self.settings(name).config or {}).notes(app_url)]
        except Exception:
            log.warning("exporter %s: notes failed", name, exc_info=True)
            return []

    def can_lookup(self, name: str) -> bool:
        """True when the exporter overrides ``lookup`` (its tab then offers "Chercher dans la cible")."""
        return self.exporter_class(name).lookup is not BaseExporter.lookup

    def lookup(self, name: str, submitted: dict[str, Any]) -> tuple[dict[str, list[tuple[str, str]]], str]:
        """Values the target offers for config fields (blank secrets from the stored config), and an error."""
        cls = self.exporter_class(name)
        clean, errors = validate(cls.config_schema, submitted, self.settings(name).config)
        if errors:
            return {}, "; ".join(f"{field}: {message}" for field, message in errors.items())
        try:
            found = cls(clean).lookup()
        except Exception as exc:
            return {}, f"{type(exc).__name__}: {exc}"
        return {f: [(str(v), str(label)) for v, label in items] for f, items in (found or {}).items()}, ""

    def can_reset(self, name: str) -> bool:
        """True when the exporter overrides ``reset`` (its tab then offers "reset and re-import")."""
        return self.exporter_class(name).reset is not BaseExporter.reset

    def reset(self, name: str, now: datetime | None = None) -> ExportOutcome:
        """Clear what the target holds from us, forget the marks, and export everything again."""
        with self._lock(name):
            return self._reset(name, now)

    def _reset(self, name: str, now: datetime | None) -> ExportOutcome:
        settings = self.settings(name)
        exporter = self.classes[name](settings.config or {})
        exporter.on_progress = lambda progress: self.runs.report(name, progress)
        try:
            with self.runs.running(name):
                message = exporter.reset()
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning("resetting exporter %s failed: %s", name, error)
            return ExportOutcome(name, Outcome.ERROR, error=error)
        log.info("exporter %s reset: %s", name, message)
        with self.engine.begin() as conn:
            store.clear_marks(conn, name)
        self._drop(name)
        if not settings.enabled:
            return ExportOutcome(name, Outcome.OK, message=message)
        return self.run_exports(now, names=[name], force=True)[name]

    # -- runs in the background ---------------------------------------------------------------------
    def start(self, name: str, reset: bool = False) -> bool:
        """Export ``name`` now (or reset it) in a thread of its own and return at once; False when a run of it is
        already going on (after a sync, from the button or a reset)."""
        def work() -> ExportOutcome | None:
            return self.reset(name) if reset else self.run_exports(names=[name], force=True).get(name)

        def failed(exc: BaseException) -> ExportOutcome:
            return ExportOutcome(name, Outcome.ERROR, error=f"{type(exc).__name__}: {exc}")

        return self.runs.start(name, work, failed)

    def wait(self, name: str, timeout: float) -> tuple[bool, ExportOutcome | None]:
        """(True, outcome) once the run ``start`` began has ended within ``timeout`` seconds (outcome None for an
        exporter that turned out disabled); (False, None) while it goes on."""
        return self.runs.wait(name, timeout)

    def run_state(self, name: str) -> RunState:
        """Whether ``name`` exports now, since when, its progress, and how the last background run ended."""
        return self.runs.state(name)

    # -- exports -----------------------------------------------------------------------------------
    def after_sync(self, report: Any, now: datetime | None = None) -> dict[str, ExportOutcome]:
        """Run the exports once a sync is over, whatever its outcome (what it stored is exported)."""
        log.info("exports after a sync (%s)", getattr(report, "outcome", "?"))
        return self.run_exports(now)

    def run_exports(self, now: datetime | None = None, names: list[str] | None = None,
                    force: bool = False) -> dict[str, ExportOutcome]:
        """Export what changed to each enabled exporter; ``force`` ignores retry times (on demand)."""
        now = now or datetime.now(UTC)
        stamp = _naive_utc(now)
        batches: dict[frozenset, tuple[ExportBatch, dict[str, str]]] = {}
        results: dict[str, ExportOutcome] = {}
        for name in names or sorted(self.classes):
            settings = self.settings(name)
            if name not in self.classes or not settings.enabled:
                continue
            if self.stop.is_set():
                results[name] = ExportOutcome(name, Outcome.STOPPED, message="application stopping: exported at "
                                                                             "the next start")
                continue
            status = self.status(name)
            if not force and status.retry_at and status.retry_at > stamp:
                results[name] = ExportOutcome(name, Outcome.WAITING, error=status.last_error,
                                              retry_at=status.retry_at)
                continue
            with self._lock(name), self.runs.running(name):
                results[name] = self._export(name, self.settings(name).config or {}, self.status(name), now,
                                             batches)
        return results

    def _lock(self, name: str) -> threading.RLock:
        with self._locks_lock:
            return self._locks.setdefault(name, threading.RLock())

    def _export(self, name: str, config: dict[str, Any], status: store.RunStatus, now: datetime,
                batches: dict[frozenset, tuple[ExportBatch, dict[str, str]]]) -> ExportOutcome:
        stamp = _naive_utc(now)
        exporter = None
        try:
            with self.engine.connect() as conn:
                marks = store.get_marks(conn, name)
            memory = {k[len(store.MEMORY):]: v for k, v in marks.items() if k.startswith(store.MEMORY)}
            marks = {k: v for k, v in marks.items() if not k.startswith(store.MEMORY)}
            if not self.classes[name].pushes:  # nothing of a batch is read: none is built
                batch, new_marks = ExportBatch(Snapshot(now)), marks
            else:
                key = frozenset(marks.items())
                if key not in batches:
                    batches[key] = changes.collect(self.engine, marks, now)
                batch, new_marks = batches[key]
            with self.stop.cuttable():
                exporter = self._instance(name, config)
                exporter.memory = dict(memory)
                self.pm.hook.export_batch(exporter_name=name, config=self.public_config(name), batch=batch)
                result = _as_result(exporter.export(batch))
        except Exception as exc:
            if self.stop.is_set():  # cut by the stop: not a failure of the exporter, its marks stay
                log.warning("exporter %s: cut by the application's stop (%s); exported at the next start", name, exc)
                return ExportOutcome(name, Outcome.STOPPED, message="cut by the application's stop")
            error = f"{type(exc).__name__}: {exc}"
            log.exception("exporter %s failed", name)
            if exporter is not None:
                self._remember(name, exporter)
            if not isinstance(exc, PartialExportError):
                self._drop(name)
            failures = status.failures + 1
            retry_at = stamp + retry_delay(failures)
            with self.engine.begin() as conn:
                store.save_status(conn, name, replace(status, last_error=error, failures=failures, retry_at=retry_at))
            self._notify("export_failed", exporter_name=name, error=error, retry_at=retry_at)
            return ExportOutcome(name, Outcome.ERROR, error=error, retry_at=retry_at)
        if result.deferred:
            self._remember(name, exporter)
            return ExportOutcome(name, Outcome.DEFERRED, 0, result.message)
        with self.engine.begin() as conn:
            store.save_marks(conn, name, new_marks)
            store.save_memory(conn, name, exporter.memory)
            store.save_status(conn, name, store.RunStatus(stamp, result.items_sent))
        self._notify("export_done", exporter_name=name, result=result)
        return ExportOutcome(name, Outcome.OK, result.items_sent, result.message)

    def _remember(self, name: str, exporter: BaseExporter) -> None:
        """Keep what a failed export learnt (it may have written to its target before failing)."""
        try:
            with self.engine.begin() as conn:
                store.save_memory(conn, name, exporter.memory)
        except Exception:
            log.exception("exporter %s: its memory could not be kept", name)

    def _notify(self, hook: str, **kwargs: Any) -> None:
        try:
            getattr(self.pm.hook, hook)(**kwargs)
        except Exception:
            log.exception("a %s hook failed", hook)

    def _instance(self, name: str, config: dict[str, Any]) -> BaseExporter:
        if name in self._instances and self._instances[name][0] == config:
            return self._instances[name][1]
        self._drop(name)
        exporter = self.classes[name](config)
        exporter.on_progress = lambda progress: self.runs.report(name, progress)
        exporter.connect()
        self._instances[name] = (config, exporter)
        return exporter

    def _drop(self, name: str) -> None:
        with self._lock(name):
            held = self._instances.pop(name, None)
        if held is None:
            return
        try:
            held[1].disconnect()
        except Exception:
            log.warning("exporter %s failed to disconnect", name, exc_info=True)

    def close(self) -> None:
        """Disconnect every exporter (cut like an export once the application stops; a run in the background is cut
        with the process: its next run resumes it)."""
        with self.stop.cuttable():
            for name in list(self._instances):
                self._drop(name)
