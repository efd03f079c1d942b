"""The plugin author's guide documents every hookspec and the base class."""

from __future__ import annotations

import inspect
from pathlib import Path

from myelectricaldata.exporters import hookspecs
from myelectricaldata.exporters.base import BaseExporter
from myelectricaldata.exporters.batches import ExportBatch

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


def hookspec_names() -> list[str]:
    return [name for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
            if hasattr(fn, "myelectricaldata_spec")]


def test_every_hookspec_is_documented_with_its_arguments():
    text = GUIDE.read_text(encoding="utf-8")
    names = hookspec_names()
    assert len(names) >= 5
    for name in names:
        args = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### `{name}({args})`" in text, f"hook {name} missing from docs/plugins.md"


def test_base_class_and_batch_fields_are_documented():
    text = GUIDE.read_text(encoding="utf-8")
    for method in ("connect", "disconnect", "export", "test_connection"):
        assert f"`{method}(" in text
        assert callable(getattr(BaseExporter, method))
    for name in ExportBatch.ROWS:
        assert f"`{name}`" in text
