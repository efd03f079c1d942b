"""The VictoriaMetrics exporter against a real ``victoria-metrics`` (Debian) started on loopback for each test."""

from __future__ import annotations

import gzip
import json
import re
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.costs import WM_PER_KWH
from myelectricaldata.energy.timeline import epoch, local_day_bounds
from myelectricaldata.exporters import changes, store
from myelectricaldata.exporters.batches import EcowattDay, ExportBatch, Snapshot
from myelectricaldata.exporters.manager import ExporterManager
from myelectricaldata.exporters.metric_names import METRICS
from myelectricaldata.exporters.victoriametrics import VictoriaMetricsError, VictoriaMetricsExporter
from myelectricaldata.exporters.victoriametrics import client as vmx
from myelectricaldata.exporters.victoriametrics.client import NONCE_LABEL, VictoriaMetricsClient, uncached
from myelectricaldata.exporters.victoriametrics.series import COST, PUSHED, SLOT_COST, SLOT_ENERGY, samples_of
from myelectricaldata.gateway.parse import DailyValue
from myelectricaldata.services import pricing_store, repair
from myelectricaldata.services.datasets import DATASETS
from myelectricaldata.services.errors import FieldError
from myelectricaldata.services.pricing import cost_by_day
from myelectricaldata.simulator import start_simulator
from tests.support.net import free_port
from tests.support.syncing import NOON, TODAY, copy_sqlite, make_sync, synced_sqlite
from tests.support.victoriametrics import VictoriaMetrics, VmAuth

pytestmark = pytest.mark.slow  # nearly every test starts victoria-metrics
BASE, HPHC, TEMPO = "99000000000001", "99000000000002", "99000000000003"
PDLS = [BASE, HPHC, TEMPO]
TWO_YEARS = date(2023, 11, 5)  # two years before TODAY
SINCE = date(2025, 10, 20)  # three weeks, the fall-back day 2025-10-26 included
EXPORTER = "victoriametrics"
ALL = '{__name__=~"linky_.*"}'
Key = tuple[str, tuple[tuple[str, str], ...]]


# -- databases and the server -------------------------------------------------------------------------------------
def _template(folder: Path, since: date) -> Path:
    with synced_sqlite(folder, PDLS, since):
        pass
    return folder / "synced.db"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    """The three demo PDLs synced over two years (shared, never written to: tests work on a copy)."""
    return _template(tmp_path_factory.mktemp("vm-2y"), TWO_YEARS)


@pytest.fixture(scope="module")
def three_weeks(tmp_path_factory) -> Path:
    return _template(tmp_path_factory.mktemp("vm-3w"), SINCE)


@pytest.fixture
def db2y(two_years, tmp_path) -> Iterator[sa.Engine]:
    engine = copy_sqlite(two_years, tmp_path / "copy.db")
    yield engine
    engine.dispose()


@pytest.fixture
def db(three_weeks, tmp_path) -> Iterator[sa.Engine]:
    engine = copy_sqlite(three_weeks, tmp_path / "copy.db")
    yield engine
    engine.dispose()



@pytest.fixture
def managers() -> Iterator[list[ExporterManager]]:
    made: list[ExporterManager] = []
    yield made
    for manager in made:
        manager.close()


def manager_for(managers: list, db: sa.Engine, tmp_path: Path, **config: Any) -> ExporterManager:
    manager = ExporterManager(db, tmp_path, None, entry_points=False)
    managers.append(manager)
    manager.save_config(EXPORTER, config, enabled=True)
    return manager


# -- what the database says VictoriaMetrics should hold ----------------------------------------------------------
def key(name: str, **labels: str) -> Key:
    return name, tuple(sorted(labels.items()))


def midnight_ms(day: date) -> int:
    return epoch(local_day_bounds(day)[0]) * 1000


