"""The error a service raises for input it refuses; forms show each message next to its field."""

from __future__ import annotations

from collections.abc import Mapping


class FieldError(ValueError):
    """Input refused, nothing stored: one message in French per field (``FieldError("kva", "...")`` or a mapping)."""

    def __init__(self, field: str | Mapping[str, str], message: str = "") -> None:
        self.errors: dict[str, str] = dict(field) if isinstance(field, Mapping) else {field: message}
        super().__init__("; ".join(f"{name}: {text}" for name, text in self.errors.items()))
