"""What the API answers, as plain JSON-ready data built from the services (no request context here)."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from ...energy.tempo import counted_up_to, season_bounds, season_count
from ...energy.timeline import PARIS, day_minutes
from ...services import calendars, preferences, series
from ...services import usage_points as stored
from ...services.health import Database
from ...services.progress import sync_progress
from ...services.runs import last_runs, quota_paused_until
from ...services.status import collect_status
from ...services.usage_points import Contract, UsagePoint
from ..context import WebServices
from .params import ApiError, DateRange

RAW_STEP_MAX_DAYS = 31  # a longer load-curve range is answered per hour
HOUR_STEP_MAX_DAYS = 366  # and a longer one per day


def utc_text(instant: datetime | int | None) -> str | None:
    """ISO 8601 UTC with a ``Z``; naive datetimes are taken as UTC (as the database stores them)."""
    if instant is None:
        return None
    if isinstance(instant, int):
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(instant))
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_text(epoch: int) -> str:
    """ISO 8601 Europe/Paris wall-clock time with its offset."""
    return datetime.fromtimestamp(epoch, PARIS).isoformat()


def day_text(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _summary(up: UsagePoint, contract: Contract | None, display_name: str, enabled: bool) -> dict[str, Any]:
    return {
        "usage_point_id": up.usage_point_id,
        "label": up.label(display_name),
        "pricing_option": (contract.pricing_option if contract else "") or up.pricing_option,
        "subscribed_kva": contract.subscribed_kva if contract else None,
        "offpeak_hours": (contract.offpeak_hours if contract else "") or "",
        "has_consumption": up.has_consumption,
        "has_production": up.has_production,
        "enabled": enabled,
        "attention": up.attention,
    }


def usage_points(services: WebServices) -> list[dict[str, Any]]:
    return [_summary(p.usage_point, p.contract, p.preferences.display_name, p.preferences.enabled)
            for p in stored.usage_points_on(services.engine, services.today())]


def known_usage_point(engine: Database, pdl: str) -> None:
    """Refuse a PDL that is not stored with a 404."""
    if stored.usage_point(engine, pdl) is None:
        raise ApiError(404, "unknown_usage_point", f"usage point {pdl} is not known here")


def usage_point(services: WebServices, pdl: str) -> dict[str, Any]:
    known_usage_point(services.engine, pdl)
    status = collect_status(services.engine, services.clock())
    found = next(s for s in status.usage_points if s.usage_point.usage_point_id == pdl)
    up = found.usage_point
    pref = preferences.load(services.engine, pdl)
    return {
        **_summary(up, found.contract, pref.display_name, pref.enabled),
        "name": up.name,
        "address": {"street": up.street, "postal_code": up.postal_code, "city": up.city},
        "datasets": [{
            "dataset": ds.dataset,
            "first": day_text(ds.first),
            "last": day_text(ds.last),
            "days": ds.days,
            "not_complete": [{"start": a.isoformat(), "end": b.isoformat()} for a, b in ds.not_complete],
            "last_sync_at": utc_text(ds.last_sync_at),
            "outcome": ds.outcome or "",
            "error": ds.error,
        } for ds in found.datasets],
    }


def _range(span: DateRange) -> dict[str, Any]:
    return {"start": span.start.isoformat(), "end": span.end.isoformat(), "capped": span.capped}


def daily(services: WebServices, pdl: str, direction: str, span: DateRange, step: str) -> dict[str, Any]:
    known_usage_point(services.engine, pdl)
    rows = series.daily(services.engine, pdl, direction, span.start, span.end)
    return {"usage_point_id": pdl, "direction": direction, **_range(span), "step": step, "unit": "Wh",
            "values": [{"date": day.isoformat(), "wh": wh} for day, wh in series.by_period(rows, step)]}


def curve_step(requested: str, span: DateRange) -> str:
    """The step a load-curve range is answered with: long ranges come hourly, then daily."""
    if span.days > HOUR_STEP_MAX_DAYS:
        return "day"
    if span.days > RAW_STEP_MAX_DAYS and requested == "raw":
        return "hour"
    return requested


def load_curve(services: WebServices, pdl: str, direction: str, span: DateRange, requested: str) -> dict[str, Any]:
    known_usage_point(services.engine, pdl)
    step = curve_step(requested, span)
    points = series.load_curve(services.engine, pdl, direction, span.start, span.end)
    minutes = {start: length for start, length, _ in points} if step == "raw" else {}
    out = []
    for start, value in series.curve_energy(points, step):
        local = datetime.fromtimestamp(start, PARIS)
        length = minutes[start] if step == "raw" else 60 if step == "hour" else day_minutes(local.date())
        out.append({"start": utc_text(start), "local": local.isoformat(), "minutes": length,
                    "value": int(value) if step == "raw" else round(value, 3)})
    return {"usage_point_id": pdl, "direction": direction, **_range(span), "requested_step": requested,
            "step": step, "unit": "W" if step == "raw" else "Wh", "points": out}


def max_power(services: WebServices, pdl: str, span: DateRange) -> dict[str, Any]:
    known_usage_point(services.engine, pdl)
    contract = stored.contract_on(services.engine, pdl, services.today())
    values = [{"date": day.isoformat(), "va": va, "at": utc_text(at), "local": local_text(at)}
              for day, va, at in series.max_power(services.engine, pdl, span.start, span.end)]
    return {"usage_point_id": pdl, **_range(span), "unit": "VA",
            "subscribed_kva": contract.subscribed_kva if contract else None, "values": values}


def sync_state(services: WebServices) -> dict[str, Any]:
    runner = services.runner
    paused = quota_paused_until(services.engine, services.clock())
    return {
        "gateway_configured": runner is not None,
        "progress": asdict(sync_progress(services.engine, runner.running if runner else False)),
        "quota_paused_until": utc_text(paused),
        "runs": [{"id": r.id, "started_at": utc_text(r.started_at), "finished_at": utc_text(r.finished_at),
                  "outcome": r.outcome, "requests": r.requests, "message": r.message}
                 for r in last_runs(services.engine, 5)],
    }


def tempo_days(services: WebServices, span: DateRange) -> dict[str, Any]:
    colours = calendars.tempo_colours(services.engine, span.start, span.end)
    return {**_range(span), "days": [{"date": day.isoformat(), "color": color} for day, color in colours.items()]}


def tempo_season(services: WebServices, start_year: int) -> dict[str, Any]:
    """Days used and remaining per colour, by the one Tempo count (``energy.tempo.COUNT_RULE``)."""
    first, last = season_bounds(start_year)
    today = services.today()
    colours = calendars.tempo_colours(services.engine, first, last)
    return {"season": start_year, "start": first.isoformat(), "end": last.isoformat(),
            "counted_up_to": counted_up_to(start_year, today).isoformat(),
            "colors": season_count(colours, start_year, today)}


def ecowatt(services: WebServices) -> dict[str, Any]:
    return {"days": [{"date": e.day.isoformat(), "level": e.level, "message": e.message, "hours": list(e.hours)}
                     for e in calendars.ecowatt_signals(services.engine, services.today())]}
