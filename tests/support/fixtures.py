"""The JSON fixtures of tests/fixtures/: quoted requests and replies, each naming its source in ``_source``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_json(*parts: str) -> Any:
    """A fixture as stored, annotations included: ``fixture_json("ha", "ws_auth.json")``."""
    return json.loads(FIXTURES.joinpath(*parts).read_text(encoding="utf-8"))


def without_notes(value: Any) -> Any:
    """A fixture without its ``_``-prefixed annotations (``_source``, ``_status``), at every depth."""
    if isinstance(value, dict):
        return {k: without_notes(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [without_notes(v) for v in value]
    return value
