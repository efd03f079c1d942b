"""Control characters in text: which ones a stored or shown string may not hold, found or removed.

A leaf any layer may use: the gateway's parser cleans what it receives, the forms and the services refuse what
a person typed."""

from __future__ import annotations

CONTROLS = (*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0xD800, 0xE000))  # C0, DEL, C1, lone surrogates
LINE_BREAKS = "\t\n\r"  # what a multi-line field legitimately holds
ONE_LINE = {**dict.fromkeys(CONTROLS), **dict.fromkeys(map(ord, "\t\n\r\u2028\u2029"), " ")}
LINES = {**ONE_LINE, ord("\t"): "\t", ord("\n"): "\n", ord("\r"): None}
_REFUSED = frozenset(CONTROLS)
_REFUSED_IN_LINES = _REFUSED - frozenset(map(ord, LINE_BREAKS))


def first_control(value: str, *, lines: bool = False) -> str | None:
    """The first control character of ``value`` (tabs and line breaks allowed when ``lines``), or None."""
    refused = _REFUSED_IN_LINES if lines else _REFUSED
    return next((c for c in value if ord(c) in refused), None)


def control_message(char: str) -> str:
    """The French refusal of a control character, naming it by its code point."""
    return f"Caractère de contrôle refusé (U+{ord(char):04X}) : retirez-le."
