"""The standalone UI password and its sign-in sessions.

The password is kept only as a salted hash (werkzeug's format). A sign-in opens a session kept here with its end,
so signing out ends it for good (a copy of the cookie is then worth nothing); changing or removing the password
ends every session, and the browser's cookie also carries the password's version."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import repository as repo

PASSWORD_KEY = "ui_password_hash"
SESSIONS_KEY = "ui_sessions"  # {session id: ISO end}
SESSION_LIFETIME = timedelta(days=7)  # a sign-in lasts this long, however active


@dataclass(frozen=True)
class Access:
    """What a request needs to know: whether a password is set, its version, and whether its session is open."""

    version: str  # "" when no password is set
    session_open: bool

    @property
    def protected(self) -> bool:
        return bool(self.version)


def _hash(conn: Connection) -> str:
    return repo.get_state(conn, PASSWORD_KEY, "") or ""


def _version(stored: str) -> str:
    """A short fingerprint of the stored hash: it changes with every password set (new salt)."""
    return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else ""


def _sessions(conn: Connection, now: datetime) -> dict[str, str]:
    """The open sessions (those ended by time left out)."""
    kept = repo.get_state(conn, SESSIONS_KEY, {}) or {}
    return {sid: end for sid, end in kept.items() if datetime.fromisoformat(end) > now}


def access(engine: Engine, session_id: str | None, now: datetime) -> Access:
    """The password's version and whether ``session_id`` is an open session at ``now``."""
    with engine.connect() as conn:
        version = _version(_hash(conn))
        is_open = bool(version and session_id) and session_id in _sessions(conn, now)
    return Access(version, is_open)


def has_password(engine: Engine) -> bool:
    """True when a password protects the UI."""
    with engine.connect() as conn:
        return bool(_hash(conn))


def password_version(engine: Engine) -> str:
    """The version of the password set ("" when none)."""
    with engine.connect() as conn:
        return _version(_hash(conn))


def password_matches(engine: Engine, password: str) -> bool:
    """True when a password is set and ``password`` is it."""
    with engine.connect() as conn:
        stored = _hash(conn)
    return bool(stored) and check_password_hash(stored, password)


def set_password(engine: Engine, password: str) -> None:
    """Set (or with an empty string, remove) the standalone UI password; every session ends."""
    with engine.begin() as conn:
        repo.set_state(conn, PASSWORD_KEY, generate_password_hash(password) if password else "")
        repo.set_state(conn, SESSIONS_KEY, {})


def apply_fixed_password(engine: Engine, password: str) -> bool:
    """Make ``password`` (the ``UI_PASSWORD`` setting) the UI password unless it already is; True when it changed
    (the sessions then end)."""
    if password_matches(engine, password):
        return False
    set_password(engine, password)
    return True


def open_session(engine: Engine, now: datetime) -> str:
    """A new session id, open until ``now`` + SESSION_LIFETIME."""
    session_id = secrets.token_urlsafe(24)
    with engine.begin() as conn:
        sessions = _sessions(conn, now)
        sessions[session_id] = (now + SESSION_LIFETIME).isoformat()
        repo.set_state(conn, SESSIONS_KEY, sessions)
    return session_id


def close_session(engine: Engine, session_id: str | None, now: datetime) -> None:
    """End one session (signing out)."""
    with engine.begin() as conn:
        sessions = _sessions(conn, now)
        if sessions.pop(session_id or "", None) is not None:
            repo.set_state(conn, SESSIONS_KEY, sessions)
