"""The legacy client's rows -> our readings (pure): its placeholder rows left out, its naive local times placed, the
autumn half-hours it overwrote reported as missing (never zero), its plan and prices turned into a user offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from .offers import parse_price
from .offpeak import format_windows, parse_windows
from .readings import CurvePoint, DailyValue, MaxPower
from .timeline import PARIS, epoch

PLAN_KINDS = {"BASE": "BASE", "HC/HP": "HPHC", "HP/HC": "HPHC", "HCHP": "HPHC", "HPHC": "HPHC", "TEMPO": "TEMPO"}
TEMPO_PRICES = {"BLUE_HC": "blue_hc", "BLUE_HP": "blue_hp", "WHITE_HC": "white_hc", "WHITE_HP": "white_hp",
                "RED_HC": "red_hc", "RED_HP": "red_hp"}


@dataclass(frozen=True)
class LegacyCurve:
    points: tuple[CurvePoint, ...]
    placeholders: int  # rows written for missing data (interval 0, or value 0 after failures)
    lost: tuple[tuple[int, int], ...]  # (UTC start, minutes) of the autumn slots overwritten by their twin
    unplaced: int  # times that never occur in Paris


def is_placeholder(value: int | None, blacklist: object, fail_count: int | None) -> bool:
    """A row the legacy client wrote when the data was missing: 0 after a failure, or blacklisted."""
    return not value and (bool(fail_count) or bool(blacklist))


def local_time(when: datetime | date | str) -> datetime:
    """A stored time as the legacy client wrote it: wall-clock Paris time (a written offset is honoured)."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when.strip())
    if not isinstance(when, datetime):
        return datetime(when.year, when.month, when.day)
    return when.astimezone(PARIS).replace(tzinfo=None) if when.tzinfo else when


def local_day(when: datetime | date | str) -> date:
    """The local day of a stored midnight (or time)."""
    return local_time(when).date()


def curve(rows: Iterable[tuple[datetime | str, int | None, int | None, object, int | None]]) -> LegacyCurve:
    """Load-curve points of rows (naive local start, average W, interval minutes, blacklist, fail count).

    The legacy client stored each interval at its Enedis end stamp minus its length on the wall clock, keyed by
    that naive time: on the autumn day the two intervals ending at a repeated time share one key and the later
    (winter time) overwrote the earlier, which is lost. So a stored interval is placed by its end, a repeated end
    taken as winter time, and its summer-time twin reported as lost."""
    points: dict[int, CurvePoint] = {}
    lost, placeholders, unplaced = [], 0, 0
    for when, watts, minutes, blacklist, fail_count in rows:
        if not minutes or minutes <= 0 or is_placeholder(watts, blacklist, fail_count) or watts is None:
            placeholders += 1
            continue
        end = local_time(when) + timedelta(minutes=minutes)
        found = [u for u in (end.replace(tzinfo=PARIS, fold=f).astimezone(UTC) for f in (0, 1))
                 if u.astimezone(PARIS).replace(tzinfo=None) == end]  # both on the autumn hour, none in the gap
        if not found:
            unplaced += 1
            continue
        summer, winter = found[0], found[-1]
        start = winter - timedelta(minutes=minutes)
        if summer != winter:
            lost.append((epoch(summer - timedelta(minutes=minutes)), minutes))
        points[epoch(start)] = CurvePoint(epoch(start), minutes, int(watts), start.astimezone(PARIS).date())
    return LegacyCurve(tuple(sorted(points.values())), placeholders,
                       tuple(sorted(s for s in set(lost) if s[0] not in points)), unplaced)


def daily(rows: Iterable[tuple[datetime | date | str, int | None, object, int | None]]) -> tuple[list[DailyValue], int]:
    """Daily Wh of rows (local midnight, value, blacklist, fail count), and how many were placeholders."""
    values, placeholders = {}, 0
    for when, value, blacklist, fail_count in rows:
        if value is None or is_placeholder(value, blacklist, fail_count):
            placeholders += 1
            continue
        day = local_day(when)
        values[day] = DailyValue(day, int(value))
    return sorted(values.values()), placeholders


def max_power(rows: Iterable[tuple[datetime | date | str, datetime | str | None, int | None, object, int | None]]
              ) -> tuple[list[MaxPower], int]:
    """Daily maximum power (VA) of rows (local midnight, local time reached, value, blacklist, fail count)."""
    values, placeholders = {}, 0
    for when, reached, value, blacklist, fail_count in rows:
        if value is None or is_placeholder(value, blacklist, fail_count):
            placeholders += 1
            continue
        day = local_day(when)
        at = local_time(reached) if reached else datetime(day.year, day.month, day.day)
        values[day] = MaxPower(day, int(value), epoch(at.replace(tzinfo=PARIS)))
    return sorted(values.values()), placeholders


def _price(raw: object) -> Decimal | None:
    """A legacy price (a number, or text like ``'0,1546'``); None when unset, unreadable or zero."""
    try:
        price = parse_price(raw, "price")
    except ValueError:
        return None
    return price or None


def offer(name: str, plan: str, prices: Mapping[str, object], tempo_prices: Mapping[str, object],
          valid_from: date) -> dict | None:
    """The user offer (plain data for ``offers.offer_from_dict``) of a legacy plan and its prices; None when the
    plan is unknown or a price it needs is missing. Tempo prices come from the legacy ``tempo_config``."""
    kind = PLAN_KINDS.get(str(plan or "").strip().upper())
    wanted = {"BASE": {"BASE": prices.get("base")},
              "HPHC": {"HP": prices.get("hp"), "HC": prices.get("hc")},
              "TEMPO": {slot: tempo_prices.get(key) for slot, key in TEMPO_PRICES.items()}}.get(kind or "")
    if not wanted:
        return None
    energy = {slot: _price(raw) for slot, raw in wanted.items()}
    if None in energy.values():
        return None
    return {"name": name[:100], "kind": kind, "unit": "€/kWh",
            "versions": [{"valid_from": valid_from.isoformat(), "energy": {k: str(v) for k, v in energy.items()}}]}


def buyback(raw: object) -> str:
    """The legacy production price as our buy-back price ("" when none)."""
    price = _price(raw)
    return str(price) if price is not None else ""


def offpeak_overrides(days: Sequence[str | None], contract_hours: str) -> dict[int, str]:
    """Weekday (Monday 0) -> the legacy off-peak windows that differ from the contract's; unreadable ones left out."""
    try:
        contract = parse_windows(contract_hours)
    except ValueError:
        contract = ()
    out = {}
    for day, text in enumerate(days[:7]):
        try:
            spans = parse_windows(text or "")
        except ValueError:
            continue
        if spans and spans != contract:
            out[day] = format_windows(spans)
    return out
