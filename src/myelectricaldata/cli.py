"""Command line: ``myelectricaldata demo|sync|status|serve|import|migrate-legacy|simulate|init``. The composition
root."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .config import LOG_LEVELS, Secret, Settings, SettingsError, load_settings
from .exits import EXIT_BUSY, EXIT_CONFIG, EXIT_ERRORS, EXIT_OK, EXIT_QUOTA, Fatal

DEMO_CREDENTIALS = ("demo", "demo")
log = logging.getLogger("myelectricaldata")


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S")
    for noisy in ("urllib3", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _settings(args: argparse.Namespace, lenient: bool = False, **extra: Any) -> Settings:
    """The Settings; ``lenient`` (servers) leaves a bad value out and keeps its message in ``problems``."""
    flags = {"DATA_DIR": args.data_dir, "DATABASE_URL": args.database_url, "DEMO": args.demo or None}
    overrides = {k: v for k, v in {**flags, **extra}.items() if v is not None}
    try:
        return load_settings(overrides=overrides, lenient=lenient)
    except SettingsError as exc:
        raise Fatal(f"configuration error: {exc}") from None


def _log_problems(settings: Settings) -> None:
    for problem in settings.problems:
        log.error("invalid setting, ignored until it is fixed: %s", problem)


def open_database(settings: Settings, integrity: bool = False):
    """Engine on the configured database, migrated; ``integrity`` first reads a SQLite file through and through."""
    from sqlalchemy.exc import SQLAlchemyError

    from .database.migrate import upgrade
    from .database.session import DatabaseUnavailable, check_connection, check_integrity, failure, make_engine

    try:
        engine = make_engine(settings.database_url_or_default())
        check_connection(engine)
        if integrity:
            check_integrity(engine)
    except DatabaseUnavailable as exc:
        raise Fatal(str(exc)) from None
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        raise Fatal(str(failure(engine, exc, "cannot bring the schema up to date in"))) from None
    return engine


def prepare_data_dir(path: Path) -> None:
    """Create the data directory and prove it is writable, or stop with what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise Fatal(f"the data directory {path} is not writable ({exc.strerror or exc}): the database, the session "
                    f"key and the sync lock live there. With Docker, mount a writable volume on it (-v data:{path}); "
                    f"under Home Assistant, restart the add-on and check the host's disk.") from None


def build_sync(settings: Settings, engine: Any, clock: Any = None, prices: Any = None):
    from .gateway.client import GatewayClient
    from .services.lock import lock_file
    from .services.sync import SyncService

    client = GatewayClient(settings.gateway_url, settings.client_id, settings.client_secret.reveal())
    return SyncService(engine, client, lock_file(settings.data_dir), clock=clock, prices=prices)


def build_catalog(settings: Settings, engine: Any, clock: Any = None, prices: Any = None):
    """The catalog sync, with a client of its own (its routes are public: no token, no quota)."""
    from .gateway.client import GatewayClient
    from .services.catalog import CatalogSync

    client = GatewayClient(settings.gateway_url, settings.client_id, settings.client_secret.reveal())
    return CatalogSync(engine, client, clock=clock, prices=prices)


def _require_credentials(settings: Settings) -> None:
    if not settings.has_credentials:
        missing = [k for k, v in (("CLIENT_ID", settings.client_id), ("CLIENT_SECRET", settings.client_secret))
                   if not v]
        raise Fatal(f"{' and '.join(missing)} not set. Give the client_id and client_secret of your "
                    f"MyElectricalData account (add-on options, environment variables, or "
                    f"{settings.data_dir / 'settings.yaml'}), or try `myelectricaldata demo`.")


def _exit_code(report: Any) -> int:
    from .services.outcome import Outcome

    return {Outcome.OK: EXIT_OK, Outcome.QUOTA: EXIT_QUOTA, Outcome.AUTH: EXIT_CONFIG}.get(report.outcome, EXIT_ERRORS)


STEP_WORDS = {"tempo": "jours Tempo", "ecowatt": "jours EcoWatt"}


def _print_report(report: Any) -> None:
    from .energy.words import dataset_word
    from .services.outcome import outcome_word

    totals: dict[str, int] = {}
    for key, count in report.stored.items():
        what = key.split(" ", 1)[-1]  # "<pdl> <dataset>" -> dataset, summed over the PDLs
        totals[what] = totals.get(what, 0) + count
    stored = ", ".join(f"{STEP_WORDS.get(k) or dataset_word(k)} {v:,}".replace(",", "\xa0")
                       for k, v in totals.items()) or "rien de nouveau"
    requests = sum(report.requests.values())
    print(f"synchronisation {outcome_word(report.outcome)} : {requests} requête(s) à la "
          f"passerelle ; enregistré : {stored}")
    if report.message:
        print(report.message, file=sys.stdout if report.ok else sys.stderr)


