"""Standalone access: the first-run page and its one-time code, the host names answered, the sign-in (slowed down
after failures, a fresh form token each time, a safe ``next``), sessions that end, and the Supervisor unchanged."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database import repository as repo
from myelectricaldata.services import access
from myelectricaldata.services.login_throttle import LoginThrottle
from myelectricaldata.web.app import create_app
from myelectricaldata.web.security import THROTTLE
from tests.support.pages import csrf_token as token

PDL = "11111111111111"
LAN = "192.168.1.20"
BRIDGE = "172.17.0.1"  # a browser reaching `docker run -p 8080:8080` arrives from Docker's bridge
PASSWORD = "correct horse battery"


@pytest.fixture
def engine(sqlite_engine):
    with sqlite_engine.begin() as conn:
        repo.save_usage_point(conn, PDL, name="Maison", street="12 rue des Lilas")
    return sqlite_engine


@pytest.fixture
def make_app(engine, tmp_path):
    def build(**environ: str):
        settings = load_settings(environ={"DATA_DIR": str(tmp_path), **environ}, options_file=Path("/nonexistent"))
        return create_app(settings, AppServices(engine))
    return build


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client, password: str = PASSWORD, next_: str = ""):
    html = client.get("/login").text
    return client.post("/login" + (f"?next={next_}" if next_ else ""), data={"csrf_token": token(html),
                                                                             "password": password})


def protect(engine, password: str = PASSWORD) -> None:
    access.set_password(engine, password)


# -- first run -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", [LAN, BRIDGE])
def test_without_a_password_a_remote_client_sees_only_the_first_run_page(make_app, engine, address):
    app = make_app()
    remote = client_from(app, address)
    for path in ("/", "/settings", f"/settings/{PDL}/purge", "/exporters", "/setup", "/consumption_kwh"):
        response = remote.get(path)
        assert response.status_code == 302 and response.location == "/first-run", path
    api = remote.get("/api/v1/usage_points")
    assert api.status_code == 401 and "rue des Lilas" not in api.text
    page = remote.get("/first-run")
    assert page.status_code == 200 and "Code à usage unique" in page.text and "Réglages" not in page.text
    sneaky = remote.post("/settings/password", data={"csrf_token": token(page.text), "password": "mine mine mine",
                                                      "confirm": "mine mine mine"})
    assert sneaky.status_code == 302 and sneaky.location == "/first-run"
    assert not access.has_password(engine)
    assert client_from(app, "127.0.0.1").get("/settings").status_code == 200  # this machine itself


def test_the_first_password_needs_the_code_of_the_log(make_app, engine, caplog):
    with caplog.at_level(logging.WARNING, "myelectricaldata.web.first_run"):
        app = make_app()
    code = re.search(r"one-time code: ([A-Z0-9-]{19})", caplog.text).group(1)
    remote = client_from(app, BRIDGE)
    html = remote.get("/first-run").text
    wrong = remote.post("/first-run", data={"csrf_token": token(html), "code": "AAAA-BBBB-CCCC-DDDD",
                                            "password": PASSWORD, "confirm": PASSWORD})
    assert wrong.status_code == 400 and "Code incorrect" in wrong.text and not access.has_password(engine)
    done = remote.post("/first-run", data={"csrf_token": token(wrong.text), "code": code.lower().replace("-", " "),
                                           "password": PASSWORD, "confirm": PASSWORD})
    assert done.status_code == 302 and done.location == "/"
    assert access.password_matches(engine, PASSWORD)
    assert remote.get("/settings").status_code == 200  # signed in by setting it
    neighbour = client_from(app, LAN)
    assert neighbour.get("/first-run").location.startswith("/login")  # gone once a password is set
    html = neighbour.get("/login").text
    replay = neighbour.post("/first-run", data={"csrf_token": token(html), "code": code, "password": "neighbour!!",
                                                "confirm": "neighbour!!"})
    assert replay.status_code == 302 and access.password_matches(engine, PASSWORD)


def test_trusted_networks_and_loopback_trust(make_app, engine):
    trusted = make_app(TRUSTED_NETWORKS="192.168.1.0/24")
    assert client_from(trusted, LAN).get("/settings").status_code == 200
    assert client_from(trusted, "10.0.0.9").get("/settings").location == "/first-run"
    behind_proxy = make_app(TRUST_LOOPBACK="false")
    assert client_from(behind_proxy, "127.0.0.1").get("/settings").location == "/first-run"
    protect(engine)
    assert client_from(behind_proxy, "127.0.0.1").get("/settings").location.startswith("/login")


def test_ui_password_from_the_environment_is_applied_and_fixed(make_app, engine):
    assert access.apply_fixed_password(engine, PASSWORD) is True
    assert access.apply_fixed_password(engine, PASSWORD) is False  # the same at the next start: sessions kept
    app = make_app(UI_PASSWORD=PASSWORD)
    remote = client_from(app, LAN)
    assert sign_in(remote).status_code == 302
    html = remote.get("/settings").text
    assert "fixé par le réglage <code>UI_PASSWORD</code>" in html and "Supprimer le mot de passe" not in html
    changed = remote.post("/settings/password", data={"csrf_token": token(html), "password": "another one!",
                                                      "confirm": "another one!"})
    assert changed.status_code == 302 and access.password_matches(engine, PASSWORD)


# -- host names ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("host", "allowed", "status"), [
    ("evil.example", "", 400),
    ("evil.example:8080", "", 400),
    ("linky.example.org", "", 400),
    ("localhost:8080", "", 200),
    ("127.0.0.1:8080", "", 200),
    ("192.168.1.10:8080", "", 200),
    ("[::1]:8080", "", 200),
    ("nas:8080", "", 200),
    ("nas.local", "", 200),
    ("box.home.arpa", "", 200),
    ("linky.example.org", "linky.example.org", 200),
    ("linky.example.org", ".example.org", 200),
    ("evil.example", ".example.org", 400),
    ("evil.example", "*", 200),
])
def test_host_names_against_dns_rebinding(make_app, host, allowed, status):
    app = make_app(**({"ALLOWED_HOSTS": allowed} if allowed else {}))
    response = app.test_client().get("/settings", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert "ALLOWED_HOSTS" in response.text and "Réglages" not in response.text


def test_the_machine_name_is_answered(make_app):
    import socket

    assert make_app().test_client().get("/", headers={"Host": f"{socket.gethostname()}:8080"}).status_code == 200


def test_under_the_supervisor_any_host_through_ingress_and_no_sign_in(make_app):
    app = make_app(SUPERVISOR_TOKEN="x")
    ingress = client_from(app, "172.30.32.2")
    assert ingress.get("/settings", headers={"Host": "abcd.ui.nabu.casa"}).status_code == 200
    assert client_from(app, LAN).get("/settings").status_code == 403
    assert ingress.get("/first-run").status_code == 404 and ingress.get("/login").status_code == 404


# -- sign-in ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [
    "/%09/evil.example", "//evil.example", "/%2F/evil.example", "/%252F%252Fevil.example", "/\\evil.example",
    "/%5Cevil.example", "https://evil.example/", "javascript:alert(1)", "%0D%0ASet-Cookie:%20x=1",
    "/settings%0D%0ASet-Cookie:%20x=1", "/ok%00", " /settings", "",
])
def test_next_is_a_local_path_or_the_dashboard(make_app, engine, target):
    protect(engine)
    response = sign_in(client_from(make_app(), LAN), next_=target)
    assert response.status_code == 302 and response.location == "/"


def test_next_keeps_a_local_path_and_its_query(make_app, engine):
    protect(engine)
    response = sign_in(client_from(make_app(), LAN), next_="/consumption_kwh%3Fpdl%3D11111111111111")
    assert response.status_code == 302 and response.location == "/consumption_kwh?pdl=11111111111111"


def test_failed_sign_ins_are_logged_and_slowed_down(make_app, engine, caplog):
    protect(engine)
    app = make_app()
    remote = client_from(app, LAN)
    clock = [1000.0]
    app.extensions[THROTTLE] = LoginThrottle(clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            assert "Mot de passe incorrect" in sign_in(remote, "wrong guess").text
        sixth = sign_in(remote, "wrong guess 6")
        assert "Mot de passe incorrect" in sixth.text
        blocked = sign_in(remote)  # the right password, too soon
    assert blocked.status_code == 429 and "Trop d&#39;essais : réessayez dans 2 s" in blocked.text
    assert remote.get("/settings").status_code == 302
    assert "failed sign-in from 192.168.1.20 (6 in a row); next try allowed in 2 s" in caplog.text
    assert "wrong guess" not in caplog.text
    assert sign_in(client_from(app, "192.168.1.21")).status_code == 302  # another client is not slowed
    clock[0] += 2
    assert sign_in(remote).status_code == 302


def test_each_login_form_has_its_own_token(make_app, engine):
    protect(engine)
    remote = client_from(make_app(), LAN)
    first = token(remote.get("/login").text)
    second = token(remote.get("/login").text)
    assert first != second
    stale = remote.post("/login", data={"csrf_token": first, "password": PASSWORD})
    assert stale.status_code == 400 and "expiré" in stale.text
    assert remote.post("/login", data={"csrf_token": second, "password": PASSWORD}).status_code == 302


def test_the_login_page_has_no_menu_and_pages_have_a_logout_button(make_app, engine):
    app = make_app()
    assert "Se déconnecter" not in client_from(app, "127.0.0.1").get("/").text  # no password: nothing to end
    protect(engine)
    remote = client_from(app, LAN)
    login = remote.get("/login").text
    assert "Tableau de bord" not in login and "Se déconnecter" not in login
    sign_in(remote)
    for path in ("/", "/settings", "/exporters", "/tempo", "/simulation"):
        html = remote.get(path).text
        assert 'action="/logout"' in html and "Se déconnecter" in html, path
    assert "Se déconnecter" not in client_from(app, "127.0.0.1").get("/").text  # trusted, never signed in


# -- sessions --------------------------------------------------------------------------------------------------------
def cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    client = client_from(app, LAN)
    client.set_cookie("session", value)
    return client


def test_logout_ends_the_session_even_for_a_copy_of_the_cookie(make_app, engine):
    protect(engine)
    app = make_app()
    remote = client_from(app, LAN)
    sign_in(remote)
    saved = cookie(remote)
    assert with_cookie(app, saved).get("/settings").status_code == 200
    html = remote.get("/settings").text
    assert remote.post("/logout", data={"csrf_token": token(html)}).location == "/login"
    assert remote.get("/settings").status_code == 302
    assert with_cookie(app, saved).get("/settings").status_code == 302


def test_a_password_change_ends_the_other_sessions(make_app, engine):
    protect(engine)
    app = make_app()
    laptop, phone = client_from(app, LAN), client_from(app, "192.168.1.21")
    sign_in(laptop)
    sign_in(phone)
    html = laptop.get("/settings").text
    laptop.post("/settings/password", data={"csrf_token": token(html), "password": "new password!",
                                            "confirm": "new password!"})
    assert laptop.get("/settings").status_code == 200
    assert phone.get("/settings").status_code == 302
    access.set_password(engine, "new password!")  # set again elsewhere: the version changes, the laptop is out too
    assert laptop.get("/settings").status_code == 302


def test_a_session_ends_after_its_lifetime(engine):
    protect(engine)
    start = datetime(2025, 11, 5, 12, 0, tzinfo=UTC)
    sid = access.open_session(engine, start)
    assert access.access(engine, sid, start + access.SESSION_LIFETIME - timedelta(seconds=1)).session_open
    assert not access.access(engine, sid, start + access.SESSION_LIFETIME).session_open
    assert not access.access(engine, "made-up", start).session_open
