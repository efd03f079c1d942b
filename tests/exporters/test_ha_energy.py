"""The Energy statistics against a fake HA Core: the shape chosen, switching it, the start hour, the hand-over from
the legacy client's statistics, and the wait while HA's recorder writes."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from myelectricaldata.energy.timeline import PARIS, local_day_bounds
from myelectricaldata.exporters import store
from myelectricaldata.exporters.homeassistant import HomeAssistantExporter
from myelectricaldata.exporters.homeassistant.websocket import HomeAssistantSocket
from myelectricaldata.services import pricing_store, series
from tests.support.fakes.ha_websocket import FakeHomeAssistant
from tests.support.ha_energy import export, manager_for, reconfigure, sid
from tests.support.ha_exporter import (
    BASE,
    EXPORTER,
    HPHC,
    PDLS,
    SINCE,
    TEMPO,
    assert_continuous,
    copy_of,
    stored,
    synced_template,
)
from tests.support.syncing import NOON, TODAY


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The three demo PDLs synced from SINCE (shared, never written to: each test works on a copy)."""
    return synced_template(tmp_path_factory.mktemp("ha-synced"), PDLS, SINCE)


@pytest.fixture
def db(template, tmp_path):
    engine = copy_of(template, tmp_path / "copy.db")
    yield engine
    engine.dispose()

# the HP/HC household's off-peak hours, "HC (1H30-8H00;12H30-14H00)": the local hours each slot has minutes in,
# and 23:00 where every slot has a row
HP_HOURS = {0, 1, 8, 9, 10, 11, 12, *range(14, 24)}
HC_HOURS = {1, 2, 3, 4, 5, 6, 7, 12, 13, 23}
JUNCTION = datetime(2025, 11, 1, tzinfo=PARIS)  # the legacy client's statistics end the hour before
H = 3600


def local_kwh(engine, pdl: str) -> dict[int, float]:
    """The local load curve summed per UTC hour, in kWh."""
    wm: dict[int, int] = defaultdict(int)
    for start, minutes, watts in series.load_curve(engine, pdl, "consumption", SINCE, TODAY):
        wm[start - start % H] += watts * minutes
    return {hour: value / 60_000 for hour, value in wm.items()}


def local_hour(start_utc: int) -> int:
    return datetime.fromtimestamp(start_utc, PARIS).hour


