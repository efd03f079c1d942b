"""The VictoriaMetrics exporter's pure part: a batch as samples, extra labels, selectors and what to push.

A series is ``(metric name, sorted labels)``; its samples map a timestamp in milliseconds to a value. Series are
grouped in families, the unit the exporter reads back, compares and, when a value changed, deletes and writes
again: one family per metric and PDL, except the two cost metrics, which form one family per PDL. In the
families marked ``whole_day`` (costs, energy per slot, Tempo) the batch carries every series of each day it
holds, so a series VictoriaMetrics keeps on such a day but the batch does not (a slot of the previous offer, say)
is stale.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ...energy.costs import WM_PER_KWH
from ...energy.timeline import epoch, local_day_bounds
from ..batches import ExportBatch

Labels = tuple[tuple[str, str], ...]
SeriesKey = tuple[str, Labels]
Samples = dict[SeriesKey, dict[int, float]]
Held = dict[SeriesKey, dict[int, list[float]]]

LOAD_CURVE, DAILY, SLOT_ENERGY = "linky_load_curve_watts", "linky_daily_energy_kwh", "linky_daily_slot_energy_kwh"
COST, SLOT_COST, MAX_POWER = "linky_daily_cost_euros", "linky_daily_slot_cost_euros", "linky_max_power_va"
TEMPO, ECOWATT = "linky_tempo_color", "linky_ecowatt_level"
PUSHED = (LOAD_CURVE, DAILY, SLOT_ENERGY, COST, SLOT_COST, MAX_POWER, TEMPO, ECOWATT)
COLOURS = ("blue", "white", "red")
# the labels each metric carries besides the user's extra labels
OWN_LABELS: dict[str, frozenset[str]] = {
    LOAD_CURVE: frozenset({"pdl", "direction"}), DAILY: frozenset({"pdl", "direction"}),
    SLOT_ENERGY: frozenset({"pdl", "direction", "slot"}), COST: frozenset({"pdl"}),
    SLOT_COST: frozenset({"pdl", "slot"}), MAX_POWER: frozenset({"pdl"}), TEMPO: frozenset({"color"}),
    ECOWATT: frozenset(),
}
SCRAPED = ("instance", "job")  # labels a scraper adds (vmagent, Prometheus): series carrying them are not ours
REL_TOL = 1e-9  # VictoriaMetrics keeps about 12 significant digits; values are rounded well below that


@dataclass(frozen=True)
class Family:
    """The series the exporter reads, compares and rewrites together: some metric names, and one PDL or none."""

    names: tuple[str, ...]
    pdl: str | None
    whole_day: bool

    def selector(self, extra: Mapping[str, str]) -> str:
        """A series selector for the family's metrics, PDL and extra labels."""
        return selector(self.names, {**({"pdl": self.pdl} if self.pdl is not None else {}), **extra})


def selector(names: Iterable[str], labels: Mapping[str, str]) -> str:
    """``{__name__=~"a|b",k="v",...}``, leaving out scraped series (a ``job`` or ``instance`` label we never set)."""
    names = tuple(names)
    name = f'__name__="{names[0]}"' if len(names) == 1 else f'__name__=~"{"|".join(names)}"'
    labels = {**dict.fromkeys(SCRAPED, ""), **labels}
    return "{" + ",".join([name, *(f'{k}="{quote(v)}"' for k, v in sorted(labels.items()))]) + "}"


def quote(value: str) -> str:
    """A label value escaped for a selector."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def family_of(series: SeriesKey) -> Family:
    name, labels = series
    pdl = dict(labels).get("pdl")
    if name in (COST, SLOT_COST):
        return Family((COST, SLOT_COST), pdl, True)
    return Family((name,), None if name in (TEMPO, ECOWATT) else pdl, name in (SLOT_ENERGY, TEMPO))


def midnight_ms(day: date) -> int:
    """The local (Paris) midnight starting ``day``, in milliseconds."""
    return epoch(local_day_bounds(day)[0]) * 1000


def key(name: str, extra: Mapping[str, str], **labels: str) -> SeriesKey:
    return name, tuple(sorted({**extra, **labels}.items()))


def _euros(amount: Decimal) -> float:
    return float(round(amount, 6))


def samples_of(batch: ExportBatch, extra: Mapping[str, str]) -> Samples:
    """Every sample the batch holds: curves at their interval start, daily values at the day's local midnight."""
    out: Samples = defaultdict(dict)
    for p in (*batch.load_curve, *batch.production_curve):
        out[key(LOAD_CURVE, extra, pdl=p.usage_point_id, direction=p.direction)][p.start_utc * 1000] = p.watts
    for d in (*batch.daily, *batch.production):
        out[key(DAILY, extra, pdl=d.usage_point_id, direction=d.direction)][midnight_ms(d.day)] = round(d.wh / 1000, 3)
    for c in batch.costs:
        pdl, cost, at = c.usage_point_id, c.cost, midnight_ms(c.cost.day)
        out[key(COST, extra, pdl=pdl)][at] = _euros(cost.total)
        for slot, wm in cost.energy.items():
            out[key(SLOT_ENERGY, extra, pdl=pdl, direction="consumption", slot=slot.lower())][at] = round(
                wm / WM_PER_KWH, 6)
            out[key(SLOT_COST, extra, pdl=pdl, slot=slot.lower())][at] = _euros(cost.costs.get(slot, Decimal(0)))
    for m in batch.max_power:
        out[key(MAX_POWER, extra, pdl=m.usage_point_id)][midnight_ms(m.day)] = m.va
    for t in batch.tempo:
        for colour in COLOURS:
            out[key(TEMPO, extra, color=colour)][midnight_ms(t.day)] = int(t.color.lower() == colour)
    for e in batch.ecowatt:
        out[key(ECOWATT, extra)][midnight_ms(e.day)] = e.level
    return dict(out)