def run_sync(sync: Any, catalog: Any = None, pdls: list[str] | None = None, since: date | None = None) -> int:
    """The data sync, then the supplier catalog (whose faults are printed and kept for the pages; the exit code
    is the data sync's)."""
    from sqlalchemy.exc import SQLAlchemyError

    from .services.lock import SyncBusy

    try:
        report = sync.run(pdls=pdls, since=since)
    except SyncBusy as exc:
        raise Fatal(str(exc), EXIT_BUSY) from None
    except SQLAlchemyError as exc:
        cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise Fatal(f"database error during the sync (what was stored so far is kept): {cause}",
                    EXIT_ERRORS) from None
    _print_report(report)
    if catalog is not None:
        done = catalog.run()
        print(done.summary(), file=sys.stdout if done.ok else sys.stderr)
    return _exit_code(report)


def _demo_gateway(stack: ExitStack, settings: Settings, today: date | None = None) -> tuple[Settings, Any]:
    """Start the simulated gateway for demo mode; the settings then point at it and at demo.db."""
    from .simulator import start_simulator

    sim = stack.enter_context(start_simulator(today=today))
    demo = replace(settings, demo=True, gateway_url=sim.url, client_id=DEMO_CREDENTIALS[0],
                   client_secret=Secret(DEMO_CREDENTIALS[1]), database_url="")
    print(f"Démo : passerelle simulée sur {sim.url}, données dans {demo.database_url_or_default()}", flush=True)
    return demo, sim.state.now


def cmd_sync(args: argparse.Namespace) -> int:
    settings = _settings(args)
    with ExitStack() as stack:
        clock = None
        if settings.demo:
            settings, clock = _demo_gateway(stack, settings)
        else:
            _require_credentials(settings)
        engine = open_database(settings)
        if args.retry_given_up:
            from .database.sync_ledger import reset_given_up
            with engine.begin() as conn:
                count = sum(reset_given_up(conn, pdl) for pdl in (args.pdl or [None]))
            print(f"{count} jour(s) abandonné(s) seront redemandés")
        return run_sync(build_sync(settings, engine, clock), build_catalog(settings, engine, clock),
                        args.pdl or None, args.since)


def cmd_status(args: argparse.Namespace) -> int:
    from .energy.timeline import PARIS
    from .services.status import collect_status, format_status

    settings = _settings(args)
    engine = open_database(settings)
    status = collect_status(engine, datetime.now(PARIS))
    print(json.dumps(status.as_json(), default=str, indent=2) if args.json else format_status(status))
    if not status.usage_points and not settings.demo and not settings.database_url \
            and (settings.data_dir / "demo.db").exists():
        print(f"Les données de démonstration sont à part, dans {settings.data_dir / 'demo.db'} : ajoutez --demo "
              f"pour les voir (myelectricaldata status --demo).", file=sys.stderr)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args, lenient=True)
    _log_problems(settings)
    if settings.demo:
        return cmd_demo(args, settings)
    from .services.price_cache import PriceCache

    engine = open_database(settings)
    prices: PriceCache[Any] = PriceCache()
    sync = catalog = None
    if settings.problems:
        log.warning("serving the set-up page only, no sync, until the settings above are fixed")
    elif settings.has_credentials:
        sync = build_sync(settings, engine, prices=prices)
        catalog = build_catalog(settings, engine, prices=prices)
    else:
        log.warning("CLIENT_ID / CLIENT_SECRET not set: serving the set-up page only, no sync")
    from .serving import serve

    return serve(args, settings, engine, sync, prices, catalog=catalog)


def cmd_init(args: argparse.Namespace) -> int:
    """Prepare the data directory and bring the database up to date; bad or missing settings only warn."""
    from .config import mask_url
    from .database.migrate import current_revision

    settings = _settings(args, lenient=True)
    _log_problems(settings)
    if not settings.demo and not settings.has_credentials:
        log.warning("CLIENT_ID / CLIENT_SECRET not set: the web UI will show the set-up page")
    log.debug("settings: %s", settings)
    prepare_data_dir(settings.data_dir)
    engine = open_database(settings, integrity=True)
    revision = current_revision(engine)
    engine.dispose()
    print(f"prêt : dossier de données {settings.data_dir}, base {mask_url(settings.database_url_or_default())} "
          f"au schéma {revision}", flush=True)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings | None = None) -> int:
    from .energy.timeline import PARIS
    from .services.price_cache import PriceCache
    from .services.status import collect_status, format_status

    with ExitStack() as stack:
        base = settings
        if base is None:
            base = _settings(args, lenient=True, DEMO=True)
            _log_problems(base)
        settings, clock = _demo_gateway(stack, base, getattr(args, "today", None))
        _demo_history(settings, clock().astimezone(PARIS).date())
        engine = open_database(settings)
        _demo_settings(engine)
        prices: PriceCache[Any] = PriceCache()
        sync = build_sync(settings, engine, clock=clock, prices=prices)
        catalog = build_catalog(settings, engine, clock=clock, prices=prices)
        if getattr(args, "once", False):
            code = run_sync(sync, catalog)
            print(format_status(collect_status(engine, datetime.now(PARIS))))
            return code
        from .serving import serve

        return serve(args, settings, engine, sync, prices, clock, catalog)


