"""Where a sign-in may send the browser next: a path of this app, nothing else."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ..text import first_control


def local_target(target: str | None) -> str | None:
    """``target`` when it is a local path (``/settings?x=1``), else None: no scheme or host, no ``//`` nor backslash
    at its start or anywhere a browser would read one, no control character even once percent-decoded (a browser
    drops a tab: ``/%09/evil.example`` would go to ``//evil.example``)."""
    if not target:
        return None
    forms = [target]
    while len(forms) < 4 and (decoded := unquote(forms[-1])) != forms[-1]:
        forms.append(decoded)
    for text in forms:
        if not text.startswith("/") or text.startswith("//") or "\\" in text or first_control(text) is not None:
            return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target
