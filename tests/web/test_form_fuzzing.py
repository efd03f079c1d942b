"""Every form of every page posted with hostile values (random, huge, control characters, choices not offered) and
a valid CSRF token, on SQLite and on PostgreSQL: never a 5xx, and the stored readings are all still there.

The forms are found in the pages themselves, so a new form is fuzzed without being listed here; every POST route of
the app must be one of them, or be left out below with its reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from myelectricaldata.app import AppServices
from myelectricaldata.config import load_settings
from myelectricaldata.database.migrate import upgrade
from myelectricaldata.database.session import make_engine
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.services import access, pricing_settings
from myelectricaldata.services.background import BackgroundSync
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import start_simulator
from myelectricaldata.web.app import create_app
from tests.support.databases import throwaway_database
from tests.support.form_fuzz import Form, form_data, forms_of
from tests.support.net import free_port
from tests.support.syncing import NOON, TODAY, make_sync, snapshot

pytestmark = pytest.mark.slow  # a few hundred posts per database
HPHC, TEMPO = "99000000000002", "99000000000003"
NOT_FUZZED = {  # POST routes left out, and why
    "/exporters/<name>/test": "tries the target over the network with the values typed",
    "/exporters/<name>/lookup": "asks the target over the network",
    "/exporters/<name>/run": "exports to the targets saved",
    "/exporters/<name>/reset": "clears what the target holds",
    "/logout": "ends the session the other posts use (tested in test_access.py)",
    "/bilan/sensor/<pdl>": "shown under the Supervisor only, where it reads Home Assistant's API; its service refuses "
                           "control characters (test_control_characters.py)",
    "/settings/<pdl>/import/confirm": "writes what an upload staged; its form exists only on the preview of a "
                                      "parsed file (tests/web/test_history_pages.py posts it, and a token used "
                                      "twice is refused)",
    "/settings/migration/confirm": "writes what a dry run found in a legacy database; its form exists only on that "
                                   "report (tests/web/test_history_pages.py)",
}
WITH_A_PASSWORD = {"/login", "/settings/password/remove"}  # forms that exist only while a password is set
EXAMPLES = 20


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    """The app over a database holding a month of two demo PDLs (one producing) and a user offer."""
    folder = tmp_path_factory.mktemp(f"forms-{request.param}")
    with throwaway_database(request.param, folder) as url:
        engine = make_engine(url)
        upgrade(engine)
        with start_simulator(today=TODAY) as sim:
            assert make_sync(engine, sim, folder).run(pdls=[HPHC, TEMPO], since=date(2025, 10, 1)).ok
        offer = pricing_settings.save_offer(engine, {"name": "Fixe", "kind": "BASE", "unit": "€/kWh", "versions": [
            {"from": "2024-01-01", "energy": {"BASE": "0.2"}}]})
        exporters = ExporterManager(engine, folder, None, entry_points=False)
        nowhere = GatewayClient(f"http://127.0.0.1:{free_port()}/api", "demo", "demo",
                                retry=RetryPolicy(attempts=1, base=0.01, cap=0.01))  # "sync now" ends at once
        sync = SyncService(engine, nowhere, folder / "sync.lock", clock=lambda: NOON)
        app_settings = load_settings(environ={"DATA_DIR": str(folder)}, options_file=Path("/nonexistent"))
        app = create_app(app_settings, AppServices(engine, sync, BackgroundSync(sync), exporters=exporters))
        pages = ["/", "/settings", "/bilan", "/simulation/offers", f"/simulation/offers/{offer}", "/first-run",
                 f"/simulation/offre?pdl={HPHC}&offre=user:{offer}", "/settings/migration", "/pricing",
                 *(f"/settings/{pdl}{tail}" for pdl in (HPHC, TEMPO) for tail in ("", "/purge", "/pricing")),
                 *(f"/exporters?tab={name}" for name in sorted(exporters.classes))]
        try:
            yield app, engine, pages
        finally:
            BackgroundSync(sync).stop()
            exporters.close()
            engine.dispose()


@contextmanager
def password_set(engine, wanted: bool = True) -> Iterator[None]:
    if not wanted:
        yield
        return
    access.set_password(engine, "a password to guess")
    try:
        yield
    finally:
        access.set_password(engine, "")


def found_forms(app, engine, pages: list[str]) -> dict[str, Form]:
    client = app.test_client()
    forms: dict[str, Form] = {}
    for page, protected in [*((p, False) for p in pages), ("/login", True), ("/settings", True)]:
        with password_set(engine, protected):
            response = client.get(page)
        assert response.status_code == 200, page
        for form in forms_of(response.text, page):
            forms.setdefault(form.action, form)
    return forms


def route_of(app, path: str) -> str:
    adapter = app.url_map.bind("localhost")
    rule, _ = adapter.match(path, method="POST", return_rule=True)
    return rule.rule


def test_every_post_route_has_a_form_fuzzed_or_a_reason(site):
    app, engine, pages = site
    fuzzed = {route_of(app, action) for action in found_forms(app, engine, pages)}
    posts = {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ()) and
             not rule.rule.startswith("/api/")}
    assert posts - fuzzed - set(NOT_FUZZED) == set()


def fuzz(client, action: str, form: Form, statuses: dict[str, set[int]]) -> None:
    """Post ``form`` to ``action`` with hostile values, each time with a token from the form's page."""

    @given(data=form_data(form))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def post(data):
        page = client.get(form.page).text
        token = re.search(rf'name="{re.escape(form.csrf_field)}" type="hidden" value="([^"]+)"', page)
        response = client.post(action, data={**data, form.csrf_field: token.group(1) if token else ""})
        statuses.setdefault(action, set()).add(response.status_code)
        assert response.status_code < 500, (action, data, response.text[:500])

    post()


def test_hostile_form_posts_never_fail_and_lose_nothing(site):
    app, engine, pages = site
    before = snapshot(engine)
    forms = {action: form for action, form in found_forms(app, engine, pages).items()
             if route_of(app, action) not in NOT_FUZZED}
    client = app.test_client()
    statuses: dict[str, set[int]] = {}
    for action, form in sorted(forms.items()):
        with password_set(engine, action in WITH_A_PASSWORD):
            fuzz(client, action, form, statuses)
    print({action: sorted(codes) for action, codes in statuses.items()})
    assert snapshot(engine) == before  # refused input stores nothing; no form may delete a reading
