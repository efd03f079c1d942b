"""The Supervisor's proxy to Home Assistant Core as the balance reads it: ``GET /core/api/states/<entity>`` and
``GET /core/api/history/period/<start>``, served by werkzeug on 127.0.0.1 with the literal reply shapes kept in
tests/fixtures/ha/ (``state_pv_total.json``, ``history_pv_total.json``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.fakes import raw_fixture

TOKEN = "fake-supervisor-token-5f2c9a"
ENTITY = "sensor.pv_total"


def ha_entities(unit: str = "kWh") -> dict[str, tuple[dict, list]]:
    state = raw_fixture("state_pv_total.json")
    state["attributes"]["unit_of_measurement"] = unit
    return {ENTITY: (state, raw_fixture("history_pv_total.json"))}


@contextmanager
def fake_supervisor(entities: dict[str, tuple[dict, list]], token: str = TOKEN) -> Iterator[dict]:
    """Serve GET /core/api/states/<entity> and GET /core/api/history/period/<start>; yields {"url", "requests"}."""
    seen: list[Request] = []

    @Request.application
    def app(request: Request) -> Response:
        seen.append(request)
        if request.headers.get("Authorization") != f"Bearer {token}":
            return Response(json.dumps({"message": "Unauthorized"}), 401, content_type="application/json")
        path = request.path
        if request.method == "GET" and path.startswith("/core/api/states/"):
            found = entities.get(path.removeprefix("/core/api/states/"))
            if found:
                return Response(json.dumps(found[0]), content_type="application/json")
            return Response(json.dumps({"message": "Entity not found."}), 404, content_type="application/json")
        if request.method == "GET" and path.startswith("/core/api/history/period/"):
            datetime.fromisoformat(path.removeprefix("/core/api/history/period/"))
            datetime.fromisoformat(request.args["end_time"])
            assert "minimal_response" in request.args and "no_attributes" in request.args
            found = entities.get(request.args.get("filter_entity_id", ""))
            return Response(json.dumps(found[1] if found else []), content_type="application/json")
        return Response(json.dumps({"message": "Not found"}), 404, content_type="application/json")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}/core", "requests": seen}
    finally:
        server.shutdown()
        thread.join(5)
