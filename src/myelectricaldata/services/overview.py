"""The dashboard's facts per PDL, read in a handful of queries (no history loaded into Python)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from ..database import models as m
from ..database import repository as repo
from ..energy.timeline import years_before
from .preferences import all_preferences
from .runs import last_runs, quota_paused_until
from .status import collect_status


@dataclass
class PdlCard:
    usage_point_id: str
    label: str
    address: str
    pricing_option: str
    subscribed_kva: int | None
    offpeak_hours: str
    attention: str
    enabled: bool
    has_production: bool
    datasets: list[dict[str, Any]] = field(default_factory=list)
    yesterday_wh: int | None = None
    month_wh: int | None = None
    month_last_year_wh: int | None = None


def _sum_daily(conn, pdl: str, direction: str, first: date, last: date) -> int | None:
    t = m.daily_energy
    return conn.scalar(select(func.sum(t.c.wh)).where(
        t.c.usage_point_id == pdl, t.c.direction == direction, t.c.day >= first, t.c.day <= last))


def label_of(up: dict[str, Any], display_name: str = "") -> str:
    """How a PDL is named on pages: the user's name, else the gateway's, else its id."""
    return display_name or up.get("name") or up["usage_point_id"]


def dashboard(engine: Engine, now: datetime) -> dict[str, Any]:
    today = now.date()
    yesterday = today - timedelta(days=1)
    status = collect_status(engine, now)
    month_start = yesterday.replace(day=1)
    cards = []
    with engine.connect() as conn:
        prefs = all_preferences(conn)
        for up in status["usage_points"]:
            pdl = up["usage_point_id"]
            pref = prefs.get(pdl)
            contract = up["contract"] or {}
            card = PdlCard(
                usage_point_id=pdl, label=label_of(up, pref.display_name if pref else ""),
                address=" ".join(filter(None, (up["street"], up["postal_code"], up["city"]))),
                pricing_option=up["pricing_option"], subscribed_kva=contract.get("subscribed_kva"),
                offpeak_hours=contract.get("offpeak_hours", ""), attention=up["attention"],
                enabled=pref.enabled if pref else True, has_production=up["has_production"],
                datasets=up["datasets"])
            card.yesterday_wh = _sum_daily(conn, pdl, "consumption", yesterday, yesterday)
            card.month_wh = _sum_daily(conn, pdl, "consumption", month_start, yesterday)
            card.month_last_year_wh = _sum_daily(conn, pdl, "consumption", years_before(month_start, 1),
                                                 years_before(yesterday, 1))
            cards.append(card)
        tempo = dict(conn.execute(select(m.tempo_days.c.day, m.tempo_days.c.color).where(
            m.tempo_days.c.day.in_([today, today + timedelta(days=1)]))).all())
        paused = quota_paused_until(engine, now)
        usage = repo.get_state(conn, "usage_stats", {}) or {}
    runs = last_runs(engine, 1)
    return {"cards": cards, "tempo_today": tempo.get(today), "tempo_tomorrow": tempo.get(today + timedelta(days=1)),
            "quota_paused_until": paused, "usage": usage, "last_run": runs[0] if runs else None,
            "today": today}