def merge(older: Samples, newer: Samples) -> Samples:
    """Both sets of samples; ``newer`` wins where both have a timestamp."""
    out = {s: dict(points) for s, points in older.items()}
    for s, points in newer.items():
        out.setdefault(s, {}).update(points)
    return out


def count(samples: Mapping[SeriesKey, Mapping[int, object]]) -> int:
    return sum(len(points) for points in samples.values())


def by_family(samples: Samples) -> dict[Family, Samples]:
    out: dict[Family, Samples] = defaultdict(dict)
    for s, points in samples.items():
        if points:
            out[family_of(s)][s] = points
    return dict(out)


def window(samples: Samples) -> tuple[int, int]:
    """The first and last timestamps (ms) of some samples."""
    stamps = [t for points in samples.values() for t in points]
    return min(stamps), max(stamps)


def parse_export(lines: Iterable[str | bytes]) -> Held:
    """``/api/v1/export`` JSON lines as series -> timestamp -> values (a series may span several lines)."""
    held: Held = defaultdict(lambda: defaultdict(list))
    for line in lines:
        if not line or not line.strip():
            continue
        row = json.loads(line)
        labels = dict(row["metric"])
        name = labels.pop("__name__", "")
        points = held[(name, tuple(sorted(labels.items())))]
        for stamp, value in zip(row["timestamps"], row["values"], strict=True):
            points[int(stamp)].append(float(value))
    return {s: dict(points) for s, points in held.items()}


def ours(series: SeriesKey, extra: Mapping[str, str]) -> bool:
    """True for a series with exactly the labels this exporter writes (not one with more, written by another)."""
    name, labels = series
    found = dict(labels)
    return (name in OWN_LABELS and set(found) == OWN_LABELS[name] | set(extra)
            and all(found[k] == v for k, v in extra.items()))


def same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


@dataclass
class Comparison:
    """What a family's samples look like next to what VictoriaMetrics holds over the same window."""

    missing: Samples
    present: int
    changed: bool  # a value differs, a timestamp is held twice, or a stale series sits on a day of the batch


def compare(family: Family, desired: Samples, held: Held, extra: Mapping[str, str]) -> Comparison:
    """The samples VictoriaMetrics lacks, those it holds with the same value, and whether anything differs."""
    missing: Samples = {}
    present, changed = 0, False
    for s, points in desired.items():
        got = held.get(s, {})
        for stamp, value in points.items():
            values = got.get(stamp)
            if not values:
                missing.setdefault(s, {})[stamp] = value
            elif len(values) == 1 and same(values[0], value):
                present += 1
            else:
                changed = True
    if family.whole_day and not changed:
        days = {t for points in desired.values() for t in points}
        changed = any(t in days for s, points in held.items() if s not in desired and ours(s, extra) for t in points)
    return Comparison(missing, present, changed)


def rewritten(family: Family, desired: Samples, held: Held, extra: Mapping[str, str]) -> Samples:
    """Every held series (ours or not) deduplicated, less what the batch replaces (its stamps, or days), plus it."""
    days = {t for points in desired.values() for t in points} if family.whole_day else set()
    out: Samples = {}
    for s, points in held.items():
        replaced = (days if ours(s, extra) else set()) | set(desired.get(s, {}))
        kept = {t: values[0] for t, values in points.items() if values and t not in replaced}
        if kept:
            out[s] = kept
    return merge(out, desired)


def import_lines(samples: Samples, per_line: int) -> Iterator[tuple[int, bytes]]:
    """JSON lines for ``/api/v1/import``, at most ``per_line`` samples each, with their sample counts."""
    for (name, labels), points in samples.items():
        stamps = sorted(points)
        metric = {"__name__": name, **dict(labels)}
        for i in range(0, len(stamps), per_line):
            part = stamps[i:i + per_line]
            line = json.dumps({"metric": metric, "values": [points[t] for t in part], "timestamps": part},
                              separators=(",", ":"))
            yield len(part), line.encode() + b"\n"
