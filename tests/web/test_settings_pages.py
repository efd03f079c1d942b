"""The settings pages: preferences, data repair, the standalone password, first run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS
from myelectricaldata.gateway.parse import DailyValue
from myelectricaldata.services.access import PASSWORD_KEY
from myelectricaldata.services.lock import lock_file
from myelectricaldata.services.preferences import get_preferences
from myelectricaldata.web.app import create_app
from tests.support.processes import sync_lock_held_elsewhere

NOON = datetime(2025, 11, 5, 12, 0, tzinfo=PARIS)
CONSUMER, PRODUCER = "11111111111111", "22222222222222"
PREFIX = "/api/hassio_ingress/TOKEN"
DAYS = [date(2025, 10, 1) + timedelta(days=n) for n in range(10)]


@dataclass
class FakeRunner:
    """Stands for the background sync: records what it was asked to start."""

    running: bool = False
    started: list = field(default_factory=list)

    def start(self, pdls=None, since=None) -> bool:
        self.started.append(pdls)
        return True


@pytest.fixture
def db(sqlite_engine):
    """Two PDLs (one producing) with ten days of daily data and their ledger."""
    with sqlite_engine.begin() as conn:
        for pdl, produces in ((CONSUMER, False), (PRODUCER, True)):
            repo.save_usage_point(conn, pdl, name=f"Maison {pdl[0]}", has_production=produces)
            repo.store_daily(conn, pdl, "consumption", [DailyValue(d, 9000) for d in DAYS])
            sync_ledger.write_ledger(conn, pdl, "consumption_daily", [(d, "complete", 1, 1, "") for d in DAYS], NOON)
    return sqlite_engine


@pytest.fixture
def make_app(db, tmp_path):
    def build(environ: dict | None = None, runner: FakeRunner | None = None, configured: bool = True):
        settings = load_settings(environ={"DATA_DIR": str(tmp_path), **(environ or {})},
                                 options_file=Path("/nonexistent"))
        services = AppServices(db, sync=object() if configured else None, runner=runner, clock=lambda: NOON)
        return create_app(settings, services)
    return build


@pytest.fixture
def client(make_app):
    return make_app().test_client()


def token(html: str) -> str:
    return re.search(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def counts(engine, pdl: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.scalar(sa.select(sa.func.count()).select_from(t).where(t.c.usage_point_id == pdl))
                for t in m.metadata.sorted_tables if "usage_point_id" in t.c}


def save(client, pdl: str, **fields) -> object:
    html = page(client, "/settings")
    data = {f"p{pdl}-csrf_token": token(html)}
    data.update({f"p{pdl}-{k}": v for k, v in fields.items() if v is not None})
    return client.post(f"/settings/{pdl}", data=data)


def test_settings_lists_each_pdl_with_the_datasets_it_has(client):
    html = page(client, "/settings")
    consumer = html[html.index(f'id="pdl-{CONSUMER}"'):html.index(f'id="pdl-{PRODUCER}"')]
    producer = html[html.index(f'id="pdl-{PRODUCER}"'):]
    boxes = r'-datasets" type="checkbox" value="(\w+)"'
    assert re.findall(boxes, consumer) == ["consumption_daily", "consumption_load_curve", "consumption_max_power"]
    assert re.findall(boxes, producer)[-2:] == ["production_daily", "production_load_curve"]
    assert "sans redémarrage" in html and f'action="/settings/{CONSUMER}"' in html
    assert "premier démarrage" not in html.lower()


def test_save_preferences_then_shown_back(client, db):
    response = save(client, PRODUCER, display_name="  Chalet ", enabled="y",
                    datasets=["consumption_daily", "production_daily"])
    assert response.status_code == 302 and response.location.endswith(f"/settings#pdl-{PRODUCER}")
    with db.connect() as conn:
        prefs = get_preferences(conn, PRODUCER)
    assert (prefs.display_name, prefs.enabled, prefs.datasets) == ("Chalet", True,
                                                                    {"consumption_daily", "production_daily"})
    html = page(client, "/settings")
    assert "prochaine synchronisation, sans redémarrage" in html and ">Chalet</h3>" in html
    producer = html[html.index(f'id="pdl-{PRODUCER}"'):]
    assert re.findall(r'checked id="[\w-]+" name="[\w-]+-datasets" type="checkbox" value="(\w+)"', producer) == [
        "consumption_daily", "production_daily"]


def test_every_dataset_checked_is_stored_as_all_and_disabling_keeps_the_choice(client, db):
    every = ["consumption_daily", "consumption_load_curve", "consumption_max_power"]
    assert save(client, CONSUMER, enabled="y", datasets=every).status_code == 302
    with db.connect() as conn:
        assert get_preferences(conn, CONSUMER).datasets == frozenset()
    assert save(client, CONSUMER, enabled="y", datasets=every[:1]).status_code == 302
    assert save(client, CONSUMER, display_name="Appartement").status_code == 302  # unchecked: disabled
    with db.connect() as conn:
        prefs = get_preferences(conn, CONSUMER)
    assert (prefs.enabled, prefs.datasets, prefs.display_name) == (False, {"consumption_daily"}, "Appartement")


def test_invalid_preferences_are_shown_next_to_the_field(client, db):
    response = save(client, CONSUMER, display_name="x" * 101, enabled="y", datasets=["consumption_daily"])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'id="p{CONSUMER}-display_name-error">[^<]*100', html)
    response = save(client, CONSUMER, enabled="y")
    assert response.status_code == 400 and "Cochez au moins une donnée" in response.get_data(as_text=True)
    response = save(client, CONSUMER, enabled="y", datasets=["production_daily"])  # it does not produce
    assert response.status_code == 400 and "Donnée inconnue pour ce PDL : production_daily" in response.text
    with db.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(m.pdl_preferences)) == 0


def test_a_post_without_the_csrf_token_is_refused(client, db):
    response = client.post(f"/settings/{CONSUMER}", data={f"p{CONSUMER}-display_name": "x"})
    assert response.status_code == 400
    response = client.post(f"/settings/{CONSUMER}/purge", data={"confirmation": CONSUMER})
    assert response.status_code == 400 and counts(db, CONSUMER)["daily_energy"] == 10


@pytest.mark.parametrize("url", ["/settings/99999999999999", "/settings/99999999999999/purge"])
def test_unknown_pdl_is_a_404(client, url):
    assert client.get(url).status_code == 404
    assert "Page introuvable" in client.get(url).get_data(as_text=True)


def test_unknown_pdl_post_is_a_404(make_app):
    app = make_app()
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.test_client().post("/settings/99999999999999/refetch", data={}).status_code == 404


def refetch_post(client, pdl: str, start: str, end: str, datasets=("consumption_daily",)):
    html = page(client, f"/settings/{pdl}")
    return client.post(f"/settings/{pdl}/refetch", data={"csrf_token": token(html), "start": start, "end": end,
                                                        "datasets": list(datasets)})


def test_refetch_marks_the_days_and_starts_a_sync(make_app, db):
    runner = FakeRunner()
    client = make_app(runner=runner).test_client()
    html = page(client, f"/settings/{CONSUMER}")
    assert 'value="2025-10-29"' in html and 'value="2025-11-04"' in html  # the last week by default
    response = refetch_post(client, CONSUMER, "2025-10-03", "2025-10-05")
    assert response.status_code == 302 and response.location.endswith(f"/settings/{CONSUMER}")
    assert runner.started == [[CONSUMER]]
    with db.connect() as conn:
        ledger = sync_ledger.ledger(conn, CONSUMER, "consumption_daily")
        other = sync_ledger.ledger(conn, PRODUCER, "consumption_daily")
    assert sorted(d for d, e in ledger.items() if e.status == "missing") == DAYS[2:5]
    assert all(e.status == "complete" for e in other.values())
    assert counts(db, CONSUMER)["daily_energy"] == 10
    assert "3 jour(s) du 03/10/2025 au 05/10/2025 marqués" in page(client, f"/settings/{CONSUMER}")


def test_refetch_without_credentials_waits_for_the_next_sync(make_app):
    client = make_app(configured=False).test_client()
    assert refetch_post(client, CONSUMER, "2025-10-01", "2025-10-01").status_code == 302
    assert "à la prochaine synchronisation" in page(client, f"/settings/{CONSUMER}")


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    ("2025-13-01", "2025-10-05", "start", "date"),
    ("2025-10-01", "hier", "end", "date"),
    ("", "2025-10-05", "start", "premier jour"),
    ("2025-10-06", "2025-10-05", "end", "doit suivre le premier"),
    ("2025-11-01", "2025-11-05", "end", "Au plus hier"),
])
def test_refetch_bad_dates_are_a_400_naming_the_field(make_app, db, start, end, field, message):
    runner = FakeRunner()
    client = make_app(runner=runner).test_client()
    response = refetch_post(client, CONSUMER, start, end)
    assert response.status_code == 400
    error = re.search(rf'id="{field}-error">([^<]*)<', response.get_data(as_text=True))
    assert error and message.lower() in error.group(1).lower(), error
    assert runner.started == []
    with db.connect() as conn:
        assert all(e.status == "complete" for e in sync_ledger.ledger(conn, CONSUMER, "consumption_daily").values())


def test_purge_confirmation_page_changes_nothing_then_purge_removes_only_that_pdl(client, db):
    with db.begin() as conn:
        repo.store_tempo(conn, [(DAYS[0], "RED")])
    before = counts(db, PRODUCER)
    html = page(client, f"/settings/{CONSUMER}/purge")
    assert re.search(r"relevés journaliers</td><td class=\"num\">10<", html)
    assert "<td>choix de tarification</td>" in html and "pdl_pricing" not in html  # every table in words
    assert counts(db, CONSUMER)["daily_energy"] == 10
    wrong = client.post(f"/settings/{CONSUMER}/purge", data={"csrf_token": token(html), "confirmation": PRODUCER})
    assert wrong.status_code == 400 and f"Recopiez exactement le numéro {CONSUMER}" in wrong.text
    assert counts(db, CONSUMER)["daily_energy"] == 10
    done = client.post(f"/settings/{CONSUMER}/purge", data={"csrf_token": token(html), "confirmation": CONSUMER})
    assert done.status_code == 302 and done.location.endswith("/settings")
    assert counts(db, CONSUMER) == {**dict.fromkeys(counts(db, CONSUMER), 0), "usage_points": 1}
    assert counts(db, PRODUCER) == before
    with db.connect() as conn:
        assert repo.tempo_known_days(conn, DAYS[0], DAYS[0]) == {DAYS[0]}
    assert "Données du PDL 11111111111111 supprimées (20 lignes)" in page(client, "/settings")


def test_purge_refused_while_a_sync_runs(make_app, db):
    client = make_app(runner=FakeRunner(running=True)).test_client()
    html = page(client, f"/settings/{CONSUMER}/purge")
    response = client.post(f"/settings/{CONSUMER}/purge", data={"csrf_token": token(html), "confirmation": CONSUMER})
    assert response.status_code == 409 and counts(db, CONSUMER)["daily_energy"] == 10


def test_purge_and_refetch_refused_while_a_sync_of_another_process_holds_the_lock(make_app, db, tmp_path):
    client = make_app().test_client()
    purge_html = page(client, f"/settings/{CONSUMER}/purge")
    repair_html = page(client, f"/settings/{CONSUMER}")
    refetch = {"csrf_token": token(repair_html), "start": "2025-10-02", "end": "2025-10-03",
               "datasets": "consumption_daily"}
    with sync_lock_held_elsewhere(lock_file(tmp_path)):
        purge = client.post(f"/settings/{CONSUMER}/purge", data={"csrf_token": token(purge_html),
                                                                 "confirmation": CONSUMER})
        marked = client.post(f"/settings/{CONSUMER}/refetch", data=refetch)
    assert purge.status_code == 409 and "Une synchronisation est en cours" in purge.text
    assert marked.status_code == 409 and "Une synchronisation est en cours" in marked.text
    assert counts(db, CONSUMER)["daily_energy"] == 10
    with db.connect() as conn:
        assert {e.status for e in sync_ledger.ledger(conn, CONSUMER, "consumption_daily").values()} == {"complete"}
    assert client.post(f"/settings/{CONSUMER}/refetch", data=refetch).status_code == 302  # the lock is free again
    with db.connect() as conn:
        assert sync_ledger.ledger(conn, CONSUMER, "consumption_daily")[DAYS[1]].status == "missing"


def test_password_form_then_login_from_another_machine(make_app, db):
    app = make_app(environ={"TRUSTED_NETWORKS": "10.0.0.0/8"})
    local = app.test_client()
    html = page(local, "/settings")
    assert "10.0.0.0/8" in html and "Aucun mot de passe" in html
    mismatch = local.post("/settings/password", data={"csrf_token": token(html), "password": "correct horse",
                                                      "confirm": "correct hors"})
    assert mismatch.status_code == 400 and 'id="confirm-error"' in mismatch.text
    done = local.post("/settings/password", data={"csrf_token": token(html), "password": "correct horse",
                                                  "confirm": "correct horse"})
    assert done.status_code == 302
    with db.connect() as conn:
        assert repo.get_state(conn, PASSWORD_KEY).startswith(("scrypt:", "pbkdf2:"))

    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "192.168.1.20"
    refused = remote.get("/settings")
    assert refused.status_code == 302 and "/login" in refused.location
    login = page(remote, "/login")
    bad = remote.post("/login?next=/settings", data={"csrf_token": token(login), "password": "nope"})
    assert bad.status_code == 200 and "Mot de passe incorrect" in bad.text
    signed = remote.post("/login?next=/settings", data={"csrf_token": token(bad.text), "password": "correct horse"})
    assert signed.status_code == 302 and signed.location.endswith("/settings")
    assert "Supprimer le mot de passe" in page(remote, "/settings")

    trusted = app.test_client()
    trusted.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert trusted.get("/settings").status_code == 200


def test_removing_the_password(make_app, db):
    client = make_app().test_client()
    html = page(client, "/settings")
    client.post("/settings/password", data={"csrf_token": token(html), "password": "12345678", "confirm": "12345678"})
    html = page(client, "/settings")
    assert client.post("/settings/password/remove", data={"csrf_token": token(html)}).status_code == 302
    with db.connect() as conn:
        assert repo.get_state(conn, PASSWORD_KEY) == ""


def test_supervised_has_no_password_form(make_app):
    client = make_app(environ={"SUPERVISOR_TOKEN": "x"}).test_client()
    html = page(client, "/settings")
    assert "Accès à l'interface" not in html and "/settings/password" not in html
    assert "onglet Configuration" in html
    app = make_app(environ={"SUPERVISOR_TOKEN": "x"})
    app.config["WTF_CSRF_ENABLED"] = False
    assert app.test_client().post("/settings/password", data={"password": "12345678",
                                                              "confirm": "12345678"}).status_code == 404


def test_deployment_settings_shown_with_secrets_masked(make_app):
    client = make_app(environ={"CLIENT_ID": "cli_abc", "CLIENT_SECRET": "very-secret-value"}).test_client()
    html = page(client, "/settings")
    assert "very-secret-value" not in html
    assert 'CLIENT_ID</dt><dd>cli_abc <span class="muted">(environnement)' in html
    assert 'CLIENT_SECRET</dt><dd>•••• (masqué) <span class="muted">(environnement)' in html
    assert 'PORT</dt><dd>8080 <span class="muted">(par défaut)' in html


def test_first_run_link_and_page(make_app, tmp_path):
    client = make_app(configured=False).test_client()
    html = page(client, "/settings")
    assert 'href="/setup"' in html and "Identifiants de la passerelle manquants" in html
    setup = page(client, "/setup")
    for text in ("CLIENT_ID=cli_", "CLIENT_SECRET=", "CLIENT_ID: cli_", str((tmp_path / "settings.yaml").resolve()),
                 "./dev demo", "myelectricaldata demo", "Paramètres › API", "www.v2.myelectricaldata.fr"):
        assert text in setup, text
    supervised = page(make_app(environ={"SUPERVISOR_TOKEN": "x"}, configured=False).test_client(), "/setup")
    assert "onglet <em>Configuration</em>" in supervised and "docker run" not in supervised


def test_ingress_prefix_in_links_form_actions_and_redirects(client):
    headers = {"X-Ingress-Path": PREFIX}
    html = page(client, "/settings", headers=headers)
    assert f'action="{PREFIX}/settings/{CONSUMER}"' in html and f'action="{PREFIX}/settings/password"' in html
    assert f'href="{PREFIX}/settings/{CONSUMER}"' in html
    repair = page(client, f"/settings/{CONSUMER}", headers=headers)
    assert f'action="{PREFIX}/settings/{CONSUMER}/refetch"' in repair
    assert f'href="{PREFIX}/settings/{CONSUMER}/purge"' in repair
    purge = page(client, f"/settings/{CONSUMER}/purge", headers=headers)
    assert f'action="{PREFIX}/settings/{CONSUMER}/purge"' in purge
    response = client.post(f"/settings/{CONSUMER}", headers=headers, data={
        f"p{CONSUMER}-csrf_token": token(html), f"p{CONSUMER}-enabled": "y",
        f"p{CONSUMER}-datasets": "consumption_daily"})
    assert response.status_code == 302 and response.location.startswith(f"{PREFIX}/settings")


# -- words and times a person reads (docs/words.md) ---------------------------------------------------------
def test_dashboard_in_paris_time_with_dataset_and_option_words(client, db):
    with db.begin() as conn:
        conn.execute(m.sync_runs.insert().values(started_at=datetime(2026, 12, 7, 10, 29),  # naive UTC, winter
                                                 finished_at=datetime(2026, 12, 7, 10, 31), outcome="ok",
                                                 requests=3, detail="{}", message=""))
        repo.save_usage_point(conn, CONSUMER, pricing_option="HC_HP")
    html = page(client, "/")
    assert "Dernière synchronisation :\n    07/12/2026 11:29, réussie" in html  # 10:29 UTC is 11:29 in Paris
    assert "UTC" not in html
    assert "<td>Consommation journalière</td>" in html and "consumption daily" not in html
    assert "<dt>Option</dt><dd>Heures creuses" in html and "HC_HP" not in html


def test_deployment_values_as_a_person_reads_them(client):
    html = page(client, "/settings")
    assert re.search(r"<dt>SYNC_AFTER</dt><dd>08:30 <", html) and "08:30:00" not in html
    assert re.search(r"<dt>DEMO</dt><dd>non <", html) and re.search(r"<dt>TRUST_LOOPBACK</dt><dd>oui <", html)
    assert not re.search(r"<dd>(True|False) ", html)


def test_saved_settings_message_elides_de_before_a_vowel(client):
    response = save(client, CONSUMER, display_name="Appartement Paris", enabled="y", datasets=["consumption_daily"])
    assert response.status_code == 302
    assert "Réglages d&#39;Appartement Paris enregistrés" in page(client, "/settings")
    assert "<h1>Réparer les données d&#39;Appartement Paris</h1>" in page(client, f"/settings/{CONSUMER}")
    assert "<h1>Effacer les données d&#39;Appartement Paris</h1>" in page(client, f"/settings/{CONSUMER}/purge")
    save(client, PRODUCER, display_name="Maison", enabled="y", datasets=["consumption_daily"])
    assert "Réglages de Maison enregistrés" in page(client, "/settings")


def test_purge_page_names_every_table_in_words(client):
    html = page(client, f"/settings/{CONSUMER}/purge")
    assert "choix de tarification" in html and "pdl_pricing" not in html and "_" not in re.sub(r"<[^>]*>", "", html
                                                                                                  .split("<main")[-1])
