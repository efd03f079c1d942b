"""An exporter's config schema: declarative fields, validation with field-named errors in French, secret masking."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..text import control_message, first_control

FIELD_TYPES = ("str", "int", "float", "bool", "password", "choice")
MASK = "********"
TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}
WHOLE_NUMBER = "N'est pas un entier valide."


@dataclass(frozen=True)
class ConfigField:
    """One setting of an exporter; ``password`` fields are secrets, ``choice`` fields take one of ``choices`` (shown
    with ``labels`` when given); a change of a ``reexport`` field makes the next export send everything again."""

    name: str
    label: str = ""
    type: str = "str"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""
    minimum: float | None = None  # int and float fields: the accepted range, bounds included
    maximum: float | None = None
    check: Callable[[Any], object] | None = None  # called with the coerced value; a ValueError is the field's error
    labels: tuple[str, ...] = ()
    reexport: bool = False

    @property
    def secret(self) -> bool:
        """True for secrets: never shown back, kept when a save leaves them blank."""
        return self.type == "password"


class SchemaError(ValueError):
    """A config schema an exporter declares is malformed."""


def check_schema(fields: Sequence[ConfigField]) -> None:
    """Raise SchemaError naming the first malformed field."""
    seen: set[str] = set()
    for f in fields:
        if not isinstance(f, ConfigField):
            raise SchemaError(f"config_schema holds {f!r}, not a ConfigField")
        if not f.name.isidentifier() or f.name in seen:
            raise SchemaError(f"field {f.name!r}: name must be a unique identifier")
        if f.type not in FIELD_TYPES:
            raise SchemaError(f"field {f.name!r}: type {f.type!r} is not one of {', '.join(FIELD_TYPES)}")
        if f.type == "choice" and not f.choices:
            raise SchemaError(f"field {f.name!r}: a choice needs choices")
        if f.labels and len(f.labels) != len(f.choices):
            raise SchemaError(f"field {f.name!r}: one label per choice")
        seen.add(f.name)


def defaults(fields: Sequence[ConfigField]) -> dict[str, Any]:
    """The config an exporter starts with."""
    return {f.name: f.default for f in fields}


def _coerce(f: ConfigField, raw: Any) -> Any:
    if f.type == "bool":
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        raise ValueError("Oui ou non attendu.")
    if f.type == "int":
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError(WHOLE_NUMBER)
        try:
            number: float = int(str(raw).strip()) if not isinstance(raw, int | float) else int(raw)
        except ValueError:
            raise ValueError(WHOLE_NUMBER) from None
        return _in_range(f, number)
    if f.type == "float":
        try:
            number = float(str(raw).strip().replace(",", "."))
        except ValueError:
            raise ValueError("Nombre attendu.") from None
        return _in_range(f, number)
    value = str(raw)
    bad = first_control(value)
    if bad is not None:
        raise ValueError(control_message(bad))
    if f.type == "choice" and value not in f.choices:
        raise ValueError(f"Choisissez parmi : {', '.join(f.choices)}.")
    return value


def _in_range(f: ConfigField, value: float) -> Any:
    low, high = f.minimum, f.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"Valeur de {_number(low)} à {_number(high)} attendue." if low is not None and high is not None
                         else f"Au moins {_number(low)} attendu." if low is not None else
                         f"Au plus {_number(high)} attendu.")
    return value


def _number(value: float | None) -> str:
    return f"{value:g}".replace(".", ",")


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def validate(fields: Sequence[ConfigField], submitted: Mapping[str, Any],
             stored: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The clean config and the errors by field name (one French message each, a ``check``'s own message as it is);
    blank or masked secrets keep their stored value."""
    stored = stored or {}
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in fields:
        raw = submitted.get(f.name)
        if f.secret and (_blank(raw) or raw == MASK):
            raw = stored.get(f.name)
        if _blank(raw) and f.type != "bool":
            if f.required and _blank(f.default):
                errors[f.name] = "Champ obligatoire."
            clean[f.name] = f.default
            continue
        try:
            clean[f.name] = _coerce(f, False if raw is None else raw)
            if f.check is not None:
                f.check(clean[f.name])
        except ValueError as exc:
            errors[f.name] = str(exc)
    return clean, errors


def masked(fields: Sequence[ConfigField], config: Mapping[str, Any]) -> dict[str, Any]:
    """The config safe to show: every secret that is set replaced by a mask."""
    out = {f.name: config.get(f.name, f.default) for f in fields}
    for f in fields:
        if f.secret:
            out[f.name] = MASK if out[f.name] else ""
    return out
