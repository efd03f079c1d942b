"""Whether the database can be read (``/healthz``), what a database failure means in plain French (a full disk, a
damaged file, a server out of reach), and the name of the handle services take."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from ..database import models as m
from ..database.session import CORRUPT_SQLITE

Database = Engine  # what the layers above hold and hand back to services, without importing sqlalchemy
READ_BACK = (m.app_state, m.usage_points, m.sync_runs, m.daily_energy)  # what every page reads
DISK_FULL = ("database or disk is full", "no space left on device", "disk full", "could not extend file",
             "is full", "errcode: 28")
DISK_FULL_SQLSTATE = "53100"  # PostgreSQL's disk_full


def database_answers(engine: Database) -> bool:
    """True when a connection opens and reads a row of the tables every page reads; any failure means no (a damaged
    SQLite file fails here, where ``SELECT 1`` would still answer)."""
    try:
        with engine.connect() as conn:
            for table in READ_BACK:
                conn.execute(select(table).limit(1)).all()
    except Exception:
        return False
    return True


def database_problem(exc: BaseException | None) -> str | None:
    """The French words for a database failure (a full disk, a damaged file, a database out of reach), or None
    when ``exc`` is something else."""
    if not isinstance(exc, SQLAlchemyError):
        return None
    orig = getattr(exc, "orig", None) or exc
    cause = str(orig).strip().splitlines()[0][:200] if str(orig).strip() else type(orig).__name__
    lowered = cause.lower()
    if getattr(orig, "sqlstate", None) == DISK_FULL_SQLSTATE or any(words in lowered for words in DISK_FULL):
        return ("Le disque de la base de données est plein : ce changement n'a pas été enregistré, ce qui était déjà "
                f"stocké est intact. Libérez de la place (ou agrandissez le volume des données), puis réessayez. "
                f"({cause})")
    if any(marker in cause for marker in CORRUPT_SQLITE):
        return ("La base de données est endommagée : l'application ne peut plus la lire. Arrêtez-la, gardez une "
                "copie du fichier, puis restaurez une sauvegarde, ou mettez le fichier de côté avec ses fichiers -wal "
                "et -shm et redémarrez : une base neuve est créée et l'historique que garde la passerelle est "
                f"demandé à nouveau. ({cause})")
    if isinstance(exc, OperationalError | InterfaceError):
        return ("La base de données ne répond pas : réessayez dans un instant ; si cela dure, voyez le journal. "
                f"({cause})")
    return None
