"""Shared fixtures: the three real databases, the machine's MQTT broker."""

from __future__ import annotations

import pytest

from tests.support import required
from tests.support.databases import throwaway_database


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def db_url(request, tmp_path):
    """A fresh, empty database on each backend; the server ones are dropped afterwards."""
    with throwaway_database(request.param, tmp_path) as url:
        yield url


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
