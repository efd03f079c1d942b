"""Response envelope, error answers and query-string reading, as the gateway's FastAPI app shapes them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date

from werkzeug.wrappers import Request

from .state import SimulatorState

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}


class GatewayError(Exception):
    """A business error, answered inside the envelope (HTTP 200 on the Enedis routes)."""

    def __init__(self, code: str, message: str, status: int = 200) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class DetailError(Exception):
    """An answer outside the envelope: ``{"detail": ...}`` with its own status."""

    def __init__(self, status: int, detail: object, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail
        self.headers = headers or {}


@dataclass
class Call:
    """One request being served, with what the handlers learn about it on the way."""

    state: SimulatorState
    request: Request
    route: str
    args: dict[str, str]
    fault: str | None = None
    bucket: str | None = None

    def query(self, name: str) -> str | None:
        """A query-string parameter, or None."""
        return self.request.args.get(name)


def timestamp(state: SimulatorState) -> str:
    """Envelope timestamp: naive UTC ISO time of the simulator clock."""
    return state.now().astimezone(UTC).replace(tzinfo=None).isoformat()


def envelope(state: SimulatorState, data: object = None, error: tuple[str, str] | None = None) -> dict:
    """The ``{success, data, error, timestamp}`` body."""
    failed = error is not None and data is None
    return {
        "success": not failed,
        "data": data,
        "error": {"code": error[0], "message": error[1], "field": None} if error else None,
        "timestamp": timestamp(state),
    }


def encode(body: object) -> bytes:
    """JSON bytes as FastAPI writes them."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def missing_field(name: str) -> dict:
    """FastAPI's validation item for a required query parameter left out."""
    return {"type": "missing", "loc": ["query", name], "msg": "Field required", "input": None}


def read_flag(call: Call, name: str, default: bool) -> bool:
    """A boolean query parameter parsed the way FastAPI does (422 on nonsense)."""
    raw = call.query(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    problem = {
        "type": "bool_parsing",
        "loc": ["query", name],
        "msg": "Input should be a valid boolean, unable to interpret input",
        "input": raw,
    }
    raise DetailError(422, [problem])


def read_period(call: Call, use_cache_default: bool) -> tuple[str, str, bool]:
    """The required ``start``/``end`` strings and the ``use_cache`` flag (422 when missing)."""
    start, end = call.query("start"), call.query("end")
    problems = [missing_field(name) for name, value in (("start", start), ("end", end)) if value is None]
    if problems:
        raise DetailError(422, problems)
    return start or "", end or "", read_flag(call, "use_cache", use_cache_default)


def parse_day(text: str, name: str) -> date:
    """A ``YYYY-MM-DD`` date or an INVALID_DATE_FORMAT error."""
    try:
        if _DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise GatewayError("INVALID_DATE_FORMAT", f"Invalid {name} date '{text}'. Expected format: YYYY-MM-DD")
