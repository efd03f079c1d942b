from datetime import date, timedelta

from myelectricaldata.database.sync_ledger import LedgerDay
from myelectricaldata.gateway.parse import CurvePoint
from myelectricaldata.services.datasets import (
    BY_NAME,
    curve_coverage,
    curve_status,
    datasets_for,
    ledger_entries,
    next_status,
    plan_windows,
    wanted_days,
)

D = date(2026, 1, 1)


def test_complete_and_given_up_days_are_not_wanted():
    ledger = {D: LedgerDay("complete", 1, D), D + timedelta(1): LedgerDay("given_up", 5, D),
              D + timedelta(2): LedgerDay("partial", 1, D)}
    assert wanted_days(D, D + timedelta(3), ledger) == [D + timedelta(2), D + timedelta(3)]


def test_windows_cover_days_with_fewest_requests():
    days = [D + timedelta(i) for i in range(1096)]  # three years of daily data
    windows = plan_windows(days, 365)
    assert len(windows) == 4
    assert windows[0] == (D, D + timedelta(364))
    assert windows[-1] == (D + timedelta(1095), D + timedelta(1095))
    assert sum((b - a).days + 1 for a, b in windows) == 1096


def test_windows_skip_long_gaps_and_end_at_last_wanted_day():
    days = [D, D + timedelta(2), D + timedelta(400)]
    assert plan_windows(days, 365) == [(D, D + timedelta(2)), (D + timedelta(400), D + timedelta(400))]
    assert plan_windows([], 7) == []


def test_two_year_curve_fits_in_two_batch_requests():
    days = [D + timedelta(i) for i in range(731)]
    assert len(plan_windows(days, BY_NAME["consumption_load_curve"].window_days)) == 2


def test_curve_day_complete_only_when_whole_local_day_covered():
    dst = date(2025, 10, 26)
    assert curve_status(dst, 48 * 30) == "partial"
    assert curve_status(dst, 50 * 30) == "complete"
    assert curve_status(date(2025, 3, 30), 46 * 30) == "complete"
    assert curve_status(D, 0) == "missing"


def test_curve_coverage_groups_by_local_day():
    points = [CurvePoint(0, 30, 100, D), CurvePoint(1800, 30, 100, D), CurvePoint(3600, 60, 5, D + timedelta(1))]
    assert curve_coverage(points) == {D: (2, 60), D + timedelta(1): (1, 60)}


def test_give_up_after_attempts_but_keep_polling_last_week():
    today = date(2026, 3, 1)
    old, recent = today - timedelta(30), today - timedelta(2)
    assert next_status(old, "missing", 5, today, 5) == "given_up"
    assert next_status(old, "missing", 4, today, 5) == "missing"
    assert next_status(recent, "missing", 50, today, 5) == "missing"
    assert next_status(old, "complete", 9, today, 5) == "complete"


def test_production_datasets_only_with_production():
    assert [d.name for d in datasets_for(True, False)] == [
        "consumption_daily", "consumption_load_curve", "consumption_max_power"]
    assert [d.name for d in datasets_for(False, True)] == ["production_daily", "production_load_curve"]


def test_ledger_entries_after_a_partial_reply():
    today = date(2026, 3, 1)
    start, end = date(2026, 1, 1), date(2026, 1, 4)
    fetched = {date(2026, 1, 1): ("complete", 48), date(2026, 1, 2): ("partial", 20)}
    yesterday = today - timedelta(1)
    ledger = {date(2026, 1, 3): LedgerDay("complete", 1, yesterday),
              date(2026, 1, 4): LedgerDay("missing", 4, yesterday)}
    assert ledger_entries(start, end, fetched, ledger, today, 5, "PARTIAL_DATA") == [
        (date(2026, 1, 1), "complete", 1, 48, ""),
        (date(2026, 1, 2), "partial", 1, 20, "PARTIAL_DATA"),
        # 2026-01-03 was complete and is absent from this reply: left as it is
        (date(2026, 1, 4), "given_up", 5, 0, "PARTIAL_DATA"),
    ]


def test_one_attempt_per_day_however_many_syncs():
    today = date(2026, 3, 1)
    old = date(2026, 1, 4)
    tried_today = {old: LedgerDay("missing", 4, today)}
    assert ledger_entries(old, old, {}, tried_today, today, 5, "") == [(old, "missing", 4, 0, "no data yet")]
    tried_before = {old: LedgerDay("missing", 4, today - timedelta(1))}
    assert ledger_entries(old, old, {}, tried_before, today, 5, "") == [(old, "given_up", 5, 0, "no data yet")]


def test_a_reply_cut_by_the_quota_costs_no_attempt():
    today = date(2026, 3, 1)
    old = date(2026, 1, 4)
    ledger = {old: LedgerDay("missing", 4, today - timedelta(1))}
    cut = "Rate limit exceeded. Returning cached data only."
    assert ledger_entries(old, old, {}, ledger, today, 5, cut, counted=False) == [(old, "missing", 4, 0, cut)]
