"""The history pages: Enedis files uploaded on a PDL's page, previewed, then imported on confirmation; the legacy
migration's dry run, confirmation and hand-over words; the demo's samples."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.simulator.enedis_downloads import write_demo_history
from myelectricaldata.web.app import create_app
from tests.support.fixtures import FIXTURES

PDL = "12345678901234"
NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
R63 = (FIXTURES / "history-import" / "enedis_r63_courbe_de_charge.csv").read_bytes()


@pytest.fixture
def make_app(sqlite_engine, tmp_path):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison")

    def build(demo: bool = False):
        environ = {"DATA_DIR": str(tmp_path), **({"DEMO": "1"} if demo else {})}
        settings = load_settings(environ=environ, options_file=Path("/nonexistent"))
        return create_app(settings, AppServices(sqlite_engine, sync=object(), clock=lambda: NOON, demo=demo))
    return build


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def token(html: str, name: str = "csrf_token") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def curve_rows(engine) -> list[tuple]:
    t = m.load_curve
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.start_utc, t.c.watts, t.c.source).order_by(t.c.start_utc)).all()


def upload(client, *files: tuple[str, bytes]):
    html = client.get(f"/settings/{PDL}").get_data(as_text=True)
    data = {"csrf_token": token(html), "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/settings/{PDL}/import", data=data, content_type="multipart/form-data")


def test_the_pdl_page_offers_the_upload_and_the_migration(client):
    html = client.get(f"/settings/{PDL}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and 'name="files"' in html and "multiple" in html
    assert "Importer un historique Enedis" in html and 'href="/settings/migration"' in html
    assert "importer un historique Enedis" in client.get("/settings").get_data(as_text=True)


def test_an_upload_is_previewed_then_written_only_once_confirmed(client, sqlite_engine):
    response = upload(client, ("ENEDIS_R63.csv", R63))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CSV R63 (courbe de charge)" in html and "Courbe de charge (consommation)" in html
    assert "du 29/10/2023 au 29/10/2023" in html and "Importer ces valeurs" in html
    assert curve_rows(sqlite_engine) == []  # nothing before the confirmation
    confirmed = client.post(f"/settings/{PDL}/import/confirm",
                            data={"csrf_token": token(html), "token": token(html, "token")})
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(f"/settings/{PDL}#import")
    rows = curve_rows(sqlite_engine)
    assert len(rows) == 9 and {r.source for r in rows} == {"enedis_file"} and rows[4].watts == 1134
    assert "Import terminé : 9 valeur(s) ajoutée(s) à Maison" in client.get(f"/settings/{PDL}").get_data(as_text=True)
    again = client.post(f"/settings/{PDL}/import/confirm",
                        data={"csrf_token": token(html), "token": token(html, "token")})
    assert again.status_code == 400 and "Cet aperçu a expiré" in again.get_data(as_text=True)


@pytest.mark.parametrize(("body", "message"), [
    (R63.replace(b"12345678901234", b"19125759625988"), "fichier du PRM 19125759625988, pas du PDL 12345678901234"),
    (R63.replace(b";640;", b";six;"), "ligne 4 : la valeur « six » n&#39;est pas un nombre"),
])
def test_a_refused_file_is_shown_with_its_reason_and_nothing_can_be_confirmed(client, sqlite_engine, body, message):
    response = upload(client, ("courbe.csv", body))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and "Importer ces valeurs" not in html
    assert curve_rows(sqlite_engine) == []


def test_an_upload_without_files_says_so(client):
    response = upload(client)
    assert response.status_code == 400 and "Choisissez au moins un fichier." in response.get_data(as_text=True)


def test_the_demo_offers_its_samples_and_its_legacy_database(make_app, tmp_path, sqlite_engine):
    write_demo_history(tmp_path / "demo-history", date(2025, 11, 5))
    client = make_app(demo=True).test_client()
    html = client.get(f"/settings/{PDL}").get_data(as_text=True)
    sample = "ENEDIS_R63_P_CdC_99000000000001.csv"
    assert f"/settings/import-sample/{sample}" in html
    banner = client.get("/").get_data(as_text=True)
    assert "Essayez aussi l'" in banner
    assert 'href="/settings/migration">migration depuis l' in banner
    assert client.get(f"/settings/import-sample/{sample}").get_data().startswith(b"Identifiant PRM;Date de d")
    assert client.get("/settings/import-sample/..%2Fdemo.db").status_code == 404
    assert make_app().test_client().get(f"/settings/import-sample/{sample}").status_code == 404  # outside the demo
    page = client.get("/settings/migration").get_data(as_text=True)
    assert "base SQLite de la version 0.13" in page and "demo-history/myelectricaldata/cache.db" in page
    report = client.post("/settings/migration", data={"csrf_token": token(page), "found": "0"})
    html = report.get_data(as_text=True)
    assert report.status_code == 200 and "Essai à blanc" in html and "PDL 99000000000002 « Maison Tours »" in html
    assert "(heure d'été), 2 intervalle(s)" in html and "Migrer ces données" in html
    with sqlite_engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(m.daily_energy)) == 0
    done = client.post("/settings/migration/confirm", data={"csrf_token": token(html), "token": token(html, "token")})
    assert done.status_code == 302
    after = client.get("/settings/migration").get_data(as_text=True)
    assert "Migration terminée" in after and "Arrêtez maintenant l&#39;ancien client" in after
    assert 'href="/exporters?tab=homeassistant"' in after
    with sqlite_engine.connect() as conn:
        sources = set(conn.scalars(sa.select(m.daily_energy.c.source)))
    assert sources == {"legacy_client"}


@pytest.mark.parametrize(("other", "message"), [
    ("/nowhere/cache.db", "/nowhere/cache.db : fichier introuvable"),
    ("postgresql://me:s3cret-word@127.0.0.1:9/old", "postgresql://me:***@127.0.0.1:9/old : lecture impossible"),
    ("mysql://me@host/db", "l&#39;ancien client n&#39;utilisait que SQLite ou PostgreSQL"),
])
def test_a_legacy_source_that_cannot_be_read_is_named_without_its_password(client, other, message):
    page = client.get("/settings/migration").get_data(as_text=True)
    response = client.post("/settings/migration", data={"csrf_token": token(page), "found": "other", "other": other})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html and "s3cret" not in html
