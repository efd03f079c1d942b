"""Whether the database answers (``/healthz``), and the name of the handle services take."""

from __future__ import annotations

from sqlalchemy import Engine, text

Database = Engine  # what the layers above hold and hand back to services, without importing sqlalchemy


def database_answers(engine: Database) -> bool:
    """True when a connection opens and runs ``SELECT 1``; any failure means no."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