def _demo_settings(engine: Any) -> None:
    """What a demo user would have set for the PV house: its peak power (kWc) and its buy-back price, so the balance
    estimates the total production and counts the revenue. A value already set in the demo is kept."""
    from .energy.offpeak import format_windows
    from .services import balance, pricing_settings
    from .simulator.households import DEMO_HOUSEHOLDS

    for house in DEMO_HOUSEHOLDS:
        pdl = house.usage_point_id
        if house.pv_kwc and balance.balance_settings(engine, pdl).kwc is None:
            balance.save_kwc(engine, pdl, str(house.pv_kwc))
        chosen = pricing_settings.choice(engine, pdl)
        if house.buyback and chosen.buyback is None:
            overrides = {day: format_windows(spans) for day, spans in chosen.overrides.items()}
            pricing_settings.save_choice(engine, pdl, chosen.offer_key, overrides, house.buyback, chosen.kva)


def _demo_history(settings: Settings, today: date | None = None) -> None:
    """The demo's history from before the gateway's (Enedis files, the legacy client's database), written afresh."""
    from .services.history_import import DEMO_HISTORY
    from .simulator.enedis_downloads import write_demo_history

    write_demo_history(settings.data_dir / DEMO_HISTORY, today or date.today())


BUSY = "une synchronisation est en cours : réessayez quand elle sera terminée (rien n'a été écrit)"


def _to_write(lines: list[str], ready: bool, yes: bool, verb: str) -> bool:
    """Print a preview and say why nothing is written; True when it is to be written (something new and --yes)."""
    print("\n".join(lines))
    if not ready:
        print("Rien de nouveau à importer.")
    elif not yes:
        print(f"Rien n'est écrit (essai à blanc) : relancez avec --yes pour {verb}.")
    return ready and yes


def cmd_import(args: argparse.Namespace) -> int:
    from .services import history_import
    from .services.lock import SyncBusy, lock_file
    from .web.formatting import num
    from .web.history_text import import_lines

    settings = _settings(args)
    engine = open_database(settings)
    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise Fatal(f"{path} : lecture impossible ({exc.strerror or exc})", EXIT_ERRORS) from None
    preview = history_import.preview(engine, args.pdl, files)
    if preview.refused:
        print("\n".join(import_lines(preview)))
        print("Rien n'est importé : corrigez ou retirez les fichiers refusés.", file=sys.stderr)
        return EXIT_ERRORS
    if not _to_write(import_lines(preview), preview.ready, args.yes, "importer"):
        return EXIT_OK
    try:
        done = history_import.run(engine, preview.pdl, files, lock_file(settings.data_dir))
    except SyncBusy:
        raise Fatal(BUSY, EXIT_BUSY) from None
    print(f"Importé : {num(done.written)} valeur(s) pour le PDL {done.pdl}, marquées « fichier Enedis ».")
    return EXIT_OK


def cmd_migrate_legacy(args: argparse.Namespace) -> int:
    from .energy.timeline import PARIS
    from .services import legacy_migration, legacy_source
    from .services.lock import SyncBusy, lock_file
    from .web.formatting import num
    from .web.history_text import HANDOVER, migration_lines

    settings = _settings(args)
    if settings.demo:
        _demo_history(settings)
    source = args.source
    if not source:
        found = legacy_source.find(settings)
        if not found:
            places = ", ".join(str(p) for p in legacy_source.folders(settings))
            raise Fatal(f"aucune base de l'ancien client trouvée ({places}) : donnez le chemin de son cache.db ou "
                        "myelectricaldata.db, ou l'URL de sa base PostgreSQL", EXIT_ERRORS)
        source = found[0].source
        print(f"Base trouvée : {found[0].what} : {found[0].shown}")
    engine = open_database(settings)
    today = datetime.now(PARIS).date()
    try:
        report = legacy_migration.preview(engine, source, today)
        if not _to_write(migration_lines(report), report.ready, args.yes, "migrer"):
            return EXIT_OK
        report = legacy_migration.migrate(engine, source, lock_file(settings.data_dir), today)
    except legacy_source.LegacyError as exc:
        raise Fatal(str(exc), EXIT_ERRORS) from None
    except SyncBusy:
        raise Fatal(BUSY, EXIT_BUSY) from None
    print(f"Migré : {num(report.written)} valeur(s) marquées « ancien client », {num(report.tempo_days)} jour(s) "
          "Tempo.")
    print(f"{HANDOVER} (/exporters?tab=homeassistant).")
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    from .simulator import serve_forever

    serve_forever(host=args.host, port=args.port, today=args.today)
    return EXIT_OK


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number between 1 and 65535, got {text!r}")
    return int(text)


