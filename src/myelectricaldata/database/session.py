"""Engine creation: SQLite (WAL, in the data directory) by default, PostgreSQL or MySQL by URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..config import mask_url


class DatabaseUnavailable(RuntimeError):
    """The database cannot be opened; the message names it (without its password) and the cause."""


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            try:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(f"cannot create the folder of {parsed.database}: {exc.strerror}") from None
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
        cause = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        raise DatabaseUnavailable(
            f"cannot open the database {mask_url(engine.url.render_as_string(hide_password=True))}: "
            f"{cause}") from None
