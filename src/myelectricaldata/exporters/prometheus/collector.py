"""What a scrape reads: the samples of the enabled PDLs, Tempo and EcoWatt from the database, and their exposition."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, select

from ...database import models as m
from ...database import repository as repo
from ...energy.costs import WM_PER_KWH, DayCost
from ...energy.timeline import PARIS
from ...services.pricing import PricedDays, day_costs
from .. import changes
from ..batches import Snapshot, UsagePointState
from ..metric_names import METRICS

if TYPE_CHECKING:
    from prometheus_client.metrics_core import Metric
    from prometheus_client.registry import CollectorRegistry

log = logging.getLogger(__name__)

COLOURS = ("BLUE", "WHITE", "RED")
Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    """One value of a metric named in ``metric_names.METRICS``, with its own labels (the custom ones not included)."""

    metric: str
    labels: Labels
    value: float


def _day_costs(conn: Connection, pdls: list[str], day: date, prices: PricedDays | None) -> dict[str, DayCost]:
    """``day`` priced for each of ``pdls`` whose load curve is stored (kept in ``prices`` while its inputs are
    unchanged, their fingerprints read together); a PDL whose pricing fails is left out."""
    if prices is not None:
        try:
            return day_costs(conn, pdls, day, prices)
        except Exception:
            log.warning("metrics: pricing %s together failed, each PDL priced alone", day, exc_info=True)
    out: dict[str, DayCost] = {}
    for pdl in pdls:
        try:
            out.update(day_costs(conn, [pdl], day, prices))
        except Exception:
            log.warning("metrics: pricing %s on %s failed, its costs are left out", pdl, day, exc_info=True)
    return out


def _euros(amount: Decimal) -> float:
    """EUR to the micro-euro, as the VictoriaMetrics exporter writes them."""
    return float(round(amount, 6))


def _usage_point(up: UsagePointState, cost: DayCost | None, totals: Mapping[str, int], outcomes: list[str],
                 yesterday: date) -> Iterator[Sample]:
    pdl = (("pdl", up.usage_point_id),)
    for direction, wh in sorted(totals.items()):
        yield Sample("linky_energy_kwh_total", (*pdl, ("direction", direction)), wh / 1000)
    for direction, period in (("consumption", up.consumption), ("production", up.production)):
        if period is not None and period.yesterday is not None:
            yield Sample("linky_daily_energy_kwh", (*pdl, ("direction", direction)), period.yesterday / 1000)
    if cost is not None:
        for slot in sorted(cost.energy):
            yield Sample("linky_daily_slot_energy_kwh", (*pdl, ("direction", "consumption"), ("slot", slot.lower())),
                         round(cost.energy[slot] / WM_PER_KWH, 6))
        yield Sample("linky_daily_cost_euros", pdl, _euros(cost.total))
        for slot in sorted(cost.costs):
            yield Sample("linky_daily_slot_cost_euros", (*pdl, ("slot", slot.lower())), _euros(cost.costs[slot]))
    if up.max_power is not None and up.max_power.day == yesterday:
        yield Sample("linky_max_power_va", pdl, up.max_power.va)
    if up.subscribed_kva is not None:
        yield Sample("linky_subscribed_power_kva", pdl, up.subscribed_kva)
    if up.last_sync_at is not None:
        yield Sample("linky_last_sync_timestamp_seconds", pdl, up.last_sync_at.replace(tzinfo=UTC).timestamp())
    if outcomes:
        yield Sample("linky_sync_ok", pdl, 0 if "error" in outcomes else 1)


def _calendars(snap: Snapshot, today: date) -> Iterator[Sample]:
    for day, colour in (("today", snap.tempo_today), ("tomorrow", snap.tempo_tomorrow)):
        if colour in COLOURS:
            for c in COLOURS:
                yield Sample("linky_tempo_color", (("day", day), ("color", c.lower())), 1 if c == colour else 0)
    for c in COLOURS:
        if c in snap.tempo_remaining:
            yield Sample("linky_tempo_remaining", (("color", c.lower()),), snap.tempo_remaining[c])
    levels = {e.day: e.level for e in snap.ecowatt}
    for day, when in (("today", today), ("tomorrow", today + timedelta(days=1))):
        if when in levels:
            yield Sample("linky_ecowatt_level", (("day", day),), levels[when])


def read_samples(engine: Engine, now: datetime, prices: PricedDays | None = None) -> list[Sample]:
    """Every sample of the enabled PDLs, Tempo and EcoWatt, read in one connection: a few aggregate queries and
    yesterday's pricing (kept in ``prices``, the app's price cache, when given)."""
    today = now.astimezone(PARIS).date()
    yesterday = today - timedelta(days=1)
    s = m.dataset_states
    with engine.connect() as conn:
        snap = changes.snapshot(conn, now)
        enabled = [up for up in snap.usage_points if up.enabled]
        totals: dict[str, dict[str, int]] = {}
        for (pdl, direction), wh in repo.month_sums(conn, [up.usage_point_id for up in enabled]).items():
            totals.setdefault(pdl, {})[direction] = wh
        outcomes: dict[str, list[str]] = {}
        for pdl, outcome in conn.execute(select(s.c.usage_point_id, s.c.last_outcome)):
            outcomes.setdefault(pdl, []).append(outcome)
        costs = _day_costs(conn, [up.usage_point_id for up in enabled if up.has_consumption], yesterday, prices)
        out: list[Sample] = []
        for up in enabled:
            pdl = up.usage_point_id
            out += _usage_point(up, costs.get(pdl), totals.get(pdl, {}), outcomes.get(pdl, []), yesterday)
    out += _calendars(snap, today)
    return out


class SampleCollector:
    """A prometheus_client ``Collector`` (the protocol: ``collect()``) of samples already read: one family per
    metric that has samples, the extra ``labels`` added to each sample."""

    def __init__(self, samples: tuple[Sample, ...], labels: Mapping[str, str]) -> None:
        self.samples, self.labels = samples, dict(labels)

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        grouped: dict[str, list[Sample]] = {}
        for sample in self.samples:
            grouped.setdefault(sample.metric, []).append(sample)
        for name, (kind, help_text) in METRICS.items():
            found = grouped.get(name)
            if not found:
                continue
            family_of = CounterMetricFamily if kind == "counter" else GaugeMetricFamily
            family = family_of(name, help_text, labels=[k for k, _ in found[0].labels] + list(self.labels))
            for sample in found:
                family.add_metric([v for _, v in sample.labels] + list(self.labels.values()), sample.value)
            yield family


def _registry_of(samples: tuple[Sample, ...], labels: Mapping[str, str]) -> CollectorRegistry:
    """A private registry (never prometheus_client's global REGISTRY) holding only these samples."""
    from prometheus_client.registry import CollectorRegistry

    reg = CollectorRegistry(auto_describe=False)
    reg.register(SampleCollector(samples, labels))
    return reg


def registry(engine: Engine, now: datetime, labels: Mapping[str, str] | None = None,
             prices: PricedDays | None = None) -> CollectorRegistry:
    """A private registry holding the samples read at ``now``; yesterday's costs are kept in ``prices`` when given
    (else priced here)."""
    return _registry_of(tuple(read_samples(engine, now, prices)), labels or {})


def exposition(reg: CollectorRegistry, accept: str | None) -> tuple[bytes, str]:
    """The scrape body in the format the ``Accept`` header asks for (OpenMetrics or the text format), and its type."""
    from prometheus_client.exposition import choose_encoder

    encoder, content_type = choose_encoder(accept or "")
    return encoder(reg), content_type


_ENCODED: dict[tuple[str, Labels], tuple[tuple[Sample, ...], bytes]] = {}  # per format and labels, the last body


def scrape_body(engine: Engine, now: datetime, labels: Mapping[str, str], accept: str | None,
                prices: PricedDays | None = None) -> tuple[bytes, str]:
    """``exposition`` of the samples read at ``now``, encoded again only when they differ from the samples of the
    last body made in that format with those labels (most scrapes between two syncs read the same samples)."""
    from prometheus_client.exposition import choose_encoder

    samples = tuple(read_samples(engine, now, prices))
    encoder, content_type = choose_encoder(accept or "")
    key = (content_type, tuple(labels.items()))
    last = _ENCODED.get(key)
    if last is not None and last[0] == samples:
        return last[1], content_type
    body = encoder(_registry_of(samples, labels))
    _ENCODED[key] = (samples, body)
    return body, content_type
