"""Shared fixtures: the three real databases, the machine's MQTT broker."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from tests.support import required

SERVER_URLS = {
    "postgresql": os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mysql": os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"),
}


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_url(request, tmp_path):
    """A fresh, empty database on each backend; the server ones are dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin = sa.create_engine(SERVER_URLS[request.param], isolation_level="AUTOCOMMIT")
    try:
        admin.connect().close()
    except sa.exc.OperationalError as exc:
        if required.is_required("REQUIRE_DB_BACKENDS"):
            raise
        pytest.skip(f"{request.param} not reachable: {exc.orig}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}" + (" WITH (FORCE)" if request.param == "postgresql"
                                                                     else ""))
        admin.dispose()


@pytest.fixture
def engine(db_url):
    """Engine on a migrated, empty database."""
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    from myelectricaldata.database.migrate import upgrade
    from myelectricaldata.database.session import make_engine

    eng = make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def mqtt_broker() -> tuple[str, int]:
    """The machine's Mosquitto (host, port): a skip, or a failure under ``REQUIRE_MQTT=1``, when it is not there."""
    required.broker()
    return required.BROKER_HOST, required.BROKER_PORT
