"""The error a service raises for input it refuses; forms show each message next to its field."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from ..text import control_message, first_control


class FieldError(ValueError):
    """Input refused, nothing stored: one message in French per field (``FieldError("kva", "...")`` or a mapping)."""

    def __init__(self, field: str | Mapping[str, str], message: str = "") -> None:
        self.errors: dict[str, str] = dict(field) if isinstance(field, Mapping) else {field: message}
        super().__init__("; ".join(f"{name}: {text}" for name, text in self.errors.items()))


def refuse_control_characters(values: Mapping[str, Any], lines: Collection[str] = ()) -> None:
    """Raise FieldError naming each text of ``values`` that holds a control character (NUL included); nested lists
    and mappings are looked through and named like ``versions[0].energy.HP``. The texts under a key of ``lines``
    may hold tabs and line breaks."""
    errors: dict[str, str] = {}
    for key, value in values.items():
        for path, text in _texts(key, value):
            bad = first_control(text, lines=key in lines)
            if bad is not None:
                errors.setdefault(path, control_message(bad))
    if errors:
        raise FieldError(errors)


def _texts(path: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(f"{path}.{key}", item)
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from _texts(f"{path}[{n}]", item)