def expected(db: sa.Engine, **extra: str) -> dict[Key, dict[int, float]]:
    """Every sample the exporter should have written, read from the tables (costs from the app's pricing)."""
    out: dict[Key, dict[int, float]] = {}
    with db.connect() as conn:
        for pdl, direction, start, watts in conn.execute(sa.select(
                m.load_curve.c.usage_point_id, m.load_curve.c.direction, m.load_curve.c.start_utc,
                m.load_curve.c.watts)):
            out.setdefault(key("linky_load_curve_watts", pdl=pdl, direction=direction, **extra), {})[
                start * 1000] = watts
        for pdl, direction, day, wh in conn.execute(sa.select(
                m.daily_energy.c.usage_point_id, m.daily_energy.c.direction, m.daily_energy.c.day,
                m.daily_energy.c.wh)):
            out.setdefault(key("linky_daily_energy_kwh", pdl=pdl, direction=direction, **extra), {})[
                midnight_ms(day)] = wh / 1000
        for pdl, day, va in conn.execute(sa.select(m.max_power.c.usage_point_id, m.max_power.c.day,
                                                   m.max_power.c.va)):
            out.setdefault(key("linky_max_power_va", pdl=pdl, **extra), {})[midnight_ms(day)] = va
        for day, colour in conn.execute(sa.select(m.tempo_days.c.day, m.tempo_days.c.color)):
            for name in ("blue", "white", "red"):
                out.setdefault(key("linky_tempo_color", color=name, **extra), {})[midnight_ms(day)] = float(
                    colour.lower() == name)
        for day, level in conn.execute(sa.select(m.ecowatt_days.c.day, m.ecowatt_days.c.level)):
            out.setdefault(key("linky_ecowatt_level", **extra), {})[midnight_ms(day)] = level
        first, last = conn.execute(sa.select(sa.func.min(m.daily_energy.c.day),
                                             sa.func.max(m.daily_energy.c.day))).one()
    for pdl in PDLS:
        for cost in cost_by_day(db, pdl, first, last):
            at = midnight_ms(cost.day)
            out.setdefault(key(COST, pdl=pdl, **extra), {})[at] = float(cost.total)
            for slot, wm in cost.energy.items():
                out.setdefault(key(SLOT_ENERGY, pdl=pdl, direction="consumption", slot=slot.lower(), **extra), {})[
                    at] = wm / WM_PER_KWH
                out.setdefault(key(SLOT_COST, pdl=pdl, slot=slot.lower(), **extra), {})[at] = float(
                    cost.costs.get(slot, Decimal(0)))
    return out


def assert_holds(vm: VictoriaMetrics, want: dict[Key, dict[int, float]]) -> dict[Key, list[tuple[int, float]]]:
    """VictoriaMetrics holds exactly ``want``: the same series, one sample per timestamp, the same values."""
    got = vm.export(ALL)
    assert sorted(got) == sorted(want)
    for series, points in want.items():
        stamps = [t for t, _ in got[series]]
        assert len(stamps) == len(set(stamps)), f"duplicate timestamps in {series}"
        assert len(stamps) == len(points), series
        held = dict(got[series])
        for stamp, value in points.items():
            assert held[stamp] == pytest.approx(value, rel=1e-9, abs=1e-6), (series, stamp)
    return got


def total(want: dict[Key, dict[int, float]]) -> int:
    return sum(len(points) for points in want.values())


def without_nonce(selector: str | None) -> str | None:
    """A selector the exporter sent, less the filter that keeps VictoriaMetrics from answering it from its cache."""
    if selector is None:
        return None
    plain, found = re.subn(rf',{NONCE_LABEL}!="[0-9a-f]{{32}}"}}$', "}", selector)
    assert found == 1, f"a selector sent without its nonce filter: {selector}"
    return plain