def changes(ha: FakeHomeAssistant, ids: list[str], start: datetime, end: datetime) -> dict[int, float]:
    """What the Energy dashboard shows per hour for these statistics together: HA's ``change`` summed."""
    with HomeAssistantSocket(ha.ws_url, ha.token) as ws:
        reply = ws.call("recorder/statistics_during_period", start_time=start.isoformat(), end_time=end.isoformat(),
                        statistic_ids=ids, period="hour", types=["change"])
    out: dict[int, float] = defaultdict(float)
    for rows in reply.values():
        for row in rows:
            out[row["start"] // 1000] += row["change"]
    return dict(out)


# -- shapes ---------------------------------------------------------------------------------------------------------
def test_the_slots_shape_gives_each_slot_rows_only_for_its_hours(db, tmp_path):
    with FakeHomeAssistant() as ha:
        export(manager_for(db, tmp_path, ha, energy_series="slots"), NOON)
    hp, hc = stored(ha, sid(HPHC, "consumption_hp")), stored(ha, sid(HPHC, "consumption_hc"))
    assert {local_hour(h) for h, _, _ in hp} == HP_HOURS and {local_hour(h) for h, _, _ in hc} == HC_HOURS
    per_day: dict[date, tuple[int, int]] = {}
    for day in (date(2025, 10, 21), date(2025, 10, 26)):
        first, last = (int(t.timestamp()) for t in local_day_bounds(day))
        per_day[day] = (sum(first <= h < last for h, _, _ in hp), sum(first <= h < last for h, _, _ in hc))
    # 17 HP hours and 9 HC hours (two straddle an edge) plus 23:00; the fall-back day repeats 02:00, an HC hour
    assert per_day == {date(2025, 10, 21): (17, 10), date(2025, 10, 26): (17, 11)}
    assert ha.metadata(sid(HPHC, "consumption")) is None and ha.metadata(sid(HPHC, "consumption_cost")) is None
    for rows in (hp, hc, stored(ha, sid(HPHC, "consumption_hp_cost"))):
        assert_continuous(rows)
    local = local_kwh(db, HPHC)
    assert hp[-1][2] + hc[-1][2] == pytest.approx(sum(local.values()), abs=1e-6)  # every kWh, once
    assert len(stored(ha, sid(HPHC, "consumption_hc_cost"))) == len(hc)
    # a Base offer keeps the total ids; production is the injection beside the slots
    assert ha.metadata(sid(BASE, "consumption")) and ha.metadata(sid(BASE, "consumption_hp")) is None
    assert ha.metadata(sid(TEMPO, "injection")) and ha.metadata(sid(TEMPO, "injection_revenue"))
    assert ha.metadata(sid(TEMPO, "consumption")) is None and ha.metadata(sid(TEMPO, "consumption_blue_hp"))


def test_switching_the_shape_clears_the_other_and_sends_the_whole_history(db, tmp_path):
    total = [sid(HPHC, "consumption"), sid(HPHC, "consumption_cost")]
    slots = [sid(HPHC, w) for w in ("consumption_hp", "consumption_hp_cost", "consumption_hc", "consumption_hc_cost")]
    with FakeHomeAssistant() as ha:
        manager = manager_for(db, tmp_path, ha)
        export(manager, NOON)
        assert all(ha.metadata(s) for s in total) and not any(ha.metadata(s) for s in slots)
        injection = stored(ha, sid(TEMPO, "injection"))
        first_hour = int(local_day_bounds(SINCE)[0].timestamp())

        reconfigure(manager, energy_series="slots")
        outcome = export(manager, NOON + timedelta(hours=1))
        assert "statistiques qui ne sont plus envoyées effacées" in outcome.message
        assert not any(ha.metadata(s) for s in total) and all(ha.metadata(s) for s in slots)
        assert stored(ha, sid(HPHC, "consumption_hp"))[0][0] == first_hour  # the whole history, not the last day
        assert ha.metadata(sid(BASE, "consumption"))  # a Base offer's slot is the total
        assert stored(ha, sid(TEMPO, "injection")) == injection

        reconfigure(manager, energy_series="total")
        export(manager, NOON + timedelta(hours=2))
        assert all(ha.metadata(s) for s in total) and not any(ha.metadata(s) for s in slots)
        rows = stored(ha, sid(HPHC, "consumption"))
        assert rows[0][0] == first_hour and len(rows) == len(local_kwh(db, HPHC))
        assert_continuous(rows)


# -- start hour -----------------------------------------------------------------------------------------------------
def test_the_start_hour_starts_the_sums_at_zero_and_a_change_rebuilds_them(db, tmp_path):
    energy = sid(BASE, "consumption")
    local = local_kwh(db, BASE)
    with FakeHomeAssistant() as ha:
        manager = manager_for(db, tmp_path, ha, energy_start="2025-10-27")
        export(manager, NOON)
        first = int(datetime(2025, 10, 27, tzinfo=PARIS).timestamp())
        rows = stored(ha, energy)
        assert rows[0][0] == first and rows[0][2] == pytest.approx(local[first], abs=1e-9)  # summed from 0
        assert [h for h, _, _ in rows] == sorted(h for h in local if h >= first)
        assert_continuous(rows)

        reconfigure(manager, energy_start="2025-10-30 06:00")
        export(manager, NOON + timedelta(hours=1))
        later = int(datetime(2025, 10, 30, 6, tzinfo=PARIS).timestamp())
        rows = stored(ha, energy)
        assert [h for h, _, _ in rows] == sorted(h for h in local if h >= later)  # the earlier rows cleared
        assert_continuous(rows)

        reconfigure(manager, energy_start="")
        export(manager, NOON + timedelta(hours=2))
        rows = stored(ha, energy)
        assert [h for h, _, _ in rows] == sorted(local)  # back to the whole history, nothing doubled
        assert_continuous(rows)
        assert rows[-1][2] == pytest.approx(sum(local.values()), abs=1e-6)


def test_a_start_hour_that_is_not_one_is_refused_on_the_field(db, tmp_path):
    with FakeHomeAssistant() as ha:
        manager = manager_for(db, tmp_path, ha)
        try:
            errors = manager.save_config(EXPORTER, {**manager.settings(EXPORTER).config,
                                                    "energy_start": "30/10/2025"}, enabled=True)
        except ValueError as refused:  # a refusal raised, its messages by field
            errors = refused.errors
    assert set(errors) == {"energy_start"} and "AAAA-MM-JJ" in errors["energy_start"]
    assert manager.settings(EXPORTER).config["energy_start"] is None  # nothing stored


# -- hand-over from the legacy client -------------------------------------------------------------------------------
def legacy_rows(engine, pdl: str) -> dict[str, dict[int, tuple[float, float]]]:
    """The legacy client's HC/HP statistics up to JUNCTION: kWh per hour by the slot of each half-hour's start, and
    its cost at its own flat prices; {statistic: {hour: (state, sum)}}."""
    values: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    prices = {"hc": 0.1, "hp": 0.2}
    for start, minutes, watts in series.load_curve(engine, pdl, "consumption", SINCE, TODAY):
        if start >= JUNCTION.timestamp():
            continue
        wall = datetime.fromtimestamp(start, PARIS)
        minute = wall.hour * 60 + wall.minute
        slot = "hc" if 90 <= minute < 480 or 750 <= minute < 840 else "hp"
        kwh = watts * minutes / 60_000
        values[f"{slot}_consumption"][start - start % H] += kwh
        values[f"{slot}_consumption_cost"][start - start % H] += kwh * prices[slot]
    out = {}
    for what, hours in values.items():
        running, rows = 0.0, {}
        for hour in sorted(hours):
            running += hours[hour]
            rows[hour] = (hours[hour], running)
        out[sid(pdl, what)] = rows
    return out


def import_legacy(ha: FakeHomeAssistant, rows: dict[str, dict[int, tuple[float, float]]], pdl: str) -> None:
    """Import them as the legacy client did: ``has_mean`` metadata, its names, kWh and EURO."""
    with HomeAssistantSocket(ha.ws_url, ha.token) as ws:
        for statistic, hours in rows.items():
            slot = statistic.split("_")[1].upper()
            cost = statistic.endswith("_cost")
            name = f"MyElectricalData - {pdl} {slot} consumption" + (" Cost" if cost else "")
            ws.call("recorder/import_statistics", metadata={
                "has_mean": False, "has_sum": True, "name": name, "source": "myelectricaldata",
                "statistic_id": statistic, "unit_of_measurement": "EURO" if cost else "kWh"},
                stats=[{"start": datetime.fromtimestamp(h, UTC).isoformat(), "state": s, "sum": t}
                       for h, (s, t) in sorted(hours.items())])


@pytest.fixture
def legacy_ha(db):
    """A fake HA 2025.4 (the legacy client's metadata are refused from 2026.11) holding the legacy statistics of the
    HP/HC PDL up to JUNCTION."""
    with FakeHomeAssistant(version="2025.4.4") as ha:
        rows = legacy_rows(db, HPHC)
        import_legacy(ha, rows, HPHC)
        ha.legacy = rows
        yield ha


def test_legacy_statistics_wait_for_the_users_choice(db, tmp_path, legacy_ha):
    ha = legacy_ha
    manager = manager_for(db, tmp_path, ha)
    outcome = manager.run_exports(NOON)[EXPORTER]
    assert not outcome.ok
    assert f"({HPHC}) : statistiques de l'ancien module MyElectricalData trouvées" in outcome.error
    assert "consommation HC, HP, dernière heure le 31/10/2025 23:00" in outcome.error
    assert "choisissez une reprise" in outcome.error
    assert not any(m["metadata"]["statistic_id"].startswith(f"myelectricaldata:{HPHC}_consumption")
                   for m in ha.imports[4:])
    assert {s: dict((h, (st, su)) for h, st, su in stored(ha, s)) for s in ha.legacy} == ha.legacy
    assert ha.metadata(sid(BASE, "consumption"))  # the other PDLs are imported


def test_continuing_the_legacy_statistics_appends_to_them(db, tmp_path, legacy_ha):
    ha = legacy_ha
    junction = int(JUNCTION.timestamp())
    manager = manager_for(db, tmp_path, ha, legacy_handover="continue")
    export(manager, NOON)
    local = local_kwh(db, HPHC)
    hc, hp = sid(HPHC, "hc_consumption"), sid(HPHC, "hp_consumption")
    for statistic in (hc, hp, f"{hc}_cost", f"{hp}_cost"):
        rows = stored(ha, statistic)
        before = {h: (s, t) for h, s, t in rows if h < junction}
        last_sum = ha.legacy[statistic][max(ha.legacy[statistic])][1]
        closing = {} if junction - H in ha.legacy[statistic] else {junction - H: (0.0, last_sum)}
        assert before == ha.legacy[statistic] | closing  # theirs untouched; a 0 at 23:00 where they had no row
        after = [r for r in rows if r[0] >= junction]
        assert after and after[0][2] == pytest.approx(last_sum + after[0][1], abs=1e-6)  # summed on from theirs
        assert_continuous([(h, s, t - last_sum) for h, s, t in after])
    assert ha.metadata(hc)["name"] == f"MyElectricalData - {HPHC} HC consumption"
    assert ha.metadata(f"{hc}_cost")["unit_of_measurement"] == "EURO"
    assert not any(ha.metadata(sid(HPHC, w)) for w in ("consumption", "consumption_cost", "consumption_hp"))
    # the dashboard's hourly bars over the junction: every hour once, nothing negative, no gap
    shown = changes(ha, [hc, hp], JUNCTION - timedelta(days=1), JUNCTION + timedelta(days=1))
    assert sorted(shown) == sorted(h for h in local if junction - 24 * H <= h < junction + 24 * H)
    for hour, value in shown.items():
        assert value == pytest.approx(local[hour], abs=1e-6), datetime.fromtimestamp(hour, UTC)
    with manager.engine.connect() as conn:
        assert store.get_marks(conn, EXPORTER)[f"{store.MEMORY}junction:{HPHC}"] == str(junction)

    # a price change re-prices our hours only; a reset rewrites them and keeps theirs
    offer = {"name": "HP/HC maison", "kind": "HPHC", "versions": [
        {"valid_from": "2025-01-01", "energy": {"HP": "0.3000", "HC": "0.1500"}, "subscription": "20"}]}
    with db.begin() as conn:
        pricing_store.save_choice(conn, HPHC, f"user:{pricing_store.save_offer(conn, offer)}")
    export(manager, NOON + timedelta(hours=1))
    cost = stored(ha, f"{hc}_cost")
    assert {h: (s, t) for h, s, t in cost if h < junction - H} == ha.legacy[f"{hc}_cost"]
    energy = {h: s for h, s, _ in stored(ha, hc)}
    assert all(s == pytest.approx(energy[h] * 0.15, abs=1e-6) for h, s, _ in cost if h >= junction)
    kept = {s: stored(ha, s) for s in ha.legacy}
    assert manager.reset(EXPORTER, NOON + timedelta(hours=2)).ok
    assert {s: stored(ha, s) for s in ha.legacy} == kept


def test_starting_after_the_legacy_statistics_puts_ours_beside_them(db, tmp_path, legacy_ha):
    ha = legacy_ha
    junction = int(JUNCTION.timestamp())
    manager = manager_for(db, tmp_path, ha, legacy_handover="after")
    export(manager, NOON)
    local = local_kwh(db, HPHC)
    assert {s: {h: (a, b) for h, a, b in stored(ha, s)} for s in ha.legacy} == ha.legacy
    ours = stored(ha, sid(HPHC, "consumption"))
    assert ours[0][0] == junction and ours[0][2] == pytest.approx(local[junction], abs=1e-9)  # from 0
    assert [h for h, _, _ in ours] == sorted(h for h in local if h >= junction)
    assert_continuous(ours)
    # both sources in the dashboard: every hour counted once across the junction
    sources = [sid(HPHC, "hc_consumption"), sid(HPHC, "hp_consumption"), sid(HPHC, "consumption")]
    shown = changes(ha, sources, JUNCTION - timedelta(days=1), JUNCTION + timedelta(days=1))
    assert sorted(shown) == sorted(h for h in local if junction - 24 * H <= h < junction + 24 * H)
    for hour, value in shown.items():
        assert value == pytest.approx(local[hour], abs=1e-6), datetime.fromtimestamp(hour, UTC)


def test_a_legacy_client_still_writing_after_the_junction_is_reported(db, tmp_path, legacy_ha):
    ha = legacy_ha
    manager = manager_for(db, tmp_path, ha, legacy_handover="after")
    export(manager, NOON)
    assert manager.run_exports(NOON + timedelta(hours=1), force=True)[EXPORTER].ok  # quiet: nothing to say
    statistic = sid(HPHC, "hc_consumption")
    last_sum = ha.legacy[statistic][max(ha.legacy[statistic])][1]
    import_legacy(ha, {statistic: {int(JUNCTION.timestamp()) + 2 * H: (0.5, last_sum + 0.5)}}, HPHC)
    outcome = manager.run_exports(NOON + timedelta(hours=2), force=True)[EXPORTER]
    assert not outcome.ok and "écrit encore ses statistiques après le 01/11/2025 00:00" in outcome.error


def test_turning_from_continuing_to_after_flattens_what_was_continued(db, tmp_path, legacy_ha):
    ha = legacy_ha
    junction = int(JUNCTION.timestamp())
    manager = manager_for(db, tmp_path, ha, legacy_handover="continue")
    export(manager, NOON)
    reconfigure(manager, legacy_handover="after")
    export(manager, NOON + timedelta(hours=1))
    local = local_kwh(db, HPHC)
    for statistic, rows in ha.legacy.items():
        last_sum = rows[max(rows)][1]
        after = [(s, t) for h, s, t in stored(ha, statistic) if h >= junction]
        assert after and all(s == 0 and t == pytest.approx(last_sum, abs=1e-9) for s, t in after)
    sources = [sid(HPHC, "hc_consumption"), sid(HPHC, "hp_consumption"), sid(HPHC, "consumption")]
    shown = changes(ha, sources, JUNCTION - timedelta(days=1), JUNCTION + timedelta(days=3))
    for hour, value in shown.items():
        assert value == pytest.approx(local[hour], abs=1e-6), datetime.fromtimestamp(hour, UTC)
    with manager.engine.connect() as conn:
        memory = {k for k in store.get_marks(conn, EXPORTER) if k.startswith(store.MEMORY)}
    assert memory == {f"{store.MEMORY}junction:{HPHC}"}  # nothing left to flatten


def test_continuing_needs_the_same_slots(db, tmp_path, legacy_ha):
    ha = legacy_ha
    offer = {"name": "Base", "kind": "BASE", "versions": [
        {"valid_from": "2020-01-01", "energy": {"BASE": "0.2000"}, "subscription": "12"}]}
    with db.begin() as conn:
        pricing_store.save_choice(conn, HPHC, f"user:{pricing_store.save_offer(conn, offer)}")
    outcome = manager_for(db, tmp_path, ha, legacy_handover="continue").run_exports(NOON)[EXPORTER]
    assert not outcome.ok and "demande le même découpage (HC/HP)" in outcome.error
    assert {s: {h: (a, b) for h, a, b in stored(ha, s)} for s in ha.legacy} == ha.legacy


# -- waiting for HA's recorder --------------------------------------------------------------------------------------
def test_an_import_is_waited_for_as_long_as_home_assistant_writes(db, tmp_path, monkeypatch):
    """HA writes one import message every 0.3 s, far beyond the 1 s stall allowed: still a success."""
    monkeypatch.setattr(HomeAssistantExporter, "read_back_stall", 1.0)
    steps: list[str] = []
    with FakeHomeAssistant() as ha:
        ha.hold_imports()
        stop = threading.Event()

        def recorder() -> None:
            while not stop.wait(0.3):
                ha.write_held(1)

        writer = threading.Thread(target=recorder, daemon=True)
        writer.start()
        manager = manager_for(db, tmp_path, ha)
        manager.runs.report = lambda name, progress: steps.append(progress.step)
        try:
            outcome = export(manager, NOON)
        finally:
            stop.set()
            writer.join()
    assert len(ha.imports) >= 6 and outcome.items_sent > 0
    assert any(s.startswith("Envoi à Home Assistant") for s in steps)
    written = [s for s in steps if s.startswith("Écriture par Home Assistant")]
    assert len(written) >= 3 and written[-1].split(" lignes relues")[0] != written[0].split(" lignes relues")[0]


def test_an_import_home_assistant_stops_writing_fails_then_resumes(db, tmp_path, monkeypatch):
    monkeypatch.setattr(HomeAssistantExporter, "read_back_stall", 1.0)
    with FakeHomeAssistant() as ha:
        ha.hold_imports()
        manager = manager_for(db, tmp_path, ha)
        failed = manager.run_exports(NOON)[EXPORTER]
        assert not failed.ok and "n'a plus avancé depuis 1 s (lignes de statistiques relues : 0 sur" in failed.error
        assert ha.write_held() == 0
        again = export(manager, NOON)
    assert "0 lignes de statistiques importées" in again.message
    for statistic in (sid(BASE, "consumption"), sid(HPHC, "consumption_cost")):
        assert_continuous(stored(ha, statistic))
