"""Fixtures of the add-on tests: a temporary container root, a fake Supervisor, the simulated gateway."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from myelectricaldata.simulator import start_simulator
from tests.support.container import Container
from tests.support.fakes.supervisor import FakeSupervisor
from tests.support.required import binary


@pytest.fixture
def sim():
    with start_simulator() as running:  # real clock: the app runs in another process
        yield running


@pytest.fixture
def supervisor() -> Iterator[FakeSupervisor]:
    with FakeSupervisor() as fake:
        yield fake


@pytest.fixture
def make_container(tmp_path: Path):
    """make_container(env=..., options=..., supervisor=...) -> Container; options.json only with a Supervisor."""
    for tool in ("bash", "curl", "jq"):  # the stub bashio calls the Supervisor as bashio does, with curl and jq
        binary(tool)
    made: list[Container] = []

    def make(env: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None,
             supervisor: FakeSupervisor | None = None) -> Container:
        base = tmp_path / f"container{len(made)}"
        base.mkdir()
        extra = dict(env or {})
        if supervisor is not None:
            extra.update(SUPERVISOR_TOKEN=supervisor.token, SUPERVISOR_API=supervisor.url,
                         SUPERVISOR_URL=supervisor.url)
        container = Container(base, extra)
        container.env["OPTIONS_FILE"] = str(container.data / "options.json")
        container.env["ADDON_CONFIG_DIR"] = str(container.path("config"))
        if supervisor is not None:
            (container.data / "options.json").write_text(json.dumps({"log_level": "info", "demo": False,
                                                                      **(options or {})}))
        made.append(container)
        return container

    yield make
    for container in made:
        container.close()