class Spy:
    """Every call the exporters make to VictoriaMetrics: (method, path, selector or import lines)."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        original = VictoriaMetricsClient.request

        def request(client, method, path, ok=(200, 204), **kwargs):
            body = kwargs.get("data")
            if path == "/api/v1/import" and body:
                detail: Any = [json.loads(line) for line in gzip.decompress(body).splitlines()]
            elif isinstance(body, dict):
                detail = without_nonce(body.get("match[]"))
            else:
                detail = without_nonce((kwargs.get("params") or {}).get("match[]"))
            self.calls.append((method, path, detail))
            return original(client, method, path, ok, **kwargs)

        monkeypatch.setattr(VictoriaMetricsClient, "request", request)

    def deletes(self) -> list[str]:
        return [d for _, path, d in self.calls if path == "/api/v1/admin/tsdb/delete_series"]

    def imported(self) -> list[dict]:
        return [line for _, path, d in self.calls if path == "/api/v1/import" and d for line in d]


def after(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


# -- 1. two years, read back --------------------------------------------------------------------------------------
def test_two_years_are_pushed_with_their_timestamps_and_read_back_exactly(db2y, vm, tmp_path, managers):
    """Every series of the 3 demo PDLs over 2 years matches the database; a second full export adds nothing."""
    manager = manager_for(managers, db2y, tmp_path, url=vm.url, extra_labels="site=maison, zone=\"nord\"")
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert outcome.ok, outcome.error
    want = expected(db2y, site="maison", zone="nord")
    assert outcome.items_sent == total(want) and f"{total(want)} valeurs envoyées" in outcome.message
    got = assert_holds(vm, want)
    assert {name for name, _ in got} == set(PUSHED) and set(PUSHED) <= set(METRICS)
    curve = dict(got[key("linky_load_curve_watts", pdl=BASE, direction="consumption", site="maison", zone="nord")])
    assert len(curve) == (TODAY - TWO_YEARS).days * 48  # 731 days; two 23-hour and two 25-hour days cancel out
    assert {dict(labels).get("slot") for name, labels in got if name == SLOT_COST} == {
        "base", "hp", "hc", "blue_hp", "blue_hc", "white_hp", "white_hc", "red_hp", "red_hc"}

    again = VictoriaMetricsExporter({"url": vm.url, "extra_labels": "site=maison, zone=nord"})
    result = again.export(changes.collect(db2y, {}, NOON)[0])
    assert result.items_sent == 0 and f"0 valeur envoyée, {total(want)} déjà présentes" in result.message
    forced = manager.run_exports(after(NOON, 60), force=True)[EXPORTER]
    assert forced.ok and forced.items_sent == 0
    assert_holds(vm, want)


# -- 2. a push cut short, then retried ----------------------------------------------------------------------------
def test_victoriametrics_stopping_mid_push_fails_clearly_and_the_retry_sends_only_the_rest(
        db, vm, tmp_path, managers, monkeypatch):
    """The server stops after the first import: a clear failure and retry time, then the retry sends the rest."""
    monkeypatch.setattr(vmx, "PER_REQUEST", 2_000)
    sizes: list[int] = []
    original = VictoriaMetricsClient.post_lines

    def cut(client, lines, size):
        sent = original(client, lines, size)
        sizes.append(sent)
        if len(sizes) == 1:
            vm.stop()
        return sent

    monkeypatch.setattr(VictoriaMetricsClient, "post_lines", cut)
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    failed = manager.run_exports(NOON)[EXPORTER]
    assert not failed.ok and f"Serveur VictoriaMetrics injoignable à {vm.url} (connexion refusée)" in failed.error
    status = manager.status(EXPORTER)
    assert status.retry_at == NOON.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=1) == failed.retry_at
    assert "injoignable" in status.last_error
    assert manager.run_exports(after(NOON, 0))[EXPORTER].skipped

    vm.start()
    want = expected(db)
    retried = manager.run_exports(after(NOON, 2))[EXPORTER]
    assert retried.ok, retried.error
    assert retried.items_sent == total(want) - sizes[0] and f"{sizes[0]} déjà présentes" in retried.message
    assert manager.status(EXPORTER).retry_at is None and manager.status(EXPORTER).last_error == ""
    assert_holds(vm, want)


def test_a_forced_error_after_deleting_a_changed_series_is_repaired_by_the_retry(
        db, vm, tmp_path, managers, monkeypatch):
    """A corrected day deletes its series; the push fails, and the retry restores the whole series, corrected."""
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    assert manager.run_exports(NOON)[EXPORTER].ok
    day = SINCE + timedelta(days=3)
    with db.begin() as conn:
        repo.store_daily(conn, BASE, "consumption", [DailyValue(day, 99_999)])
        sync_ledger.write_ledger(conn, BASE, "consumption_daily", [(day, "complete", 1, 1, "")], after(NOON, 30))
    spy = Spy(monkeypatch)

    def refuse(client, lines, size):
        raise VictoriaMetricsError("erreur forcée par le test")

    monkeypatch.setattr(VictoriaMetricsClient, "post_lines", refuse)
    failed = manager.run_exports(after(NOON, 60))[EXPORTER]
    assert not failed.ok and "erreur forcée par le test" in failed.error
    daily = '{__name__="linky_daily_energy_kwh",pdl="' + BASE + '"}'
    assert spy.deletes() == ['{__name__="linky_daily_energy_kwh",instance="",job="",pdl="99000000000001"}']
    assert vm.export(daily) == {}  # deleted, not yet written back

    monkeypatch.undo()
    retried = manager.run_exports(after(NOON, 62))[EXPORTER]
    assert retried.ok, retried.error
    got = assert_holds(vm, expected(db))
    assert dict(got[key("linky_daily_energy_kwh", pdl=BASE, direction="consumption")])[midnight_ms(day)] == 99.999


def test_a_timestamp_already_held_twice_is_left_once(db, vm, tmp_path, managers):
    """A duplicate already in VictoriaMetrics (written by an older client, say): the family is rewritten once."""
    series = key("linky_max_power_va", pdl=TEMPO)
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    assert manager.run_exports(NOON)[EXPORTER].ok
    stamp, value = vm.export(ALL)[series][4]
    requests.post(f"{vm.url}/api/v1/import", timeout=10, data=json.dumps(
        {"metric": {"__name__": series[0], **dict(series[1])}, "values": [value],
         "timestamps": [stamp]})).raise_for_status()
    assert [t for t, _ in vm.export(ALL)[series]].count(stamp) == 2
    outcome = VictoriaMetricsExporter({"url": vm.url}).export(changes.collect(db, {}, NOON)[0])
    assert "1 groupe de séries remplacé (valeurs modifiées)" in outcome.message
    assert_holds(vm, expected(db))


def test_without_the_flush_endpoint_the_next_export_waits_until_the_last_import_is_readable(db, tmp_path):
    """``-forceFlushAuthKey`` refuses our flush: an export right after another waits, then finds every sample."""
    with VictoriaMetrics(tmp_path / "keyed", flush_key="flush-secret") as server:
        batch = changes.collect(db, {}, NOON)[0]
        first = VictoriaMetricsExporter({"url": server.url}).export(batch)
        second = VictoriaMetricsExporter({"url": server.url}).export(batch)
        assert first.items_sent == total(expected(db)) and second.items_sent == 0
        assert_holds(server, expected(db))


def test_each_read_and_deletion_sends_a_selector_never_sent_before(db, vm, tmp_path, managers, monkeypatch):
    """Two exports in a row: the reads of a family carry different nonce filters, over the same series."""
    sent: list[str] = []
    original = VictoriaMetricsClient.request

    def request(client, method, path, ok=(200, 204), **kwargs):
        if path in ("/api/v1/export", "/api/v1/admin/tsdb/delete_series"):
            sent.append({**(kwargs.get("params") or {}), **(kwargs.get("data") or {})}["match[]"])
        return original(client, method, path, ok, **kwargs)

    monkeypatch.setattr(VictoriaMetricsClient, "request", request)
    batch = changes.collect(db, {}, NOON)[0]
    for _ in range(2):
        VictoriaMetricsExporter({"url": vm.url}).export(batch)
    assert len(sent) == len(set(sent)) > 2
    assert len({without_nonce(s) for s in sent}) == len(sent) // 2
    assert uncached('{__name__="a"}') != uncached('{__name__="a"}')


# -- 3. a later sync re-delivering days ---------------------------------------------------------------------------
def test_a_later_sync_handing_overlapping_days_again_pushes_only_the_new_samples(db, vm, tmp_path, managers):
    """The last week fetched again with the clock a day on: the batch overlaps, only the new day is pushed."""
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    assert manager.run_exports(NOON)[EXPORTER].ok
    before = {s: dict(points) for s, points in vm.export(ALL).items()}
    for pdl in PDLS:
        assert repair.refetch(db, pdl, [d.name for d in DATASETS], TODAY - timedelta(days=7), TODAY)
    next_noon = NOON + timedelta(days=1)
    with start_simulator(today=TODAY) as sim:
        sim.state.set_now(next_noon)
        assert make_sync(db, sim, tmp_path).run(pdls=PDLS, since=SINCE).ok
    batch = changes.collect(db, manager_marks(db), next_noon)[0]
    resent = samples_of(batch, {})
    overlap = sum(1 for s, points in resent.items() for t in points if t in before.get(s, {}))
    assert overlap > 7 * 48 and {d.day for d in batch.daily} >= {TODAY - timedelta(days=i) for i in range(8)}
    outcome = manager.run_exports(next_noon)[EXPORTER]
    assert outcome.ok, outcome.error
    want = expected(db)
    assert outcome.items_sent == total(want) - sum(len(p) for p in before.values())
    got = assert_holds(vm, want)
    assert all(dict(got[s])[t] == v for s, points in before.items() for t, v in points.items())


def manager_marks(db: sa.Engine) -> dict[str, str]:
    """The exporter's stored marks, through the store the manager uses."""
    with db.connect() as conn:
        return store.get_marks(conn, EXPORTER)


