"""Throwaway databases on the machine's PostgreSQL and MariaDB: created for one test (or module), dropped after."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from tests.support import required

SERVER_URLS = {
    "postgresql": os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}


@contextmanager
def throwaway_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh, empty database on ``backend`` (``sqlite``: a file in ``folder``); the server ones are
    dropped afterwards. A server out of reach is ``required.unavailable`` (REQUIRE_DB_BACKENDS)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    admin = sa.create_engine(SERVER_URLS[backend], isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError as exc:
        admin.dispose()
        required.unavailable("REQUIRE_DB_BACKENDS", f"{backend} not reachable: {exc.orig}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if backend == "postgresql" else ""))
        admin.dispose()
