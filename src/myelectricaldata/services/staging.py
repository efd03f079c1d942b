"""What a page keeps between a preview and its confirmation (uploaded files, a legacy source that may hold a
password), in the data directory under a random token, never in the page nor in the session cookie."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

FOLDER = "staged"
MAX_AGE = 6 * 3600  # seconds a preview may wait for its confirmation
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _folder(data_dir: Path, token: str) -> Path | None:
    return data_dir / FOLDER / token if _TOKEN.fullmatch(token or "") else None


def stage(data_dir: Path, files: Sequence[tuple[str, bytes]]) -> str:
    """Keep ``files`` (name, bytes); returns the token that gives them back. Older stagings are swept."""
    root = data_dir / FOLDER
    if root.is_dir():
        for old in root.iterdir():
            if old.stat().st_mtime < time.time() - MAX_AGE:
                shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(24)
    folder = root / token
    folder.mkdir(parents=True, mode=0o700)
    for n, (_, data) in enumerate(files):
        (folder / f"{n:04d}").write_bytes(data)
    (folder / "names.json").write_text(json.dumps([name for name, _ in files]), encoding="utf-8")
    return token


def staged(data_dir: Path, token: str) -> list[tuple[str, bytes]] | None:
    """The files kept under ``token``; None when unknown or expired."""
    folder = _folder(data_dir, token)
    if folder is None or not folder.is_dir() or folder.stat().st_mtime < time.time() - MAX_AGE:
        return None
    names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    return [(name, (folder / f"{n:04d}").read_bytes()) for n, name in enumerate(names)]


def discard(data_dir: Path, token: str) -> None:
    folder = _folder(data_dir, token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