# -- 4. price and offer changes -----------------------------------------------------------------------------------
def _choose(db: sa.Engine, pdl: str, offer: dict) -> None:
    with db.begin() as conn:
        pricing_store.save_choice(conn, pdl, f"user:{pricing_store.save_offer(conn, offer)}")


def test_a_price_change_deletes_and_pushes_again_the_cost_series_only(db, vm, tmp_path, managers, monkeypatch):
    """A new Base price: the PDL's cost metrics are deleted with one selector and pushed again; nothing else."""
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    assert manager.run_exports(NOON)[EXPORTER].ok
    foreign = [key(COST, pdl=BASE, source="autre"),  # matched by the cost selector: deleted and pushed back
               key(COST, pdl=BASE, job="vmagent", instance="x")]  # scraped: left out of the selector
    for name, labels in foreign:
        requests.post(f"{vm.url}/api/v1/import", timeout=10, data=json.dumps(
            {"metric": {"__name__": name, **dict(labels)}, "values": [1.5, 2.5],
             "timestamps": [midnight_ms(SINCE), midnight_ms(TODAY)]})).raise_for_status()
    before = vm.export(ALL)
    _choose(db, BASE, {"name": "Base à 30 c", "kind": "BASE", "versions": [
        {"valid_from": "2025-01-01", "energy": {"BASE": "0.3000"}, "subscription": "12"}]})
    spy = Spy(monkeypatch)
    outcome = manager.run_exports(after(NOON, 60))[EXPORTER]
    assert outcome.ok, outcome.error
    assert "1 groupe de séries remplacé" in outcome.message
    assert spy.deletes() == [f'{{__name__=~"{COST}|{SLOT_COST}",instance="",job="",pdl="{BASE}"}}']
    pushed = {(line["metric"]["__name__"], line["metric"]["pdl"]) for line in spy.imported()}
    assert pushed == {(COST, BASE), (SLOT_COST, BASE)}
    want = expected(db)
    want.update({series: dict(before[series]) for series in foreign})
    got = assert_holds(vm, want)
    assert [dict(line["metric"]).get("source") for line in spy.imported() if line["metric"]["__name__"] == COST] \
        .count("autre") == 1
    energy = dict(got[key(SLOT_ENERGY, pdl=BASE, direction="consumption", slot="base")])
    share = 12 * 12 / 365
    for stamp, eur in got[key(SLOT_COST, pdl=BASE, slot="base")]:
        assert eur == pytest.approx(energy[stamp] * 0.30, abs=1e-6)
    for stamp, eur in got[key(COST, pdl=BASE)]:
        assert eur == pytest.approx(energy[stamp] * 0.30 + share, abs=1e-5)
    changed = {s for s in got if s[0] in (COST, SLOT_COST) and dict(s[1])["pdl"] == BASE}
    assert {s: got[s] for s in got if s not in changed} == {s: before[s] for s in before if s not in changed}


