"""The standalone UI password: kept only as a salted hash (werkzeug's format), checked here."""

from __future__ import annotations

from sqlalchemy import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import repository as repo

PASSWORD_KEY = "ui_password_hash"


def _hash(engine: Engine) -> str:
    with engine.connect() as conn:
        return repo.get_state(conn, PASSWORD_KEY, "") or ""


def has_password(engine: Engine) -> bool:
    """True when a password protects the UI."""
    return bool(_hash(engine))


def password_matches(engine: Engine, password: str) -> bool:
    """True when a password is set and ``password`` is it."""
    stored = _hash(engine)
    return bool(stored) and check_password_hash(stored, password)


def set_password(engine: Engine, password: str) -> None:
    """Set (or with an empty string, remove) the standalone UI password."""
    with engine.begin() as conn:
        repo.set_state(conn, PASSWORD_KEY, generate_password_hash(password) if password else "")
