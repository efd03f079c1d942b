"""The web UI under waitress for ``serve`` and ``demo``, the scheduled syncs beside it, and a stop within a budget."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from .config import Settings
from .exits import EXIT_OK, Fatal

EXPORT_GRACE_S = 3.0  # after a stop, the HTTP calls of a running export are cut this long after it
STOP_BUDGET_S = 8.0  # after a stop, ``serve`` waits this long for its threads, then leaves (s6 grants it more)
log = logging.getLogger("myelectricaldata")


def serve(args: argparse.Namespace, settings: Settings, engine: Any, sync: Any, prices: Any,
          clock: Any = None, catalog: Any = None) -> int:
    """The web UI (waitress) and, when there is a gateway to talk to, the scheduled syncs, until SIGTERM."""
    from waitress import create_server

    from .app import AppServices
    from .exporters.manager import ExporterManager
    from .services.background import BackgroundSync
    from .services.scheduler import build_scheduler
    from .web.app import create_app

    if settings.ui_password and not settings.supervised:
        from .services.access import apply_fixed_password

        if apply_fixed_password(engine, settings.ui_password.reveal()):
            log.info("web UI password set from UI_PASSWORD (earlier sign-ins end)")
    folder = Path("/config/exporters") if settings.supervised else settings.data_dir / "exporters"
    exporters = ExporterManager(engine, settings.data_dir, user_folder=folder)
    if sync:
        sync.after_run.append(exporters.after_sync)
    runner = BackgroundSync(sync) if sync else None
    services = AppServices(engine, sync, runner, demo=settings.demo, exporters=exporters, prices=prices,
                           **({"clock": clock} if clock else {}))
    host = args.host or ("127.0.0.1" if settings.demo else "0.0.0.0")
    port = args.port or settings.port
    direct = settings.direct_port
    if direct and not settings.api_token.reveal():
        log.error("direct-access port %s not opened: it serves the API (addresses and load curves included) only to "
                  "callers sending a bearer token; set API_TOKEN (add-on option api_token) and restart", direct)
        direct = 0
    listen = [f"{host}:{port}"] + ([f"{host}:{direct}"] if direct else [])
    app = create_app(settings, services)
    try:
        server = create_server(app, listen=" ".join(listen), threads=4, ident="myelectricaldata",
                               clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise Fatal(port_problem(host, [port] + ([direct] if direct else []), exc)) from None
    protected = protection(settings, engine)
    (log.warning if protected.startswith("sans") else log.info)(
        "%s", listening_text(host, [port] + ([direct] if direct else []), protected))
    scheduler = build_scheduler(sync, settings.sync_after, first_run_in=None, catalog=catalog) if sync else None

    def stop(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if scheduler:
        scheduler.start()
        for job in scheduler.get_jobs():
            log.info("scheduled: %s (next %s)", job.name, job.next_run_time)
        runner.start()
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"Interface web sur http://{shown}:{port}/ (Ctrl-C pour arrêter)", flush=True)
    gc.freeze()  # what start-up made lives as long as the process: full collections no longer walk it
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        _stop(sync, scheduler, runner, exporters, server)
    return EXIT_OK


def port_problem(host: str, ports: list[int], exc: OSError) -> str:
    """One line naming the port that cannot be opened (taken by another program, or refused) and what to do."""
    import errno
    import socket

    taken = ports[0]
    for port in ports:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                taken = port
                break
    if exc.errno == errno.EADDRINUSE:
        return (f"le port {taken} est déjà utilisé par un autre programme ({host}:{taken}) : arrêtez-le, ou "
                f"choisissez un autre port (--port, ou PORT)")
    return (f"impossible d'écouter sur {host}:{taken} ({exc.strerror or exc}) : choisissez une autre adresse ou un "
            f"autre port")


def protection(settings: Settings, engine: Any) -> str:
    """Who may use the web UI, in one phrase for the start-up log."""
    from .services import access

    if settings.supervised:
        return "accès par Home Assistant (ingress) : son identification protège l'interface"
    if settings.ui_password or access.has_password(engine):
        return "protégée par un mot de passe"
    return ("sans mot de passe pour l'instant : les autres machines ne voient que la page de premier démarrage "
            "(code à usage unique dans ce journal)")


def listening_text(host: str, ports: list[int], protected: str) -> str:
    """The addresses the web UI listens on, and whether a password protects them."""
    everywhere = host in ("0.0.0.0", "::", "")
    where = "toutes les adresses de cette machine" if everywhere else \
        ("cette machine seulement" if host in ("127.0.0.1", "::1", "localhost") else f"l'adresse {host}")
    urls = ", ".join(f"http://{host if ':' not in host else f'[{host}]'}:{p}/" for p in ports)
    return f"interface web à l'écoute sur {urls} ({where}) ; {protected}"


def _stop(sync: Any, scheduler: Any, runner: Any, exporters: Any, server: Any) -> None:
    """Stop within STOP_BUDGET_S: no new export, a running sync ends at its next consistent point, the HTTP calls of
    a running export are cut after EXPORT_GRACE_S (its marks stay: it is sent again at the next start)."""
    log.info("stopping: a running sync ends at its next consistent point, exports are skipped or cut")
    deadline = time.monotonic() + STOP_BUDGET_S
    exporters.stop.request(EXPORT_GRACE_S)
    if sync:
        sync.stop_requested.set()
    server.close()
    if scheduler:
        scheduler.shutdown(wait=False)
    if runner:
        runner.stop(timeout=max(0.0, deadline - time.monotonic()))
    closing = threading.Thread(target=exporters.close, name="exporters-close", daemon=True)
    closing.start()
    closing.join(max(0.0, deadline - time.monotonic()))
    _leave_when_done(deadline)


def _leave_when_done(deadline: float) -> None:
    """Wait until ``deadline`` for the threads still working; past it, leave without them. What they had not
    committed is rolled back by the database, as after a kill, and the next start resumes from there."""
    def others() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t is not threading.current_thread() and t.is_alive()
                and not t.daemon]

    for thread in others():
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = others()
    if stuck:
        log.warning("stopping without waiting any longer for: %s", ", ".join(t.name for t in stuck))
        logging.shutdown()
        os._exit(EXIT_OK)