def test_a_change_of_offer_replaces_the_slot_series_of_the_repriced_days(db, vm, tmp_path, managers):
    """The HP/HC PDL moved to a Base offer: its hp and hc slots go, a base slot comes, one sample per day."""
    manager = manager_for(managers, db, tmp_path, url=vm.url)
    assert manager.run_exports(NOON)[EXPORTER].ok
    _choose(db, HPHC, {"name": "Base", "kind": "BASE", "versions": [
        {"valid_from": "2020-01-01", "energy": {"BASE": "0.2000"}, "subscription": "15"}]})
    outcome = manager.run_exports(after(NOON, 60))[EXPORTER]
    assert outcome.ok, outcome.error
    got = assert_holds(vm, expected(db))
    slots = {dict(labels)["slot"] for name, labels in got
             if name in (SLOT_COST, SLOT_ENERGY) and dict(labels)["pdl"] == HPHC}
    assert slots == {"base"}


# -- 5. failures: authentication, unreachable, time-out -----------------------------------------------------------
@pytest.fixture
def guarded(tmp_path) -> Iterator[VictoriaMetrics]:
    with VictoriaMetrics(tmp_path / "vm-auth", username="linky", password="s3cret-pw") as server:
        yield server


@pytest.mark.parametrize("auth", [{"auth": "basic", "username": "linky", "password": "wrong-pw"},
                                  {"auth": "bearer", "token": "tok-123456"},
                                  {"auth": "aucune"}])
