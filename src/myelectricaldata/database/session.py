"""Engine creation: SQLite (WAL, in the data directory) by default, PostgreSQL or MySQL by URL."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..config import mask_url


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened; the message names it (without its password) and the cause."""


class DatabaseCorrupt(DatabaseUnavailable):
    """The SQLite file is damaged; the message names the file and how to recover."""


CORRUPT_SQLITE = ("file is not a database", "database disk image is malformed", "file is encrypted")


def corrupt_sqlite(path: str, cause: str) -> DatabaseCorrupt:
    """The error for a damaged SQLite file, with what the user can do about it."""
    return DatabaseCorrupt(
        f"the SQLite database {path} is damaged ({cause}). To recover: stop the application, keep a copy of the file, "
        f"then restore it from a backup, or move it aside with its -wal and -shm files (e.g. to {path}.damaged) and "
        f"start again: a new database is created and the history the gateway keeps is fetched again. "
        f"`sqlite3 {path}.damaged .recover | sqlite3 {path}` can save what is still readable.")


def failure(engine: Engine, exc: SQLAlchemyError, what: str = "cannot open the database") -> DatabaseUnavailable:
    """The error to show for a database failure: a damaged SQLite file gets its recovery hint."""
    cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
    if engine.url.get_backend_name() == "sqlite" and any(marker in cause for marker in CORRUPT_SQLITE):
        return corrupt_sqlite(str(engine.url.database), cause)
    return DatabaseUnavailable(f"{what} {mask_url(engine.url.render_as_string(hide_password=True))}: {cause}")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                if not Path(parsed.database).exists():  # readable by its owner only; -wal and -shm get its mode
                    with suppress(FileExistsError):
                        os.close(os.open(parsed.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except OSError as exc:
                raise DatabaseUnavailable(f"cannot create {parsed.database}: {exc.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600, pool_size=3, max_overflow=2)
    return engine


def check_connection(engine: Engine) -> None:
    """Open one connection, or raise DatabaseUnavailable naming the database and the cause."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise failure(engine, exc) from None


def check_integrity(engine: Engine) -> None:
    """SQLite only: ``PRAGMA quick_check`` over the whole file, or raise DatabaseCorrupt naming it."""
    if engine.url.get_backend_name() != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    try:
        with engine.connect() as conn:
            result = [str(row) for row in conn.exec_driver_sql("PRAGMA quick_check").scalars()]
    except SQLAlchemyError as exc:
        raise failure(engine, exc) from None
    if result != ["ok"]:
        raise corrupt_sqlite(str(engine.url.database), "; ".join(result)[:200])