def _level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(LOG_LEVELS)}, got {text!r}")
    return text.upper()


def _pdl(text: str) -> str:
    if not (len(text) == 14 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"expected a 14-digit PDL (usage point id), got {text!r}")
    return text


def _listen_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to listen on (default: 127.0.0.1 in demo mode, else all)")
    p.add_argument("--port", type=_port, help="web UI port (PORT, default 8080)")


def _global_flags(p: argparse.ArgumentParser, default: Any = None) -> None:
    """The flags every command takes, before or after its name; after it, ``default`` SUPPRESS leaves the value
    given before (or the top-level default) alone when the flag is absent."""
    p.add_argument("--data-dir", default=default, help="data directory (DATA_DIR)")
    p.add_argument("--database-url", default=default, help="database URL (DATABASE_URL)")
    p.add_argument("--log-level", type=_level, default=default, help="DEBUG, INFO, WARNING or ERROR (LOG_LEVEL)")
    p.add_argument("--demo", action="store_true", default=False if default is None else default,
                   help="use the demo database and simulated gateway (DEMO)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="myelectricaldata", description=(
        "Local client for the MyElectricalData gateway: your Linky data in your own database. "
        "Settings come from /data/options.json, the environment (CLIENT_ID, CLIENT_SECRET, GATEWAY_URL, "
        "DATABASE_URL, DATA_DIR, ...) or DATA_DIR/settings.yaml."))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_flags(parser)
    common = argparse.ArgumentParser(add_help=False)  # the same flags after the command: `status --data-dir X`
    _global_flags(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[common], **kwargs)

    p = command("demo", help="simulated gateway + three demo meters in demo.db, and the web UI on localhost")
    p.add_argument("--once", action="store_true", help="sync once, print what is stored and exit (no web UI)")
    p.add_argument("--today", type=_day, help="freeze the simulated 'today' (YYYY-MM-DD)")
    _listen_flags(p)
    p.set_defaults(func=cmd_demo)

    p = command("sync", help="fetch what is missing from the gateway, then exit")
    p.add_argument("--pdl", action="append", type=_pdl, help="only this PDL (repeatable)")
    p.add_argument("--since", type=_day, help="do not fetch days before this date (YYYY-MM-DD)")
    p.add_argument("--retry-given-up", action="store_true", help="try again the days given up earlier")
    p.set_defaults(func=cmd_sync)

    p = command("status", help="what is stored, what is missing, the last sync and the quota")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_status)

    p = command("serve", help="the web UI and the scheduled syncs, until stopped")
    _listen_flags(p)
    p.set_defaults(func=cmd_serve)

    p = command("init", help="prepare the data directory and bring the database schema up to date, then exit")
    p.set_defaults(func=cmd_init)

    p = command("import", help="import Enedis download files (CSV or XLSX) into a PDL: a summary first, "
                                      "--yes to write")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="R63 or \"Mes données\" CSV, customer-area XLSX")
    p.add_argument("--pdl", type=_pdl, help="the PDL to import into (default: the PRM the files name)")
    p.add_argument("--yes", action="store_true", help="write what the summary shows")
    p.set_defaults(func=cmd_import)

    p = command("migrate-legacy", help="bring in the legacy client's database: a dry-run report first, "
                                              "--yes to write")
    p.add_argument("source", nargs="?", metavar="PATH|URL",
                   help="its cache.db or myelectricaldata.db, or postgresql://... (default: where it is found)")
    p.add_argument("--yes", action="store_true", help="write what the report shows")
    p.set_defaults(func=cmd_migrate_legacy)

    p = command("simulate", help="serve the simulated gateway (GATEWAY_URL=http://127.0.0.1:PORT/api)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_port, default=8090)
    p.add_argument("--today", type=_day, help="freeze the simulated 'today' (YYYY-MM-DD)")
    p.set_defaults(func=cmd_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # the database, the session key, the lock: readable by this user only
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args, lenient=True)  # the command itself reports a bad value
        os.environ["TZ"] = settings.tz  # log timestamps in the configured zone
        time.tzset()
        level = args.log_level or settings.log_level
    except Fatal:
        level = args.log_level or "INFO"  # a value no start can ignore: the command reports it
    _setup_logging(level)
    try:
        return args.func(args)
    except Fatal as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