def test_refused_credentials_fail_clearly_and_are_retried_later(db, guarded, tmp_path, managers, auth):
    """401 from VictoriaMetrics: a French message (no secret in it), a retry time; the right password then works."""
    manager = manager_for(managers, db, tmp_path, url=guarded.url, **auth)
    failed = manager.run_exports(NOON)[EXPORTER]
    refused = f"VictoriaMetrics à {guarded.url} refuse l'authentification (401)"
    assert not failed.ok and refused in failed.error
    assert "wrong-pw" not in failed.error and "tok-123456" not in failed.error
    assert manager.status(EXPORTER).retry_at == NOON.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=1)
    ok, message = manager.test_connection(EXPORTER, {"url": guarded.url, **auth})
    assert not ok and refused in message

    right = {"url": guarded.url, "auth": "basic", "username": "linky", "password": "s3cret-pw"}
    ok, message = manager.test_connection(EXPORTER, right)
    assert ok and f"Connecté à VictoriaMetrics à {guarded.url}" in message and "rétention : 100y" in message
    manager.save_config(EXPORTER, right, enabled=True)
    outcome = manager.run_exports(after(NOON, 2))[EXPORTER]
    assert outcome.ok, outcome.error
    assert_holds(guarded, expected(db))


def test_a_bearer_token_goes_through_vmauth(db, vm, tmp_path, managers):
    """Bearer tokens are checked by a vmauth in front (vmauth 1.79 answers 400 to a wrong one): refused, then OK."""
    with VmAuth(tmp_path / "vmauth", vm.url, "tok-123456") as proxy:
        wrong = {"url": proxy.url, "auth": "bearer", "token": "tok-999999"}
        manager = manager_for(managers, db, tmp_path, **wrong)
        failed = manager.run_exports(NOON)[EXPORTER]
        assert not failed.ok and f"VictoriaMetrics à {proxy.url} refuse l'authentification (400)" in failed.error
        assert "tok-999999" not in failed.error
        right = {**wrong, "token": "tok-123456"}
        assert manager.test_connection(EXPORTER, right) == (
            True, f"Connecté à VictoriaMetrics à {proxy.url} : lecture, écriture et suppression autorisées")
        manager.save_config(EXPORTER, right, enabled=True)
        first = manager.run_exports(after(NOON, 2))[EXPORTER]
        again = VictoriaMetricsExporter(right).export(changes.collect(db, {}, NOON)[0])
    assert first.ok and again.items_sent == 0, first.error
    assert_holds(vm, expected(db))


