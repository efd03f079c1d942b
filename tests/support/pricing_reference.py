"""An independent pricing of October 2025 for the simulator's HP/HC and Tempo PDLs, written out by hand
from the raw load-curve points (no code shared with the application's pricing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from fractions import Fraction

import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.energy.timeline import PARIS, epoch, local_day_bounds

HCHP, TEMPO = "99000000000002", "99000000000003"
HPHC_PRICES = {"HP": Fraction("0.2081"), "HC": Fraction("0.1635")}  # regulated, in force since 2025-08-01
TEMPO_PRICES = {("BLUE", "HC"): "0.1232", ("BLUE", "HP"): "0.1494", ("WHITE", "HC"): "0.1391",
                ("WHITE", "HP"): "0.1730", ("RED", "HC"): "0.1460", ("RED", "HP"): "0.6468"}


def raw_points(engine, pdl):
    first, last = epoch(local_day_bounds(date(2025, 10, 1))[0]), epoch(local_day_bounds(date(2025, 10, 31))[1])
    t = m.load_curve
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.start_utc, t.c.minutes, t.c.watts).where(
            t.c.usage_point_id == pdl, t.c.direction == "consumption", t.c.start_utc >= first,
            t.c.start_utc < last)).all()


def to_cents(value: Fraction) -> D:
    return (D(value.numerator) / D(value.denominator)).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def french_cents(value: Fraction) -> str:
    """An amount in euros as the pages write it: ``1\xa0234,57``."""
    return f"{to_cents(value):,.2f}".replace(",", "\xa0").replace(".", ",")


def hphc_month(engine) -> Fraction:
    total = Fraction(0)
    for start, minutes, watts in raw_points(engine, HCHP):
        local = datetime.fromtimestamp(start, PARIS)
        clock = local.hour * 60 + local.minute
        offpeak = 90 <= clock < 480 or 750 <= clock < 840  # HC (1H30-8H00;12H30-14H00)
        total += Fraction(watts * minutes, 60_000) * HPHC_PRICES["HC" if offpeak else "HP"]
    return total + 31 * Fraction("19.81") * 12 / 365  # 9 kVA HP/HC subscription, 31 days of a 365-day year


def tempo_month(engine) -> Fraction:
    with engine.connect() as conn:
        colours = dict(conn.execute(sa.select(m.tempo_days.c.day, m.tempo_days.c.color)).all())
    total = Fraction(0)
    for start, minutes, watts in raw_points(engine, TEMPO):
        local = datetime.fromtimestamp(start, PARIS)
        tempo_day = (local - timedelta(hours=6)).date()  # the colour of D runs D 06:00 -> D+1 06:00
        period = "HC" if local.hour < 6 or local.hour >= 22 else "HP"
        total += Fraction(watts * minutes, 60_000) * Fraction(TEMPO_PRICES[colours.get(tempo_day, "BLUE"), period])
    return total + 31 * Fraction("19.49") * 12 / 365  # 9 kVA Tempo subscription
