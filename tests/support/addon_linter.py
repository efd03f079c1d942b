"""The Home Assistant add-on linter's checks (frenck/action-addon-linter ``src/lint.py``) over its JSON schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft7Validator, ValidationError, validators

from tests.support.fixtures import FIXTURES

SCHEMAS = FIXTURES / "addon-linter"


def _default_checking(validator_class: type) -> type:
    """A validator that also reports every property set to its schema default, as lint.py does."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def properties(validator: Any, props: Mapping[str, Any], instance: Any, schema: Any) -> Iterator[ValidationError]:
        if isinstance(instance, dict):
            for name, subschema in props.items():
                if "default" in subschema and instance.get(name) == subschema["default"]:
                    yield ValidationError(f"'{name}' should be removed, it uses a default value")
        yield from validate_properties(validator, props, instance, schema)

    return validators.extend(validator_class, {"properties": properties})


def schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"addon-{name}.schema.json").read_text(encoding="utf-8"))


def schema_errors(name: str, document: Mapping[str, Any]) -> list[str]:
    """Messages of the schema check (defaults included), sorted as lint.py prints them."""
    validator = _default_checking(Draft7Validator)(schema(name))
    return sorted(error.message for error in validator.iter_errors(document))


def config_errors(config: Mapping[str, Any]) -> list[str]:
    """Everything lint.py reports as an error for a config.yaml."""
    errors = schema_errors("config", config)
    if config.get("ingress", False):
        if config.get("webui"):
            errors.append("'webui' should be removed, Ingress is enabled.")
        if not config.get("host_network", False) and config.get("ingress_port", 8099) == 0:
            errors.append("'ingress_port' this does not run on the host network.")
    if config.get("full_access") and any(item in ("devices", "gpio", "uart", "usb") for item in config):
        errors.append("'full_access', don't add 'devices', 'uart', 'usb' or 'gpio' this is not needed")
    if "auto_uart" in config:
        errors.append("'auto_uart' is deprecated, use 'uart' instead.")
    if any(":" in line for line in config.get("devices", [])):
        errors.append("'devices' uses a deprecated format, the new format uses a list of paths only.")
    if not isinstance(config.get("tmpfs", False), bool):
        errors.append("'tmpfs' use a deprecated format, it is a boolean now.")
    if config.get("backup", "hot") == "cold":
        errors += [f"'{option}' is not valid when using cold backups." for option in ("backup_pre", "backup_post")
                   if option in config]
    if config.get("watchdog"):
        errors.append("'watchdog', is obsolete. Use the native Docker HEALTHCHECK directive instead.")
    return errors


def build_errors(build: Mapping[str, Any]) -> list[str]:
    return schema_errors("build", build)
