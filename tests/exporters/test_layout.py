"""The exporters' layout: one package per built-in plugin, none importing another's modules or the web layer."""

from __future__ import annotations

import ast
from pathlib import Path

import myelectricaldata
from myelectricaldata.exporters.discovery import BUILT_IN_PLUGINS

PACKAGE = Path(myelectricaldata.__file__).parent
EXPORTERS = PACKAGE / "exporters"
PLUGINS = [value.rpartition(".")[2] for value in BUILT_IN_PLUGINS]


def imported(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports (relative imports resolved)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            stem = ".".join(filter(None, [base, node.module]))
            names |= {stem} | {f"{stem}.{alias.name}" for alias in node.names}
    return names


def plugin_of(name: str) -> str | None:
    """The built-in plugin a module name belongs to, if any."""
    parts = name.split(".")
    return parts[2] if parts[:2] == ["myelectricaldata", "exporters"] and parts[2:3] and parts[2] in PLUGINS else None


def test_every_built_in_is_a_package_of_the_exporters():
    assert sorted(PLUGINS) == PLUGINS and len(PLUGINS) == 5
    for name in PLUGINS:
        assert (EXPORTERS / name / "__init__.py").is_file(), name


def test_plugins_import_neither_each_other_nor_the_web_layer():
    for path in EXPORTERS.rglob("*.py"):
        inside = path.relative_to(EXPORTERS).parts[0]
        for name in imported(path):
            assert not name.startswith("myelectricaldata.web"), f"{path} imports {name}"
            assert plugin_of(name) in (None, inside), f"{path} imports {name}"


def test_nothing_outside_the_exporters_imports_a_built_in_plugin():
    for path in PACKAGE.rglob("*.py"):
        if EXPORTERS not in path.parents:
            assert not [name for name in imported(path) if plugin_of(name)], path
