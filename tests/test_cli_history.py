"""``import`` and ``migrate-legacy`` as a user runs them: a summary first, nothing written without --yes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from tests.support.fixtures import FIXTURES
from tests.test_cli import cli_env, run_cli

pytestmark = pytest.mark.slow  # every test runs the command line in a new process
R63 = FIXTURES / "history-import" / "enedis_r63_courbe_de_charge.csv"
DAILY = FIXTURES / "history-import" / "enedis_export_consommation_quotidienne.xlsx"


def count(path, table) -> int:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(table))
    finally:
        engine.dispose()


def test_import_shows_its_summary_and_writes_only_with_yes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'myelectricaldata.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        repo.save_usage_point(conn, "12345678901234")
    engine.dispose()
    out = run_cli("import", str(R63), str(DAILY), env=cli_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "enedis_r63_courbe_de_charge.csv : CSV R63 (courbe de charge), 9 valeur(s), PRM 12345678901234" in out.stdout
    assert "Courbe de charge (consommation) (du 29/10/2023 au 29/10/2023) : 9 point(s) à ajouter" in out.stdout
    assert "relancez avec --yes" in out.stdout and count(tmp_path / "myelectricaldata.db", m.load_curve) == 0
    out = run_cli("import", "--yes", str(R63), str(DAILY), env=cli_env(tmp_path))
    assert out.returncode == 0 and "Importé : 12 valeur(s) pour le PDL 12345678901234" in out.stdout
    assert count(tmp_path / "myelectricaldata.db", m.load_curve) == 9
    out = run_cli("import", "--pdl", "99999999999999", str(R63), env=cli_env(tmp_path))
    assert out.returncode == 1 and "Refusé : PDL 99999999999999 inconnu ici" in out.stdout
    assert "Rien n'est importé" in out.stderr


def test_migrate_legacy_in_the_demo_finds_its_database_and_hands_over(tmp_path):
    out = run_cli("--demo", "migrate-legacy", env=cli_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Base trouvée : base SQLite de la version 0.13" in out.stdout
    assert "PDL 99000000000002 « Maison Tours » (nouveau ici)" in out.stdout and "(essai à blanc)" in out.stdout
    assert count(tmp_path / "demo.db", m.load_curve) == 0
    out = run_cli("--demo", "migrate-legacy", "--yes", env=cli_env(tmp_path))
    assert out.returncode == 0 and "Migré :" in out.stdout and "/exporters?tab=homeassistant" in out.stdout
    assert count(tmp_path / "demo.db", m.load_curve) > 0
    out = run_cli("migrate-legacy", str(tmp_path / "nowhere.db"), env=cli_env(tmp_path))
    assert out.returncode == 1 and "nowhere.db : fichier introuvable" in out.stderr