def test_an_unreachable_server_fails_clearly_and_the_retry_succeeds_once_it_is_up(db, tmp_path, managers):
    port = free_port()
    manager = manager_for(managers, db, tmp_path, url=f"http://127.0.0.1:{port}")
    failed = manager.run_exports(NOON)[EXPORTER]
    assert not failed.ok and f"Serveur VictoriaMetrics injoignable à http://127.0.0.1:{port} (connexion refusée)" \
        in failed.error
    retry_at = manager.status(EXPORTER).retry_at
    assert retry_at == NOON.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=1)
    assert manager.run_exports(after(NOON, 0))[EXPORTER].skipped
    assert manager.test_connection(EXPORTER, {"url": f"http://127.0.0.1:{port}"}) == (
        False, f"Serveur VictoriaMetrics injoignable à http://127.0.0.1:{port} (connexion refusée)")
    with VictoriaMetrics(tmp_path / "late", port=port) as server:
        outcome = manager.run_exports(after(NOON, 2))[EXPORTER]
        assert outcome.ok, outcome.error
        assert_holds(server, expected(db))


def test_a_server_that_never_answers_is_a_time_out(db, tmp_path, managers):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        manager = manager_for(managers, db, tmp_path, url=url, timeout="1")
        failed = manager.run_exports(NOON)[EXPORTER]
    assert not failed.ok and f"VictoriaMetrics à {url} n'a pas répondu en 1 s" in failed.error
    assert manager.status(EXPORTER).retry_at is not None


def test_a_self_signed_certificate_is_refused_unless_told_to_skip_the_check(db, tmp_path, managers):
    with VictoriaMetrics(tmp_path / "tls", tls=True) as server:
        manager = manager_for(managers, db, tmp_path, url=server.url)
        failed = manager.run_exports(NOON)[EXPORTER]
        assert not failed.ok and f"Certificat TLS de {server.url} refusé (vérification du certificat échouée)" \
            in failed.error and "« Ne pas vérifier le certificat TLS »" in failed.error
        manager.save_config(EXPORTER, {"url": server.url, "tls_insecure": "on"}, enabled=True)
        outcome = manager.run_exports(after(NOON, 2))[EXPORTER]
        assert outcome.ok, outcome.error
        assert_holds(server, expected(db))


# -- 6. settings --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("labels", "error"), [
    ("site maison", "écrivez clé=valeur"),
    ("pdl=1", "« pdl » est réservée"),
    ("1site=a", "n'est pas un nom d'étiquette valide"),
    ("site=", "valeur vide"),
    ("site=a, site=b", "donnée deux fois"),
])
def test_malformed_extra_labels_are_refused_by_field(db, tmp_path, labels, error):
    manager = ExporterManager(db, tmp_path, None, entry_points=False)
    with pytest.raises(FieldError) as refused:
        manager.save_config(EXPORTER, {"url": "http://127.0.0.1:8428", "extra_labels": labels}, enabled=True)
    assert list(refused.value.errors) == ["extra_labels"] and error in refused.value.errors["extra_labels"]
    with pytest.raises(FieldError) as refused:
        manager.save_config(EXPORTER, {"url": "localhost:8428"}, enabled=True)
    assert refused.value.errors == {"url": "adresse attendue en http:// ou https://, par exemple http://192.168.1.10:8428"}
    manager.save_config(EXPORTER, {"url": "http://vm:8428", "extra_labels": "site=maison, zone = nord"}, enabled=True)


