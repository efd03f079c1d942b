"""The sync against the simulated gateway, on a real database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.database import repository as repo
from myelectricaldata.database import sync_ledger
from myelectricaldata.energy.timeline import PARIS, local_day_bounds
from myelectricaldata.gateway import parse
from myelectricaldata.gateway.errors import QuotaExceeded
from myelectricaldata.services.datasets import BY_NAME, Dataset
from myelectricaldata.services.lock import SyncBusy, sync_lock
from myelectricaldata.services.scheduler import SyncJobs
from myelectricaldata.services.status import collect_status, format_status
from myelectricaldata.services.sync import SyncReport
from myelectricaldata.simulator import DEMO_HOUSEHOLDS, start_simulator
from tests.support.syncing import NOON, TODAY, make_sync, snapshot

BASE, HCHP, TEMPO = (h.usage_point_id for h in DEMO_HOUSEHOLDS)


@pytest.fixture
def sim():
    with start_simulator(today=TODAY) as running:
        yield running


def curve_rows_of_day(conn, pdl, direction, day):
    start, end = local_day_bounds(day)
    t = m.load_curve
    return conn.execute(sa.select(t.c.minutes, t.c.watts).where(
        t.c.usage_point_id == pdl, t.c.direction == direction,
        t.c.start_utc >= int(start.timestamp()), t.c.start_utc < int(end.timestamp()))).all()


def test_dst_days_stored_as_46_and_50_half_hours_and_daily_equals_curve(sqlite_engine, sim, tmp_path):
    report = make_sync(sqlite_engine, sim, tmp_path).run(since=date(2025, 3, 28))
    assert report.ok, report.message
    with sqlite_engine.connect() as conn:
        assert len(curve_rows_of_day(conn, BASE, "consumption", date(2025, 3, 30))) == 46
        assert len(curve_rows_of_day(conn, BASE, "consumption", date(2025, 10, 26))) == 50
        assert len(curve_rows_of_day(conn, TEMPO, "production", date(2025, 10, 26))) == 50
        daily = conn.execute(sa.select(m.daily_energy)).all()
        assert len(daily) == 3 * 222 + 222  # three consumers + one producer, 2025-03-28 .. 2025-11-04
        for row in daily:
            rows = curve_rows_of_day(conn, row.usage_point_id, row.direction, row.day)
            energy = sum(w * minutes for minutes, w in rows)
            assert energy % 60 == 0
            assert energy // 60 == row.wh, (row.usage_point_id, row.direction, row.day)


@pytest.mark.slow
def test_full_backfill_request_budget_then_one_request_per_dataset(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    first = sync.run()
    assert first.ok, first.message
    per_pdl = Counter(r.path.split("/")[-1] for r in sim.state.requests if r.path.startswith("/api/enedis/"))
    assert per_pdl[TEMPO] == 4 + 2 + 4 + 4 + 2 + 1 + 1  # with production daily and curve: 18, target <= 40
    assert per_pdl[BASE] == 4 + 2 + 4 + 1 + 1  # daily, curve (batch), max power, contract, address
    with sqlite_engine.connect() as conn:
        summary = sync_ledger.ledger_summary(conn, BASE, "consumption_load_curve")
    assert summary["first"] == date(2023, 11, 5) and summary["last"] == date(2025, 11, 4)
    assert summary["counts"] == {"complete": 731}

    sim.state.set_now(NOON + timedelta(days=1))
    sim.state.requests.clear()
    second = sync.run()
    assert second.ok, second.message
    paths = Counter(r.path.rsplit("/", 1)[0] for r in sim.state.requests if r.path.startswith("/api/enedis/"))
    one_each = {"consumption/daily": 3, "consumption/detail/batch": 3, "power": 3, "production/daily": 1,
                "production/detail/batch": 1, "contract": 3, "address": 3}  # a new day: contract checked again
    assert paths == {f"/api/enedis/{k}": v for k, v in one_each.items()}
    with sqlite_engine.connect() as conn:
        assert sync_ledger.ledger(conn, TEMPO, "production_load_curve")[TODAY][:2] == ("complete", 1)


def test_faults_then_rerun_equals_clean_sync(engine, sim, tmp_path):
    since = TODAY - timedelta(days=20)
    with start_simulator(today=TODAY) as clean_sim:
        make_sync_clean = make_sync(engine, clean_sim, tmp_path / "clean")
        assert make_sync_clean.run(since=since).ok
        expected = snapshot(engine)
    for table in (m.usage_points, m.contract_versions, m.daily_energy, m.load_curve, m.max_power, m.tempo_days,
                  m.ecowatt_days, m.sync_days, m.dataset_states, m.app_state, m.sync_runs):
        with engine.begin() as conn:
            conn.execute(table.delete())

    state = sim.state
    state.timeout_seconds = 0.5
    state.inject("server_error", count=5, path="/power/")        # outlasts the retries: dataset fails
    state.inject("malformed", count=1, path="/consumption/daily/")  # retried within the run
    state.inject("timeout", count=1, path="/production/daily/")   # retried within the run
    state.inject("enedis_unavailable", count=5, path="/address/")
    state.inject("partial", count=2, path="/detail/batch/")
    state.inject("no_data", count=1, path="/consumption/daily/")
    sync = make_sync(engine, sim, tmp_path, read_timeout=0.2)
    faulty = sync.run(since=since)
    assert faulty.outcome == "errors"
    assert any("power" in e for e in faulty.errors) and any("address" in e for e in faulty.errors)
    assert snapshot(engine) != expected

    state.clear_faults()
    again = sync.run(since=since)
    assert again.ok, again.message
    assert snapshot(engine) == expected


def test_quota_pauses_every_sync_until_midnight_utc(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    sim.state.exhaust_quota()
    report = sync.run(since=TODAY - timedelta(days=3))
    assert report.outcome == "quota"
    assert "en pause jusqu'au 06/11/2025 à 01:00 (heure de Paris)" in report.message  # 00:00 UTC
    count = len(sim.state.requests)
    blocked = sync.run(since=TODAY - timedelta(days=3))
    assert blocked.outcome == "quota" and len(sim.state.requests) == count  # nothing asked while paused
    sim.state.set_now(datetime(2025, 11, 6, 0, 30, tzinfo=UTC))
    sim.state.reset_quota()
    assert sync.run(since=TODAY - timedelta(days=3)).ok


def test_inactive_pdl_is_flagged_and_others_still_sync(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    sim.state.revoke(HCHP)
    report = sync.run(since=TODAY - timedelta(days=3))
    assert report.outcome == "errors"
    assert any(e.startswith(f"{HCHP} : la passerelle indique ce PDL comme inactif") for e in report.errors)
    with sqlite_engine.connect() as conn:
        points = {u["usage_point_id"]: u for u in repo.usage_point_rows(conn)}
        days = {pdl: sync_ledger.ledger_summary(conn, pdl, "consumption_daily")["counts"] for pdl in points}
    assert "renouvelez le consentement" in points[HCHP]["attention"]
    assert points[BASE]["attention"] == ""
    assert days[HCHP] == {} and days[BASE] == {"complete": 3}
    assert not sim.state.calls(f"/enedis/consumption/daily/{HCHP}")
    sim.state.restore(HCHP)
    sim.state.set_now(NOON + timedelta(days=1))
    assert sync.run(since=TODAY - timedelta(days=3)).ok
    with sqlite_engine.connect() as conn:
        assert repo.usage_point_rows(conn)[1]["attention"] == ""


def test_access_denied_on_data_flags_the_pdl(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=3)).ok
    (info,) = [i for i in parse.parse_usage_points(sync.client.usage_points().data) if i.usage_point_id == BASE]
    sim.state.revoke(BASE)  # consent gone between the PDL list and the data requests
    sim.state.set_now(NOON + timedelta(days=1))
    report = SyncReport()
    sync._sync_usage_point(info, TODAY - timedelta(days=3), report)
    assert report.errors and "consentement à renouveler" in report.errors[0]
    with sqlite_engine.connect() as conn:
        assert repo.usage_point_rows(conn)[0]["attention"].startswith("consentement à renouveler")
    assert len(sim.state.calls(f"/enedis/contract/{BASE}")) == 2  # stopped at the first refusal, no retry


def test_pdl_gone_from_the_account_is_flagged_and_its_data_kept(sqlite_engine, tmp_path):
    with start_simulator(today=TODAY) as full:
        assert make_sync(sqlite_engine, full, tmp_path).run(since=TODAY - timedelta(days=2)).ok
    before = snapshot(sqlite_engine)["daily_energy"]
    with start_simulator(households=DEMO_HOUSEHOLDS[:2], today=TODAY + timedelta(days=1)) as fewer:
        report = make_sync(sqlite_engine, fewer, tmp_path).run(since=TODAY - timedelta(days=2))
    assert report.outcome == "errors"
    assert f"{TEMPO} : ce PDL n'est plus sur le compte de la passerelle" in report.errors[0]
    after = snapshot(sqlite_engine)["daily_energy"]
    assert set(before) <= set(after)


def test_date_too_old_is_recorded_and_never_asked_again(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    greedy = Dataset("consumption_daily", "consumption", "daily", 365, 4)  # asks one year too far back
    sync.sync_dataset(BASE, greedy)
    with sqlite_engine.connect() as conn:
        state = repo.dataset_state(conn, BASE, "consumption_daily")
        summary = sync_ledger.ledger_summary(conn, BASE, "consumption_daily")
    assert state["oldest_available"] == date(2022, 11, 5)
    assert summary["first"] == date(2022, 11, 5) and summary["counts"] == {"complete": 1096}
    sim.state.requests.clear()
    sync.sync_dataset(BASE, greedy)
    assert sim.state.requests == []


def test_days_without_data_are_given_up_after_bounded_tries(sqlite_engine, tmp_path):
    gap = TODAY - timedelta(days=20)
    house = DEMO_HOUSEHOLDS[0].__class__(**{**DEMO_HOUSEHOLDS[0].__dict__, "gap_days": frozenset({gap})})
    daily = BY_NAME["consumption_daily"]
    with start_simulator(households=[house], today=TODAY) as gapped:
        sync = make_sync(sqlite_engine, gapped, tmp_path, attempts=1)

        def attempt() -> tuple:
            sync.sync_dataset(house.usage_point_id, daily, since=TODAY - timedelta(days=30))
            with sqlite_engine.connect() as conn:
                return sync_ledger.ledger(conn, house.usage_point_id, daily.name)[gap][:2]

        assert attempt() == ("missing", 1)
        assert attempt() == ("missing", 1)  # asked again the same day: still one attempt
        for n in range(2, 6):
            gapped.state.set_now(NOON + timedelta(days=n - 1))
            assert attempt() == (("given_up" if n == 5 else "missing"), n)
        gapped.state.requests.clear()
        gapped.state.set_now(NOON + timedelta(days=5, hours=1))
        sync.sync_dataset(house.usage_point_id, daily, since=TODAY - timedelta(days=30))
        asked = gapped.state.calls("/consumption/daily/")
        assert all(r.query["start"] > gap.isoformat() for r in asked)  # the given-up day is not asked again
        with sqlite_engine.begin() as conn:
            assert sync_ledger.reset_given_up(conn, house.usage_point_id) == 1
        sync.sync_dataset(house.usage_point_id, daily, since=TODAY - timedelta(days=30))
        asked = gapped.state.calls("/consumption/daily/")[len(asked):]
        assert [r.query["start"] for r in asked] == [gap.isoformat()]  # retried by hand: asked again


def test_refusal_without_a_date_is_narrowed_down_not_skipped(sqlite_engine, tmp_path):
    recent = DEMO_HOUSEHOLDS[0].__class__(**{**DEMO_HOUSEHOLDS[0].__dict__, "activation_date": date(2025, 6, 1)})
    short_windows = Dataset("consumption_load_curve", "consumption", "load_curve", 60, 2)
    with start_simulator(households=[recent], today=TODAY) as gateway:
        sync = make_sync(sqlite_engine, gateway, tmp_path)
        # no activation date known: the window 2025-03-01..04-29 is refused with ADAM-ERR0123 and no date
        sync.sync_dataset(recent.usage_point_id, short_windows, since=date(2025, 3, 1))
        with sqlite_engine.connect() as conn:
            summary = sync_ledger.ledger_summary(conn, recent.usage_point_id, short_windows.name)
            state = repo.dataset_state(conn, recent.usage_point_id, short_windows.name)
    assert state["oldest_available"] == date(2025, 4, 30)  # found by halving the refused window
    assert summary["first"] == date(2025, 6, 1) and summary["last"] == TODAY - timedelta(days=1)
    assert summary["counts"]["complete"] == (TODAY - date(2025, 6, 1)).days
    assert len(gateway.state.calls("/detail/batch/")) == 7 + 4  # the refused window and 6 probes, then 4 windows


def test_reply_cut_by_the_quota_keeps_what_came_and_costs_no_attempt(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    curve = BY_NAME["consumption_load_curve"]
    sync.sync_dataset(BASE, curve, since=TODAY - timedelta(days=3))  # now in the gateway's cache
    with sqlite_engine.begin() as conn:
        conn.execute(m.load_curve.delete())
        conn.execute(m.sync_days.delete())
        conn.execute(m.sync_spans.delete())
    sim.state.exhaust_quota()
    with pytest.raises(QuotaExceeded):
        sync.sync_dataset(BASE, curve, since=TODAY - timedelta(days=10))
    with sqlite_engine.connect() as conn:
        ledger = sync_ledger.ledger(conn, BASE, curve.name)
    assert sorted(d for d, e in ledger.items() if e.status == "complete") == [TODAY - timedelta(days=n)
                                                                             for n in (3, 2, 1)]
    missing = [e for e in ledger.values() if e.status != "complete"]
    assert len(missing) == 7 and all(e.attempts == 0 for e in missing)


def test_request_we_got_wrong_is_logged_once_not_looped(sqlite_engine, sim, tmp_path, caplog):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    too_wide = Dataset("consumption_daily", "consumption", "daily", 400, 3)
    with pytest.raises(Exception, match="INVALID_DATE_RANGE") as info:
        sync.sync_dataset(BASE, too_wide)
    assert "GET /enedis/consumption/daily/" in str(info.value)
    assert len(sim.state.calls("/enedis/")) == 1


def test_first_contract_version_starts_at_the_last_tariff_change(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=2)).ok
    with sqlite_engine.connect() as conn:
        (first,) = repo.contract_history(conn, HCHP)
    assert first["last_tariff_change_date"] is not None
    assert first["valid_from"] == first["last_tariff_change_date"]


def test_contract_change_starts_a_new_dated_version(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=2)).ok
    sim.state.set_contract(HCHP, offpeak_hours="HC (2H00-7H00;13H00-16H00)")
    sim.state.set_now(NOON + timedelta(days=1))
    assert sync.run(since=TODAY - timedelta(days=2)).ok
    with sqlite_engine.connect() as conn:
        history = repo.contract_history(conn, HCHP)
        assert [h["offpeak_hours"] for h in history] == ["01:30-08:00;12:30-14:00", "02:00-07:00;13:00-16:00"]
        assert history[1]["valid_from"] == TODAY + timedelta(days=1)
        assert len(repo.contract_history(conn, BASE)) == 1


def test_tempo_for_every_stored_day_plus_tomorrow_and_ecowatt_once_a_day(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=10)).ok
    with sqlite_engine.connect() as conn:
        known = repo.tempo_known_days(conn, TODAY - timedelta(days=10), TODAY + timedelta(days=1))
        ecowatt = conn.scalar(sa.select(sa.func.count()).select_from(m.ecowatt_days))
    assert known == {TODAY - timedelta(days=10) + timedelta(days=i) for i in range(12)}
    assert ecowatt == 4
    sim.state.requests.clear()
    sim.state.set_now(datetime(2025, 11, 5, 15, 0, tzinfo=PARIS))
    assert sync.run(since=TODAY - timedelta(days=10)).ok
    assert not [r for r in sim.state.requests if "/tempo/" in r.path or "/ecowatt/" in r.path]


def test_one_sync_at_a_time(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    with sync_lock(tmp_path / "sync.lock"), pytest.raises(SyncBusy):
        sync.run()
    assert sim.state.requests == []


def test_unreachable_gateway_stops_the_run_and_keeps_data(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=2)).ok
    before = snapshot(sqlite_engine)
    sim.stop()
    sim.state.set_now(NOON + timedelta(days=1))
    report = sync.run(since=TODAY - timedelta(days=2))
    assert report.outcome == "unreachable"
    assert "cannot reach the gateway at 127.0.0.1" in report.message
    assert snapshot(sqlite_engine) == before


def test_ecowatt_429_pauses_ecowatt_until_midnight_utc_not_the_data(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    sim.state.inject("rate_limit", count=1, path="/ecowatt/")
    report = sync.run(since=TODAY - timedelta(days=2))
    assert report.ok, report.message
    with sqlite_engine.connect() as conn:
        assert repo.get_state(conn, "quota_paused_until") is None
        assert repo.get_state(conn, "ecowatt_paused_until") == "2025-11-06T00:00:00+00:00"
        assert conn.scalar(sa.select(sa.func.count()).select_from(m.ecowatt_days)) == 0
        assert sync_ledger.ledger_summary(conn, BASE, "consumption_daily")["counts"] == {"complete": 2}
    status = format_status(collect_status(sqlite_engine, sim.state.now()))
    assert "EcoWatt en pause jusqu'au 06/11/2025 01:00" in status  # 00:00 UTC, Paris time in winter
    sim.state.set_now(datetime(2025, 11, 5, 23, 0, tzinfo=UTC))
    sync.run(include=("ecowatt",))
    assert len(sim.state.calls("/ecowatt/")) == 1  # still paused: not asked again
    sim.state.set_now(datetime(2025, 11, 6, 0, 5, tzinfo=UTC))
    sync.run(include=("ecowatt",))
    assert len(sim.state.calls("/ecowatt/")) == 2
    assert "EcoWatt en pause" not in format_status(collect_status(sqlite_engine, sim.state.now()))


def test_ecowatt_again_after_rte_evening_update_and_tempo_despite_the_quota(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=2)).ok  # noon: EcoWatt fetched once
    sim.state.set_now(datetime(2025, 11, 5, 16, 0, tzinfo=PARIS))
    sync.run(include=("ecowatt",))
    assert len(sim.state.calls("/ecowatt/")) == 1
    sim.state.set_now(datetime(2025, 11, 5, 17, 30, tzinfo=PARIS))
    sync.run(include=("ecowatt",))
    assert len(sim.state.calls("/ecowatt/")) == 2  # the 17:30 job picks up RTE's update
    sync.run(include=("ecowatt",))
    assert len(sim.state.calls("/ecowatt/")) == 2

    sim.state.set_now(datetime(2025, 11, 6, 12, 0, tzinfo=PARIS))
    sim.state.exhaust_quota()
    report = sync.run(since=TODAY - timedelta(days=2))
    assert report.outcome == "quota"
    with sqlite_engine.connect() as conn:  # Tempo is public: tomorrow's colour still comes in
        assert date(2025, 11, 7) in repo.tempo_known_days(conn, date(2025, 11, 7), date(2025, 11, 7))


def test_j1_withheld_by_the_gateway_arrives_the_next_day(sqlite_engine, sim, tmp_path):
    sim.state.daily_end_lag = 1  # daily routes stop at J-2, as the real gateway may
    sync = make_sync(sqlite_engine, sim, tmp_path)
    assert sync.run(since=TODAY - timedelta(days=5)).ok
    yesterday = TODAY - timedelta(days=1)
    with sqlite_engine.connect() as conn:
        assert sync_ledger.ledger(conn, BASE, "consumption_daily")[yesterday].status == "missing"
        assert sync_ledger.ledger(conn, BASE, "consumption_load_curve")[yesterday].status == "complete"
    assert SyncJobs(sync).missing_yesterday()
    sim.state.set_now(NOON + timedelta(days=1))
    assert sync.run(since=TODAY - timedelta(days=5)).ok
    with sqlite_engine.connect() as conn:
        assert sync_ledger.ledger(conn, BASE, "consumption_daily")[yesterday].status == "complete"


def test_stop_request_ends_the_sync_between_windows(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    sync.stop_requested.set()
    report = sync.run(since=TODAY - timedelta(days=3))
    assert report.outcome == "stopped"
    assert not sim.state.calls("/consumption/daily/")
    with sqlite_engine.connect() as conn:
        assert conn.scalar(sa.select(m.sync_runs.c.outcome)) == "stopped"


def test_disabled_pdl_and_datasets_switched_off_are_not_synced(sqlite_engine, sim, tmp_path):
    from myelectricaldata.services.preferences import PdlPreferences, save_preferences

    with sqlite_engine.begin() as conn:
        save_preferences(conn, PdlPreferences(BASE, enabled=False))
        save_preferences(conn, PdlPreferences(TEMPO, datasets=frozenset({"consumption_daily", "production_daily"})))
    assert make_sync(sqlite_engine, sim, tmp_path).run(since=TODAY - timedelta(days=3)).ok
    assert not sim.state.calls(f"/{BASE}")
    assert sim.state.calls(f"/production/daily/{TEMPO}") and not sim.state.calls(f"/detail/batch/{TEMPO}")
    assert sim.state.calls(f"/detail/batch/{HCHP}")


def test_follow_ups_run_after_each_sync_and_never_break_it(sqlite_engine, sim, tmp_path):
    sync = make_sync(sqlite_engine, sim, tmp_path)
    seen = []
    sync.after_run.append(lambda report: seen.append(report.outcome))
    sync.after_run.append(lambda report: 1 / 0)
    report = sync.run(since=TODAY - timedelta(days=2))
    assert report.ok and seen == ["ok"]


def test_the_steps_of_a_sync_are_named_in_french():
    from myelectricaldata.services.sync import step_words

    assert step_words("99000000000001 consumption_daily") == "99000000000001 Consommation journalière"
    assert step_words("99000000000001 contract") == "99000000000001 contrat"
    assert step_words("usage points") == "liste des PDL" and step_words("ecowatt") == "EcoWatt"