def test_the_push_interval_defers_and_the_next_push_sends_what_waited(db, vm, tmp_path, managers):
    """A push 10 minutes after the last one waits (the manager keeps its marks); the one after 60 sends it."""
    manager = manager_for(managers, db, tmp_path, url=vm.url, push_interval="60")
    assert manager.run_exports(NOON)[EXPORTER].ok
    held = total({s: dict(p) for s, p in vm.export(ALL).items()})
    day = SINCE + timedelta(days=5)
    with db.begin() as conn:
        repo.store_daily(conn, BASE, "consumption", [DailyValue(day, 77_777)])
        sync_ledger.write_ledger(conn, BASE, "consumption_daily", [(day, "complete", 1, 1, "")], after(NOON, 5))
    deferred = manager.run_exports(after(NOON, 10))[EXPORTER]
    assert deferred.ok and deferred.items_sent == 0
    assert deferred.message == ("envoi reporté : dernier envoi il y a 10 min, intervalle minimal de 60 min "
                                "(1 valeur en attente)")
    again = changes.collect(db, manager_marks(db), after(NOON, 10))[0].daily  # the marks stayed: it comes again
    assert [(r.day, r.wh) for r in again if r.usage_point_id == BASE] == [(day, 77_777)]
    series = key("linky_daily_energy_kwh", pdl=BASE, direction="consumption")
    assert dict(vm.export(ALL)[series])[midnight_ms(day)] != 77.777
    pushed = manager.run_exports(after(NOON, 61))[EXPORTER]
    assert pushed.ok and "1 groupe de séries remplacé" in pushed.message
    got = assert_holds(vm, expected(db))
    assert dict(got[series])[midnight_ms(day)] == 77.777 and total(expected(db)) == held


def test_a_connection_test_warns_when_the_retention_drops_history(tmp_path):
    with VictoriaMetrics(tmp_path / "short", args=("-retentionPeriod=1",)) as server:
        ok, message = VictoriaMetricsExporter({"url": server.url}).test_connection()
    assert ok and "attention : rétention de 1 mois (-retentionPeriod)" in message


def test_samples_too_far_ahead_wait_for_a_later_export(vm):
    """VictoriaMetrics drops samples more than two days ahead: EcoWatt's third day waits in the exporter."""
    today = datetime.now(UTC).date()
    days = [EcowattDay(today + timedelta(days=i), 1 + i % 3, "", (1,) * 24) for i in (-1, 1, 4, 5)]
    batch = ExportBatch(Snapshot(datetime.now(UTC)), ecowatt=days)
    exporter = VictoriaMetricsExporter({"url": vm.url})
    result = exporter.export(batch)
    assert result.items_sent == 2 and "2 valeurs à plus de 2 jours gardées pour plus tard" in result.message
    got = vm.export('{__name__="linky_ecowatt_level"}')
    assert [t for t, _ in got[key("linky_ecowatt_level")]] == [midnight_ms(d.day) for d in days[:2]]
    assert sorted(t for points in exporter.pending.values() for t in points) == [
        midnight_ms(d.day) for d in days[2:]]


# -- 7. reset ------------------------------------------------------------------------------------------------------
def test_reset_deletes_our_series_and_sends_everything_again(db, vm, tmp_path, managers):
    manager = manager_for(managers, db, tmp_path, url=vm.url, extra_labels="site=maison")
    assert manager.run_exports(NOON)[EXPORTER].ok
    other = '{"metric":{"__name__":"linky_daily_energy_kwh","pdl":"1","site":"ailleurs"},"values":[1],' \
            '"timestamps":[1700000000000]}\n'
    requests.post(f"{vm.url}/api/v1/import", data=other, timeout=10).raise_for_status()
    assert manager.can_reset(EXPORTER)
    outcome = manager.reset(EXPORTER, after(NOON, 60))
    assert outcome.ok, outcome.error
    want = expected(db, site="maison")
    assert outcome.items_sent == total(want)
    want[key("linky_daily_energy_kwh", pdl="1", site="ailleurs")] = {1700000000000: 1.0}
    assert_holds(vm, want)


def test_credentials_an_http_header_cannot_carry_are_refused_by_field(db, tmp_path):
    manager = ExporterManager(db, tmp_path, None, entry_points=False)
    with pytest.raises(FieldError) as refused:
        manager.save_config(EXPORTER, {"url": "http://127.0.0.1:8428", "auth": "bearer", "token": "jeton€"},
                            enabled=True)
    assert list(refused.value.errors) == ["token"] and "en-tête HTTP" in refused.value.errors["token"]
    assert manager.settings(EXPORTER).config is None  # nothing stored
